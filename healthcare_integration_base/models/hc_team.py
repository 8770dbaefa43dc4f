from odoo import fields, models


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
