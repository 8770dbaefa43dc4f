from datetime import datetime, time

from odoo import _, fields, models

from .hc_inbound_message_display import human_duration


class HcEndpointStat(models.Model):
    _inherit = "hc.endpoint.stat"

    oldest_pending_display = fields.Char(compute="_compute_durations", string="Oldest Waiting")
    latency_p50_display = fields.Char(compute="_compute_durations", string="Latency p50")
    latency_p95_display = fields.Char(compute="_compute_durations", string="Latency p95")
    count_today = fields.Integer(compute="_compute_today", string="Today")
    failures_by_cause = fields.Char(compute="_compute_today", string="Waiting by Cause")
    sla_state = fields.Selection(
        [("ok", "Within thresholds"), ("breach", "Threshold breached")],
        compute="_compute_durations",
        string="SLA",
        help="Against the endpoint's alert thresholds: backlog, oldest waiting age, failure rate.",
    )

    def _compute_durations(self):
        for stat in self:
            stat.oldest_pending_display = human_duration(stat.oldest_pending_age) if stat.backlog else False
            stat.latency_p50_display = human_duration(stat.latency_p50_ms / 1000) if stat.latency_p50_ms else False
            stat.latency_p95_display = human_duration(stat.latency_p95_ms / 1000) if stat.latency_p95_ms else False
            ep = stat.endpoint_id
            breach = ep and (
                (ep.alert_backlog and stat.backlog > ep.alert_backlog)
                or (ep.alert_oldest_age and stat.backlog and stat.oldest_pending_age > ep.alert_oldest_age)
                or (ep.alert_failure_rate and stat.failure_rate > ep.alert_failure_rate)
            )
            stat.sla_state = "breach" if breach else "ok"

    def _compute_today(self):
        """Messages received today and the failed ones by cause: two grouped queries in all."""
        Message = self.env["hc.inbound.message"]
        start = datetime.combine(fields.Date.context_today(self), time.min)
        endpoints = self.endpoint_id.ids
        today = dict(
            Message._read_group(
                [("endpoint_id", "in", endpoints), ("received_at", ">=", start)], ["endpoint_id"], ["__count"]
            )
        )
        causes = {}
        catalog = self.env["hc.code.catalog"]
        for endpoint, code, count in Message._read_group(
            [("endpoint_id", "in", endpoints), ("state", "in", ("failed", "dead"))],
            ["endpoint_id", "error_code"],
            ["__count"],
        ):
            causes.setdefault(endpoint, []).append((count, catalog._label(code) or _("Unknown")))
        for stat in self:
            stat.count_today = today.get(stat.endpoint_id, 0)
            parts = sorted(causes.get(stat.endpoint_id, []), reverse=True)
            stat.failures_by_cause = ", ".join(f"{label}: {n}" for n, label in parts) or False

    def action_open_failures(self):
        """This endpoint's failures, grouped by cause."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("healthcare_integration_base.action_hc_endpoint_failure")
        action["domain"] = [("endpoint_id", "=", self.endpoint_id.id)]
        action["display_name"] = _("Failures by Cause: %s", self.endpoint_id.display_name)
        return action

    def action_open_waiting(self):
        """This endpoint's messages waiting to be processed, oldest first."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("healthcare_integration_base.action_hc_inbound_message")
        action["domain"] = [("endpoint_id", "=", self.endpoint_id.id), ("state", "in", ("received", "retry"))]
        action["context"] = {}
        return action
