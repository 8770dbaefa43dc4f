"""Values of the printable expiry-risk and event-accounting reports (SQL-view models).

Both print the records the user selected (Print menu of the list); called without records,
the expiry report takes every lot within the horizon and the event report every row.
"""

from datetime import datetime, time, timedelta

from odoo import api, models
from odoo.osv import expression

OUTCOMES = ("done", "waiting", "rejected", "cancelled", "no_outcome")
# hc.event.accounting's view: every other state of a message is "without outcome"
STATES_WITH_OUTCOME = ("done", "failed", "retry", "dead", "rejected", "cancelled")
MAX_LISTED = 200


class ReportHcExpiryRisk(models.AbstractModel):
    _name = "report.healthcare_inventory_sync.report_hc_expiry_risk"
    _description = "Expiry Risk Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        Risk = self.env["hc.expiry.risk"]
        days = int(data.get("days") or Risk._horizon_days())
        self.env.flush_all()  # the view reads quants and lots straight from the tables
        if docids:
            risks = Risk.browse(docids).exists()
        else:
            risks = Risk.search([("days_left", "<=", days)])
        groups = []
        for location in risks.location_id.sorted(lambda loc: loc.complete_name or ""):
            rows = risks.filtered(lambda r, loc=location: r.location_id == loc).sorted(
                lambda r: (r.expiration_date, r.product_id.display_name, r.lot_id.name)
            )
            groups.append(
                {
                    "location": location,
                    "rows": rows,
                    "quantity": sum(rows.mapped("quantity")),
                    "value": sum(rows.mapped("value")),
                    "within": len(rows.filtered(lambda r: r.days_left <= days)),
                }
            )
        return {
            "doc_ids": risks.ids,
            "doc_model": "hc.expiry.risk",
            "docs": risks,
            "days": days,
            "groups": groups,
            "currency": self.env.company.currency_id,
            "total_value": sum(risks.mapped("value")),
            "within_value": sum(risks.filtered(lambda r: r.days_left <= days).mapped("value")),
            "expired_count": len(risks.filtered(lambda r: r.days_left <= 0)),
        }


class ReportHcEventAccounting(models.AbstractModel):
    _name = "report.healthcare_inventory_sync.report_hc_event_accounting"
    _description = "Event Accounting Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        Row = self.env["hc.event.accounting"]
        self.env.flush_all()
        rows = Row.browse(docids).exists() if docids else Row.search([])
        endpoints = {}
        for row in rows:
            ep = endpoints.setdefault(
                row.endpoint_id,
                {"endpoint": row.endpoint_id, "days": {}, "causes": {}, "total": dict.fromkeys(OUTCOMES, 0)},
            )
            day = ep["days"].setdefault(row.day, dict.fromkeys(OUTCOMES, 0))
            day[row.outcome] += row.event_count
            ep["total"][row.outcome] += row.event_count
            if row.outcome in ("waiting", "rejected"):
                key = (row.outcome, row.cause or "")
                ep["causes"][key] = ep["causes"].get(key, 0) + row.event_count
        sections = []
        for ep in sorted(endpoints.values(), key=lambda e: e["endpoint"].display_name or ""):
            days = [
                dict(counts, day=day, count=sum(counts.values()))
                for day, counts in sorted(ep["days"].items(), key=lambda item: item[0] or datetime.min.date())
            ]
            total = dict(ep["total"], count=sum(ep["total"].values()))
            causes = [
                {"outcome": outcome, "cause": cause, "count": count}
                for (outcome, cause), count in sorted(ep["causes"].items())
            ]
            sections.append({"endpoint": ep["endpoint"], "days": days, "total": total, "causes": causes})
        grand = {key: sum(s["total"][key] for s in sections) for key in (*OUTCOMES, "count")}
        pending, pending_count = self._without_outcome(rows.filtered(lambda r: r.outcome == "no_outcome"))
        period = sorted(d for d in rows.mapped("day") if d)
        return {
            "doc_ids": rows.ids,
            "doc_model": "hc.event.accounting",
            "docs": rows,
            "sections": sections,
            "grand": grand,
            "date_from": period[0] if period else None,
            "date_to": period[-1] if period else None,
            "pending": pending,
            "pending_count": pending_count,
            "max_listed": MAX_LISTED,
        }

    @api.model
    def _without_outcome(self, rows):
        """The messages behind the "without outcome" rows: each one by name, not just a count."""
        if not rows:
            return self.env["hc.inbound.message"], 0
        domains = []
        for row in rows:
            start = datetime.combine(row.day, time.min)
            domains.append(
                [
                    ("endpoint_id", "=", row.endpoint_id.id),
                    ("message_type", "=", row.message_type),
                    ("received_at", ">=", start),
                    ("received_at", "<", start + timedelta(days=1)),
                ]
            )
        domain = expression.AND([[("state", "not in", STATES_WITH_OUTCOME)], expression.OR(domains)])
        Message = self.env["hc.inbound.message"]
        return Message.search(domain, order="received_at, id", limit=MAX_LISTED), Message.search_count(domain)
