"""Ship notices in: the receipt prefilled with lots, expiry dates, serials and SSCC packages;
over/under/unknown/short-dated/duplicate-serial/missing-lot exceptions; receipt vs notice."""

from datetime import date, timedelta

from .flow_common import FlowCase


class TestShipNotice(FlowCase):
    def asn(self, po, lines, number="ASN-1", fmt="x12_4010"):
        return self.send(
            {
                "kind": "asn",
                "asn_number": number,
                "po_numbers": [po.name],
                "ship_date": str(date.today()),
                "expected_date": str(date.today() + timedelta(days=1)),
                "lines": lines,
            },
            fmt,
        )

    def line(self, pol, qty, lot=None, expiry=None, serials=None, sscc=None, udi=None, **kw):
        return {
            "line_id": pol.id if pol else None,
            "po_number": pol.order_id.name if pol else None,
            "buyer_part": pol.product_id.default_code if pol else "",
            "vendor_part": kw.get("vendor_part", ""),
            "gtin": kw.get("gtin", ""),
            "quantity": str(qty),
            "uom": "EA",
            "lot": lot,
            "expiry": expiry,
            "serials": serials or [],
            "sscc": sscc,
            "udi": udi,
        }

    def test_receipt_prefilled_and_validated(self):
        po = self.order()
        heparin, gloves = po.order_line
        good, short = date.today() + timedelta(days=400), date.today() + timedelta(days=30)
        msg = self.asn(
            po,
            [
                self.line(heparin, 10, sscc="003123450000000017"),
                self.line(gloves, 60, lot="GL-1", expiry=str(good), sscc="003123450000000024"),
                self.line(gloves, 40, lot="GL-2", expiry=str(short), sscc="003123450000000024"),
            ],
        )
        self.assertEqual(msg.state, "done", msg.error_detail)
        picking = po.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.hc_asn_number, "ASN-1")
        mls = picking.move_line_ids
        self.assertEqual(sorted(mls.mapped("quantity")), [10, 40, 60])
        gl1 = mls.filtered(lambda m: m.lot_id.name == "GL-1")
        self.assertEqual(gl1.lot_id.expiration_date.date(), good, "a date-only expiry is stored as that date")
        self.assertEqual(gl1.result_package_id.name, "003123450000000024")
        self.assertEqual(
            mls.filtered(lambda m: m.product_id == self.product).result_package_id.name, "003123450000000017"
        )
        self.assertEqual(picking.scheduled_date.date(), date.today() + timedelta(days=1))
        short_exc = self.exceptions(picking, "asn_short_dated")
        self.assertEqual(len(short_exc), 1)
        self.assertIn("GL-2", short_exc.detail)
        self.assertFalse(self.exceptions(picking, "asn_under") | self.exceptions(picking, "asn_over"))
        # receiving staff validate as usual
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual((heparin.qty_received, gloves.qty_received), (10, 100))
        self.assertTrue(picking.hc_asn_accurate)
        quant = self.env["stock.quant"].search([("lot_id.name", "=", "GL-1"), ("location_id.usage", "=", "internal")])
        self.assertEqual((quant.quantity, quant.package_id.name), (60, "003123450000000024"))

    def test_exceptions_per_cause(self):
        serial_product = self.env["product.product"].create(
            {
                "name": "Infusion pump",
                "default_code": "PUMP-1",
                "is_storable": True,
                "tracking": "serial",
                "seller_ids": [(0, 0, {"partner_id": self.supplier.id, "product_code": "V-PUMP", "price": 900})],
            }
        )
        stock = self.env.ref("stock.stock_location_stock")
        lot = self.env["stock.lot"].create({"name": "SN-1", "product_id": serial_product.id})
        self.env["stock.quant"]._update_available_quantity(serial_product, stock, 1, lot_id=lot)
        po = self.order([(self.product, 10, 12.5), (self.lot_product, 100, 4.0), (serial_product, 2, 900)])
        heparin, gloves, pumps = po.order_line
        msg = self.asn(
            po,
            [
                self.line(heparin, 12),  # over (0 % tolerance)
                self.line(gloves, 50),  # under, and no lot
                self.line(pumps, 2, serials=["SN-1", "SN-2"]),
                self.line(None, 3, vendor_part="V-NOPE"),  # not on the order
            ],
            number="ASN-2",
        )
        self.assertEqual(msg.state, "done", msg.error_detail)
        picking = po.picking_ids
        codes = sorted((self.exceptions(picking) | self.exceptions(po)).mapped("code"))
        self.assertEqual(codes, ["asn_lot_missing", "asn_not_on_po", "asn_over", "asn_serial_duplicate", "asn_under"])
        serial_lines = picking.move_line_ids.filtered(lambda m: m.product_id == serial_product)
        self.assertEqual(sorted(serial_lines.mapped("lot_id.name")), ["SN-1", "SN-2"])
        # the same notice again: one exception per cause still
        self.asn(po, [self.line(heparin, 12)], number="ASN-2")
        self.assertEqual(len(self.exceptions(picking, "asn_over")), 1)

    def test_backordered_part_is_not_an_under_shipment_and_udi_read(self):
        po = self.order([(self.lot_product, 100, 4.0)])
        gloves = po.order_line
        self.send(
            {
                "kind": "po_ack",
                "po_number": po.name,
                "ack_number": "A",
                "date": "2026-12-01",
                "status": "changed",
                "lines": [
                    {"line_id": gloves.id, "status": "accepted", "quantity": "60", "uom": "EA", "price": "4"},
                    {
                        "line_id": gloves.id,
                        "status": "backordered",
                        "quantity": "40",
                        "uom": "EA",
                        "price": "4",
                        "date": str(gloves.date_planned.date()),
                    },
                ],
            }
        )
        self.assertEqual(gloves.hc_ack_status, "backordered")
        expiry = date.today() + timedelta(days=500)
        udi = f"(01)00312345000011(17){expiry:%y%m%d}(10)UDI-LOT"
        # the canonical line goes to the handler as read (the syntaxes carrying a UDI: test_lib_roundtrip)
        doc = self.env["hc.edi.document"].create(
            {
                "trading_partner_id": self.partner.id,
                "company_id": self.env.company.id,
                "direction": "in",
                "kind": "asn",
                "purchase_id": po.id,
                "document_json": {
                    "kind": "asn",
                    "asn_number": "ASN-3",
                    "po_numbers": [po.name],
                    "lines": [self.line(gloves, 60, udi=udi)],
                },
            }
        )
        self.assertIsNone(self.env["hc.processor.edi"]._edi_handle_asn(doc, None, None))
        picking = po.picking_ids
        self.assertFalse(self.exceptions(picking).mapped("code"), "60 now, 40 backordered: not an under-shipment")
        ml = picking.move_line_ids
        self.assertEqual((ml.lot_id.name, ml.lot_id.expiration_date.date(), ml.quantity), ("UDI-LOT", expiry, 60))

    def test_edifact_desadv(self):
        self.partner.document_format = "edifact_d96a"
        po = self.order([(self.lot_product, 100, 4.0)])
        exp = date.today() + timedelta(days=400)
        msg = self.asn(
            po,
            [self.line(po.order_line, 100, lot="ED-1", expiry=str(exp), sscc="003123450000000031")],
            number="D-1",
            fmt="edifact_d96a",
        )
        self.assertEqual(msg.state, "done", msg.error_detail)
        ml = po.picking_ids.move_line_ids
        self.assertEqual(
            (ml.lot_id.name, ml.lot_id.expiration_date.date(), ml.result_package_id.name),
            ("ED-1", exp, "003123450000000031"),
        )

    def test_received_differently_from_the_notice_is_listed(self):
        po = self.order([(self.product, 10, 12.5)])
        self.asn(po, [self.line(po.order_line, 10)], number="ASN-9")
        picking = po.picking_ids
        picking.move_line_ids.quantity = 9  # the dock counted nine
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=picking.ids).button_validate()
        self.assertEqual(picking.state, "done")
        self.assertFalse(picking.hc_asn_accurate)
        self.assertIn("notified 10", picking.hc_asn_differences)
        self.assertIn("received 9", picking.hc_asn_differences)
