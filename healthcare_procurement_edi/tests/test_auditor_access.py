"""Auditors read purchase orders and journal entries the trail references, and change none."""

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user


class TestAuditorAccess(TransactionCase):
    def test_auditor_reads_purchase_orders_and_entries_read_only(self):
        vendor = self.env["res.partner"].create({"name": "Sterile Supplies Ltd"})
        product = self.env["product.product"].create({"name": "Saline 1000 ml", "is_storable": True})
        order = self.env["purchase.order"].create(
            {"partner_id": vendor.id, "order_line": [(0, 0, {"product_id": product.id, "product_qty": 12})]}
        )
        order.button_confirm()
        auditor = new_test_user(self.env, "hc_po_auditor", groups="healthcare_integration_base.group_hc_auditor")
        as_auditor = order.with_user(auditor)
        self.assertEqual(as_auditor.read(["state"])[0]["state"], "purchase")
        self.assertEqual(as_auditor.order_line.read(["product_qty"])[0]["product_qty"], 12)
        self.assertTrue(as_auditor.picking_ids.read(["state"]))
        for attempt in (
            lambda: as_auditor.write({"notes": "edited"}),
            lambda: as_auditor.order_line.write({"product_qty": 1}),
            lambda: as_auditor.unlink(),
        ):
            with self.assertRaises(AccessError):
                attempt()
        for model in ("account.move", "account.move.line"):
            records = self.env[model].with_user(auditor)
            self.assertTrue(records.has_access("read"), model)
            for operation in ("write", "create", "unlink"):
                self.assertFalse(records.has_access(operation), f"{model} {operation}")
