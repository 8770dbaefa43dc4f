"""Direct posting: done stock moves for a batch of events without Odoo's reserve/confirm/done cycle.

Odoo's ``_action_confirm`` + ``_action_done`` is built for pickings a person validates: it
reserves each move line, unreserves it again, looks for push rules and updates the quants
line by line. For a cabinet's consumption event none of that is needed and it costs about ten
queries per event. Here the moves and move lines of a whole batch are inserted in two
statements, already done, the quants are updated once per (product, location, lot) with Odoo's
own ``_update_available_quantity``, and the valuation is made by stock_account's own methods
(dated ``occurred_at``). Anything unusual (serial numbers, lot valuation, push rules on the
destination, quantities that break the unit's rounding) goes through Odoo's standard path.
The ``hc.direct_posting`` system parameter set to ``0`` sends everything through it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from odoo import api, fields, models
from odoo.tools import SQL, OrderedSet, float_compare, float_is_zero, float_round


@dataclass
class HcLine:
    """One stock move to post: what, how much, from where to where, when, and for which message."""

    product: Any
    qty: float
    uom: Any
    src: Any
    dest: Any
    lot: Any
    company: Any
    date: datetime
    name: str
    origin: str
    message_id: int
    correlation_id: str | None = None


class StockMove(models.Model):
    _inherit = "stock.move"

    @api.model
    def _hc_direct_enabled(self):
        return self.env["ir.config_parameter"].sudo().get_param("hc.direct_posting", "1") not in ("0", "false", "False")

    @api.model
    def _hc_direct_ok(self, lines):
        """Which lines the direct path posts exactly as Odoo would (a list of booleans)."""
        if not lines or not self._hc_direct_enabled():
            return [False] * len(lines)
        dests = {ln.dest.id for ln in lines}
        pushed = {
            rule.location_src_id.id
            for rule in self.env["stock.rule"]
            .sudo()
            .search([("action", "in", ("push", "pull_push")), ("location_src_id", "in", list(dests))])
        }

        def ok(ln):
            product, uom = ln.product, ln.uom
            return (
                product.type == "consu"
                and product.tracking != "serial"
                and self._hc_direct_product_ok(product)
                and ln.qty > 0
                and float_compare(float_round(ln.qty, precision_rounding=uom.rounding), ln.qty, precision_digits=6) == 0
                and ln.dest.id not in pushed
                and ln.src.company_id in (ln.company, ln.company.browse())
                and ln.dest.company_id in (ln.company, ln.company.browse())
            )

        return [ok(ln) for ln in lines]

    @api.model
    def _hc_direct_product_ok(self, product):
        """Hook: may the direct path post this product? (valuation glue refuses lot-valued ones)"""
        return True

    @api.model
    def _hc_insert_done(self, lines):
        """Insert the done moves of ``lines`` and apply their effects; returns the moves, in order."""
        if not lines:
            return self.browse()
        env = self.env
        env.flush_all()
        now, uid = fields.Datetime.now(), env.uid
        refund = "to_refund" in self._fields
        product_qtys = [ln.uom._compute_quantity(ln.qty, ln.product.uom_id, rounding_method="HALF-UP") for ln in lines]
        move_rows = [
            SQL(
                "(%s, 10, '0', %s, %s, %s, %s, %s, %s, %s, %s, %s, 'done', %s, 'make_to_stock', %s, true, %s, "
                "false, false, false, %s, %s, %s, %s%s)",
                ln.name,
                ln.date,
                ln.company.id,
                ln.product.id,
                ln.uom.id,
                ln.qty,
                pqty,
                ln.qty,
                ln.src.id,
                ln.dest.id,
                ln.origin,
                ln.name,
                bool(ln.dest.scrap_location),
                uid,
                now,
                uid,
                now,
                SQL(", false") if refund else SQL(""),
            )
            for ln, pqty in zip(lines, product_qtys, strict=True)
        ]
        move_ids = self._hc_insert_rows(
            "INSERT INTO stock_move (name, sequence, priority, date, company_id, product_id, product_uom, "
            "product_uom_qty, product_qty, quantity, location_id, location_dest_id, state, origin, procure_method, "
            "reference, picked, scrapped, propagate_cancel, is_inventory, additional, create_uid, create_date, "
            "write_uid, write_date%s) VALUES %s RETURNING id",
            SQL(", to_refund") if refund else SQL(""),
            move_rows,
        )
        expiry = "expiration_date" in env["stock.move.line"]._fields
        line_rows = [
            SQL(
                "(%s, %s, %s, %s, %s, %s, %s, 'done', %s, %s, %s, true, %s, %s, %s, %s, %s%s)",
                mid,
                ln.company.id,
                ln.product.id,
                ln.uom.id,
                ln.lot.id or None,
                ln.src.id,
                ln.dest.id,
                ln.name,
                ln.qty,
                pqty,
                ln.date,
                uid,
                now,
                uid,
                now,
                SQL(", %s", ln.lot.expiration_date or None) if expiry else SQL(""),
            )
            for mid, ln, pqty in zip(move_ids, lines, product_qtys, strict=True)
        ]
        line_ids = self._hc_insert_rows(
            "INSERT INTO stock_move_line (move_id, company_id, product_id, product_uom_id, lot_id, location_id, "
            "location_dest_id, state, reference, quantity, quantity_product_uom, picked, date, create_uid, "
            "create_date, write_uid, write_date%s) VALUES %s RETURNING id",
            SQL(", expiration_date") if expiry else SQL(""),
            line_rows,
        )
        moves = self.browse(move_ids)
        self._hc_apply_quants(lines, product_qtys, line_ids)
        self._hc_value(moves, lines)
        self._hc_audit_inserted(moves, lines)
        return moves

    @api.model
    def _hc_insert_rows(self, statement, optional_columns, rows):
        """One INSERT of many rows (``optional_columns`` fills the statement's first %s, the rows
        its second); the new ids, in the order of ``rows``."""
        self.env.cr.execute(SQL(statement, optional_columns, SQL(", ").join(rows)))
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _hc_apply_quants(self, lines, product_qtys, line_ids):
        """One quant update per (product, location, lot) of the batch, with Odoo's own locking rules."""
        delta = defaultdict(float)
        records, taker = {}, {}
        for ln, qty, line_id in zip(lines, product_qtys, line_ids, strict=True):
            if not ln.product.is_storable:
                continue
            for loc, sign in ((ln.src, -1), (ln.dest, 1)):
                key = (ln.product.id, loc.id, ln.lot.id)
                delta[key] += sign * qty
                records[key] = (ln.product, loc, ln.lot)
                taker.setdefault(key, line_id)
        Quant = self.env["stock.quant"].sudo()
        in_dates = {}
        # what leaves first, so that what arrives carries the in_date of what it left
        for key in sorted(delta, key=lambda k: delta[k]):
            product, loc, lot = records[key]
            qty = delta[key]
            if float_is_zero(qty, precision_rounding=product.uom_id.rounding):
                continue
            lot = lot or None
            if qty < 0:
                available, in_date = Quant._update_available_quantity(product, loc, qty, lot_id=lot)
                in_dates[(product.id, key[2])] = min(in_date, in_dates.get((product.id, key[2]), in_date))
                if available < 0 and lot:
                    available = self._hc_take_untracked(Quant, product, loc, lot, qty, in_date, available)
                if available < 0 and not loc.should_bypass_reservation():
                    reserved = sum(Quant._gather(product, loc, lot_id=lot, strict=True).mapped("reserved_quantity"))
                    if reserved > 0:  # what other transfers reserved here is no longer there
                        self.env["stock.move.line"].browse(taker[key])._free_reservation(
                            product, loc, abs(available), lot_id=lot, ml_ids_to_ignore=OrderedSet(line_ids)
                        )
            else:
                in_date = in_dates.get((product.id, key[2]))
                Quant._update_available_quantity(product, loc, qty, lot_id=lot, in_date=in_date)

    @api.model
    def _hc_take_untracked(self, Quant, product, loc, lot, qty, in_date, available):
        """As Odoo does: a lot taken below zero is compensated by untracked stock of the product."""
        untracked = Quant._get_available_quantity(product, loc, lot_id=False, strict=True)
        if untracked <= 0:
            return available
        taken = min(untracked, abs(qty))
        Quant._update_available_quantity(product, loc, -taken, lot_id=False, in_date=in_date)
        Quant._update_available_quantity(product, loc, taken, lot_id=lot, in_date=in_date)
        return available + taken

    @api.model
    def _hc_value(self, moves, lines):
        """Hook: value the directly posted moves (``healthcare_inventory_account`` does, with
        stock_account's own methods, dated the day the event happened)."""
        return None

    @api.model
    def _hc_audit_inserted(self, moves, lines):
        """Hook: record the directly inserted moves on the audit trail (``healthcare_audit_inventory``)."""
        return None
