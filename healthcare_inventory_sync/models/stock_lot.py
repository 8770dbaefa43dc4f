from odoo import _, fields, models
from odoo.exceptions import UserError


class StockLot(models.Model):
    _inherit = "stock.lot"

    hc_quarantined = fields.Boolean(
        string="Quarantined",
        tracking=True,
        copy=False,
        help="Consuming a quarantined lot is refused unless an approver overrides it.",
    )
    hc_quarantine_reason = fields.Text(string="Quarantine Reason", tracking=True, copy=False)
    hc_quarantined_by_id = fields.Many2one("res.users", string="Quarantined By", readonly=True, copy=False)
    hc_quarantined_at = fields.Datetime(string="Quarantined On", readonly=True, copy=False)
    hc_expiry_alerted = fields.Boolean(copy=False, help="The expiry-risk activity was made for this lot.")

    def action_hc_quarantine(self, reason):
        if not (reason or "").strip():
            raise UserError(_("Quarantining a lot needs a reason."))
        self.write(
            {
                "hc_quarantined": True,
                "hc_quarantine_reason": reason.strip(),
                "hc_quarantined_by_id": self.env.uid,
                "hc_quarantined_at": fields.Datetime.now(),
            }
        )
        return True

    def action_hc_release(self, reason):
        if not (reason or "").strip():
            raise UserError(_("Releasing a lot from quarantine needs a reason."))
        self.write(
            {
                "hc_quarantined": False,
                "hc_quarantine_reason": _("Released: %s", reason.strip()),
                "hc_quarantined_by_id": self.env.uid,
                "hc_quarantined_at": fields.Datetime.now(),
            }
        )
        return True
