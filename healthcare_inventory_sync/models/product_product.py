from odoo import api, fields, models

from ..lib.gs1 import gtin_key


class ProductProduct(models.Model):
    _inherit = "product.product"

    hc_gtin14 = fields.Char(
        string="GTIN-14",
        compute="_compute_hc_gtin14",
        store=True,
        index=True,
        help="The barcode as a 14-digit GTIN when it is one: 05012345678900 and 5012345678900 are the same item.",
    )

    @api.depends("barcode")
    def _compute_hc_gtin14(self):
        for product in self:
            product.hc_gtin14 = gtin_key(product.barcode) if product.barcode else False
