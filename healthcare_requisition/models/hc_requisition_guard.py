"""What a requisition asks for is fixed once it is submitted: the approver decides on those items,
quantities and prices, and fulfilment delivers or orders them. A buyer with write access to the
lines could otherwise raise a quantity after the approval (or while it waits) over RPC. The
engine and the decision methods (``sudo()`` or :func:`trust.privileged`) still write them.
"""

from odoo import _, api, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.exceptions import UserError

LOCKED = frozenset({"requisition_id", "product_id", "product_qty", "product_uom_id", "price_unit"})


class HcRequisitionLineGuard(models.Model):
    _inherit = "hc.requisition.line"

    def _hc_check_submitted(self, requisitions, fnames):
        if self.env.su or trust.is_privileged() or not (LOCKED & set(fnames)):
            return
        submitted = requisitions.sudo().filtered(lambda r: r.state != "draft")
        if submitted:
            raise UserError(
                _(
                    "The items of %(names)s were submitted for approval: they cannot change any more. "
                    "Cancel it and raise a new requisition instead.",
                    names=", ".join(submitted.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        ids = {vals["requisition_id"] for vals in vals_list if vals.get("requisition_id")}
        self._hc_check_submitted(self.env["hc.requisition"].browse(ids), LOCKED)
        return super().create(vals_list)

    def write(self, vals):
        requisitions = self.requisition_id
        if vals.get("requisition_id"):
            requisitions |= self.env["hc.requisition"].browse(vals["requisition_id"])
        self._hc_check_submitted(requisitions, vals)
        return super().write(vals)

    def unlink(self):
        self._hc_check_submitted(self.requisition_id, LOCKED)
        return super().unlink()
