"""A lot received against a purchase order through the supplier's ship notice: its recall trace
names the supplier, the order, the ship notice (document and message) and the receipt."""

from datetime import date, timedelta

from odoo.addons.healthcare_procurement_edi.tests.flow_common import FlowCase


class TestRecallOrigin(FlowCase):
    def ship_notice(self, po, lot, qty, number):
        pol = po.order_line.filtered(lambda line: line.product_id == self.lot_product)
        line = {
            "line_id": pol.id,
            "po_number": po.name,
            "buyer_part": pol.product_id.default_code,
            "vendor_part": "",
            "gtin": "",
            "quantity": str(qty),
            "uom": "EA",
            "lot": lot,
            "expiry": str(date.today() + timedelta(days=400)),
            "serials": [],
            "sscc": None,
            "udi": None,
        }
        return self.send(
            {
                "kind": "asn",
                "asn_number": number,
                "po_numbers": [po.name],
                "ship_date": str(date.today()),
                "expected_date": str(date.today() + timedelta(days=1)),
                "lines": [line],
            }
        )

    def test_origin_names_supplier_order_ship_notice_and_receipt(self):
        po = self.order([(self.lot_product, 100, 4.0)])
        msg = self.ship_notice(po, "GL-RCL-1", 100, "ASN-RCL-1")
        self.assertEqual(msg.state, "done", msg.error_detail)
        receipt = po.picking_ids
        self.assertEqual(receipt.move_line_ids.lot_id.name, "GL-RCL-1", "the ship notice prefilled the lot")
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        lot = receipt.move_line_ids.lot_id
        document = receipt.hc_asn_document_id
        self.assertTrue(document, "the receipt knows the ship notice that announced it")

        recall = self.env["hc.recall"].create(
            {"product_id": self.lot_product.id, "lot_ids": [(6, 0, lot.ids)], "reason": "Torn packaging"}
        )
        origin = recall.get_trace()["origin"]
        self.assertEqual(len(origin), 1)
        row = origin[0]
        self.assertEqual(
            (row["supplier"], row["purchase_order"], row["purchase_order_id"], row["receipt"], row["lot"]),
            ("Sterile Supplies Ltd", po.name, po.id, receipt.name, "GL-RCL-1"),
        )
        self.assertEqual((row["ship_notice"], row["ship_notice_id"]), ("ASN-RCL-1", document.id))
        self.assertEqual(row["ship_notice_message_id"], msg.id)
        self.assertEqual((row["message_id"], row["endpoint"]), (msg.id, self.endpoint.code))
        self.assertEqual(row["quantity"], 100.0)
        self.assertEqual(row["date"][:10], str(receipt.date_done.date()))
        # the case's screen and the printed trace show them too
        html = str(recall.trace_html)
        for fact in (po.name, "ASN-RCL-1", receipt.name, "Sterile Supplies Ltd"):
            self.assertIn(fact, html)
        report = self.env["ir.actions.report"]._render_qweb_html("healthcare_recall.report_hc_recall", recall.ids)[0]
        self.assertIn("ASN-RCL-1", str(report))

    def test_receipt_without_ship_notice_still_names_the_order(self):
        po = self.order([(self.lot_product, 5, 4.0)])
        receipt = po.picking_ids
        lot = self.env["stock.lot"].create({"name": "GL-RCL-2", "product_id": self.lot_product.id})
        move = receipt.move_ids
        if move.move_line_ids:
            move.move_line_ids.write({"lot_id": lot.id, "quantity": 5})
        else:
            self.env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": receipt.id,
                    "product_id": self.lot_product.id,
                    "lot_id": lot.id,
                    "quantity": 5,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                }
            )
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        recall = self.env["hc.recall"].create({"product_id": self.lot_product.id, "lot_ids": [(6, 0, lot.ids)]})
        (row,) = recall.get_trace()["origin"]
        self.assertEqual(
            (row["purchase_order"], row["supplier"], row["receipt"]), (po.name, "Sterile Supplies Ltd", receipt.name)
        )
        self.assertFalse(row["ship_notice"])
        self.assertFalse(row["ship_notice_id"])
