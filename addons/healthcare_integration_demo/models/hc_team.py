from odoo import Command, api, models


class HcTeam(models.Model):
    _inherit = "hc.team"

    @api.model
    def _hc_demo_staff(self, staffing):
        """Give each demo team its lead and members where they are missing, on install and on every
        update: the suite's teams are ``noupdate`` records, which a ``<record>`` here would only write
        on a fresh install. A lead the administrator chose, and people they added, stay.

        ``staffing``: ``[(team_id, lead_user_id, [member_user_ids])]``.
        """
        for team_id, lead_id, member_ids in staffing:
            team = self.browse(team_id).exists()
            if not team:
                continue
            values = {}
            missing = [uid for uid in member_ids if uid not in team.member_ids.ids]
            if missing:
                values["member_ids"] = [Command.link(uid) for uid in missing]
            if not team.user_id:
                values["user_id"] = lead_id
            if values:
                team.write(values)
        return True
