"""Part 2 of procurement EDI: what the supplier's documents do once read.

``hc.processor.edi`` (part 1) records every inbound document as an ``hc.edi.document`` with its
canonical content (see ``lib/``) and calls one hook per kind; this file implements the hooks:
an acknowledgment updates the order (``hc_edi_ack.py``), a ship notice prefills the receipt
(``hc_edi_asn.py``), an invoice becomes a vendor bill matched three ways (``hc_edi_invoice.py``).
Every step runs attributed to the order's correlation id, so the audit trail of one order shows
PO out, acknowledgment, notice, receipt and bill together.

Problems a person must decide are ``hc.exception`` records, one per cause (the cause key names the
order line, receipt or bill and the kind of difference); approving or rejecting one applies the
decision (see ``HcException.action_approve`` below).
"""

import re
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation

from odoo import api, fields, models
from odoo.addons.healthcare_integration_base.lib import trust

TEAM_PROCUREMENT = "healthcare_procurement_edi.hc_team_procurement"
TEAM_PAYABLE = "healthcare_procurement_edi.hc_team_accounts_payable"
# set while an acknowledgment is applied: the supplier's own change is not sent back to it as an 860
APPLYING_SUPPLIER_CHANGE = ContextVar("hc_edi_applying_supplier_change", default=False)
UOM_SYNONYMS = [{"EA", "PCE", "C62", "H87", "UN", "EACH", "PC", "ST", "NAR"}, {"BX", "BOX"}, {"CA", "CS", "CT"}]
GTIN_RE = re.compile(r"\d{8}|\d{12,14}")


def dec(value, default=None):
    """Decimal text of the canonical documents as a float (``None``/garbage: ``default``)."""
    if value in (None, ""):
        return default
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return default
    if not number.is_finite():
        return default
    return float(number)


def as_date(value):
    try:
        return fields.Date.to_date(value) if value else None
    except (ValueError, TypeError):
        return None


def norm_gtin(value):
    text = (value or "").strip()
    return text.zfill(14) if GTIN_RE.fullmatch(text) else ""


def same_uom_code(a, b):
    a, b = (a or "").strip().upper(), (b or "").strip().upper()
    if not a or not b or a == b:
        return True
    return any(a in group and b in group for group in UOM_SYNONYMS)


def pct_diff(new, old):
    if not old:
        return 0.0 if not new else 100.0
    return abs(new - old) / abs(old) * 100.0


def correlation_of(order):
    """The correlation id every step of one order's EDI flow is audited under."""
    return f"po:{order.name}" if order else None


