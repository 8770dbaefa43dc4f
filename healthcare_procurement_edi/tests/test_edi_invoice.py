"""Invoices in: a draft vendor bill linked to the order lines, matched three ways; blocked bills
cannot be posted; approving records who accepted which difference."""

from odoo.exceptions import UserError

from .flow_common import FlowCase


class TestInvoice(FlowCase):
    def received_order(self, qty=10, price=12.5, receive=True):
        po = self.order([(self.product, qty, price)])
        if receive:
            picking = po.picking_ids
            picking.move_ids.quantity = qty
            picking.move_ids.picked = True
            picking.button_validate()
        return po

    def invoice(self, po, number, qty="10", price="12.5", charges=None, po_number=None):
        pol = po.order_line[:1] if po else None
        return self.send(
            {
                "kind": "invoice",
                "invoice_number": number,
                "date": "2026-12-01",
                "currency": "USD",
                "po_numbers": [po_number or po.name],
                "total": "0",
                "tax_total": None,
                "charges": charges or [],
                "lines": [
                    {
                        "line_id": pol.id if pol else 1,
                        "po_number": po_number or po.name,
                        "buyer_part": "HEP-5000",
                        "vendor_part": "V-778",
                        "gtin": "",
                        "quantity": qty,
                        "uom": "EA",
                        "price": price,
                        "amount": None,
                    }
                ],
            }
        )

    def bill_of(self, msg):
        doc = self.env["hc.edi.document"].search([("inbound_message_id", "=", msg.id)])
        return self.env["account.move"].search([("hc_edi_document_id", "in", doc.ids)])

    def test_matching_bill_linked_and_posted_automatically(self):
        self.partner.auto_post_matched_bills = True
        po = self.received_order()
        msg = self.invoice(po, "INV-100")
        self.assertEqual(msg.state, "done", msg.error_detail)
        bill = self.bill_of(msg)
        self.assertEqual((bill.move_type, bill.ref, bill.hc_match_state), ("in_invoice", "INV-100", "matched"))
        self.assertEqual(bill.invoice_line_ids.purchase_line_id, po.order_line)
        self.assertEqual(po.order_line.qty_invoiced, 10)
        self.assertEqual(bill.state, "posted")
        self.assertTrue(bill.hc_first_pass_match)

    def test_matching_bill_stays_draft_without_auto_post(self):
        po = self.received_order()
        bill = self.bill_of(self.invoice(po, "INV-101"))
        self.assertEqual((bill.hc_match_state, bill.state), ("matched", "draft"))

    def test_price_mismatch_blocks_until_approved(self):
        po = self.received_order()
        bill = self.bill_of(self.invoice(po, "INV-102", price="13.5"))
        self.assertEqual((bill.hc_match_state, bill.state), ("blocked", "draft"))
        exc = self.exceptions(bill)
        self.assertEqual(exc.code, "invoice_price_mismatch")
        self.assertEqual(exc.team_id, self.env.ref("healthcare_procurement_edi.hc_team_accounts_payable"))
        with self.assertRaisesRegex(UserError, "three-way match"):
            bill.action_post()
        exc.with_user(self.approver).action_approve("new price list from January")
        self.assertEqual(bill.hc_match_state, "approved")
        self.assertIn(self.approver.name, bill.hc_match_note)
        self.assertIn("new price list", bill.hc_match_note)
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_quantity_not_received_charges_duplicate_and_unknown_order(self):
        po = self.received_order()
        bill = self.bill_of(self.invoice(po, "INV-103", qty="12", charges=[{"type": "freight", "amount": "25"}]))
        self.assertEqual(
            sorted(self.exceptions(bill).mapped("code")), ["invoice_price_mismatch", "invoice_quantity_mismatch"]
        )
        po2 = self.received_order(receive=False)
        bill2 = self.bill_of(self.invoice(po2, "INV-104"))
        self.assertEqual(self.exceptions(bill2).code, "invoice_not_received")
        self.assertEqual(bill2.hc_match_state, "blocked")
        # the same invoice number again: not billed twice
        msg = self.invoice(po2, "INV-104")
        self.assertFalse(self.bill_of(msg))
        self.assertEqual(self.exceptions(bill2, "invoice_duplicate").res_model, "account.move")
        self.assertEqual(self.env["account.move"].search_count([("ref", "=", "INV-104")]), 1)
        # an order that is not ours: a blocked bill, nothing lost
        msg = self.invoice(None, "INV-105", po_number="NOT-OURS")
        self.assertEqual(msg.state, "done", msg.error_detail)
        bill3 = self.bill_of(msg)
        self.assertEqual((bill3.hc_match_state, self.exceptions(bill3).code), ("blocked", "invoice_unknown_po"))
        # rejecting cancels the draft bill
        self.exceptions(bill3).with_user(self.approver).action_reject("not ours")
        self.assertEqual(bill3.state, "cancel")
