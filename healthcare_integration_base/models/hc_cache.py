from odoo import api, models


class HcCachedConfigMixin(models.AbstractModel):
    """Configuration the engine caches per process (``tools.ormcache``): creating or deleting a
    record, or writing one of ``_hc_cached_fields`` (every field when None), clears the registry's
    caches, which every worker sees. Bookkeeping writes outside those fields leave them alone."""

    _name = "hc.cached.config.mixin"
    _description = "Configuration cached by the engine"

    _hc_cached_fields = None

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        res = super().write(vals)
        if self._hc_cached_fields is None or self._hc_cached_fields.intersection(vals):
            self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res
