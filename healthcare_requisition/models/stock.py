from collections import defaultdict

from odoo import api, fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    hc_requisition_source = fields.Selection(
        [
            ("facility", "Stores of this facility"),
            ("central", "The central store"),
            ("both", "This facility, then the central store"),
        ],
        string="Requisitions Served From",
        default="facility",
        required=True,
        help="Where an approved requisition of this facility is taken from by internal transfer "
        "before it is purchased.",
    )
    hc_central_warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Central Store",
        help="The facility that supplies this one first: requisitions (per the setting above) and replenishment "
        "below minimum are served from it by transfer; only what it cannot cover is purchased.",
    )


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _hc_free_by_location(self, products, warehouses):
        """{(product id, warehouse id): [(location, free qty)]} in internal locations, one query."""
        if not products or not warehouses:
            return {}
        data = self._read_group(
            [
                ("product_id", "in", products.ids),
                ("location_id.usage", "=", "internal"),
                ("location_id.warehouse_id", "in", warehouses.ids),
            ],
            ["product_id", "location_id"],
            ["quantity:sum", "reserved_quantity:sum"],
        )
        out = defaultdict(list)
        for product, location, qty, reserved in data:
            free = (qty or 0.0) - (reserved or 0.0)
            if free > 0:
                out[(product.id, location.warehouse_id.id)].append((location, free))
        return out


class StockPicking(models.Model):
    _inherit = "stock.picking"

    hc_requisition_id = fields.Many2one("hc.requisition", string="Requisition", index="btree_not_null", readonly=True)

    def _action_done(self):
        res = super()._action_done()
        moves = self.move_ids
        reqs = (
            moves.hc_requisition_line_id.requisition_id | moves.purchase_line_id.hc_requisition_line_id.requisition_id
        )
        if reqs:
            reqs.sudo()._hc_update_progress()
        return res


class StockMove(models.Model):
    _inherit = "stock.move"

    hc_requisition_line_id = fields.Many2one("hc.requisition.line", index="btree_not_null", readonly=True, copy=True)


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    hc_from_requisitions = fields.Boolean(
        string="From Requisitions",
        readonly=True,
        copy=False,
        help="Gathers the approved requisition lines of one supplier until a buyer confirms it.",
    )
    hc_requisition_ids = fields.Many2many("hc.requisition", compute="_compute_hc_requisitions", string="Requisitions")

    def _compute_hc_requisitions(self):
        for order in self:
            order.hc_requisition_ids = order.order_line.hc_requisition_line_id.requisition_id


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    hc_requisition_line_id = fields.Many2one(
        "hc.requisition.line", string="Requisition Item", index="btree_not_null", readonly=True, copy=False
    )
