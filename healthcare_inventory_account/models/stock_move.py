"""Valuation of the moves inventory sync posts directly (without Odoo's confirm/done cycle)."""

from collections import defaultdict

from odoo import api, fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    @api.model
    def _hc_direct_product_ok(self, product):
        # lot-valued products keep a layer per lot: Odoo's own path values them
        return super()._hc_direct_product_ok(product) and not product.lot_valuated

    @api.model
    def _hc_value(self, moves, lines):
        """Valuation layers (and journal entries under real-time valuation) by stock_account's own
        methods, with the accounting date of the day the event happened."""
        by_day = defaultdict(list)
        for move, ln in zip(moves, lines, strict=True):
            by_day[fields.Date.to_date(ln.date)].append(move.id)
        for day, ids in sorted(by_day.items()):
            day_moves = self.browse(ids).with_context(force_period_date=day)
            types = day_moves._get_valued_types()
            valued = {t: day_moves.browse() for t in types}
            for move in day_moves:
                for valued_type in types:
                    if getattr(move, f"_is_{valued_type}")():
                        valued[valued_type] |= move
            valued["in"].product_price_update_before_done()
            layers = self.env["stock.valuation.layer"].sudo().with_context(force_period_date=day)
            for valued_type in types:
                if valued[valued_type]:
                    valued[valued_type]._sanity_check_for_valuation()
                    layers |= getattr(valued[valued_type], f"_create_{valued_type}_svl")()
            layers._validate_accounting_entries()
            layers._validate_analytic_accounting_entries()
            layers._check_company()
            for company in valued["in"].company_id:
                valued["in"].filtered(lambda m, c=company: m.company_id == c).product_id._run_fifo_vacuum(company)
