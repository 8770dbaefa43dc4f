from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    hc_owner_team_id = fields.Many2one(
        "hc.team",
        string="Owner Team",
        help="The team that owns this facility's stock: it gets the activity to pull recalled lots "
        "and the anomaly signals of its locations (the Pharmacy team when empty).",
    )
