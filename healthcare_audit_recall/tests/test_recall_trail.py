"""Closing a recall is on the audit trail with who and why."""

import json

from odoo.addons.healthcare_inventory_sync.tests.test_inventory_events import InventoryCase
from odoo.tests import new_test_user


class TestRecallTrail(InventoryCase):
    def test_quarantine_and_close_are_audited(self):
        approver = new_test_user(
            self.env,
            login="recall-approver",
            groups="base.group_user,stock.group_stock_user,healthcare_integration_base.group_hc_approver",
        )
        recall = (
            self.env["hc.recall"]
            .with_user(approver)
            .create({"product_id": self.saline.id, "lot_ids": [(6, 0, self.lot.ids)], "reason": "Particles"})
        )
        recall.action_quarantine_all()
        recall.action_close("Destroyed under witness, certificate D-17")
        events = self.env["hc.audit.event"].search([("model", "=", "hc.recall"), ("res_id", "=", recall.id)])
        closing = [e for e in events if "close_reason" in json.loads(e.changes or "{}")]
        self.assertEqual(len(closing), 1, events.mapped("changes"))
        self.assertEqual(closing[0].user_id, approver)
        changes = json.loads(closing[0].changes)
        self.assertEqual(changes["close_reason"]["new"], "Destroyed under witness, certificate D-17")
        self.assertEqual(changes["state"]["new"], "closed")
