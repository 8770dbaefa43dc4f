from odoo import api, fields, models


class HrDepartment(models.Model):
    _inherit = "hr.department"

    hc_location_id = fields.Many2one(
        "stock.location",
        string="Delivery Location",
        domain="[('usage', '=', 'internal')]",
        help="Where the department's requisitions are delivered when they name no location.",
    )


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    @api.model
    def _hc_reassign_pending(self, manager_by_leaver):
        """Requisitions still waiting for a leaver go to the leaver's manager (with their activities)."""
        res = super()._hc_reassign_pending(manager_by_leaver)
        Req = self.env["hc.requisition"].sudo()
        waiting = Req.search(
            [("state", "=", "waiting_approval"), ("approver_id", "in", [u.id for u in manager_by_leaver])]
        )
        for req in waiting:
            target = manager_by_leaver.get(req.approver_id)
            if target:
                req._hc_reassign(target, req.approver_id)
        return res


class ResCompany(models.Model):
    _inherit = "res.company"

    hc_requisition_auto_approve_limit = fields.Monetary(
        string="Requisitions Approved Automatically Up To",
        currency_field="currency_id",
        help="A requisition within its budget and at most this amount is approved without a person "
        "(0: any amount within budget). Above it, or over budget, it waits for an approver.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hc_requisition_auto_approve_limit = fields.Monetary(
        related="company_id.hc_requisition_auto_approve_limit", readonly=False, currency_field="company_currency_id"
    )
