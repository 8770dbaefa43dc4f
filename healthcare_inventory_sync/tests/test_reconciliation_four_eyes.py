"""Four eyes on stock adjustments: another approver is asked, and sees the decision buttons."""

from odoo.tests import new_test_user

from .test_inventory_events import InventoryCase


class TestReconciliationFourEyes(InventoryCase):
    def test_the_approval_goes_to_another_approver_who_sees_the_buttons(self):
        self.send(self.event(type="inventory.count", quantity=37))
        proposer = new_test_user(
            self.env,
            "hc_4e_prop",
            groups="healthcare_integration_base.group_hc_manager,healthcare_integration_base.group_hc_approver",
        )
        other = new_test_user(self.env, "hc_4e_other", groups="healthcare_integration_base.group_hc_approver")
        run = self.env["hc.reconciliation.run"].with_user(proposer).create({"endpoint_id": self.endpoint.id})
        run.action_load_counts()
        run.action_propose()
        self.assertNotEqual(run.approver_id, proposer)
        self.assertTrue(run.approver_id.has_group("healthcare_integration_base.group_hc_approver"))
        self.assertEqual(run.activity_ids.user_id, run.approver_id)
        self.assertFalse(run.can_decide, "the proposer may not approve")
        self.assertIn("four-eyes", run.decide_hint)
        self.assertTrue(run.with_user(other).can_decide)
        wizard = (
            self.env["hc.reconciliation.decision.wizard"]
            .with_user(other)
            .create({"run_id": run.id, "decision": "approve", "reason": "Recounted"})
        )
        wizard.action_confirm()
        self.assertEqual((run.state, run.decided_by_id), ("applied", other))
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 37)

    def test_without_another_approver_nobody_is_asked_and_the_run_says_so(self):
        self.env.ref("healthcare_integration_base.group_hc_approver").users = [(5,)]
        self.send(self.event(type="inventory.count", quantity=37))
        proposer = new_test_user(
            self.env,
            "hc_4e_alone",
            groups="healthcare_integration_base.group_hc_manager,healthcare_integration_base.group_hc_approver",
        )
        run = self.env["hc.reconciliation.run"].with_user(proposer).create({"endpoint_id": self.endpoint.id})
        run.action_load_counts()
        run.action_propose()
        self.assertEqual(run.state, "proposed")
        self.assertFalse(run.activity_ids, "never assigned to the proposer")
        self.assertIn("add one to approve", run.message_ids[0].body)

    def test_the_run_and_its_pdf_name_the_real_source_of_the_counts(self):
        self.send(self.event(type="inventory.count", quantity=37))
        run = self.env["hc.reconciliation.run"].create({"name": "All systems"})
        run.action_load_counts()
        self.assertIn("External counts from every source system", run.count_source)
        run2 = self.env["hc.reconciliation.run"].create({"name": "Cabinets", "endpoint_id": self.endpoint.id})
        run2.action_load_counts()
        self.assertIn(f"External counts from {self.endpoint.display_name}", run2.count_source)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("healthcare_inventory_sync.action_report_hc_reconciliation_run", run.ids)[0]
            .decode()
        )
        self.assertIn("External counts from every source system", html)
        self.assertNotIn("CSV upload", html)