class LineMatcher:
    """Finds the order line an acknowledgment / notice / invoice line is about: the stable line
    identifier we sent (``line_id``: the purchase.order.line id), checked against the item when the
    line names one; then the supplier's part number, the GTIN, our part number. Never the position."""

    def __init__(self, orders, supplier):
        self.lines = orders.order_line.filtered(lambda ln: not ln.display_type and ln.product_id)
        self.by_id = {ln.id: ln for ln in self.lines}
        self.by_vendor, self.by_gtin, self.by_buyer = {}, {}, {}
        commercial = self.supplier = supplier.commercial_partner_id
        for line in self.lines:
            product = line.product_id
            if product.default_code:
                self.by_buyer.setdefault(product.default_code.strip().upper(), []).append(line)
            gtin = norm_gtin(product.barcode)
            if gtin:
                self.by_gtin.setdefault(gtin, []).append(line)
            for info in product.seller_ids:
                if info.product_code and info.partner_id.commercial_partner_id == commercial:
                    if not info.product_id or info.product_id == product:
                        self.by_vendor.setdefault(info.product_code.strip().upper(), []).append(line)

    def keys(self, entry):
        return (
            ("vendor", (entry.get("vendor_part") or "").strip().upper()),
            ("gtin", norm_gtin(entry.get("gtin"))),
            ("buyer", (entry.get("buyer_part") or "").strip().upper()),
        )

    def _named(self, entry):
        maps = {"vendor": self.by_vendor, "gtin": self.by_gtin, "buyer": self.by_buyer}
        for kind, key in self.keys(entry):
            if key and maps[kind].get(key):
                return maps[kind][key]
        return []

    def match(self, entry, po_number=None):
        """The order line for ``entry`` (or an empty recordset)."""
        Line = self.lines.browse()
        candidates = self._named(entry)
        if po_number:
            candidates = [ln for ln in candidates if ln.order_id.name == po_number] or candidates
        try:
            line_id = int(entry.get("line_id")) if entry.get("line_id") not in (None, "") else None
        except (TypeError, ValueError):
            line_id = None
        if line_id in self.by_id:
            line = self.by_id[line_id]
            names_item = any(key for _kind, key in self.keys(entry))
            if not names_item or line in candidates:
                return line
        if candidates:
            return candidates[0]
        return Line

    def product_of(self, entry, env, company):
        """A product named by the entry even if it is not on the order (substitutes, extra items)."""
        # under sudo no record rule applies: only this supplier's part numbers and the products of
        # the order's company (or shared) -- never another company's
        in_company = [("company_id", "in", [company.id, False])]
        Product = env["product.product"].sudo().with_company(company)
        vendor, gtin, buyer = (key for _kind, key in self.keys(entry))
        if vendor:
            info = (
                env["product.supplierinfo"]
                .sudo()
                .search(
                    [
                        ("product_code", "=ilike", vendor),
                        ("partner_id", "child_of", self.supplier.ids),
                        *in_company,
                        ("product_tmpl_id.company_id", "in", [company.id, False]),
                    ],
                    limit=1,
                )
            )
            if info:
                return info.product_id or info.product_tmpl_id.product_variant_id
        if gtin:
            found = Product.search([("barcode", "in", list({gtin, gtin.lstrip("0"), gtin[1:]})), *in_company], limit=1)
            if found:
                return found
        if buyer:
            return Product.search([("default_code", "=ilike", buyer), *in_company], limit=1)
        return Product.browse()


class HcException(models.Model):
    _inherit = "hc.exception"

    hc_edi_document_id = fields.Many2one("hc.edi.document", string="EDI Document", readonly=True, index=True)
    hc_edi_payload = fields.Json(string="Proposed Change", readonly=True)

    @api.model
    def _hc_flow_raise(
        self,
        code,
        detail,
        cause,
        partner,
        record,
        team_xmlid=TEAM_PROCUREMENT,
        payload=None,
        document=None,
        severity="medium",
    ):
        """The open exception of ``cause`` (one per cause): created, or refreshed with the latest
        difference when the supplier sends another document about the same thing."""
        Exc = self.sudo()
        existing = Exc.search([("state", "in", ("new", "in_progress")), ("cause", "=", cause)], limit=1)
        vals = {
            "detail": detail,
            "hc_edi_payload": payload or {},
            "hc_edi_document_id": document.id if document else False,
        }
        if existing:
            with trust.privileged():
                existing.write(vals)
            return existing
        team = self.env.ref(team_xmlid, raise_if_not_found=False)
        return Exc.create(
            {
                **vals,
                "name": f"{self.env['hc.code.catalog']._label(code)}: {detail}"[:200],
                "code": code,
                "cause": cause,
                "endpoint_id": partner.endpoint_id.id,
                "company_id": partner.company_id.id,
                "team_id": (team or partner.endpoint_id.team_id).id,
                "severity": severity,
                "res_model": record[0],
                "res_id": record[1],
            }
        )

    def action_approve(self, reason):
        result = super().action_approve(reason)
        for exc in self.sudo():
            exc._hc_flow_decided(True)
        return result

    def action_reject(self, reason):
        result = super().action_reject(reason)
        for exc in self.sudo():
            exc._hc_flow_decided(False)
        return result

    def _hc_flow_decided(self, approved):
        """Apply a decided procurement exception (extended per document kind)."""
        return False
