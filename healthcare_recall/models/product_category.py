from odoo import api, fields, models

# thresholds for controlled substances: the stricter of these and the category's own
CONTROLLED = {
    "hc_spike_z": 2.0,
    "hc_spike_ratio": 2.0,
    "hc_spike_min_qty": 2.0,
    "hc_waste_ratio": 0.10,
    "hc_reversal_ratio": 0.10,
    "hc_override_max": 0,
    "hc_count_mismatch_max": 1,
}


class ProductCategory(models.Model):
    _inherit = "product.category"

    hc_controlled = fields.Boolean(
        string="Controlled Substances",
        help="Diversion signals use stricter thresholds for this category (the stricter of its own and "
        "the controlled-substance defaults).",
    )
    hc_spike_z = fields.Float(
        string="Consumption Spike: z-score",
        default=3.0,
        help="A day's use is a spike when it is this many standard deviations above the 28-day average.",
    )
    hc_spike_ratio = fields.Float(
        string="Consumption Spike: times the average", default=3.0, help="... and at least this many times the average."
    )
    hc_spike_min_qty = fields.Float(
        string="Consumption Spike: minimum quantity", default=5.0, help="... and at least this quantity (units)."
    )
    hc_waste_ratio = fields.Float(
        string="Waste Share Above",
        default=0.25,
        help="Share of what was taken (used + wasted) in 7 days that was wasted.",
    )
    hc_reversal_ratio = fields.Float(
        string="Cancelled Dispenses Share Above", default=0.20, help="Share of dispenses cancelled within 7 days."
    )
    hc_override_max = fields.Integer(
        string="Overrides Allowed per 7 Days",
        default=2,
        help="Uses of expired, quarantined or recalled lots a person approved, per place and cabinet.",
    )
    hc_count_mismatch_max = fields.Integer(
        string="Count Disagreements Allowed per 7 Days", default=1, help="Counts that differ from Odoo's on-hand."
    )

    @api.model
    def _hc_thresholds(self, categories):
        """{category id: {threshold: value}}: each category's own, made stricter when controlled."""
        out = {}
        for categ in categories:
            values = {name: categ[name] for name in CONTROLLED}
            if categ.hc_controlled:
                values = {name: min(value, CONTROLLED[name]) for name, value in values.items()}
            out[categ.id] = values
        return out
