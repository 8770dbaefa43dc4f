"""The printable supplier scorecard: one page per supplier for a period, to hand to the supplier.

Each measure is shown as a rate with its numerator and denominator (counted over documents, not
averaged over orders as the pivot does) and one line saying what it means, followed by the
documents that pulled it down: late acknowledgments, receipts that differed from the ship
notice, bills blocked by the three-way match.

Printed from a supplier (Print menu of a contact, last 90 days), or for chosen suppliers and
dates from Procurement EDI > Print Supplier Scorecard and from the scorecard's list.
"""

from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

DEFAULT_DAYS = 90
WORST = 5


def _rate(num, den):
    return round(100.0 * num / den, 1) if den else None


class HcSupplierScorecardPrint(models.TransientModel):
    _name = "hc.supplier.scorecard.print"
    _description = "Print the supplier scorecard"

    partner_ids = fields.Many2many("res.partner", string="Suppliers", required=True)
    date_from = fields.Date(
        string="From", required=True, default=lambda self: fields.Date.context_today(self) - timedelta(DEFAULT_DAYS)
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)

    @api.model
    def default_get(self, fields_list):
        """Opened from the scorecard's list or a contact: the selected rows' suppliers."""
        vals = super().default_get(fields_list)
        model, ids = self.env.context.get("active_model"), self.env.context.get("active_ids") or []
        if "partner_ids" in fields_list and ids and isinstance(ids, list):
            if model == "hc.supplier.scorecard":
                partners = self.env["hc.supplier.scorecard"].browse(ids).exists().partner_id
            elif model == "res.partner":
                partners = self.env["res.partner"].browse(ids).exists().commercial_partner_id
            else:
                partners = self.env["res.partner"]
            if partners:
                vals["partner_ids"] = [fields.Command.set(partners.ids)]
        return vals

    def action_print(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(_("The period starts after it ends."))
        return self.env.ref("healthcare_procurement_edi.action_report_supplier_scorecard").report_action(
            self.partner_ids,
            data={
                "date_from": fields.Date.to_string(self.date_from),
                "date_to": fields.Date.to_string(self.date_to),
                "partner_ids": self.partner_ids.ids,
            },
        )


class ReportSupplierScorecard(models.AbstractModel):
    _name = "report.healthcare_procurement_edi.report_supplier_scorecard"
    _description = "Supplier scorecard report"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        today = fields.Date.context_today(self)
        date_to = fields.Date.to_date(data.get("date_to")) or today
        date_from = fields.Date.to_date(data.get("date_from")) or date_to - timedelta(DEFAULT_DAYS)
        ids = data.get("partner_ids") or docids or []
        partners = self.env["res.partner"].browse(ids).exists().commercial_partner_id
        if not partners:
            raise UserError(_("Choose at least one supplier."))
        cards = [self._scorecard(partner, date_from, date_to) for partner in partners]
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "cards": cards,
            "date_from": date_from,
            "date_to": date_to,
        }

    @api.model
    def _scorecard(self, partner, date_from, date_to):
        """The figures of one supplier (commercial partner) for orders dated in the period.

        The orders are those the scorecard view shows this user (its company rule applies); their
        receipts, bills and exceptions are then read as superuser, scoped to those orders."""
        start = datetime.combine(date_from, time.min)
        end = datetime.combine(date_to + timedelta(days=1), time.min)
        rows = self.env["hc.supplier.scorecard"].search(
            [("partner_id", "=", partner.id), ("date_order", ">=", start), ("date_order", "<", end)]
        )
        orders = rows.sudo().purchase_id
        lines = orders.order_line.filtered(lambda ln: not ln.display_type)
        # on-time acknowledgment: acknowledged orders, plus those overdue without one
        acked = orders.filtered("hc_ack_received_at")
        overdue = orders.filtered(lambda o: not o.hc_ack_received_at and o.edi_ack_state == "overdue")
        on_time = acked.filtered("hc_ack_on_time")
        late_acks = (acked - on_time) | overdue
        # changes per acknowledged line
        acked_lines = lines.filtered(lambda ln: ln.order_id in acked)
        changes = sum(acked_lines.mapped("hc_ack_change_count"))
        # fill rate: orders with something received, or closed
        filled = orders.filtered(lambda o: o.state == "done" or any(ln.qty_received for ln in o.order_line))
        filled_lines = lines.filtered(lambda ln: ln.order_id in filled)
        received = sum(filled_lines.mapped("qty_received"))
        ordered = sum(filled_lines.mapped("product_qty"))
        # receipts validated after a ship notice
        Picking = self.env["stock.picking"].sudo()
        receipts = (
            Picking.search(
                [
                    ("move_ids.purchase_line_id.order_id", "in", orders.ids),
                    ("state", "=", "done"),
                    ("hc_asn_document_id", "!=", False),
                ],
                order="date_done desc, id desc",
            )
            if orders
            else Picking
        )
        accurate = receipts.filtered("hc_asn_accurate")
        # bills matched three ways
        Move = self.env["account.move"].sudo()
        bills = (
            Move.search(
                [
                    ("line_ids.purchase_line_id.order_id", "in", orders.ids),
                    ("hc_match_state", "!=", False),
                    ("state", "!=", "cancel"),
                ],
                order="invoice_date desc, id desc",
            )
            if orders
            else Move
        )
        first_pass = bills.filtered("hc_first_pass_match")
        blocked = bills.filtered("hc_blocked_since")
        days_blocked = round(sum(blocked.mapped("hc_days_blocked")), 1)
        causes = {}
        if blocked:
            catalog = self.env["hc.code.catalog"]
            for exc in (
                self.env["hc.exception"]
                .sudo()
                .search([("res_model", "=", "account.move"), ("res_id", "in", blocked.ids)])
            ):
                causes.setdefault(exc.res_id, []).append(catalog._label(exc.code))
        measures = [
            {
                "key": "ack_on_time",
                "label": _("On-time acknowledgment"),
                "value": _rate(len(on_time), len(acked) + len(overdue)),
                "unit": "%",
                "numerator": len(on_time),
                "denominator": len(acked) + len(overdue),
                "fraction": _("%(n)s of %(d)s orders acknowledged within the agreed hours"),
                "explanation": _(
                    "Your order acknowledgment (855 / ORDRSP / confirmation) reached us before its deadline; "
                    "an order still unacknowledged after the deadline counts as late."
                ),
            },
            {
                "key": "ack_changes",
                "label": _("Acknowledgment changes per line"),
                "value": round(changes / len(acked_lines), 2) if acked_lines else None,
                "unit": "",
                "numerator": changes,
                "denominator": len(acked_lines),
                "fraction": _("%(n)s changes over %(d)s acknowledged order lines"),
                "explanation": _(
                    "Price, quantity, date or item changes, backorders and rejections in your "
                    "acknowledgments: lower is better, 0 means every line was accepted as ordered."
                ),
            },
            {
                "key": "asn_accuracy",
                "label": _("Ship notice accuracy"),
                "value": _rate(len(accurate), len(receipts)),
                "unit": "%",
                "numerator": len(accurate),
                "denominator": len(receipts),
                "fraction": _("%(n)s of %(d)s receipts received exactly as notified"),
                "explanation": _(
                    "What our dock scanned (items, lots, quantities) matched your ship notice (856 / DESADV)."
                ),
            },
            {
                "key": "fill_rate",
                "label": _("Fill rate"),
                "value": _rate(received, ordered),
                "unit": "%",
                "numerator": round(received, 2),
                "denominator": round(ordered, 2),
                "fraction": _("%(n)s units received of %(d)s ordered"),
                "explanation": _("Quantity received against quantity ordered, on orders already (partly) received."),
            },
            {
                "key": "first_pass_match",
                "label": _("Invoice first-pass match"),
                "value": _rate(len(first_pass), len(bills)),
                "unit": "%",
                "numerator": len(first_pass),
                "denominator": len(bills),
                "fraction": _("%(n)s of %(d)s invoices matched order and receipt at once"),
                "explanation": _(
                    "Your invoice (810 / INVOIC) agreed with the order's prices and the quantities received, "
                    "within the agreed tolerances, without anyone in accounts payable stepping in."
                ),
            },
            {
                "key": "days_blocked",
                "label": _("Days invoices blocked"),
                "value": days_blocked,
                "unit": _(" days"),
                "numerator": days_blocked,
                "denominator": len(blocked),
                "fraction": _("%(n)s days in total over %(d)s blocked invoices"),
                "explanation": _(
                    "How long invoices that did not match waited for a decision; a blocked invoice is paid late."
                ),
            },
        ]
        for measure in measures:
            measure["fraction"] = measure["fraction"] % {"n": measure["numerator"], "d": measure["denominator"]}
        return {
            "partner": partner,
            "orders": orders,
            "order_count": len(orders),
            "line_count": len(lines),
            "measures": measures,
            "by_key": {m["key"]: m for m in measures},
            "late_acks": [
                {
                    "order": o.name,
                    "date_order": o.date_order,
                    "deadline": o.edi_ack_deadline,
                    "received": o.hc_ack_received_at,
                }
                for o in late_acks.sorted(lambda o: (o.date_order or datetime.min, o.id), reverse=True)[:WORST]
            ],
            "inaccurate_receipts": [
                {
                    "receipt": p.name,
                    "notice": p.hc_asn_number or "",
                    "date_done": p.date_done,
                    "differences": p.hc_asn_differences or "",
                }
                for p in (receipts - accurate)[:WORST]
            ],
            "blocked_bills": [
                {
                    "invoice": b.ref or b.name or "",
                    "date": b.invoice_date,
                    "state": dict(b._fields["hc_match_state"]._description_selection(self.env)).get(
                        b.hc_match_state, ""
                    ),
                    "days": round(b.hc_days_blocked, 1),
                    "causes": ", ".join(sorted(set(causes.get(b.id, [])))),
                }
                for b in blocked.sorted(lambda b: (-b.hc_days_blocked, -b.id))[:WORST]
            ],
        }
