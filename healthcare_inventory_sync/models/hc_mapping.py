from collections import Counter

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.sql import create_unique_index


class HcMappingMixin(models.AbstractModel):
    """A source system's code for something in Odoo, per endpoint and optionally per facility."""

    _name = "hc.mapping.mixin"
    _description = "External Code Mapping"
    _order = "endpoint_id, external_code"

    endpoint_id = fields.Many2one("hc.endpoint", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="endpoint_id.company_id", store=True)
    facility = fields.Char(help="The source's facility code (source.facility); empty: any facility.")
    external_code = fields.Char(required=True, index=True, string="External Code")
    active = fields.Boolean(default=True)

    def init(self):
        res = super().init()
        if not self._abstract:
            # an empty facility is one value, not NULLs that never collide: one mapping per code
            create_unique_index(
                self.env.cr,
                f"{self._table}_code_facility_uniq",
                self._table,
                ["endpoint_id", "COALESCE(facility, '')", "external_code"],
            )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        self._check_one_mapping_per_code(
            [(v.get("endpoint_id"), v.get("facility"), v.get("external_code")) for v in vals_list]
        )
        return super().create(vals_list)

    def write(self, vals):
        if {"endpoint_id", "facility", "external_code"} & set(vals):
            keys = [
                (
                    vals.get("endpoint_id", rec.endpoint_id.id),
                    vals.get("facility", rec.facility),
                    vals.get("external_code", rec.external_code),
                )
                for rec in self
            ]
            self._check_one_mapping_per_code(keys, exclude=self)
        return super().write(vals)

    def _check_one_mapping_per_code(self, keys, exclude=None):
        """A clear message before the unique index refuses it (one query for a whole import)."""
        keys = [(ep, (fac or "").strip(), code) for ep, fac, code in keys if ep and code]
        if not keys:
            return
        existing = (
            self.with_context(active_test=False)
            .sudo()
            .search(
                [
                    ("endpoint_id", "in", list({k[0] for k in keys})),
                    ("external_code", "in", list({k[2] for k in keys})),
                    ("id", "not in", (exclude or self.browse()).ids),
                ]
            )
        )
        seen = Counter((m.endpoint_id.id, (m.facility or "").strip(), m.external_code) for m in existing)
        for key in keys:
            seen[key] += 1
            if seen[key] > 1:
                endpoint = self.env["hc.endpoint"].browse(key[0])
                raise ValidationError(
                    _(
                        "%(code)s is already mapped for endpoint %(endpoint)s and %(facility)s.",
                        code=key[2],
                        endpoint=endpoint.display_name,
                        facility=_("facility %s", key[1]) if key[1] else _("any facility"),
                    )
                )

    @api.model
    def _lookup(self, pairs):
        """{(endpoint_id, facility, code): target_id} for the given pairs, in one query.

        A mapping for the facility wins over one without facility.
        """
        if not pairs:
            return {}
        records = self.search(
            [("endpoint_id", "in", list({p[0] for p in pairs})), ("external_code", "in", list({p[2] for p in pairs}))]
        )
        found = {}
        target = self._target_field
        for rec in records.sorted(lambda r: bool(r.facility)):  # facility-specific last: they win
            found[(rec.endpoint_id.id, rec.facility or "", rec.external_code)] = rec[target].id
        out = {}
        for endpoint_id, facility, code in pairs:
            hit = found.get((endpoint_id, facility or "", code)) or found.get((endpoint_id, "", code))
            if hit:
                out[(endpoint_id, facility, code)] = hit
        return out


class HcItemMapping(models.Model):
    _name = "hc.item.mapping"
    _inherit = "hc.mapping.mixin"
    _description = "Item Code Mapping"
    _target_field = "product_id"

    product_id = fields.Many2one("product.product", required=True, ondelete="cascade")

    _sql_constraints = [
        (
            "code_unique",
            "unique(endpoint_id, facility, external_code)",
            "This external item code is already mapped for this endpoint and facility.",
        )
    ]


class HcLocationMapping(models.Model):
    _name = "hc.location.mapping"
    _inherit = "hc.mapping.mixin"
    _description = "Location Code Mapping"
    _target_field = "location_id"

    location_id = fields.Many2one("stock.location", required=True, ondelete="cascade")

    _sql_constraints = [
        (
            "code_unique",
            "unique(endpoint_id, facility, external_code)",
            "This external location code is already mapped for this endpoint and facility.",
        )
    ]


class HcUomMapping(models.Model):
    _name = "hc.uom.mapping"
    _inherit = "hc.mapping.mixin"
    _description = "Unit Code Mapping"
    _target_field = "uom_id"

    uom_id = fields.Many2one("uom.uom", required=True, ondelete="cascade")

    _sql_constraints = [
        (
            "code_unique",
            "unique(endpoint_id, facility, external_code)",
            "This external unit code is already mapped for this endpoint and facility.",
        )
    ]
