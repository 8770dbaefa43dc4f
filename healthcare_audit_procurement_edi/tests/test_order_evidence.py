"""One evidence pack per order: PO out -> acknowledgment -> ship notice -> receipt -> bill, under
the order's correlation id, each step attributed to whoever made it (the EDI endpoint or a person)."""

import json
from datetime import date, timedelta

from odoo.addons.healthcare_procurement_edi.models.hc_edi_flow import correlation_of
from odoo.addons.healthcare_procurement_edi.tests.flow_common import FlowCase
from odoo.tests import new_test_user


def sscc(body17):
    """An SSCC with its GS1 check digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body17)))
    return body17 + str((10 - total % 10) % 10)


class TestOrderEvidence(FlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyer = new_test_user(cls.env, "ev_buyer", groups="purchase.group_purchase_user")
        cls.receiver = new_test_user(cls.env, "ev_receiver", groups="stock.group_stock_user")
        cls.payable = new_test_user(cls.env, "ev_payable", groups="account.group_account_invoice")
        cls.auditor = new_test_user(cls.env, "ev_auditor", groups="healthcare_integration_base.group_hc_auditor")

    def run_flow(self):
        """A buyer confirms; the supplier acknowledges (a price change within tolerance), ships with
        a lot, an expiry and a pallet, and invoices; a receiver validates the receipt; accounts
        payable posts the matching bill."""
        po = (
            self.env["purchase.order"]
            .with_user(self.buyer)
            .create(
                {
                    "partner_id": self.supplier.id,
                    "order_line": [(0, 0, {"product_id": self.lot_product.id, "product_qty": 50, "price_unit": 4.0})],
                }
            )
        )
        po.button_confirm()
        self.assertEqual(po.state, "purchase")
        line = po.order_line
        ack = self.send(
            {
                "kind": "po_ack",
                "po_number": po.name,
                "ack_number": "EV-A1",
                "date": "2026-12-01",
                "status": "changed",
                "lines": [{"line_id": line.id, "status": "changed", "quantity": "50", "uom": "EA", "price": "4.05"}],
            }
        )
        self.assertEqual((ack.state, line.hc_ack_status, line.price_unit), ("done", "changed", 4.05))
        pallet = sscc("00312345000000099")
        expiry = date.today() + timedelta(days=400)
        asn = self.send(
            {
                "kind": "asn",
                "asn_number": "EV-S1",
                "po_numbers": [po.name],
                "ship_date": str(date.today()),
                "expected_date": str(date.today()),
                "lines": [
                    {
                        "line_id": line.id,
                        "po_number": po.name,
                        "buyer_part": "GLV-M",
                        "quantity": "50",
                        "uom": "EA",
                        "lot": "EV-LOT-1",
                        "expiry": str(expiry),
                        "sscc": pallet,
                    }
                ],
            }
        )
        self.assertEqual(asn.state, "done", asn.error_detail)
        picking = po.picking_ids
        self.assertEqual(picking.move_line_ids.result_package_id.name, pallet)
        picking.with_user(self.receiver).button_validate()
        self.assertEqual(picking.state, "done")
        invoice = self.send(
            {
                "kind": "invoice",
                "invoice_number": "EV-INV-1",
                "date": "2026-12-01",
                "po_numbers": [po.name],
                "charges": [],
                "lines": [{"line_id": line.id, "po_number": po.name, "quantity": "50", "uom": "EA", "price": "4.05"}],
            }
        )
        self.assertEqual(invoice.state, "done", invoice.error_detail)
        bill = self.env["account.move"].search([("ref", "=", "EV-INV-1")])
        self.assertEqual(bill.hc_match_state, "matched")
        bill.invoice_date = bill.invoice_date or date.today()
        bill.with_user(self.payable).action_post()
        self.assertEqual(bill.state, "posted")
        return po, picking, bill, {"ack": ack, "asn": asn, "invoice": invoice}

    def find(self, events, model, res_id, field=None, new=None):
        found = [
            e
            for e in events
            if e["model"] == model
            and e["res_id"] == res_id
            and (field is None or field in (e["changes"] or {}))
            and (new is None or (e["changes"] or {}).get(field, {}).get("new") == new)
        ]
        self.assertTrue(found, f"no event on {model} {res_id} {field}={new!r}")
        return found[-1]

    def assert_by_edi(self, event, msg):
        self.assertEqual(event["interface"], f"webhook:{self.endpoint.code}", event)
        self.assertEqual((event["endpoint"], event["message_id"]), (self.endpoint.code, msg.id), event)

    def assert_by_person(self, event, user):
        self.assertEqual((event["user"], event["endpoint"], event["message_id"]), (user.login, None, None), event)
        self.assertFalse(event["interface"].startswith("webhook:"), event)

    def test_one_pack_per_order_correlation_shows_every_step_and_who_made_it(self):
        po, picking, bill, msgs = self.run_flow()
        flow = correlation_of(po)
        pack = self.env["hc.audit.event"].with_user(self.auditor).evidence_pack(correlation_id=flow)
        events = pack["events"]
        # PO out: confirmed by the buyer, the order document and its delivery
        self.assert_by_person(self.find(events, "purchase.order", po.id, "state", "purchase"), self.buyer)
        out_doc = po.sudo().edi_document_ids.filtered(lambda d: d.direction == "out" and d.kind == "order")
        self.assert_by_person(self.find(events, "hc.edi.document", out_doc.id, "kind", "order"), self.buyer)
        delivery = self.find(events, "hc.outbound.message", out_doc.outbound_id.id)
        self.assertIn(out_doc.outbound_id.correlation_id, delivery["correlation_id"].split())
        # acknowledgment: the line's price and status changed by the supplier's 855
        ack_event = self.find(events, "purchase.order.line", po.order_line.id, "hc_ack_status", "changed")
        self.assert_by_edi(ack_event, msgs["ack"])
        self.assertIn(flow, ack_event["correlation_id"].split())
        price = self.find(events, "purchase.order.line", po.order_line.id, "price_unit", 4.05)
        self.assert_by_edi(price, msgs["ack"])
        self.assertEqual(price["changes"]["price_unit"]["old"], 4.0)
        # ship notice: the receipt prefilled (lot, quantity, pallet) by the 856
        ml = picking.move_line_ids
        prefill = self.find(events, "stock.move.line", ml.id, "lot_name", "EV-LOT-1")
        self.assert_by_edi(prefill, msgs["asn"])
        self.assertEqual(prefill["changes"]["quantity"]["new"], 50.0)
        self.assertEqual(prefill["changes"]["result_package_id"]["new"][1], ml.result_package_id.name)
        self.assert_by_edi(self.find(events, "stock.picking", picking.id, "hc_asn_number", "EV-S1"), msgs["asn"])
        # receipt: validated later by a person
        self.assert_by_person(self.find(events, "stock.picking", picking.id, "date_done"), self.receiver)
        self.assert_by_person(self.find(events, "stock.move", picking.move_ids.id, "state", "done"), self.receiver)
        # bill: created and matched by the 810, posted by accounts payable
        self.assert_by_edi(self.find(events, "account.move", bill.id, "ref", "EV-INV-1"), msgs["invoice"])
        self.assert_by_edi(self.find(events, "account.move", bill.id, "hc_match_state", "matched"), msgs["invoice"])
        bill_line = bill.invoice_line_ids
        self.assert_by_edi(self.find(events, "account.move.line", bill_line.id, "price_unit", 4.05), msgs["invoice"])
        self.assert_by_person(self.find(events, "account.move", bill.id, "state", "posted"), self.payable)
        # the supplier's three messages are in the pack, in the order of the steps
        self.assertLessEqual({m.id for m in msgs.values()}, {m["id"] for m in pack["messages"]})
        order = [
            self.find(events, "purchase.order", po.id, "state", "purchase")["id"],
            ack_event["id"],
            prefill["id"],
            self.find(events, "stock.picking", picking.id, "date_done")["id"],
            self.find(events, "account.move", bill.id, "state", "posted")["id"],
        ]
        self.assertEqual(order, sorted(order))

    def test_order_evidence_pack_action_includes_edi_documents_and_later_steps(self):
        po, picking, bill, msgs = self.run_flow()
        pack = self.env["hc.audit.event"].with_user(self.auditor).evidence_pack(model="purchase.order", res_id=po.id)
        models = {(e["model"], e["res_id"]) for e in pack["events"]}
        for doc in po.edi_document_ids:
            self.assertIn(("hc.edi.document", doc.id), models, doc.display_label)
        self.assertGreaterEqual(len(po.edi_document_ids), 4, "order out; acknowledgment, notice, invoice in")
        self.assertIn(("stock.picking", picking.id), models)
        self.assertIn(("stock.move.line", picking.move_line_ids.id), models)
        self.assertIn(("account.move", bill.id), models)
        self.assertIn(("account.move.line", bill.invoice_line_ids.id), models)
        self.assertLessEqual({m.id for m in msgs.values()}, {m["id"] for m in pack["messages"]})
        # the wizard of the order's Action menu builds the same pack
        wizard = (
            self.env["hc.audit.evidence.wizard"]
            .with_user(self.auditor)
            .create({"model": "purchase.order", "res_id": po.id})
        )
        self.assertEqual(json.loads(wizard._pack_json())["counts"], pack["counts"])

    def test_a_person_editing_a_bill_line_is_recorded_with_the_order(self):
        po = self.order([(self.product, 10, 12.5)])
        picking = po.picking_ids
        picking.move_ids.quantity = 10
        picking.move_ids.picked = True
        picking.button_validate()
        action = po.action_create_invoice()
        bill = self.env["account.move"].browse(action["res_id"])
        created = (
            self.env["hc.audit.event"]
            .sudo()
            .search(
                [
                    ("model", "=", "account.move.line"),
                    ("res_id", "in", bill.invoice_line_ids.ids),
                    ("action", "=", "create"),
                ]
            )
        )
        self.assertEqual(len(created), len(bill.invoice_line_ids))
        self.assertIn(correlation_of(po), created[0].correlation_id.split())
        bill.with_user(self.payable).invoice_line_ids.write({"price_unit": 11.0})
        change = (
            self.env["hc.audit.event"]
            .sudo()
            .search(
                [
                    ("model", "=", "account.move.line"),
                    ("res_id", "=", bill.invoice_line_ids.id),
                    ("action", "=", "write"),
                ],
                limit=1,
            )
        )
        self.assertEqual(json.loads(change.changes)["price_unit"], {"old": 12.5, "new": 11.0})
        self.assertEqual(change.user_id, self.payable)
