"""What people read on a message: the problem in words, durations with their unit."""

from odoo import api, fields, models


def human_duration(seconds):
    """'850 ms', '42 s', '3 min 5 s', '2 h 10 min', '3 d 4 h' (``False`` for nothing)."""
    if seconds is None or seconds is False:
        return False
    if seconds < 1:
        return f"{round(seconds * 1000)} ms"
    seconds = round(seconds)
    days, rem = divmod(seconds, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


class HcInboundMessage(models.Model):
    _inherit = "hc.inbound.message"

    error_label = fields.Char(compute="_compute_error_label", string="Problem")
    error_help = fields.Char(compute="_compute_error_label", string="What It Means")
    latency_display = fields.Char(compute="_compute_latency_display", string="Latency")

    @api.depends("error_code")
    def _compute_error_label(self):
        catalog = self.env["hc.code.catalog"]
        for msg in self:
            msg.error_label = catalog._label(msg.error_code)
            msg.error_help = catalog._explanation(msg.error_code)

    @api.depends("received_at", "processed_at")
    def _compute_latency_display(self):
        for msg in self:
            if msg.processed_at and msg.received_at:
                msg.latency_display = human_duration((msg.processed_at - msg.received_at).total_seconds())
            else:
                msg.latency_display = False
