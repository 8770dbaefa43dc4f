from odoo import _, api, fields, models

KINDS = {"consumption": "Patient Consumption", "waste": "Waste"}


class StockLocation(models.Model):
    _inherit = "stock.location"

    hc_usage_kind = fields.Selection(
        [("consumption", "Patient Consumption"), ("waste", "Waste")], string="Healthcare Usage", copy=False, index=True
    )

    @api.model
    def _hc_virtual(self, company, kind):
        """The company's virtual location for patient consumption or waste, made on first use."""
        location = self.sudo().search([("hc_usage_kind", "=", kind), ("company_id", "=", company.id)], limit=1)
        if not location:
            location = self.sudo().create(
                {
                    "name": _(KINDS[kind]),
                    "usage": "inventory",
                    "hc_usage_kind": kind,
                    "company_id": company.id,
                    "location_id": self.env.ref("stock.stock_location_locations_virtual").id,
                }
            )
        return location
