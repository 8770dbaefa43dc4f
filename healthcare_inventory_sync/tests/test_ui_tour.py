"""A pharmacist works an expired-lot exception in the browser (Chromium via Odoo's HttpCase)."""

import json

from odoo.tests import HttpCase, new_test_user, tagged

from .test_inventory_events import InventoryCase


@tagged("post_install", "-at_install")
class TestPharmacyTour(HttpCase, InventoryCase):
    def test_pharmacist_approves_expired_lot_and_sees_it_posted(self):
        new_test_user(
            self.env,
            "hc_pharmacist",
            password="hc_pharmacist",
            email="pharmacist@example.com",
            groups="base.group_user,healthcare_integration_base.group_hc_approver",
        )
        msg = self.send(self.event(lot="TL-OLD", expiry="2025-01-31", quantity=1))
        self.assertEqual((msg.state, msg.error_code), ("failed", "lot_expired"))
        self.start_tour(
            "/odoo/action-healthcare_integration_base.action_hc_exception",
            "hc_pharmacy_expired_lot",
            login="hc_pharmacist",
            timeout=240,  # a fresh database builds its asset bundles on this first page: slow on 2 cores
        )
        msg.invalidate_recordset()
        self.assertEqual(msg.state, "done")
        self.assertEqual(msg.exception_id.decided_by_id.login, "hc_pharmacist")
        move = self.env["stock.move"].browse(json.loads(msg.result_ids))
        self.assertEqual((move.state, move.move_line_ids.lot_id), ("done", self.expired))
        self.assertEqual(self.qty(self.saline, self.cab, self.expired), 4)
