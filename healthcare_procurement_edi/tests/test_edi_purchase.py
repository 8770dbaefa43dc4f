"""Purchase orders out: confirmed, changed and cancelled orders queued in the supplier's format."""

from odoo.addons.healthcare_procurement_edi.lib import interchange

from .common import EdiCase


class TestPurchaseOrderOut(EdiCase):
    def _order(self, qty=10, price=12.5):
        return self.env["purchase.order"].create(
            {
                "partner_id": self.supplier.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_qty": qty, "price_unit": price})],
            }
        )

    def _outbound(self, order):
        return self.env["hc.outbound.message"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", order.id)], order="id"
        )

    def test_confirm_queues_850_with_stable_line_ids(self):
        order = self._order()
        self.assertFalse(self._outbound(order), "nothing before confirmation")
        order.button_confirm()
        out = self._outbound(order)
        self.assertEqual(len(out), 1)
        self.assertEqual((out.message_type, out.content_type, out.state), ("x12.850", "application/edi-x12", "pending"))
        self.assertEqual(out.endpoint_id, self.endpoint)
        ic = interchange.read(out.payload.encode())
        self.assertTrue(ic.ok, ic.all_problems())
        line = ic.sets[0].document["lines"][0]
        self.assertEqual(int(line["line_id"]), order.order_line.id)
        self.assertEqual((line["quantity"], line["price"], line["uom"]), ("10", "12.5", "EA"))
        self.assertEqual(
            (line["buyer_part"], line["vendor_part"], line["gtin"]), ("HEP-5000", "V-778", "00312345678906")
        )
        self.assertEqual((ic.sender_id.strip(), ic.receiver_id.strip()), ("GENHOSP", "STERILESUP"))
        doc = order.edi_document_ids
        self.assertEqual((doc.kind, doc.direction, doc.fa_status), ("order", "out", "awaiting"))
        self.assertEqual(int(doc.interchange_control), int(ic.control_number))
        self.assertEqual(int(doc.group_control), int(ic.groups[0].control_number))
        self.assertEqual(int(doc.set_controls), int(ic.sets[0].control_number))
        self.assertTrue(doc.fa_deadline)
        self.assertEqual(order.edi_ack_state, "awaiting")
        self.assertTrue(order.edi_ack_deadline)
        # a second order takes the next numbers
        order2 = self._order()
        order2.button_confirm()
        self.assertEqual(int(order2.edi_document_ids.interchange_control), int(doc.interchange_control) + 1)

    def test_waiting_for_approval_sends_nothing_until_approved(self):
        self.env.company.write({"po_double_validation": "two_step", "po_double_validation_amount": 10})
        clerk = self.env["res.users"].create(
            {
                "name": "Clerk",
                "login": "po_clerk",
                "groups_id": [(6, 0, [self.env.ref("purchase.group_purchase_user").id])],
            }
        )
        order = self._order(qty=100)
        order.with_user(clerk).button_confirm()
        self.assertEqual(order.state, "to approve")
        self.assertFalse(self._outbound(order))
        order.button_approve()
        self.assertEqual(self._outbound(order).message_type, "x12.850")

    def test_change_and_cancel_of_a_sent_order(self):
        order = self._order()
        order.button_confirm()
        order.order_line.product_qty = 12
        out = self._outbound(order)
        self.assertEqual(out.mapped("message_type"), ["x12.850", "x12.860"])
        change = interchange.read(out[1].payload.encode()).sets[0].document
        self.assertEqual(change["kind"], "order_change")
        self.assertEqual(change["change"], "change")
        self.assertEqual(change["lines"][0]["quantity"], "12")
        order.button_cancel()
        out = self._outbound(order)
        self.assertEqual(len(out), 3)
        self.assertEqual(interchange.read(out[2].payload.encode()).sets[0].document["change"], "cancel")
        self.assertEqual(order.edi_document_ids.sorted("id").mapped("kind"), ["order", "order_change", "order_cancel"])

    def test_partner_configured_with_the_public_fields_only(self):
        """No our_interchange_id / qualifiers: the envelope still has valid ids (the company's)."""
        self.partner.write(
            {"our_interchange_id": False, "our_interchange_qualifier": False, "interchange_qualifier": False}
        )
        self.env.company.company_registry = "GH-1234"
        order = self._order()
        order.button_confirm()
        ic = interchange.read(self._outbound(order).payload.encode())
        self.assertTrue(ic.ok, ic.all_problems())
        self.assertEqual((ic.sender_qualifier.strip(), ic.sender_id.strip()), ("ZZ", "GH1234"))

    def test_not_an_edi_supplier_sends_nothing(self):
        other = self.env["res.partner"].create({"name": "Paper Supplier"})
        order = self.env["purchase.order"].create(
            {"partner_id": other.id, "order_line": [(0, 0, {"product_id": self.product.id, "product_qty": 1})]}
        )
        order.button_confirm()
        self.assertFalse(self._outbound(order))
        self.assertEqual(order.edi_ack_state, "none")

    def test_edifact_and_ubl_formats(self):
        self.partner.document_format = "edifact_d96a"
        order = self._order(qty=2)
        order.button_confirm()
        out = self._outbound(order)
        self.assertEqual((out.message_type, out.content_type), ("edifact.ORDERS", "application/edifact"))
        self.assertEqual(interchange.read(out.payload.encode()).sets[0].set_id, "ORDERS")
        self.assertEqual(order.edi_document_ids.group_control, "")
        self.partner.document_format = "ubl"
        order = self._order(qty=2)
        order.button_confirm()
        order.order_line.product_qty = 3  # UBL has no order change: the order changes, the clerk is told
        self.assertEqual(self._outbound(order).mapped("message_type"), ["ubl.Order"])
        self.assertIn("could not be sent", order.message_ids[0].body)


class TestFolderTransport(EdiCase):
    def test_order_written_to_the_outbox_folder_and_nowhere_else(self):
        import os
        import uuid

        from ..models.hc_outbound_message import outbox_root

        folder = os.path.join(outbox_root(), f"test-{uuid.uuid4().hex[:8]}")
        self.endpoint.outbound_url = f"file://{folder}"
        self.assertEqual(self.partner.transport, "folder")
        order = self.env["purchase.order"].create(
            {"partner_id": self.supplier.id, "order_line": [(0, 0, {"product_id": self.product.id, "product_qty": 4})]}
        )
        order.button_confirm()
        out = self.env["hc.outbound.message"].search([("res_model", "=", "purchase.order"), ("res_id", "=", order.id)])
        out.deliver_now()
        self.assertEqual(out.state, "sent")
        files = os.listdir(folder)
        self.assertEqual(len(files), 1, "one file, no temporary left behind")
        self.assertTrue(files[0].endswith(".x12"))
        with open(os.path.join(folder, files[0]), encoding="utf-8") as fh:
            self.assertEqual(fh.read(), out.payload)
        # a folder outside the outbox root is refused: a manager fixes the endpoint
        self.endpoint.outbound_url = "file:///etc/hc-edi-test"
        order2 = self.env["purchase.order"].create(
            {"partner_id": self.supplier.id, "order_line": [(0, 0, {"product_id": self.product.id, "product_qty": 1})]}
        )
        order2.button_confirm()
        out2 = self.env["hc.outbound.message"].search(
            [("res_model", "=", "purchase.order"), ("res_id", "=", order2.id)]
        )
        out2.deliver_now()
        self.assertEqual(out2.state, "dead")
        self.assertIn("outbox root", out2.last_error)
        self.assertFalse(os.path.exists("/etc/hc-edi-test"))
