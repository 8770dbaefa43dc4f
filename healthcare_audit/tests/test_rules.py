"""Configuration of what is tracked: shipped rules, missing models, state filters."""

import json
from unittest import skipUnless

from odoo.modules.module import get_modules

from .common import AuditCase


class TestRules(AuditCase):
    def test_rules_of_missing_models_are_kept_and_skipped(self):
        rule = self.env["hc.audit.rule"].create({"name": "ghost", "model": "hc.not.installed", "actions": "write"})
        self.assertFalse(rule.model_installed)
        self.assertNotIn("hc.not.installed", self.env["hc.audit.rule"]._rules_by_model())
        shipped = self.env.ref("healthcare_audit.rule_hc_endpoint")
        self.assertTrue(shipped.model_installed)
        self.assertIn("hc.endpoint", self.env["hc.audit.rule"]._rules_by_model())

    def test_deactivated_rule_stops_recording(self):
        rule = self.env["hc.audit.rule"].search([("model", "=", "res.partner")])
        rule.active = False
        before = self.last_id()
        self.partner.write({"comment": "not tracked any more"})
        self.assertFalse(self.Event.search([("id", ">", before), ("model", "=", "res.partner")]))
        # the rule change itself is on the trail
        self.assertTrue(self.events("hc.audit.rule", rule.id, "write"))

    def test_rule_created_at_runtime_patches_its_model(self):
        self.env["hc.audit.rule"].create({"name": "teams", "model": "hc.team", "fields": "name", "actions": "write"})
        self.team.name = "Pharmacy"
        event = self.events("hc.team", self.team.id, "write")[-1]
        self.assertEqual(json.loads(event.changes)["name"], {"old": "Master Data", "new": "Pharmacy"})


@skipUnless("stock" in get_modules(), "stock is not available")
class TestStockMoveDone(AuditCase):
    def test_only_the_transition_to_done_is_recorded(self):
        if "stock.move" not in self.env:
            self.skipTest("stock is not installed")
        product = self.env["product.product"].create({"name": "Gauze", "type": "consu", "is_storable": True})
        move = self.env["stock.move"].create(
            {
                "name": "use",
                "product_id": product.id,
                "product_uom_qty": 2,
                "product_uom": product.uom_id.id,
                "location_id": self.env.ref("stock.stock_location_stock").id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
            }
        )
        move._action_confirm()
        move.quantity = 2
        move.picked = True
        self.assertFalse(self.events("stock.move", move.id))
        move._action_done()
        events = self.events("stock.move", move.id)
        self.assertEqual(len(events), 1)
        self.assertEqual(events.action, "state")
        self.assertEqual(json.loads(events.changes)["state"]["new"], "done")
