from odoo import _, fields, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.exceptions import AccessError, UserError

QUARANTINE_FIELDS = frozenset({"hc_quarantined", "hc_quarantine_reason", "hc_quarantined_by_id", "hc_quarantined_at"})


class StockLot(models.Model):
    _name = "stock.lot"
    _inherit = ["stock.lot", "hc.guarded.mixin"]

    # quarantine is set and lifted only by action_hc_quarantine / action_hc_release
    _hc_guarded_fields = QUARANTINE_FIELDS

    hc_quarantined = fields.Boolean(
        string="Quarantined",
        tracking=True,
        copy=False,
        readonly=True,
        help="Consuming a quarantined lot is refused unless an approver overrides it. Set and lifted "
        "with a reason (Quarantine / Release from Quarantine); releasing needs an Exception Approver "
        "other than the person who quarantined the lot.",
    )
    hc_quarantine_reason = fields.Text(string="Quarantine Reason", tracking=True, copy=False, readonly=True)
    hc_quarantined_by_id = fields.Many2one("res.users", string="Quarantined By", readonly=True, copy=False)
    hc_quarantined_at = fields.Datetime(string="Quarantined On", readonly=True, copy=False)
    hc_expiry_alerted = fields.Boolean(copy=False, help="The expiry-risk activity was made for this lot.")

    def action_hc_quarantine(self, reason):
        """Block the lot (a recall, a damaged batch): any Inventory user or integration approver/manager."""
        if not (reason or "").strip():
            raise UserError(_("Quarantining a lot needs a reason."))
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("stock.group_stock_user")
            or user.has_group("healthcare_integration_base.group_hc_approver")
            or user.has_group("healthcare_integration_base.group_hc_manager")
        ):
            raise AccessError(_("Only Inventory users, Exception Approvers and Integration Managers quarantine lots."))
        self.check_access("read")  # the lots of the user's companies; the write is the method's own
        with trust.privileged():
            self.sudo().write(
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
        """Tell subscribed systems (e.g. dispensing cabinets that block a lot), in this transaction.
        A lot shared by every company is told to the subscribers of the acting user's company only."""
        self.env["hc.event.subscription"]._publish(
            event_type,
            [
                {
                    "company_id": lot.company_id.id or self.env.company.id,
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
        """Lift the quarantine: an Exception Approver, not the person who quarantined the lot."""
        if not (reason or "").strip():
            raise UserError(_("Releasing a lot from quarantine needs a reason."))
        if not (self.env.su or self.env.user.has_group("healthcare_integration_base.group_hc_approver")):
            raise AccessError(_("Only an Exception Approver can release a lot from quarantine."))
        self.check_access("read")
        for lot in self:
            if not self.env.su and lot.hc_quarantined_by_id == self.env.user:
                raise UserError(_("You quarantined lot %s: another approver releases it.", lot.name))
        with trust.privileged():
            self.sudo().write(
                {
                    "hc_quarantined": False,
                    "hc_quarantine_reason": _("Released: %s", reason.strip()),
                    "hc_quarantined_by_id": self.env.uid,
                    "hc_quarantined_at": fields.Datetime.now(),
                }
            )
        self._hc_publish("lot.released", reason.strip())
        return True
