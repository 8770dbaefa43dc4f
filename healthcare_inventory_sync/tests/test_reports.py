"""Printable reports: reconciliation run, expiry risk, event accounting, rendered as real PDFs."""

import io
from datetime import timedelta

from odoo import fields
from odoo.modules.registry import Registry
from odoo.tests import new_test_user
from odoo.tests.common import get_db_name
from odoo.tools.pdf import PdfFileReader

from .test_inventory_events import InventoryCase


class ReportCase(InventoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a read-only person prints: the auditor reads everything the reports show
        cls.auditor = new_test_user(cls.env, "hc_report_auditor", groups="healthcare_integration_base.group_hc_auditor")

    def render(self, xmlid, records=None, data=None):
        """HTML and PDF of a report, as the auditor; the PDF part skips only without wkhtmltopdf."""
        action = self.env.ref(xmlid)
        self.assertEqual(action.report_type, "qweb-pdf")
        self.assertEqual((action.binding_model_id.model, action.binding_type), (action.model, "report"))
        Report = self.env["ir.actions.report"].with_user(self.auditor)
        ids = records.ids if records else None
        html = Report._render_qweb_html(action.report_name, ids, data=data)[0].decode()
        html = html.replace("\ufeff", "")  # Odoo keeps a minus sign to its number with U+FEFF
        return html, lambda: self.pdf_text(Report, action, ids, data)

    def pdf_text(self, Report, action, ids, data):
        if Report.get_wkhtmltopdf_state() == "install":
            self.skipTest("wkhtmltopdf is not installed: Odoo cannot render PDF reports (apt-get install wkhtmltopdf)")
        # tests get HTML from _render_qweb_pdf unless told to run wkhtmltopdf for real
        pdf, kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            action.report_name, ids, data=data
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), pdf[:20])
        # wkhtmltopdf's text comes back split on spans and lines: compare without whitespace
        text = "".join(page.extract_text() for page in PdfFileReader(io.BytesIO(pdf)).pages)
        # the minus sign's U+FEFF comes back from the PDF as U+200B
        return "".join(text.replace("\ufeff", "").replace("\u200b", "").split())


class TestReconciliationReport(ReportCase):
    def test_applied_run_prints_lines_variances_and_decision(self):
        self.saline.standard_price = 2.0
        self.send(self.event(type="inventory.count", quantity=37))
        proposer = new_test_user(self.env, "hc_rep_clerk", groups="healthcare_integration_base.group_hc_manager")
        approver = new_test_user(self.env, "hc_rep_appr", groups="healthcare_integration_base.group_hc_approver")
        run = self.env["hc.reconciliation.run"].with_user(proposer).create({"endpoint_id": self.endpoint.id})
        run.action_load_counts()
        run.action_propose()
        run.with_user(approver).action_approve("Recounted by the charge nurse")
        html, pdf = self.render("healthcare_inventory_sync.action_report_hc_reconciliation_run", run)
        for text in ("Stock reconciliation", run.name, "TL-1", "[T-NS] Saline T", "Cab T1", "ICU cabinets"):
            self.assertIn(text, html)
        self.assertIn('<span class="o_hc_state">Applied</span>', html)
        self.assertIn("Recounted by the charge nurse", html)
        self.assertIn(approver.name, html)
        self.assertIn("40.00", html)  # Odoo on hand before the adjustment
        self.assertIn("37.00", html)  # external count
        self.assertIn("-3.00", html)  # variance
        self.assertIn("-6.00", html)  # variance value at 2.00
        self.assertIn("<span>Short</span>", html)
        text = pdf()
        for expected in ("Stockreconciliation", "TL-1", "[T-NS]SalineT", "-3.00", "Short", "Applied"):
            self.assertIn(expected, text)


