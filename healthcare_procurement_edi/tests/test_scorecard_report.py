"""The printable supplier scorecard: one page per supplier with each measure, its numerator and
denominator, and the documents behind it, rendered from data built through the EDI flow."""

import io
from datetime import date, timedelta

from odoo.tests import new_test_user
from odoo.tools.pdf import PdfFileReader

from .flow_common import FlowCase

REPORT = "healthcare_procurement_edi.report_supplier_scorecard"


class TestScorecardReport(FlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyer = new_test_user(cls.env, "sc_report_buyer", groups="purchase.group_purchase_user")

    def build_flow(self):
        """PO 1: acknowledged on time with a price change, 8 of 10 shipped and received as notified,
        invoiced at a higher price (blocked). PO 2: never acknowledged, past its deadline."""
        po = self.order([(self.product, 10, 12.5)])
        line = po.order_line
        self.send(
            {
                "kind": "po_ack",
                "po_number": po.name,
                "ack_number": "SCR-A1",
                "date": "2026-12-01",
                "status": "changed",
                "lines": [{"line_id": line.id, "status": "changed", "quantity": "10", "uom": "EA", "price": "12.6"}],
            }
        )
        self.send(
            {
                "kind": "asn",
                "asn_number": "SCR-S1",
                "po_numbers": [po.name],
                "ship_date": str(date.today()),
                "expected_date": str(date.today()),
                "lines": [
                    {"line_id": line.id, "po_number": po.name, "quantity": "8", "uom": "EA", "buyer_part": "HEP-5000"}
                ],
            }
        )
        picking = po.picking_ids
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=picking.ids).button_validate()
        self.send(
            {
                "kind": "invoice",
                "invoice_number": "SCR-INV-1",
                "date": "2026-12-01",
                "po_numbers": [po.name],
                "charges": [],
                "lines": [{"line_id": line.id, "po_number": po.name, "quantity": "8", "uom": "EA", "price": "13.5"}],
            }
        )
        late = self.order([(self.product, 5, 12.5)])
        # the supplier let the acknowledgment deadline pass: the SLA check marks the order overdue
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE purchase_order SET edi_ack_deadline = now() AT TIME ZONE 'UTC' - interval '1 hour' WHERE id = %s",
            (late.id,),
        )
        self.env.invalidate_all()
        self.env["hc.edi.document"]._cron_check_sla()
        self.assertEqual(late.edi_ack_state, "overdue")
        bill = self.env["account.move"].search([("ref", "=", "SCR-INV-1")])
        self.assertEqual((picking.state, picking.hc_asn_accurate, bill.hc_match_state), ("done", True, "blocked"))
        self.env.flush_all()
        return po, late, bill

    def test_figures_per_supplier_with_numerator_denominator_and_worst_documents(self):
        _po, late, _bill = self.build_flow()
        values = (
            self.env["report.healthcare_procurement_edi.report_supplier_scorecard"]
            .with_user(self.buyer)
            ._get_report_values([self.supplier.id])
        )
        card = values["cards"][0]
        figures = {k: (m["value"], m["numerator"], m["denominator"]) for k, m in card["by_key"].items()}
        self.assertEqual(figures["ack_on_time"], (50.0, 1, 2))
        self.assertEqual(figures["ack_changes"], (1.0, 1, 1))
        self.assertEqual(figures["asn_accuracy"], (100.0, 1, 1))
        self.assertEqual(figures["fill_rate"], (80.0, 8.0, 10.0), "the unreceived order is not counted yet")
        self.assertEqual(figures["first_pass_match"], (0.0, 0, 1))
        self.assertEqual(figures["days_blocked"][2], 1)
        self.assertEqual([r["order"] for r in card["late_acks"]], [late.name])
        self.assertEqual([r["invoice"] for r in card["blocked_bills"]], ["SCR-INV-1"])

        html = (
            self.env["ir.actions.report"]
            .with_user(self.buyer)
            ._render_qweb_html(REPORT, [self.supplier.id])[0]
            .decode()
        )
        for text in (
            "Supplier scorecard",
            self.supplier.name,
            "1 of 2 orders acknowledged within the agreed hours",
            "1 changes over 1 acknowledged order lines",
            "1 of 1 receipts received exactly as notified",
            "8.0 units received of 10.0 ordered",
            "0 of 1 invoices matched order and receipt at once",
            late.name,
            "not yet",
            "SCR-INV-1",
            self.env["hc.code.catalog"]._label("invoice_price_mismatch"),
        ):
            self.assertIn(text, html)
        self.assertIn("50.0", html)
        self.assertIn("80.0", html)

    def test_printed_for_a_period_from_the_wizard_one_page_per_supplier(self):
        self.build_flow()
        other = self.env["res.partner"].create({"name": "Supplier without EDI orders", "is_company": True})
        rows = self.env["hc.supplier.scorecard"].with_user(self.buyer).search([("partner_id", "=", self.supplier.id)])
        wizard = (
            self.env["hc.supplier.scorecard.print"]
            .with_user(self.buyer)
            .with_context(active_model="hc.supplier.scorecard", active_ids=rows.ids)
            .create({})
        )
        self.assertEqual(wizard.partner_ids, self.supplier)
        wizard.partner_ids |= other
        action = wizard.action_print()
        self.assertEqual(action["report_name"], REPORT)
        data = action["data"]
        Report = self.env["ir.actions.report"].with_user(self.buyer)
        html = Report._render_qweb_html(REPORT, wizard.partner_ids.ids, data=dict(data))[0].decode()
        self.assertEqual(html.count('class="page o_hc_supplier_scorecard"'), 2)
        self.assertIn("Supplier without EDI orders", html)
        self.assertIn("0 of 0 orders", html)
        # a period before the orders: nothing counted for the supplier either
        today = date.today()
        old = dict(data, date_from=str(today - timedelta(days=400)), date_to=str(today - timedelta(days=200)))
        card = self.env["report.healthcare_procurement_edi.report_supplier_scorecard"]._get_report_values([], data=old)[
            "cards"
        ][0]
        self.assertEqual((card["order_count"], card["by_key"]["ack_on_time"]["value"]), (0, None))
        # the PDF itself, through wkhtmltopdf
        if Report.get_wkhtmltopdf_state() == "install":
            self.skipTest("wkhtmltopdf is not installed")
        pdf, kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            REPORT,
            wizard.partner_ids.ids,
            data=dict(data),  # Odoo writes the report type into data
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), pdf[:300])
        text = "".join("".join(p.extract_text().split()) for p in PdfFileReader(io.BytesIO(pdf)).pages)
        self.assertIn("Supplierscorecard", text)
        self.assertIn("SCR-INV-1", text)
        self.assertIn("SupplierwithoutEDIorders", text)
        self.assertGreaterEqual(len(PdfFileReader(io.BytesIO(pdf)).pages), 2, "one page per supplier")
