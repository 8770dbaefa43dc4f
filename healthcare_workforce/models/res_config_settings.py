from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    hc_hr_system_name = fields.Char(
        string="HR System",
        default="the HR system",
        help="Named in the message that refuses a change to a field the HR system owns.",
    )
    hc_user_onboarding = fields.Selection(
        [("sso", "Single sign-on (no invitation)"), ("invite", "Send an invitation e-mail")],
        string="New Hires' Users",
        default="sso",
        required=True,
        help="A hire gets a user without password: it signs in through single sign-on, or is invited by e-mail.",
    )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hc_hr_system_name = fields.Char(related="company_id.hc_hr_system_name", readonly=False)
    hc_user_onboarding = fields.Selection(related="company_id.hc_user_onboarding", readonly=False)
