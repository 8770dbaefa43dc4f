from odoo import fields, models


class HcRecallCloseWizard(models.TransientModel):
    _name = "hc.recall.close.wizard"
    _description = "Close a Recall"

    recall_id = fields.Many2one("hc.recall", required=True, ondelete="cascade")
    reason = fields.Text(required=True, help="Stock returned to the supplier, destroyed, ... and the reference.")

    def action_confirm(self):
        self.ensure_one()
        self.recall_id.action_close(self.reason)
        return {"type": "ir.actions.act_window_close"}