class TestExpiryRiskReport(ReportCase):
    def test_lots_within_the_horizon_per_location(self):
        soon = self.lot_expiring_soon()
        self.env["ir.config_parameter"].set_param("hc.expiry_risk_days", 30)
        # nothing selected: every lot within the horizon
        html, pdf = self.render("healthcare_inventory_sync.action_report_hc_expiry_risk")
        self.assertIn('<strong class="o_hc_horizon">30</strong>', html)
        for text in ("TL-SOON", "[T-NS] Saline T", "Store T1", "8.00", "20.00", "TL-OLD", "(expired)", "Cab T1"):
            self.assertIn(text, html)
        self.assertNotIn("TL-1<", html, "expires in 2027: outside a 30-day horizon")
        if "healthcare_integration_demo" in Registry(get_db_name())._init_modules:
            self.assertIn("HEP-EXP-01", html, "the demo data's expired heparin lot")
        text = pdf()
        for expected in ("Expiryrisk", "TL-SOON", "[T-NS]SalineT", "8.00", "TL-OLD"):
            self.assertIn(expected, text)
        # the rows selected in the list, whatever their expiry
        rows = self.env["hc.expiry.risk"].search([("lot_id", "in", (soon | self.lot).ids)])
        self.assertEqual(len(rows), 2)
        html, pdf = self.render("healthcare_inventory_sync.action_report_hc_expiry_risk", rows)
        self.assertIn("TL-SOON", html)
        self.assertIn("TL-1<", html)
        self.assertNotIn("TL-OLD", html)
        self.assertIn("Printed: <span>2</span> lot/location rows", html)
        self.assertIn("TL-1", pdf())


class TestEventAccountingReport(ReportCase):
    def test_counts_per_endpoint_and_events_without_outcome(self):
        self.send(self.event(), self.event(), self.event(item={"code": "NOPE"}))
        ctx = self.env["hc.endpoint"]._auth_context(self.endpoint.code)
        self.Message._ingest(
            ctx,
            [{"key": "pending-rep-1", "body_hash": "x", "message_type": "inventory.consumption", "payload": "{}"}],
            {"correlation_id": "c"},
        )
        rows = self.env["hc.event.accounting"].search([("endpoint_id", "=", self.endpoint.id)])
        self.assertEqual(sum(rows.mapped("event_count")), 4)
        html, pdf = self.render("healthcare_inventory_sync.action_report_hc_event_accounting", rows)
        self.assertIn("ICU cabinets", html)
        self.assertIn('<td class="text-end o_hc_done">2</td>', html)
        self.assertIn('<td class="text-end o_hc_waiting">1</td>', html)
        self.assertIn('<td class="text-end o_hc_rejected">0</td>', html)
        self.assertIn('<td class="text-end o_hc_no_outcome">1</td>', html)
        self.assertIn("item_unknown", html)
        self.assertIn("Events without an outcome", html)
        self.assertIn("pending-rep-1", html)
        self.assertIn(str(fields.Date.today()), html)
        text = pdf()
        for expected in ("Eventaccounting", "ICUcabinets", "item_unknown", "pending-rep-1"):
            self.assertIn(expected, text)

    def test_row_ids_are_stable_while_new_events_arrive(self):
        old = self.send(self.event(item={"code": "NOPE"}))
        self.env.cr.execute(
            "UPDATE hc_inbound_message SET received_at = received_at - interval '3 days' WHERE id = %s", [old.id]
        )
        Row = self.env["hc.event.accounting"]
        key = (self.endpoint.id, fields.Date.today() - timedelta(days=3), "waiting", "item_unknown")

        def row_id():
            self.env.flush_all()
            Row.invalidate_model()
            rows = Row.search([("endpoint_id", "=", key[0]), ("day", "=", key[1]), ("outcome", "=", key[2])])
            self.assertEqual(rows.mapped("cause"), [key[3]])
            return rows.id

        before = row_id()
        self.send(self.event(), self.event(item={"code": "NOPE2"}))
        other = self.env["hc.endpoint"].create({"name": "Dock", "code": "inv-test-dock"})
        self.send(self.event(), endpoint=other)
        self.assertEqual(row_id(), before, "a past day's row keeps its id: a selection prints what was selected")
