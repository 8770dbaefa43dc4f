"""Purchase orders, their lines and invoice posting on the audit trail, and the evidence pack
opened from a purchase order's Action menu."""

import json

from odoo.addons.healthcare_audit.tests.common import AuditCase
from odoo.tools.safe_eval import safe_eval


class TestPurchaseTrail(AuditCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create({"name": "Syringe 5 ml", "type": "consu"})

    def order(self):
        return self.env["purchase.order"].create(
            {
                "partner_id": self.partner.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_qty": 10, "price_unit": 1.5})],
            }
        )

    def test_price_quantity_and_state_changes_are_recorded(self):
        order = self.order()
        line = order.order_line
        self.assertTrue(self.events("purchase.order.line", line.id, "create"))
        line.with_user(self.env.ref("base.user_admin")).write({"price_unit": 1.75, "product_qty": 12})
        change = self.events("purchase.order.line", line.id, "write")[-1]
        self.assertEqual(json.loads(change.changes)["price_unit"], {"old": 1.5, "new": 1.75})
        self.assertEqual(json.loads(change.changes)["product_qty"], {"old": 10.0, "new": 12.0})
        order.button_confirm()
        state = self.events("purchase.order", order.id, "state")
        self.assertTrue(state)
        self.assertIn(json.loads(state[-1].changes)["state"]["new"], ("purchase", "to approve"))

    def test_the_rules_are_this_modules_and_the_audit_addon_names_no_purchase_model(self):
        rules = self.env["hc.audit.rule"].search(
            [("model", "in", ("purchase.order", "purchase.order.line", "account.move"))]
        )
        xmlids = rules.get_external_id()
        mine = [x for x in xmlids.values() if x.startswith("healthcare_audit_purchase.")]
        self.assertEqual(len(mine), 3)
        # the procurement EDI glue adds its own rules for the same models (they add up)
        self.assertLessEqual(
            {xmlid.split(".")[0] for xmlid in xmlids.values()},
            {"healthcare_audit_purchase", "healthcare_audit_procurement_edi"},
        )
        shipped = self.env["ir.model.data"].search(
            [("module", "=", "healthcare_audit"), ("model", "=", "hc.audit.rule")]
        )
        models_named = set(self.env["hc.audit.rule"].browse(shipped.mapped("res_id")).mapped("model"))
        self.assertFalse({m for m in models_named if m.split(".")[0] in ("purchase", "account", "stock")}, models_named)

    def test_evidence_pack_from_the_purchase_orders_action_menu(self):
        order = self.order()
        order.order_line.write({"price_unit": 2.0})
        order.button_confirm()
        action = self.env.ref("healthcare_audit_purchase.action_hc_audit_evidence_from_purchase_order")
        bound = self.env["ir.actions.actions"]._get_bindings("purchase.order")["action"]
        self.assertIn(action.id, [a["id"] for a in bound])
        context = safe_eval(action.context, {"active_id": order.id})
        wizard = self.env["hc.audit.evidence.wizard"].with_user(self.auditor).with_context(**context).create({})
        self.assertEqual((wizard.model, wizard.res_id), ("purchase.order", order.id))
        self.assertEqual(wizard.record_label, f"Purchase Order {order.name}")
        pack = wizard._pack()
        seen = {(e["model"], e["res_id"], e["action"]) for e in pack["events"]}
        self.assertIn(("purchase.order", order.id, "create"), seen)
        self.assertIn(("purchase.order", order.id, "state"), seen)
        # the lines' trail is the order's: created, then repriced
        self.assertIn(("purchase.order.line", order.order_line.id, "create"), seen)
        self.assertIn(("purchase.order.line", order.order_line.id, "write"), seen)
        self.assertTrue(wizard.action_download_json()["url"].startswith("/web/content/hc.audit.evidence.wizard/"))
        self.assertEqual(json.loads(wizard._pack_json())["query"]["model"], "purchase.order")
