"""Units on inbound documents: a supplier may acknowledge, ship or bill in another unit than the
one ordered (2 BX for 20 EA). When the document's unit code names a unit of the same Odoo unit
category, quantities and prices are converted through Odoo's units of measure and compared in
the order line's (or the receipt move's) unit; only a unit that does not convert (another
category, a code nobody knows) is a mismatch.

A code is resolved, in this order, against: the units of the line itself (the line's unit, the
product's unit and purchase unit, with the codes ``hc.edi.uom.code`` gives them for the partner,
including synonyms such as BX/BOX), then every unit the partner's (or any) code table names,
then the standard codes of Odoo's base units.
"""

from odoo import api, models

from .hc_edi_flow import dec, same_uom_code
from .hc_edi_uom_code import DEFAULT_UNECE, DEFAULT_X12, ODOO_UOM_XMLIDS


class UomConverter:
    """Converts document quantities and prices into a target unit for one trading partner.

    Built once per document (two queries: the code table and the codes of the lines' units),
    then used per line without further queries."""

    def __init__(self, env, partner, products=None, uoms=None):
        self.env = env
        self.partner = partner
        products = products if products is not None else env["product.product"]
        uoms = (uoms if uoms is not None else env["uom.uom"]) | products.uom_id | products.uom_po_id
        Code = env["hc.edi.uom.code"].sudo()
        self._codes = Code._codes_for(partner, uoms) if uoms else {}
        self._uoms = {u.id: u for u in uoms}
        fmt = partner.document_format or ""
        rows = Code.search(["|", ("trading_partner_id", "=", partner.id), ("trading_partner_id", "=", False)])
        rows = rows.filtered(lambda r: not r.document_format or r.document_format == fmt)
        # partner's own rows first, then the format's, then any format's
        self._table = sorted(
            rows, key=lambda r: (0 if r.trading_partner_id else 2) + (0 if r.document_format == fmt else 1)
        )
        defaults = DEFAULT_X12 if fmt.startswith("x12") else DEFAULT_UNECE
        self._defaults = []
        for xmlid, key in ODOO_UOM_XMLIDS.items():
            rec = env.ref(xmlid, raise_if_not_found=False)
            if rec:
                self._defaults.append((defaults[key], rec))

    def code_of(self, uom):
        if uom.id not in self._codes:
            self._codes.update(self.env["hc.edi.uom.code"].sudo()._codes_for(self.partner, uom))
            self._uoms[uom.id] = uom
        return self._codes[uom.id]

    def resolve(self, code, target, product=None):
        """The unit ``code`` names, preferring the units of ``target``'s line; None if unknown."""
        code = (code or "").strip()
        if not code:
            return target
        candidates = [target]
        if product:
            candidates += [product.uom_po_id, product.uom_id]
        for uom in candidates:
            if uom and same_uom_code(code, self.code_of(uom)):
                return uom
        for row in self._table:
            if same_uom_code(code, row.code):
                return row.uom_id
        for std, uom in self._defaults:
            if same_uom_code(code, std):
                return uom
        return None

    def convert(self, code, target, product=None, quantity=None, price=None):
        """``(quantity, price)`` in ``target`` for amounts given in unit ``code``, or None when the
        unit does not convert (unknown code, another unit category). Missing amounts stay None."""
        if not target:
            return quantity, price
        theirs = self.resolve(code, target, product)
        if not theirs:
            return None
        if theirs == target:
            return quantity, price
        if theirs.category_id != target.category_id:
            return None
        qty = theirs._compute_quantity(quantity, target, round=False) if quantity is not None else None
        unit_price = theirs._compute_price(price, target) if price is not None else None
        return qty, unit_price


class HcEdiUomCode(models.Model):
    _inherit = "hc.edi.uom.code"

    @api.model
    def _hc_converter(self, partner, products=None, uoms=None):
        return UomConverter(self.env, partner, products=products, uoms=uoms)


def shipped_quantity(units, entry, line, move):
    """A ship-notice entry's quantity in the receipt move's unit (the order line's without a move);
    a unit that does not convert is taken as given."""
    qty = dec(entry.get("quantity"), 0.0)
    target = move.product_uom if move else line.product_uom
    done = units.convert(entry.get("uom"), target, line.product_id, qty)
    return done[0] if done else qty


def notified_quantity(units, entry, product):
    """A ship-notice entry's quantity in ``product``'s own unit (to compare with what was received)."""
    qty = dec(entry.get("quantity"), 0.0)
    if not product:
        return qty
    done = units.convert(entry.get("uom"), product.uom_id, product, qty)
    return done[0] if done else qty
