"""Ship notices in: the receipt prefilled with lots, expiry dates, serials and SSCC packages;
over/under/unknown/short-dated/duplicate-serial/missing-lot exceptions; receipt vs notice."""

import hashlib
import uuid
from datetime import date, datetime, timedelta

from odoo.addons.healthcare_procurement_edi.lib import outbound as edi_out

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

    def test_line_odoo_made_is_completed_in_place(self):
        """One lot for the whole move: the detailed operation Odoo made when the order was
        confirmed is completed (lot, expiry, package, notice), not deleted and made again; the
        move's quantity and state stay, and the receipt validates into that lot and package."""
        po = self.order([(self.lot_product, 100, 4.0)])
        picking = po.picking_ids
        before = picking.move_line_ids
        self.assertEqual((len(before), before.quantity, before.lot_id.id), (1, 100, False))
        move_state = picking.move_ids.state
        expiry = date.today() + timedelta(days=400)
        msg = self.asn(po, [self.line(po.order_line, 100, lot="INPL-1", expiry=str(expiry), sscc="003123450000000031")])
        self.assertEqual(msg.state, "done", msg.error_detail)
        self.env.invalidate_all()
        after = picking.move_line_ids
        self.assertEqual(after, before, "the same line, completed")
        self.assertEqual((after.lot_id.name, after.lot_name, after.quantity), ("INPL-1", "INPL-1", 100))
        self.assertEqual(after.lot_id.expiration_date.date(), expiry)
        self.assertEqual(after.expiration_date, after.lot_id.expiration_date, "the line's expiry follows its lot")
        self.assertEqual(after.result_package_id.name, "003123450000000031")
        self.assertEqual(after.hc_asn_document_id, picking.hc_asn_document_id)
        self.assertEqual((picking.move_ids.quantity, picking.move_ids.state), (100, move_state))
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(po.order_line.qty_received, 100)
        quant = self.env["stock.quant"].search([("lot_id.name", "=", "INPL-1"), ("location_id.usage", "=", "internal")])
        self.assertEqual((quant.quantity, quant.package_id.name), (100, "003123450000000031"))

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

    def ingest_notices(self, docs):
        """Ship notices ingested without processing them: [(order name, lines)] -> messages."""
        Message = self.env["hc.inbound.message"]
        items = []
        for po_name, lines in docs:
            type(self)._ctl += 1
            n = type(self)._ctl
            envl = edi_out.Envelope(
                sender_id="STERILESUP",
                sender_qualifier="ZZ",
                receiver_id="GENHOSP",
                receiver_qualifier="ZZ",
                interchange_control_number=n,
                group_control_number=n,
                set_control_numbers=[n],
                version="x12_4010",
                when=datetime(2026, 12, 1, 9, 30),
            )
            data = edi_out.render_document(
                "x12_4010",
                {
                    "kind": "asn",
                    "asn_number": f"BATCH-{n}",
                    "po_numbers": [po_name],
                    "ship_date": str(date.today()),
                    "expected_date": str(date.today() + timedelta(days=1)),
                    "lines": lines,
                },
                envl,
            )
            items.append(
                {
                    "key": uuid.uuid4().hex,
                    "body_hash": hashlib.sha256(data).hexdigest(),
                    "message_type": "x12.856",
                    "payload": data.decode(),
                }
            )
        self.env.registry.clear_cache()
        res = Message._ingest(
            self.env["hc.endpoint"]._auth_context(self.endpoint.code),
            items,
            {
                "correlation_id": f"corr-{uuid.uuid4().hex[:8]}",
                "content_type": "application/edi-x12",
                "webhook_id": uuid.uuid4().hex,
                "client_ip": "127.0.0.1",
            },
        )
        msgs = Message.browse([r["message_id"] for r in res])
        self.assertEqual(len(msgs), len(docs))
        self.assertFalse(msgs.filtered(lambda m: m.state in ("done", "failed")), "not processed at the door")
        return msgs

    def assert_prefilled(self, po, lot):
        picking = po.picking_ids
        self.assertTrue(picking.hc_asn_number.startswith("BATCH-"))
        rows = self.env["stock.move.line"].search_read(
            [("picking_id", "=", picking.id)], ["quantity", "lot_id", "hc_asn_document_id", "picked"]
        )
        self.assertEqual(sorted(r["quantity"] for r in rows), [10, 100])
        self.assertTrue(all(r["hc_asn_document_id"] and not r["picked"] for r in rows))
        self.assertEqual(next(r for r in rows if r["lot_id"])["lot_id"][1], lot)
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(sorted(picking.move_ids.mapped("quantity")), [10, 100])

    def test_batch_of_notices_each_with_its_own_outcome(self):
        """Several notices processed in one batch (applied together): each message gets its own
        outcome; a notice for an order we never sent, or one Odoo refuses (a negative quantity),
        fails alone, and the others' receipts are prefilled."""
        Message = self.env["hc.inbound.message"]
        MoveLine = self.env["stock.move.line"]
        po_a, po_b, po_c, po_bad = self.order(), self.order(), self.order(), self.order()
        exp = str(date.today() + timedelta(days=400))

        def good(po, lot):
            return (po.name, [self.line(po.order_line[0], 10), self.line(po.order_line[1], 100, lot=lot, expiry=exp)])

        # 1. applied together; the unknown order is the message's own business failure
        unknown_line = {**self.line(po_a.order_line[0], 1), "po_number": "PO-NEVER-SENT", "line_id": None}
        ok_a, unknown, ok_b = self.ingest_notices(
            [good(po_a, "BA-1"), ("PO-NEVER-SENT", [unknown_line]), good(po_b, "BB-1")]
        )
        Message.process_pending(commit=False, limit=1000)
        self.assertEqual((ok_a.state, ok_b.state), ("done", "done"), (ok_a.error_detail, ok_b.error_detail))
        self.assertEqual((unknown.state, unknown.error_code), ("failed", "asn_not_on_po"))
        self.assert_prefilled(po_a, "BA-1")
        self.assert_prefilled(po_b, "BB-1")
        if "hc.audit.event" in self.env and self.env["hc.audit.rule"].search_count([("model", "=", "stock.lot")]):
            # lots created together, each audited under its own order's correlation id
            for po, lot in ((po_a, "BA-1"), (po_b, "BB-1")):
                lot_id = self.env["stock.lot"].search([("name", "=", lot)]).id
                events = self.env["hc.audit.event"].search(
                    [("model", "=", "stock.lot"), ("res_id", "=", lot_id), ("action", "=", "create")]
                )
                self.assertEqual(events.mapped("correlation_id"), [f"po:{po.name}"])
        # 2. a notice Odoo refuses spoils the batch: the notices are applied one by one, it fails alone
        reserved_bad = po_bad.picking_ids.move_line_ids.ids
        self.assertTrue(reserved_bad, "Odoo reserved the receipt's lines at confirmation")
        ok_c, bad, again_a = self.ingest_notices(
            [good(po_c, "BC-1"), (po_bad.name, [self.line(po_bad.order_line[0], -5)]), good(po_a, "BA-2")]
        )
        Message.process_pending(commit=False, limit=1000)
        self.assertEqual((ok_c.state, again_a.state), ("done", "done"), (ok_c.error_detail, again_a.error_detail))
        self.assertEqual((bad.state, bad.error_code), ("failed", "edi_document_not_applied"))
        self.assertIn("negative", bad.error_detail)
        self.assert_prefilled(po_c, "BC-1")
        # a second notice for the same receipt adds its lines (the first one's stay)
        self.assertEqual(
            sorted(po_a.picking_ids.move_line_ids.lot_id.mapped("name")), ["BA-1", "BA-2"], "both notices' lots"
        )
        # the refused notice left its receipt as Odoo reserved it, and prefilled nothing
        picking_bad = po_bad.picking_ids
        self.assertFalse(picking_bad.hc_asn_document_id)
        self.assertEqual(sorted(picking_bad.move_line_ids.ids), sorted(reserved_bad))
        self.assertFalse(
            MoveLine.search_count([("picking_id", "=", picking_bad.id), ("hc_asn_document_id", "!=", False)])
        )
        # receiving staff validate a prefilled receipt as usual
        picking = po_b.picking_ids
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(po_b.order_line.mapped("qty_received"), [10, 100])
        self.assertTrue(picking.hc_asn_accurate)
