from odoo import fields, models


class HcStockCount(models.Model):
    _inherit = "hc.stock.count"

    product_uom_id = fields.Many2one("uom.uom", related="product_id.uom_id", string="Unit")
    currency_id = fields.Many2one("res.currency", related="company_id.currency_id")
