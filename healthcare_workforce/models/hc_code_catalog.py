from odoo import _, api, models


class HcCodeCatalog(models.AbstractModel):
    _inherit = "hc.code.catalog"

    @api.model
    def _entries(self):
        return {
            **super()._entries(),
            "hr_reference_unknown": (
                _("Unknown HR reference"),
                _(
                    "The HR message names a department, cost centre, manager or role that Odoo does not know yet: "
                    "send that record first (or create the role), then retry."
                ),
            ),
            "role_unknown": (
                _("Unknown role"),
                _("The employee's role code has no entry in Workforce > Roles: create it with its rights, then retry."),
            ),
        }
