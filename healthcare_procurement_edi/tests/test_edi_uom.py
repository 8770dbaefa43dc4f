"""Units that convert: a supplier acknowledging, shipping or billing 2 BX for 20 EA ordered is
compared and applied in the order line's unit through Odoo's units of measure; only a unit that
does not convert (another category, an unknown code) is a mismatch."""

from datetime import date, timedelta

from .flow_common import FlowCase


class TestUnitsThatConvert(FlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unit = cls.env.ref("uom.product_uom_unit")
        cls.box = cls.env["uom.uom"].create(
            {
                "name": "Box of 10",
                "category_id": cls.env.ref("uom.product_uom_categ_unit").id,
                "uom_type": "bigger",
                "factor_inv": 10,
            }
        )
        cls.env["hc.edi.uom.code"].create({"uom_id": cls.box.id, "code": "BX", "trading_partner_id": cls.partner.id})
        cls.syringe = cls.env["product.product"].create(
            {
                "name": "Syringe 10 ml",
                "default_code": "SYR-10",
                "is_storable": True,
                "uom_id": cls.unit.id,
                "uom_po_id": cls.box.id,
                "seller_ids": [(0, 0, {"partner_id": cls.supplier.id, "product_code": "V-SYR", "price": 50.0})],
            }
        )

    def order_each(self, qty=20, price=5.0):
        po = self.env["purchase.order"].create(
            {
                "partner_id": self.supplier.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.syringe.id,
                            "product_qty": qty,
                            "product_uom": self.unit.id,
                            "price_unit": price,
                        },
                    )
                ],
            }
        )
        po.button_confirm()
        return po

    def ack(self, po, uom, qty, price, status="accepted"):
        line = po.order_line
        return self.send(
            {
                "kind": "po_ack",
                "po_number": po.name,
                "ack_number": f"A-{po.id}-{uom}",
                "date": "2026-12-01",
                "status": status,
                "lines": [
                    {
                        "line_id": line.id,
                        "buyer_part": "SYR-10",
                        "vendor_part": "V-SYR",
                        "gtin": "",
                        "status": status,
                        "quantity": str(qty),
                        "uom": uom,
                        "price": str(price),
                        "date": str(line.date_planned.date()),
                        "substitute": None,
                    }
                ],
            }
        )

    def test_acknowledged_in_boxes_is_compared_in_units(self):
        po = self.order_each()
        line = po.order_line
        self.assertEqual(line.product_uom, self.unit)
        msg = self.ack(po, "BX", 2, 50)
        self.assertEqual(msg.state, "done", msg.error_detail)
        self.assertEqual(line.hc_ack_status, "accepted")
        self.assertEqual((line.hc_ack_qty, line.hc_ack_price), (20, 5))
        self.assertEqual((line.product_qty, line.price_unit, line.product_uom), (20, 5, self.unit))
        self.assertFalse(self.exceptions(po), "2 BX at 50 is 20 EA at 5: nothing changed")

    def test_converted_change_beyond_tolerance_and_units_that_do_not_convert(self):
        po = self.order_each()
        line = po.order_line
        self.ack(po, "BX", 3, 50, status="changed")
        exc = self.exceptions(po, "ack_quantity_change")
        self.assertEqual(len(exc), 1)
        self.assertEqual(exc.hc_edi_payload["quantity"], 30, "the change is stated in the line's unit")
        self.assertFalse(self.exceptions(po, "ack_uom_mismatch"))
        self.assertEqual(line.product_qty, 20)
        # within tolerance the converted price is applied in the line's unit
        self.partner.price_tolerance_percent = 5.0
        self.ack(po, "BX", 2, 51, status="changed")
        self.assertAlmostEqual(line.price_unit, 5.1)
        self.assertEqual(line.product_uom, self.unit)
        # another unit category, an unknown code: a mismatch
        for code in ("KGM", "ZZQ"):
            po2 = self.order_each()
            self.ack(po2, code, 2, 50)
            mismatch = self.exceptions(po2, "ack_uom_mismatch")
            self.assertEqual(len(mismatch), 1, code)
            self.assertEqual(po2.order_line.product_qty, 20)

    def test_ship_notice_in_boxes_prefills_units_and_bill_in_boxes_matches(self):
        self.partner.auto_post_matched_bills = True
        po = self.order_each()
        line = po.order_line
        msg = self.send(
            {
                "kind": "asn",
                "asn_number": "ASN-BX",
                "po_numbers": [po.name],
                "ship_date": str(date.today()),
                "expected_date": str(date.today() + timedelta(days=1)),
                "lines": [
                    {
                        "line_id": line.id,
                        "po_number": po.name,
                        "buyer_part": "SYR-10",
                        "vendor_part": "V-SYR",
                        "gtin": "",
                        "quantity": "2",
                        "uom": "BX",
                        "lot": None,
                        "expiry": None,
                        "serials": [],
                        "sscc": None,
                        "udi": None,
                    }
                ],
            }
        )
        self.assertEqual(msg.state, "done", msg.error_detail)
        picking = po.picking_ids
        ml = picking.move_line_ids
        self.assertEqual((ml.quantity, ml.product_uom_id), (20, self.unit))
        self.assertFalse(self.exceptions(picking), "2 BX is the 20 EA ordered: no under-shipment")
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(line.qty_received, 20)
        self.assertTrue(picking.hc_asn_accurate, picking.hc_asn_differences)

        def invoice(number, uom, qty, price):
            return self.send(
                {
                    "kind": "invoice",
                    "invoice_number": number,
                    "date": "2026-12-01",
                    "currency": "USD",
                    "po_numbers": [po.name],
                    "total": "0",
                    "tax_total": None,
                    "charges": [],
                    "lines": [
                        {
                            "line_id": line.id,
                            "po_number": po.name,
                            "buyer_part": "SYR-10",
                            "vendor_part": "V-SYR",
                            "gtin": "",
                            "quantity": str(qty),
                            "uom": uom,
                            "price": str(price),
                            "amount": None,
                        }
                    ],
                }
            )

        def bill_of(msg):
            doc = self.env["hc.edi.document"].search([("inbound_message_id", "=", msg.id)])
            return self.env["account.move"].search([("hc_edi_document_id", "in", doc.ids)])

        wrong = bill_of(invoice("INV-KG", "KGM", 2, 50))
        self.assertEqual(wrong.hc_match_state, "blocked")
        exc = self.exceptions(wrong, "invoice_quantity_mismatch")
        self.assertIn("KGM", exc.detail)
        wrong.button_cancel()
        bill = bill_of(invoice("INV-BX", "BX", 2, 50))
        self.assertEqual((bill.hc_match_state, bill.state), ("matched", "posted"))
        aml = bill.invoice_line_ids
        self.assertEqual((aml.quantity, aml.price_unit, aml.product_uom_id), (20, 5, self.unit))
        self.assertEqual(aml.purchase_line_id, line)
        self.assertEqual(line.qty_invoiced, 20)
