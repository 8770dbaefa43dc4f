from odoo import fields, models


class HcInboundMessage(models.Model):
    """What inventory records on a message for display and bookkeeping (processing is
    ``hc.processor.inventory``'s)."""

    _inherit = "hc.inbound.message"

    hc_reversed_by_id = fields.Many2one("hc.inbound.message", string="Reversed By", readonly=True, index=True)
