"""The people of the suite, in the browser (Chromium through Odoo's HttpCase), as the issue's
"done when" asks: the pharmacist who gets the decision, and the second person of four eyes."""

from datetime import datetime

from odoo.tests import HttpCase, new_test_user, tagged

from .test_inventory_events import InventoryCase


@tagged("post_install", "-at_install")
class TestPeopleTours(HttpCase, InventoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pharmacist = new_test_user(
            cls.env,
            "hc_tour_pharmacist",
            password="hc_tour_pharmacist",
            name="Tour Pharmacist",
            email="tour.pharmacist@example.com",
            groups="base.group_user,stock.group_stock_user,healthcare_integration_base.group_hc_approver",
        )
        cls.pharmacy = cls.env.ref("healthcare_inventory_sync.hc_team_pharmacy")
        cls.pharmacy.write({"user_id": False, "member_ids": [(6, 0, [cls.pharmacist.id])]})

    def build_assets(self):
        """Build the web client's bundles before the browser asks for them (a busy machine
        otherwise outlasts the browser's readiness wait on the first page)."""
        for name in ("web.assets_web", "web.assets_tests"):
            bundle = self.env["ir.qweb"]._get_asset_bundle(name)
            bundle.js()
            bundle.css()

    def test_pharmacist_gets_the_activity_reads_the_event_and_approves(self):
        heparin = self.env["product.product"].create(
            {
                "name": "Heparin T",
                "default_code": "T-HEP",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
            }
        )
        old = self.env["stock.lot"].create(
            {"name": "TL-HEP-OLD", "product_id": heparin.id, "expiration_date": datetime(2025, 1, 31)}
        )
        self.env["stock.quant"]._update_available_quantity(heparin, self.cab, 5, lot_id=old)
        msg = self.send(self.event(item={"code": "T-HEP"}, lot="TL-HEP-OLD", expiry="2025-01-31", quantity=2))
        self.assertEqual((msg.state, msg.error_code), ("failed", "lot_expired"))
        exception = msg.exception_id
        self.assertEqual(exception.team_id, self.pharmacy)
        self.assertEqual(exception.activity_ids.user_id, self.pharmacist, "the decision goes to who can make it")
        self.assertFalse(exception.assignment_note)
        self.build_assets()
        self.start_tour("/odoo", "hc_pharmacist_activity", login="hc_tour_pharmacist", timeout=300)
        msg.invalidate_recordset()
        exception.invalidate_recordset()
        self.assertEqual((exception.state, exception.decided_by_id), ("approved", self.pharmacist))
        self.assertEqual(msg.state, "done")
        self.assertEqual(self.qty(heparin, self.cab, old), 3)
        self.assertFalse(exception.activity_ids, "the activity is done")

    def test_a_second_person_approves_the_adjustment_the_first_proposed(self):
        proposer = new_test_user(
            self.env,
            "hc_tour_proposer",
            password="hc_tour_proposer",
            name="Tour Proposer",
            groups="base.group_user,healthcare_integration_base.group_hc_manager,"
            "healthcare_integration_base.group_hc_approver",
        )
        self.send(self.event(type="inventory.count", quantity=37))
        run = (
            self.env["hc.reconciliation.run"]
            .with_user(proposer)
            .create({"name": "Cabinet T1 weekly", "endpoint_id": self.endpoint.id})
        )
        run.action_load_counts()
        run.action_propose()
        self.assertEqual(run.approver_id, self.pharmacist, "asked of another approver, in Pharmacy")
        self.assertEqual(run.activity_ids.user_id, self.pharmacist)
        self.build_assets()
        self.start_tour(
            "/odoo/action-healthcare_inventory_sync.action_hc_reconciliation_run",
            "hc_reconciliation_proposer_waits",
            login="hc_tour_proposer",
            timeout=300,
        )
        self.start_tour(
            "/odoo/action-healthcare_inventory_sync.action_hc_reconciliation_run",
            "hc_reconciliation_four_eyes",
            login="hc_tour_pharmacist",
            timeout=300,
        )
        run.invalidate_recordset()
        self.assertEqual((run.state, run.decided_by_id), ("applied", self.pharmacist))
        self.assertEqual(run.decision_reason, "Recounted by the charge nurse")
        self.assertEqual(self.qty(self.saline, self.cab, self.lot), 37)
