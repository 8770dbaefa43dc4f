"""Roles from the HR system and the purchasing rights they give.

The HR system sends a job/role code with each employee; this table says what that role may do
in Odoo: the groups (Requester, Department Approver, Buyer, or any other) and how much the
holder may approve per currency. A transfer to another role changes both at once.
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class HcWorkforceRole(models.Model):
    _name = "hc.workforce.role"
    _description = "Workforce Role (purchasing rights)"
    _order = "code"

    code = fields.Char(required=True, index=True, help="The role or job code the HR system sends (e.g. NURSE-MGR).")
    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, index=True)
    group_ids = fields.Many2many(
        "res.groups",
        "hc_workforce_role_group_rel",
        "role_id",
        "group_id",
        string="Odoo Groups",
        help="What a holder of this role may do in Odoo. A transfer replaces them; a leaver loses them.",
    )
    limit_ids = fields.One2many("hc.workforce.role.limit", "role_id", string="Approval Limits")
    employee_count = fields.Integer(compute="_compute_employee_count", string="Employees")

    _sql_constraints = [("code_company_unique", "unique(code, company_id)", "A role code is unique per company.")]

    def _compute_employee_count(self):
        data = self.env["hr.employee"]._read_group([("hc_role_id", "in", self.ids)], ["hc_role_id"], ["__count"])
        counts = {role.id: n for role, n in data}
        for rec in self:
            rec.employee_count = counts.get(rec.id, 0)

    def _limit(self, currency):
        """The approval limit of this role in ``currency`` (0.0 when none is set in it)."""
        self.ensure_one()
        line = self.limit_ids.filtered(lambda lim: lim.currency_id == currency)[:1]
        return line.amount if line else 0.0

    @api.model
    def _managed_groups(self):
        """Every group a role can give: what HR owns on a synchronised user."""
        roles = self.sudo().with_context(active_test=False).search([])
        return (
            roles.group_ids
            | self.env.ref("healthcare_workforce.group_hc_requester")
            | self.env.ref("healthcare_workforce.group_hc_department_approver")
            | self.env.ref("healthcare_workforce.group_hc_buyer")
        )


class HcWorkforceRoleLimit(models.Model):
    _name = "hc.workforce.role.limit"
    _description = "Approval limit of a role, per currency"
    _order = "role_id, currency_id"

    role_id = fields.Many2one("hc.workforce.role", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one("res.currency", required=True, default=lambda self: self.env.company.currency_id)
    amount = fields.Monetary(
        string="Approval Limit", currency_field="currency_id", help="Largest requisition a holder may approve."
    )

    _sql_constraints = [("role_currency_unique", "unique(role_id, currency_id)", "One limit per currency and role.")]

    @api.constrains("amount")
    def _check_amount(self):
        if any(rec.amount < 0 for rec in self):
            raise ValidationError(_("An approval limit cannot be negative."))
