from odoo import _, fields, models


class HcTeam(models.Model):
    """The people who own a kind of problem: master data, pharmacy, procurement, AP."""

    _name = "hc.team"
    _description = "Integration Team"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    user_id = fields.Many2one(
        "res.users", string="Team Lead", help="Receives the team's activities (exceptions, alerts)."
    )
    member_ids = fields.Many2many("res.users", string="Members")

    def _activity_user(self):
        """Who gets the activity for this team: its lead, else a member, else the admin."""
        self.ensure_one()
        return self.user_id or self.member_ids[:1] or self.env.ref("base.user_admin")

    def _deciders(self, exclude=None):
        """The members and lead of this team who may decide its exceptions (Exception Approvers
        of the team's company), members first; ``exclude`` (who raised it) never."""
        self.ensure_one()
        approvers = self.env.ref("healthcare_integration_base.group_hc_approver").sudo().users
        people = ((self.member_ids - self.user_id) | self.user_id).filtered(
            lambda u: u.active and u in approvers and (not self.company_id or self.company_id in u.company_ids)
        )
        return people - exclude if exclude else people

    def _decision_assignee(self, exclude=None):
        """Who gets the decision activity of an exception owned by this team, and why.

        Returns ``(user, escalation)``: a member who can decide and ``False``; or, when nobody
        in the team can, the team lead (who can add an approver to the team), else an
        Exception Approver of the company, else the administrator, with a sentence saying so.
        """
        self.ensure_one()
        deciders = self._deciders(exclude)
        if deciders:
            # the one with the fewest decisions waiting; members before the lead on a tie
            load = dict(
                self.env["mail.activity"]
                .sudo()
                ._read_group(
                    [("res_model", "=", "hc.exception"), ("user_id", "in", deciders.ids)], ["user_id"], ["__count"]
                )
            )
            return min(deciders, key=lambda u: load.get(u, 0)), False
        approvers = (
            self.env.ref("healthcare_integration_base.group_hc_approver")
            .sudo()
            .users.filtered(
                lambda u: u.active and not u.share and (not self.company_id or self.company_id in u.company_ids)
            )
        )
        if exclude:
            approvers -= exclude
        target = (
            (self.user_id if self.user_id != exclude else False) or approvers[:1] or self.env.ref("base.user_admin")
        )
        return target, _(
            "Nobody in team %(team)s can decide this exception (no member is an Exception Approver): "
            "escalated to %(user)s. Add an Exception Approver to the team to route such decisions to it.",
            team=self.name,
            user=target.name,
        )
