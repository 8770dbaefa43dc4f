from odoo import fields, models


class HcLotQuarantineWizard(models.TransientModel):
    _name = "hc.lot.quarantine.wizard"
    _description = "Quarantine or release a lot, with a reason"

    lot_id = fields.Many2one("stock.lot", required=True)
    action = fields.Selection(
        [("quarantine", "Quarantine"), ("release", "Release")], required=True, default="quarantine"
    )
    reason = fields.Text(required=True)

    def action_confirm(self):
        if self.action == "quarantine":
            self.lot_id.action_hc_quarantine(self.reason)
        else:
            self.lot_id.action_hc_release(self.reason)
        return {"type": "ir.actions.act_window_close"}
