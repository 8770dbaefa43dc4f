"""Order acknowledgments in: line statuses, tolerances applied, exceptions per cause, decisions."""

from datetime import date, timedelta

from .flow_common import FlowCase


class TestAcknowledgment(FlowCase):
    def ack(self, po, lines, fmt="x12_4010"):
        return self.send(
            {
                "kind": "po_ack",
                "po_number": po.name,
                "ack_number": f"A-{po.id}",
                "date": "2026-12-01",
                "status": "changed",
                "lines": lines,
            },
            fmt,
        )

    def entry(self, line, **kw):
        base = {
            "line_id": line.id,
            "buyer_part": line.product_id.default_code,
            "vendor_part": "",
            "gtin": "",
            "status": "accepted",
            "quantity": str(line.product_qty),
            "uom": "EA",
            "price": str(line.price_unit),
            "date": str(line.date_planned.date()),
            "substitute": None,
        }
        base.update(kw)
        return base

    def test_accepted_and_changes_within_tolerance_applied_without_sending_a_change(self):
        po = self.order()
        heparin, gloves = po.order_line
        outbound_before = self.env["hc.outbound.message"].search_count(
            [("res_model", "=", "purchase.order"), ("res_id", "=", po.id)]
        )
        new_date = heparin.date_planned.date() + timedelta(days=2)
        msg = self.ack(
            po, [self.entry(heparin, status="changed", price="12.7", date=str(new_date)), self.entry(gloves)]
        )
        self.assertEqual(msg.state, "done", msg.error_detail)
        self.assertEqual((heparin.hc_ack_status, gloves.hc_ack_status), ("changed", "accepted"))
        self.assertAlmostEqual(heparin.price_unit, 12.7)  # 1.6 % < 2 %
        self.assertEqual(heparin.date_planned.date(), new_date)
        self.assertEqual(heparin.move_ids.date.date(), new_date, "the receipt follows the acknowledged date")
        self.assertEqual(po.hc_ack_state, "received")
        self.assertTrue(po.hc_ack_on_time)
        self.assertFalse(self.exceptions(po))
        outbound_after = self.env["hc.outbound.message"].search_count(
            [("res_model", "=", "purchase.order"), ("res_id", "=", po.id)]
        )
        self.assertEqual(outbound_after, outbound_before, "the supplier's own change is not sent back as an 860")

    def test_backorder_and_price_change_beyond_tolerance(self):
        po = self.order()
        heparin, gloves = po.order_line
        later = date.today() + timedelta(days=30)
        msg = self.ack(
            po,
            [
                self.entry(heparin, status="changed", price="14.00"),
                self.entry(gloves, quantity="60"),
                self.entry(gloves, status="backordered", quantity="40", date=str(later)),
            ],
        )
        self.assertEqual(msg.state, "done", msg.error_detail)
        self.assertEqual(heparin.hc_ack_status, "changed")
        self.assertAlmostEqual(heparin.price_unit, 12.5, msg="outside the 2 % tolerance: not applied")
        self.assertEqual(gloves.hc_ack_status, "backordered")
        self.assertEqual((gloves.hc_ack_qty, gloves.hc_ack_backorder_qty), (100, 40))
        price = self.exceptions(po, "ack_price_change")
        self.assertEqual(len(price), 1)
        self.assertEqual(price.team_id, self.env.ref("healthcare_procurement_edi.hc_team_procurement"))
        self.assertEqual(len(self.exceptions(po, "ack_date_change")), 1)
        self.assertEqual(gloves.move_ids.date.date(), later, "the receipt is scheduled on the acknowledged date")
        # the same acknowledgment again: still one exception per cause
        self.ack(po, [self.entry(heparin, status="changed", price="14.10")])
        self.assertEqual(len(self.exceptions(po, "ack_price_change")), 1)
        self.assertEqual(self.exceptions(po, "ack_price_change").hc_edi_payload["price"], 14.1)
        # approving applies the supplier's price
        self.exceptions(po, "ack_price_change").with_user(self.approver).action_approve("agreed by phone")
        self.assertAlmostEqual(heparin.price_unit, 14.1)

    def test_rejecting_a_change_sends_the_order_back(self):
        po = self.order()
        heparin = po.order_line[0]
        self.ack(po, [self.entry(heparin, status="changed", quantity="5")])
        exc = self.exceptions(po, "ack_quantity_change")
        self.assertEqual(len(exc), 1)
        self.assertEqual(heparin.product_qty, 10)
        exc.with_user(self.approver).action_reject("we need ten")
        sent = self.env["hc.outbound.message"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", po.id)], order="id"
        )
        self.assertEqual(sent[-1].message_type, "x12.860")
        self.assertEqual(heparin.product_qty, 10)

    def test_substitution_rejection_not_on_po_and_unit(self):
        po = self.order()
        heparin, gloves = po.order_line
        substitute = self.env["product.product"].create(
            {
                "name": "Heparin 5000 IU (other maker)",
                "default_code": "HEP-5000-B",
                "is_storable": True,
                "seller_ids": [(0, 0, {"partner_id": self.supplier.id, "product_code": "V-779", "price": 12.0})],
            }
        )
        msg = self.ack(
            po,
            [
                self.entry(
                    heparin,
                    status="substituted",
                    price="12.0",
                    substitute={"vendor_part": "V-779", "buyer_part": "", "gtin": "", "description": "Heparin B"},
                ),
                self.entry(gloves, status="rejected", quantity="0"),
                {
                    "line_id": None,
                    "vendor_part": "V-NOPE",
                    "buyer_part": "",
                    "gtin": "",
                    "status": "accepted",
                    "quantity": "1",
                    "uom": "EA",
                    "price": "1",
                    "date": None,
                    "substitute": None,
                },
            ],
        )
        self.assertEqual(msg.state, "done", msg.error_detail)
        self.assertEqual((heparin.hc_ack_status, gloves.hc_ack_status), ("substituted", "rejected"))
        codes = sorted(self.exceptions(po).mapped("code"))
        self.assertEqual(codes, ["ack_not_on_po", "ack_rejected_line", "ack_substitution"])
        self.exceptions(po, "ack_substitution").with_user(self.approver).action_approve("same molecule")
        new_line = po.order_line.filtered(lambda ln: ln.product_id == substitute)
        self.assertEqual((new_line.product_qty, new_line.price_unit), (10, 12.0))
        self.assertEqual(heparin.product_qty, 0, "the original line's remainder is cancelled")
        self.exceptions(po, "ack_rejected_line").with_user(self.approver).action_approve("source elsewhere")
        self.assertEqual(gloves.product_qty, 0)
        # a unit that does not convert
        po2 = self.order([(self.product, 10, 12.5)])
        self.ack(po2, [self.entry(po2.order_line, uom="KGM")])
        self.assertEqual(len(self.exceptions(po2, "ack_uom_mismatch")), 1)

    def test_matched_on_part_numbers_not_position(self):
        po = self.order()
        heparin, gloves = po.order_line
        # the supplier's own line numbers (1, 2) and parts in reverse order
        self.ack(
            po,
            [
                {
                    "line_id": 1,
                    "vendor_part": "V-GLV",
                    "buyer_part": "",
                    "gtin": "",
                    "status": "changed",
                    "quantity": "100",
                    "uom": "EA",
                    "price": "4.05",
                    "date": None,
                    "substitute": None,
                },
                {
                    "line_id": 2,
                    "vendor_part": "",
                    "buyer_part": "",
                    "gtin": "00312345678906",
                    "status": "accepted",
                    "quantity": "10",
                    "uom": "EA",
                    "price": "12.5",
                    "date": None,
                    "substitute": None,
                },
            ],
        )
        self.assertAlmostEqual(gloves.price_unit, 4.05)
        self.assertEqual((heparin.hc_ack_status, gloves.hc_ack_status), ("accepted", "changed"))

    def test_unknown_order_is_a_clear_exception(self):
        msg = self.send(
            {
                "kind": "po_ack",
                "po_number": "NOT-OURS-1",
                "ack_number": "X",
                "date": "2026-12-01",
                "status": "accepted",
                "lines": [],
            }
        )
        self.assertEqual(msg.state, "failed")
        self.assertEqual(msg.exception_id.code, "ack_not_on_po")

    def test_edifact_ordrsp(self):
        po = self.order([(self.product, 10, 12.5)])
        self.partner.document_format = "edifact_d96a"
        msg = self.ack(po, [self.entry(po.order_line, status="changed", price="13.5")], fmt="edifact_d96a")
        self.assertEqual(msg.state, "done", msg.error_detail)
        self.assertEqual(po.order_line.hc_ack_status, "changed")
        self.assertEqual(len(self.exceptions(po, "ack_price_change")), 1)
