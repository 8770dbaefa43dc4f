from odoo import api, fields, models


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
