from odoo import fields, models


class HcReconciliationDecisionWizard(models.TransientModel):
    _name = "hc.reconciliation.decision.wizard"
    _description = "Approve or reject a proposed stock adjustment, with a reason"

    run_id = fields.Many2one("hc.reconciliation.run", required=True, ondelete="cascade")
    decision = fields.Selection([("approve", "Approve"), ("reject", "Reject")], required=True, default="approve")
    reason = fields.Text(required=True)

    def action_confirm(self):
        """The run's own decision methods check the right and the four-eyes rule."""
        self.ensure_one()
        if self.decision == "approve":
            self.run_id.action_approve(self.reason)
        else:
            self.run_id.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
