"""Invoices in: a draft vendor bill linked to the order lines, matched three ways; blocked bills
cannot be posted; approving records who accepted which difference."""

from datetime import datetime

from odoo.exceptions import UserError

from .flow_common import FlowCase


class InvoiceCase(FlowCase):
    def received_order(self, qty=10, price=12.5, receive=True):
        po = self.order([(self.product, qty, price)])
        if receive:
            picking = po.picking_ids
            picking.move_ids.quantity = qty
            picking.move_ids.picked = True
            picking.button_validate()
        return po

    def invoice(self, po, number, qty="10", price="12.5", charges=None, po_number=None, fmt="x12_4010"):
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
            },
            fmt,
        )

    def bill_of(self, msg):
        doc = self.env["hc.edi.document"].search([("inbound_message_id", "=", msg.id)])
        return self.env["account.move"].search([("hc_edi_document_id", "in", doc.ids)])


class TestInvoice(InvoiceCase):
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


class TestUblInvoiceThroughOdoo(InvoiceCase):
    """UBL invoices are read by Odoo's own importer (account_edi_ubl_cii), then linked to the order
    lines and matched three ways like any other invoice."""

    def setUp(self):
        super().setUp()
        self.partner.document_format = "ubl"

    def doc_of(self, msg):
        return self.env["hc.edi.document"].search([("inbound_message_id", "=", msg.id)])

    def test_ubl_invoice_filled_by_odoos_importer_then_matched(self):
        self.assertIn("account.edi.xml.ubl_bis3", self.env)
        po = self.received_order()
        msg = self.invoice(po, "INV-UBL-1", fmt="ubl")
        self.assertEqual(msg.state, "done", msg.error_detail)
        bill = self.bill_of(msg)
        self.assertEqual((bill.move_type, bill.ref, bill.hc_match_state), ("in_invoice", "INV-UBL-1", "matched"))
        self.assertEqual(bill.partner_id, self.supplier)
        lines = bill.invoice_line_ids.filtered(lambda aml: aml.display_type == "product")
        self.assertEqual(len(lines), 1)
        self.assertEqual((lines.quantity, lines.price_unit, lines.product_id), (10, 12.5, self.product))
        self.assertEqual(lines.purchase_line_id, po.order_line)
        self.assertEqual(po.order_line.qty_invoiced, 10)
        bodies = " ".join(bill.message_ids.mapped("body"))
        self.assertIn("Format used to import the invoice", bodies, "Odoo's importer read it")
        self.assertIn("Read by Odoo's UBL import", bodies)
        self.assertFalse(self.doc_of(msg).note)

    def test_ubl_price_mismatch_is_blocked(self):
        po = self.received_order()
        bill = self.bill_of(self.invoice(po, "INV-UBL-2", price="13.5", fmt="ubl"))
        self.assertEqual(bill.hc_match_state, "blocked")
        self.assertEqual(self.exceptions(bill).mapped("code"), ["invoice_price_mismatch"])
        self.assertEqual(bill.invoice_line_ids.filtered("purchase_line_id").purchase_line_id, po.order_line)

    def test_ubl_odoo_does_not_read_falls_back_to_our_mapping(self):
        po = self.received_order()
        pol = po.order_line
        from odoo.addons.healthcare_procurement_edi.lib import outbound as edi_out

        env = edi_out.Envelope(
            sender_id="STERILESUP",
            sender_qualifier="ZZ",
            receiver_id="GENHOSP",
            receiver_qualifier="ZZ",
            interchange_control_number=991,
            group_control_number=991,
            set_control_numbers=[991],
            version="ubl",
            when=datetime(2026, 12, 1, 9, 30),
        )
        data = edi_out.render_document(
            "ubl",
            {
                "kind": "invoice",
                "invoice_number": "INV-UBL-3",
                "date": "2026-12-01",
                "currency": "USD",
                "po_numbers": [po.name],
                "total": "125",
                "tax_total": None,
                "charges": [],
                "lines": [
                    {
                        "line_id": pol.id,
                        "po_number": po.name,
                        "buyer_part": "HEP-5000",
                        "vendor_part": "V-778",
                        "gtin": "",
                        "quantity": "10",
                        "uom": "EA",
                        "price": "12.5",
                        "amount": None,
                    }
                ],
            },
            env,
        )
        # a customization Odoo's importer does not know: our own mapping makes the bill, and says why
        data = data.replace(b"urn:cen.eu:en16931:2017#compliant", b"urn:example:private-profile")
        msg = self.send_raw(data, "ubl")
        self.assertEqual(msg.state, "done", msg.error_detail)
        bill = self.bill_of(msg)
        self.assertEqual((bill.hc_match_state, bill.ref), ("matched", "INV-UBL-3"))
        self.assertEqual(bill.invoice_line_ids.purchase_line_id, pol)
        self.assertIn("UBL import not used", self.doc_of(msg).note)
