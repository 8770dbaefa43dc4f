"""Unit codes on documents: an Odoo unit of measure is EA, BX, CA... in a given format."""

from odoo import api, fields, models

from .hc_trading_partner import DOCUMENT_FORMATS

# fallbacks when nothing is configured: X12 (355) and UN/ECE Recommendation 20 (EDIFACT, cXML, UBL)
DEFAULT_X12 = {"unit": "EA", "dozen": "DZ", "kg": "KG", "g": "GR", "l": "LT", "ml": "ML", "m": "LM"}
DEFAULT_UNECE = {"unit": "EA", "dozen": "DZN", "kg": "KGM", "g": "GRM", "l": "LTR", "ml": "MLT", "m": "MTR"}
ODOO_UOM_XMLIDS = {
    "uom.product_uom_unit": "unit",
    "uom.product_uom_dozen": "dozen",
    "uom.product_uom_kgm": "kg",
    "uom.product_uom_gram": "g",
    "uom.product_uom_litre": "l",
    "uom.product_uom_meter": "m",
}


class HcEdiUomCode(models.Model):
    _name = "hc.edi.uom.code"
    _description = "EDI Unit Code"
    _order = "trading_partner_id, document_format, id"

    uom_id = fields.Many2one("uom.uom", string="Unit of Measure", required=True, ondelete="cascade")
    code = fields.Char(string="Code on Documents", required=True, help="e.g. EA, BX, CA, PK, KGM.")
    document_format = fields.Selection(DOCUMENT_FORMATS, string="Format", help="Empty: every format.")
    trading_partner_id = fields.Many2one(
        "hc.trading.partner", string="Trading Partner", ondelete="cascade", index=True, help="Empty: every partner."
    )
    company_id = fields.Many2one(related="trading_partner_id.company_id", store=True)

    _sql_constraints = [
        (
            "uom_format_partner_unique",
            "unique(uom_id, document_format, trading_partner_id)",
            "A unit has one code per format and partner.",
        )
    ]

    @api.model
    def _codes_for(self, partner, uoms):
        """``{uom_id: code}`` for ``partner``: its own code, then the format's, then any format's,
        then the standard code of Odoo's base units; else the unit's name upper-cased."""
        fmt = partner.document_format
        rows = self.sudo().search(
            [
                ("uom_id", "in", uoms.ids),
                "|",
                ("trading_partner_id", "=", partner.id),
                ("trading_partner_id", "=", False),
            ]
        )

        def rank(row):
            return (0 if row.trading_partner_id else 2) + (0 if row.document_format == fmt else 1)

        best = {}
        for row in rows:
            if row.document_format and row.document_format != fmt:
                continue
            if row.uom_id.id not in best or rank(row) < rank(best[row.uom_id.id]):
                best[row.uom_id.id] = row
        defaults = DEFAULT_X12 if fmt.startswith("x12") else DEFAULT_UNECE
        by_xmlid = {}
        for xmlid, key in ODOO_UOM_XMLIDS.items():
            rec = self.env.ref(xmlid, raise_if_not_found=False)
            if rec:
                by_xmlid[rec.id] = defaults[key]
        out = {}
        for uom in uoms:
            if uom.id in best:
                out[uom.id] = best[uom.id].code
            elif uom.id in by_xmlid:
                out[uom.id] = by_xmlid[uom.id]
            else:
                out[uom.id] = "".join(ch for ch in (uom.name or "EA").upper() if ch.isalnum())[:3] or "EA"
        return out
