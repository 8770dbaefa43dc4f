"""What a person needs to see on an exception: who can decide it, and why they (cannot)."""

from odoo import _, api, fields, models

from .hc_exception import OPEN_STATES


class HcException(models.Model):
    _inherit = "hc.exception"

    assignment_note = fields.Text(
        readonly=True,
        help="Set when nobody in the owner team could decide the exception and it was escalated.",
    )
    can_decide = fields.Boolean(compute="_compute_can_decide", help="The current user may approve or reject it.")
    decide_hint = fields.Char(compute="_compute_can_decide", string="Who Can Decide")
    decider_ids = fields.Many2many("res.users", compute="_compute_can_decide", string="Can Decide")
    approvable = fields.Boolean(
        compute="_compute_approvable", help="Approving lets the waiting messages through (an override exists)."
    )
    can_retry = fields.Boolean(
        compute="_compute_approvable", help="Retrying can help: the cause is master data a person can fix."
    )
    code_label = fields.Char(compute="_compute_code_label", string="Problem")
    code_help = fields.Char(compute="_compute_code_label", string="What It Means")

    @api.depends("code")
    def _compute_approvable(self):
        """Modules that know their codes narrow these (see healthcare_inventory_sync)."""
        for rec in self:
            rec.approvable = True
            rec.can_retry = True

    @api.depends("code")
    def _compute_code_label(self):
        catalog = self.env["hc.code.catalog"]
        for rec in self:
            rec.code_label = catalog._label(rec.code)
            rec.code_help = catalog._explanation(rec.code)

    @api.depends_context("uid")
    @api.depends("state", "raised_by_id", "team_id")
    def _compute_can_decide(self):
        user = self.env.user
        is_approver = user.has_group("healthcare_integration_base.group_hc_approver")
        for rec in self:
            deciders = rec.team_id.sudo()._deciders(rec.raised_by_id) if rec.team_id else self.env["res.users"]
            rec.decider_ids = deciders
            names = ", ".join(deciders.mapped("name"))
            rec.can_decide = is_approver and rec.state in OPEN_STATES and rec.raised_by_id != user
            if rec.state not in OPEN_STATES or rec.can_decide:
                rec.decide_hint = False
            elif not is_approver:
                rec.decide_hint = (
                    _(
                        "Only an Exception Approver can decide this exception. In %(team)s: %(names)s.",
                        team=rec.team_id.name,
                        names=names,
                    )
                    if names
                    else _("Only an Exception Approver can decide this exception; nobody in its team is one.")
                )
            else:
                rec.decide_hint = _("You raised this exception by your own action: another approver must decide it.")
