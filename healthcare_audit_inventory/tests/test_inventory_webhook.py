"""A real webhook-driven stock change (healthcare_inventory_sync's processor) on the audit trail."""

import io
import json

from odoo.addons.healthcare_inventory_sync.tests.test_inventory_events import InventoryCase
from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tools.pdf import PdfFileReader


class TestInventoryWebhookTrail(InventoryCase):
    def test_consumption_event_leaves_a_webhook_trail_and_an_evidence_pack(self):
        msg = self.send(self.event())
        self.assertEqual(msg.state, "done", msg.error_detail)
        move_ids = json.loads(msg.result_ids)
        Event = self.env["hc.audit.event"]
        events = Event.search([("model", "=", "stock.move"), ("res_id", "in", move_ids)])
        self.assertTrue(events, "the move reaching 'done' is on the trail")
        for event in events:
            self.assertEqual(event.interface, f"webhook:{self.endpoint.code}")
            self.assertEqual(event.endpoint_id, self.endpoint)
            self.assertEqual(event.correlation_id, "c")
            self.assertEqual(event.message_id, msg.id)
        self.assertEqual(json.loads(events[0].changes)["state"]["new"], "done")
        Event.seal_pending()
        self.assertTrue(Event.verify_chain()["ok"])
        pack = Event.evidence_pack(model="stock.move", res_id=move_ids[0])
        self.assertIn(msg.id, [m["id"] for m in pack["messages"]])
        self.assertTrue(all(e["seal"] for e in pack["events"]))
        self.assertTrue({e["id"] for e in pack["events"]} >= set(events.ids))

    def test_evidence_pack_prints_as_a_real_pdf(self):
        Report = self.env["ir.actions.report"]
        if Report.get_wkhtmltopdf_state() == "install":
            self.skipTest("wkhtmltopdf is not installed: Odoo cannot render PDF reports (apt-get install wkhtmltopdf)")
        msg = self.send(self.event())
        self.assertEqual(msg.state, "done", msg.error_detail)
        move = self.env["stock.move"].browse(json.loads(msg.result_ids))
        self.env["hc.audit.event"].seal_pending()
        auditor = new_test_user(self.env, "hc_pdf_auditor", groups="healthcare_integration_base.group_hc_auditor")
        wizard = (
            self.env["hc.audit.evidence.wizard"]
            .with_user(auditor)
            .create({"correlation_id": msg.correlation_id, "model": "stock.move", "res_id": move.id})
        )
        action = wizard.action_print_pdf()
        self.assertEqual(action["report_name"], "healthcare_audit.report_hc_audit_evidence")
        # tests render HTML instead of PDF unless told otherwise: force the real wkhtmltopdf run
        pdf, kind = (
            Report.with_user(auditor)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("healthcare_audit.report_hc_audit_evidence", wizard.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), pdf[:20])
        # wkhtmltopdf's text comes back split on spans and lines: compare without whitespace
        text = "".join("".join(page.extract_text() for page in PdfFileReader(io.BytesIO(pdf)).pages).split())
        self.assertIn("Evidencepack", text)
        self.assertIn(f"message#{msg.id}", text)
        self.assertIn(msg.idempotency_key, text)
        self.assertIn(f"stock.move#{move.id}", text)
        self.assertIn(f"result:stock.move#{move.id}", text)
        self.assertIn("T-NS", text)
        html = (
            Report.with_user(auditor)
            ._render_qweb_html("healthcare_audit.report_hc_audit_evidence", wizard.ids)[0]
            .decode()
        )
        self.assertIn(f'<span class="o_hc_correlation">{msg.correlation_id}</span>', html)
        self.assertIn(msg.idempotency_key, html)
        self.assertIn(f"stock.move</span> #<span>{move.id}</span>", html)
        self.assertIn("webhook:" + self.endpoint.code, html)

    def test_auditor_reads_the_move_and_its_lot_and_changes_nothing(self):
        msg = self.send(self.event())
        self.assertEqual(msg.state, "done", msg.error_detail)
        auditor = new_test_user(self.env, "hc_ro_auditor", groups="healthcare_integration_base.group_hc_auditor")
        self.assertFalse(auditor.has_group("stock.group_stock_user"), "an auditor, not an Inventory user")
        move = self.env["stock.move"].browse(json.loads(msg.result_ids)).with_user(auditor)
        event = self.env["hc.audit.event"].search([("model", "=", "stock.move"), ("res_id", "=", move.id)])[:1]
        self.assertTrue(event, "the done move is on the trail")
        # read: the move, its lines, its lot, the quant left behind, the product, the locations
        values = move.read(["state", "product_id", "location_id", "location_dest_id", "date", "lot_ids"])[0]
        self.assertEqual(values["state"], "done")
        self.assertEqual(values["product_id"][0], self.saline.id)
        lot = move.move_line_ids.lot_id
        self.assertEqual(lot, self.lot.with_user(auditor))
        self.assertEqual(lot.read(["name", "expiration_date"])[0]["name"], "TL-1")
        self.assertEqual(move.move_line_ids.read(["quantity"])[0]["quantity"], 2)
        quant = (
            self.env["stock.quant"]
            .with_user(auditor)
            .search([("lot_id", "=", self.lot.id), ("location_id", "=", self.cab.id)])
        )
        self.assertEqual(quant.quantity, 38)
        self.assertTrue(move.product_id.product_tmpl_id.name)
        self.assertTrue(move.location_id.complete_name)
        self.assertTrue(event.with_user(auditor).read(["action", "interface", "changes"]))
        # write nothing: not the move, its lines, its lot, nor the trail
        attempts = [
            lambda: move.write({"description_picking": "edited"}),
            lambda: move.unlink(),
            lambda: move.move_line_ids.write({"quantity": 1}),
            lambda: move.move_line_ids.unlink(),
            lambda: lot.write({"name": "TL-EDITED"}),
            lambda: lot.unlink(),
            lambda: self.env["stock.lot"].with_user(auditor).create({"name": "X", "product_id": self.saline.id}),
            lambda: quant.write({"inventory_quantity": 1}),
            lambda: move.product_id.write({"name": "edited"}),
            lambda: event.with_user(auditor).write({"reason": "edited"}),
            lambda: event.with_user(auditor).unlink(),
        ]
        for number, attempt in enumerate(attempts):
            with self.subTest(attempt=number), self.assertRaises(AccessError):
                attempt()
        self.assertEqual(self.lot.name, "TL-1")
