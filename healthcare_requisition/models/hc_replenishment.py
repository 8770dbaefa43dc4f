"""Replenishment across sites: a facility below its minimum is served from the central store first.

For each reordering rule (Odoo's min/max) of a facility that names a central store: when the
forecast falls below the minimum, the quantity up to the maximum is moved from the central store
by an inter-facility transfer as far as the central store has it free, and only the rest is
purchased (a draft RFQ line with the preferred supplier, one RFQ per supplier and facility).
Transfers and RFQ lines count in the forecast, so a second run orders nothing twice.
"""

from collections import defaultdict

from odoo import Command, _, api, fields, models, tools
from odoo.tools import float_compare, float_round


class HcReplenishment(models.AbstractModel):
    _name = "hc.replenishment"
    _description = "Replenishment across facilities"

    @api.model
    def _run(self, warehouses=None):
        """Replenish ``warehouses`` (default: every facility with a central store); returns
        ``{"pickings": stock.picking, "purchase_lines": purchase.order.line}``."""
        Warehouse = self.env["stock.warehouse"]
        warehouses = warehouses or Warehouse.search([("hc_central_warehouse_id", "!=", False)])
        warehouses = warehouses.filtered("hc_central_warehouse_id")
        out = {"pickings": self.env["stock.picking"], "purchase_lines": self.env["purchase.order.line"]}
        if not warehouses:
            return out
        points = self.env["stock.warehouse.orderpoint"].search([("warehouse_id", "in", warehouses.ids)])
        if not points:
            return out
        needs = []
        for op in points:
            forecast = op.qty_forecast
            rounding = op.product_uom.rounding
            if float_compare(forecast, op.product_min_qty, precision_rounding=rounding) < 0:
                qty = op.product_max_qty - forecast
                if op.qty_multiple > 0:
                    qty = float_round(qty / op.qty_multiple, precision_digits=0, rounding_method="UP") * op.qty_multiple
                if qty > 0:
                    needs.append((op, qty))
        if not needs:
            return out
        centrals = warehouses.hc_central_warehouse_id
        products = self.env["product.product"].browse({op.product_id.id for op, _q in needs})
        free = self.env["stock.quant"]._hc_free_by_location(products, centrals)
        taken = defaultdict(float)
        transfers = defaultdict(list)  # (central stock location, facility) -> [(op, qty)]
        buy = []
        for op, qty in needs:
            central = op.warehouse_id.hc_central_warehouse_id
            rest = qty
            for loc, avail in sorted(free.get((op.product_id.id, central.id), []), key=lambda x: -x[1]):
                left = avail - taken[(op.product_id.id, loc.id)]
                if left <= 0:
                    continue
                moved = min(left, rest)
                taken[(op.product_id.id, loc.id)] += moved
                transfers[(loc, op.warehouse_id, op.location_id)].append((op, moved))
                rest -= moved
                if rest <= 0:
                    break
            if rest > 0:
                buy.append((op, rest))
        if transfers:
            vals = []
            for (loc, wh, dest), items in transfers.items():
                origin = _("Replenishment of %s", wh.name)
                vals.append(
                    {
                        "picking_type_id": loc.warehouse_id.int_type_id.id,
                        "location_id": loc.id,
                        "location_dest_id": dest.id,
                        "origin": origin,
                        "company_id": wh.company_id.id,
                        "move_ids": [
                            Command.create(
                                {
                                    "name": op.product_id.display_name,
                                    "product_id": op.product_id.id,
                                    "product_uom_qty": qty,
                                    "product_uom": op.product_uom.id,
                                    "location_id": loc.id,
                                    "location_dest_id": dest.id,
                                    "company_id": wh.company_id.id,
                                    "orderpoint_id": op.id,
                                }
                            )
                            for op, qty in items
                        ],
                    }
                )
            pickings = self.env["stock.picking"].create(vals)
            pickings.action_confirm()
            pickings.action_assign()
            out["pickings"] = pickings
        if buy:
            out["purchase_lines"] = self._hc_buy(buy)
        return out

    @api.model
    def _hc_buy(self, buy):
        PO = self.env["purchase.order"]
        plan = []
        for op, qty in buy:
            seller = op.product_id._select_seller(quantity=qty, uom_id=op.product_uom)
            if seller:
                plan.append((op, qty, seller))
        if not plan:
            return self.env["purchase.order.line"]
        keys = {(s.partner_id.id, op.company_id.id, op.warehouse_id.in_type_id.id) for op, _q, s in plan}
        existing = PO.search(
            [("state", "=", "draft"), ("hc_from_requisitions", "=", True), ("partner_id", "in", [k[0] for k in keys])]
        )
        orders = {(po.partner_id.id, po.company_id.id, po.picking_type_id.id): po for po in existing}
        missing = [k for k in keys if k not in orders]
        if missing:
            origin = _("Replenishment")
            created = PO.create(
                [
                    {
                        "partner_id": p,
                        "company_id": c,
                        "picking_type_id": t,
                        "hc_from_requisitions": True,
                        "origin": origin,
                    }
                    for p, c, t in missing
                ]
            )
            orders.update(dict(zip(missing, created, strict=True)))
        return self.env["purchase.order.line"].create(
            [
                {
                    "order_id": orders[(s.partner_id.id, op.company_id.id, op.warehouse_id.in_type_id.id)].id,
                    "product_id": op.product_id.id,
                    "name": op.product_id.display_name,
                    "product_qty": qty,
                    "product_uom": op.product_uom.id,
                    "price_unit": s.product_uom._compute_price(s.price, op.product_uom) if s.product_uom else s.price,
                    "date_planned": fields.Datetime.now(),
                    "orderpoint_id": op.id,
                }
                for op, qty, s in plan
            ]
        )

    @api.model
    def _cron_replenish(self):
        self._run()

    @api.model
    def action_run(self):
        if not self.env.user.has_group("stock.group_stock_manager"):
            from odoo.exceptions import AccessError

            raise AccessError(_("Only an Inventory Administrator can run the replenishment."))
        res = self.sudo()._run()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Replenishment across facilities"),
                "message": _(
                    "%(t)s transfer(s) from central stores, %(p)s purchase line(s).",
                    t=len(res["pickings"]),
                    p=len(res["purchase_lines"]),
                ),
                "sticky": False,
                "next": self.env["ir.actions.act_window"]._for_xml_id("healthcare_requisition.hc_shortage_action"),
            },
        }


