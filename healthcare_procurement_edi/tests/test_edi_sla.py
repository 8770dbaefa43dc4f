"""SLA queues, their activities, and the supplier scorecard counting each step of the flow."""

from datetime import date, timedelta

from odoo import fields

from .flow_common import FlowCase


class TestSlaAndScorecard(FlowCase):
    def test_scorecard_counts_the_flow(self):
        po = self.order([(self.product, 10, 12.5)])
        line = po.order_line
        self.send(
            {
                "kind": "po_ack",
                "po_number": po.name,
                "ack_number": "A1",
                "date": "2026-12-01",
                "status": "changed",
                "lines": [{"line_id": line.id, "status": "changed", "quantity": "10", "uom": "EA", "price": "12.6"}],
            }
        )
        self.send(
            {
                "kind": "asn",
                "asn_number": "S1",
                "po_numbers": [po.name],
                "ship_date": str(date.today()),
                "expected_date": str(date.today()),
                "lines": [
                    {"line_id": line.id, "po_number": po.name, "quantity": "8", "uom": "EA", "buyer_part": "HEP-5000"}
                ],
            }
        )
        picking = po.picking_ids
        self.assertEqual(self.exceptions(picking).code, "asn_under")
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=picking.ids).button_validate()
        self.assertEqual(picking.state, "done")
        self.send(
            {
                "kind": "invoice",
                "invoice_number": "SC-1",
                "date": "2026-12-01",
                "po_numbers": [po.name],
                "charges": [],
                "lines": [{"line_id": line.id, "po_number": po.name, "quantity": "8", "uom": "EA", "price": "13.5"}],
            }
        )
        bill = self.env["account.move"].search([("ref", "=", "SC-1")])
        self.assertEqual(bill.hc_match_state, "blocked")
        self.env.flush_all()
        row = self.env["hc.supplier.scorecard"].search([("purchase_id", "=", po.id)])
        self.assertEqual(row.partner_id, self.supplier)
        self.assertEqual(row.ack_on_time_rate, 100.0)
        self.assertEqual(row.ack_changes_per_line, 1.0)
        self.assertEqual(row.fill_rate, 80.0)
        self.assertEqual(row.first_pass_match_rate, 0.0)
        self.assertEqual(row.asn_accuracy, 100.0, "received what the notice said (8)")
        grouped = self.env["hc.supplier.scorecard"].read_group(
            [("partner_id", "=", self.supplier.id)], ["order_count:sum", "fill_rate:avg"], ["partner_id"]
        )
        self.assertEqual(grouped[0]["order_count"], 1)

    def test_sla_queues_and_activities(self):
        po = self.order([(self.product, 10, 12.5)])
        line = po.order_line
        # acknowledged as backordered to a date already past
        past = date.today() - timedelta(days=3)
        self.send(
            {
                "kind": "po_ack",
                "po_number": po.name,
                "ack_number": "A2",
                "date": "2026-12-01",
                "status": "changed",
                "lines": [
                    {
                        "line_id": line.id,
                        "status": "backordered",
                        "quantity": "10",
                        "uom": "EA",
                        "price": "12.5",
                        "date": str(past),
                    }
                ],
            }
        )
        self.send(
            {
                "kind": "asn",
                "asn_number": "S2",
                "po_numbers": [po.name],
                "ship_date": str(date.today()),
                "lines": [{"line_id": line.id, "po_number": po.name, "quantity": "10", "uom": "EA"}],
            }
        )
        picking = po.picking_ids
        self.assertTrue(picking.hc_receipt_due)
        picking.hc_receipt_due = fields.Datetime.now() - timedelta(hours=1)
        self.send(
            {
                "kind": "invoice",
                "invoice_number": "SLA-1",
                "date": "2026-12-01",
                "po_numbers": [po.name],
                "charges": [],
                "lines": [{"line_id": line.id, "po_number": po.name, "quantity": "10", "uom": "EA", "price": "12.5"}],
            }
        )
        bill = self.env["account.move"].search([("ref", "=", "SLA-1")])
        self.assertEqual(self.exceptions(bill).code, "invoice_not_received")
        bill.hc_block_alert_at = fields.Datetime.now() - timedelta(days=1)
        for xmlid, record in (
            ("healthcare_procurement_edi.hc_asn_receipt_sla_action", picking),
            ("healthcare_procurement_edi.hc_bill_blocked_action", bill),
            ("healthcare_procurement_edi.hc_backorder_action", line),
        ):
            action = self.env.ref(xmlid)
            domain = eval(action.domain)  # our own action's literal domain
            self.assertIn(record, self.env[action.res_model].search(domain), xmlid)
        self.assertEqual(self.env["hc.procurement.sla"]._cron_check(), 3)
        self.assertTrue(
            picking.activity_ids and bill.activity_ids and po.activity_ids.filtered(lambda a: "Backorder" in a.summary)
        )
        self.assertEqual(self.env["hc.procurement.sla"]._cron_check(), 0, "one activity per item")
