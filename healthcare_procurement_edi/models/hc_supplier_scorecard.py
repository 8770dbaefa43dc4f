"""Procurement SLAs and the per-supplier scorecard.

SLA queues (views over the records themselves) and a cron that puts an activity on each item
that breached its service level: receipts not validated within the partner's hours after the
ship notice, bills blocked longer than the partner's days, backorders past their date.

The scorecard is an SQL view with one row per confirmed order to an EDI supplier; its rates
are 0/100 per order (or NULL when not applicable), so the pivot's average is the supplier's
rate: on-time acknowledgment, acknowledgment changes per line, ship-notice accuracy, fill rate,
invoice first-pass match, days blocked.
"""


from odoo import _, api, fields, models, tools


class HcTradingPartnerSla(models.Model):
    _inherit = "hc.trading.partner"

    bill_blocked_alert_days = fields.Integer(
        string="Blocked Bill Alert (days)", default=5, help="A bill blocked longer than this shows up in the SLA queue."
    )


class HcProcurementSla(models.AbstractModel):
    _name = "hc.procurement.sla"
    _description = "Procurement EDI service levels"

    @api.model
    def _cron_check(self):
        """An activity on each item past its service level (once per item)."""
        now = fields.Datetime.now()
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        found = []
        late_receipts = (
            self.env["stock.picking"]
            .sudo()
            .search([("hc_receipt_due", "<", now), ("state", "not in", ("done", "cancel"))])
        )
        found += [
            (p, _("Receipt of ship notice %s not validated in time", p.hc_asn_number or "")) for p in late_receipts
        ]
        blocked = (
            self.env["account.move"]
            .sudo()
            .search([("hc_match_state", "=", "blocked"), ("hc_block_alert_at", "<", now), ("state", "=", "draft")])
        )
        found += [(m, _("Bill %s blocked too long", m.ref or m.name)) for m in blocked]
        backorders = (
            self.env["purchase.order.line"]
            .sudo()
            .search(
                [
                    ("hc_ack_status", "=", "backordered"),
                    ("hc_ack_date", "<", fields.Date.context_today(self)),
                    ("order_id.state", "=", "purchase"),
                ]
            )
        )
        for line in backorders.filtered(lambda ln: ln.qty_received < ln.product_qty):
            found.append((line.order_id, _("Backorder of %s past its date", line.product_id.display_name)))
        made = 0
        for record, summary in found:
            if any(a.summary == summary for a in record.activity_ids):
                continue
            user = (
                getattr(record, "user_id", False)
                or getattr(record, "invoice_user_id", False)
                or self.env.ref("base.user_admin")
            )
            record.activity_schedule(
                activity_type_id=todo.id if todo else False, summary=summary[:250], user_id=user.id
            )
            made += 1
        return made


class HcSupplierScorecard(models.Model):
    _name = "hc.supplier.scorecard"
    _description = "Supplier Scorecard (EDI)"
    _auto = False
    _order = "date_order desc"
    _rec_name = "purchase_id"

    purchase_id = fields.Many2one("purchase.order", string="Purchase Order", readonly=True)
    trading_partner_id = fields.Many2one("hc.trading.partner", string="Trading Partner", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Supplier", readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    date_order = fields.Datetime(string="Order Date", readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True, aggregator="sum")
    line_count = fields.Integer(string="Order Lines", readonly=True, aggregator="sum")
    ack_on_time_rate = fields.Float(string="On-Time Acknowledgment (%)", readonly=True, aggregator="avg")
    ack_changes_per_line = fields.Float(string="Acknowledgment Changes per Line", readonly=True, aggregator="avg")
    asn_accuracy = fields.Float(string="Ship Notice Accuracy (%)", readonly=True, aggregator="avg")
    fill_rate = fields.Float(string="Fill Rate (%)", readonly=True, aggregator="avg")
    first_pass_match_rate = fields.Float(string="Invoice First-Pass Match (%)", readonly=True, aggregator="avg")
    days_blocked = fields.Float(string="Days Bills Blocked", readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                WITH pol AS (
                    SELECT order_id, count(*) AS lines, sum(coalesce(hc_ack_change_count, 0)) AS changes,
                           sum(qty_received) AS received, sum(product_qty) AS ordered
                      FROM purchase_order_line WHERE display_type IS NULL GROUP BY order_id
                ), pick AS (
                    SELECT DISTINCT l.order_id, p.id, p.hc_asn_accurate
                      FROM stock_picking p JOIN stock_move m ON m.picking_id = p.id
                      JOIN purchase_order_line l ON l.id = m.purchase_line_id
                     WHERE p.state = 'done' AND p.hc_asn_document_id IS NOT NULL
                ), bill AS (
                    SELECT DISTINCT l.order_id, am.id, am.hc_first_pass_match, am.hc_blocked_since, am.hc_unblocked_at, am.state
                      FROM account_move am JOIN account_move_line aml ON aml.move_id = am.id
                      JOIN purchase_order_line l ON l.id = aml.purchase_line_id
                     WHERE am.hc_match_state IS NOT NULL
                )
                SELECT po.id AS id, po.id AS purchase_id, tp.id AS trading_partner_id, rp.commercial_partner_id AS partner_id,
                       po.company_id, po.date_order, 1 AS order_count, coalesce(pol.lines, 0) AS line_count,
                       CASE WHEN po.hc_ack_received_at IS NULL THEN
                                CASE WHEN po.edi_ack_state = 'overdue' THEN 0.0 ELSE NULL END
                            WHEN po.hc_ack_on_time THEN 100.0 ELSE 0.0 END AS ack_on_time_rate,
                       CASE WHEN po.hc_ack_received_at IS NULL THEN NULL
                            ELSE pol.changes::float / NULLIF(pol.lines, 0) END AS ack_changes_per_line,
                       (SELECT avg(CASE WHEN pick.hc_asn_accurate THEN 100.0 ELSE 0.0 END) FROM pick WHERE pick.order_id = po.id) AS asn_accuracy,
                       CASE WHEN pol.received > 0 OR po.state = 'done' THEN 100.0 * pol.received / NULLIF(pol.ordered, 0) END AS fill_rate,
                       (SELECT avg(CASE WHEN bill.hc_first_pass_match THEN 100.0 ELSE 0.0 END) FROM bill
                         WHERE bill.order_id = po.id AND bill.state != 'cancel') AS first_pass_match_rate,
                       coalesce((SELECT sum(extract(epoch FROM (coalesce(bill.hc_unblocked_at, now() AT TIME ZONE 'UTC') - bill.hc_blocked_since)) / 86400.0)
                                   FROM bill WHERE bill.order_id = po.id AND bill.hc_blocked_since IS NOT NULL), 0.0) AS days_blocked
                  FROM purchase_order po
                  JOIN res_partner rp ON rp.id = po.partner_id
                  JOIN hc_trading_partner tp ON tp.partner_id = rp.commercial_partner_id AND tp.company_id = po.company_id AND tp.active
                  LEFT JOIN pol ON pol.order_id = po.id
                 WHERE po.state IN ('purchase', 'done')
            )
            """
        )