class HcShortage(models.Model):
    """Shortages by facility: reordering rules whose on-hand quantity is below the minimum."""

    _name = "hc.shortage"
    _description = "Shortage by Facility"
    _auto = False
    _order = "warehouse_id, shortage desc"

    warehouse_id = fields.Many2one("stock.warehouse", string="Facility", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    product_id = fields.Many2one("product.product", string="Item", readonly=True)
    location_id = fields.Many2one("stock.location", string="Location", readonly=True)
    uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    min_qty = fields.Float(string="Minimum", readonly=True, digits="Product Unit of Measure")
    max_qty = fields.Float(string="Maximum", readonly=True, digits="Product Unit of Measure")
    on_hand = fields.Float(string="On Hand", readonly=True, digits="Product Unit of Measure")
    shortage = fields.Float(string="Below Minimum By", readonly=True, digits="Product Unit of Measure")
    # not in the view's SQL: the view may be created before stock.warehouse gets this column
    central_warehouse_id = fields.Many2one(related="warehouse_id.hc_central_warehouse_id", string="Central Store")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
                SELECT op.id AS id, op.warehouse_id, op.company_id, op.product_id, op.location_id,
                       pt.uom_id AS uom_id, op.product_min_qty AS min_qty, op.product_max_qty AS max_qty,
                       coalesce(q.qty, 0) AS on_hand, op.product_min_qty - coalesce(q.qty, 0) AS shortage
                  FROM stock_warehouse_orderpoint op
                  JOIN product_product pp ON pp.id = op.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                  JOIN stock_location ol ON ol.id = op.location_id
                  LEFT JOIN LATERAL (
                        SELECT sum(sq.quantity) AS qty FROM stock_quant sq
                          JOIN stock_location sl ON sl.id = sq.location_id
                         WHERE sq.product_id = op.product_id AND sl.usage = 'internal'
                           AND sl.parent_path LIKE ol.parent_path || '%%'
                  ) q ON true
                 WHERE op.active AND coalesce(q.qty, 0) < op.product_min_qty
            )
            """.replace("%%", "%")
        )
