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
        self._hc_publish("lot.quarantined", reason.strip())
        return True

    def _hc_publish(self, event_type, reason):
        """Tell subscribed systems (e.g. dispensing cabinets that block a lot), in this transaction."""
        self.env["hc.event.subscription"]._publish(
            event_type,
            [
                {
                    "company_id": lot.company_id.id or False,
                    "res_model": "stock.lot",
                    "res_id": lot.id,
                    "data": {
                        "lot": lot.name,
                        "product": lot.product_id.default_code or lot.product_id.display_name,
                        "gtin": lot.product_id.hc_gtin14 or None,
                        "expiry": (lot.expiration_date and lot.expiration_date.date().isoformat()) or None,
                        "reason": reason,
                    },
                }
                for lot in self
            ],
        )

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
        self._hc_publish("lot.released", reason.strip())
        return True
