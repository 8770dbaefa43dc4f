from odoo import _, api, models


class HcCodeCatalog(models.AbstractModel):
    _inherit = "hc.code.catalog"

    @api.model
    def _entries(self):
        return {
            **super()._entries(),
            "requester_unknown": (
                _("Unknown requester"),
                _("No employee has the requester's HR external id: the HR system must send the employee first."),
            ),
            "department_unknown": (
                _("Unknown department"),
                _("No department has that code: the HR system must send the department first."),
            ),
        }
