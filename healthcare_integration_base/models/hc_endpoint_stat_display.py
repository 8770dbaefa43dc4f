from odoo import fields, models

from .hc_inbound_message_display import human_duration


class HcEndpointStat(models.Model):
    _inherit = "hc.endpoint.stat"

    oldest_pending_display = fields.Char(compute="_compute_durations", string="Oldest Waiting")
    latency_p50_display = fields.Char(compute="_compute_durations", string="Latency p50")
    latency_p95_display = fields.Char(compute="_compute_durations", string="Latency p95")

    def _compute_durations(self):
        for stat in self:
            stat.oldest_pending_display = human_duration(stat.oldest_pending_age) if stat.backlog else False
            stat.latency_p50_display = (
                human_duration((stat.latency_p50_ms or 0) / 1000) if stat.latency_p50_ms else False
            )
            stat.latency_p95_display = (
                human_duration((stat.latency_p95_ms or 0) / 1000) if stat.latency_p95_ms else False
            )
