from odoo import fields, models


class HcStockCount(models.Model):
    """An external system's count of what is on hand (inventory.count), next to Odoo's figure."""

    _name = "hc.stock.count"
    _description = "External Stock Count"
    _order = "counted_at desc, id desc"

    message_id = fields.Many2one("hc.inbound.message", index=True, ondelete="set null")
    endpoint_id = fields.Many2one("hc.endpoint", index=True)
    company_id = fields.Many2one("res.company", index=True)
    counted_at = fields.Datetime(required=True)
    location_id = fields.Many2one("stock.location", required=True)
    product_id = fields.Many2one("product.product", required=True)
    lot_id = fields.Many2one("stock.lot")
    external_qty = fields.Float(digits="Product Unit of Measure")
    odoo_qty = fields.Float(digits="Product Unit of Measure", string="Odoo On Hand")
    variance_qty = fields.Float(digits="Product Unit of Measure", string="Variance")
    variance_value = fields.Float(string="Variance Value")
    classification = fields.Selection([("match", "Match"), ("over", "Over"), ("short", "Short")], index=True)
