from odoo import _, fields, models


def expiry_words(days_left):
    """'expired 669 days ago', 'expired yesterday', 'expires today', 'expires in 20 days'."""
    if days_left is None or days_left is False:
        return False
    if days_left < -1:
        return _("expired %s days ago", -days_left)
    if days_left == -1:
        return _("expired yesterday")
    if days_left == 0:
        return _("expires today")
    if days_left == 1:
        return _("expires tomorrow")
    return _("expires in %s days", days_left)


class HcExpiryRisk(models.Model):
    _inherit = "hc.expiry.risk"

    expiry_date = fields.Date(compute="_compute_display", string="Expiry Date")
    expiry_status = fields.Char(compute="_compute_display", string="Expiry")
    product_uom_id = fields.Many2one("uom.uom", related="product_id.uom_id", string="Unit")
    currency_id = fields.Many2one("res.currency", related="company_id.currency_id")

    def _compute_display(self):
        for risk in self:
            risk.expiry_date = risk.expiration_date and risk.expiration_date.date()
            risk.expiry_status = expiry_words(risk.days_left) if risk.expiration_date else False
