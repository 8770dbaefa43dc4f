from odoo import fields, models


class HcEndpoint(models.Model):
    _inherit = "hc.endpoint"

    hc_negative_stock_policy = fields.Selection(
        [("post_and_flag", "Post and flag for reconciliation"), ("hold", "Hold until a person decides")],
        string="Insufficient Stock",
        default="post_and_flag",
        required=True,
        help="Post: the item was physically used, so the move is posted and a 'negative_stock' exception is "
        "raised for reconciliation. Hold: the event waits as a 'negative_stock' exception.",
    )
    hc_reversal_wait_minutes = fields.Integer(
        string="Wait for Reversed Event (min)",
        default=60,
        help="A reversal that arrives before its original waits this long before it becomes an exception.",
    )
    hc_warehouse_ids = fields.Many2many(
        "stock.warehouse",
        string="Allowed Facilities",
        help="The warehouses whose locations this endpoint may move stock in (by mapping or by barcode). "
        "Empty: any warehouse of the endpoint's company. Never another company's.",
    )
    hc_item_mapping_ids = fields.One2many("hc.item.mapping", "endpoint_id", string="Item Mappings")
    hc_location_mapping_ids = fields.One2many("hc.location.mapping", "endpoint_id", string="Location Mappings")
    hc_uom_mapping_ids = fields.One2many("hc.uom.mapping", "endpoint_id", string="Unit Mappings")
