"""The demo teams are staffed on install and again on a module update (the teams themselves are
noupdate records of healthcare_inventory_sync), adding only what is missing."""

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

MODULE = "healthcare_integration_demo"


@tagged("post_install", "-at_install")
class TestDemoTeams(TransactionCase):
    def ref(self, xmlid):
        return self.env.ref(xmlid if "." in xmlid else f"{MODULE}.{xmlid}")

    def reload_as_on_update(self):
        """What ``-u healthcare_integration_demo`` does with the file: load it in update mode."""
        convert_file(self.env, MODULE, "data/hc_team_data.xml", {}, mode="update", noupdate=False)
        self.env.invalidate_all()

    def test_teams_have_approvers_as_members(self):
        pharmacy = self.ref("healthcare_inventory_sync.hc_team_pharmacy")
        master = self.ref("healthcare_inventory_sync.hc_team_master_data")
        self.assertEqual(pharmacy.user_id, self.ref("user_pharmacy_lead"))
        self.assertEqual(set(pharmacy.member_ids.mapped("login")), {"pharmacist", "pharmacy_lead"})
        self.assertEqual(master.member_ids.mapped("login"), ["master_data"])
        approver = self.env.ref("healthcare_integration_base.group_hc_approver")
        for user in pharmacy.member_ids | master.member_ids:
            self.assertIn(approver, user.groups_id, user.login)
        dashboard = self.env.ref("healthcare_integration_base.action_hc_endpoint_stat")
        self.assertEqual(self.ref("user_integration_admin").action_id.id, dashboard.id, "the admin lands on it")

    def test_an_update_restores_missing_members_and_keeps_the_admins_choices(self):
        pharmacy = self.ref("healthcare_inventory_sync.hc_team_pharmacy")
        master = self.ref("healthcare_inventory_sync.hc_team_master_data")
        # a database whose teams lost their members (installed before the demo staffed them)
        pharmacy.write({"member_ids": [(5, 0, 0)], "user_id": False})
        master.write({"member_ids": [(5, 0, 0)]})
        # ... and the administrator's own choices
        master.user_id = self.ref("user_pharmacy_lead")
        extra = self.ref("user_auditor")
        master.member_ids = [(4, extra.id)]
        self.reload_as_on_update()
        self.assertEqual(set(pharmacy.member_ids.mapped("login")), {"pharmacist", "pharmacy_lead"})
        self.assertEqual(pharmacy.user_id, self.ref("user_pharmacy_lead"))
        self.assertEqual(set(master.member_ids.mapped("login")), {"master_data", "auditor"})
        self.assertEqual(master.user_id, self.ref("user_pharmacy_lead"), "the lead chosen by the admin stays")
        # a second update adds nothing twice
        self.reload_as_on_update()
        self.assertEqual(len(pharmacy.member_ids), 2)
