"""Data the HR system owns: synchronised employees, departments and cost centres.

Records that came from the HR system (they carry its external id or code) take their HR-owned
fields only from the HR interface. A change made in Odoo to one of them is refused with a
message that says where to change it; otherwise the next sync would silently undo it, or the
two systems would disagree. The HR interface writes inside :func:`hr_sync`, a context variable
of the running thread that no RPC caller can set (as ``healthcare_integration_base.lib.trust``).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_hr_sync = ContextVar("hc_hr_sync", default=False)


@contextmanager
def hr_sync():
    token = _hr_sync.set(True)
    try:
        yield
    finally:
        _hr_sync.reset(token)


def in_hr_sync():
    return _hr_sync.get()


class HcHrOwnedMixin(models.AbstractModel):
    _name = "hc.hr.owned.mixin"
    _description = "Fields owned by the HR system"

    _hc_hr_owned_fields = frozenset()
    _hc_hr_key_field = None

    def _hc_check_hr_owned(self, vals):
        if in_hr_sync() or self.env.su:
            return
        owned = self._hc_hr_owned_fields & set(vals)
        if not owned:
            return
        managed = self.filtered(lambda r: r[self._hc_hr_key_field])
        if not managed:
            return
        labels = ", ".join(sorted(self._fields[name].get_description(self.env)["string"] for name in owned))
        company = managed[:1].company_id or self.env.company
        raise UserError(
            _(
                "%(fields)s of %(record)s is owned by %(system)s: change it there. "
                "The HR interface brings the change to Odoo with its next message; a change made here would be "
                "overwritten.",
                fields=labels,
                record=managed[:1].display_name,
                system=company.hc_hr_system_name or _("the HR system"),
            )
        )

    def write(self, vals):
        self._hc_check_hr_owned(vals)
        return super().write(vals)


class HrEmployee(models.Model):
    _name = "hr.employee"
    _inherit = ["hr.employee", "hc.hr.owned.mixin"]

    _hc_hr_key_field = "hc_external_id"
    _hc_hr_owned_fields = frozenset(
        {
            "name",
            "work_email",
            "department_id",
            "parent_id",
            "job_title",
            "hc_role_id",
            "hc_cost_center_id",
            "hc_facility",
            "hc_start_date",
            "hc_end_date",
            "active",
            "hc_external_id",
        }
    )

    hc_external_id = fields.Char(
        string="HR External ID",
        index=True,
        copy=False,
        help="The employee's identifier in the HR system; set only by the HR interface.",
    )
    hc_role_id = fields.Many2one("hc.workforce.role", string="Role", index=True, help="Gives the purchasing rights.")
    hc_cost_center_id = fields.Many2one("account.analytic.account", string="Cost Centre")
    hc_facility = fields.Char(string="Facility", help="The site code the HR system gives.")
    hc_start_date = fields.Date(string="Start Date")
    hc_end_date = fields.Date(string="End Date")
    hc_hr_managed = fields.Boolean(compute="_compute_hc_hr_managed", string="Managed by HR")

    _sql_constraints = [
        (
            "hc_external_id_company_unique",
            "unique(hc_external_id, company_id)",
            "An HR external id is unique per company.",
        )
    ]

    @api.depends("hc_external_id")
    def _compute_hc_hr_managed(self):
        for rec in self.sudo():
            rec.hc_hr_managed = bool(rec.hc_external_id)

    def _hc_approval_limit(self, currency):
        """How much this employee may approve in ``currency``: their role's limit (0 without one)."""
        self.ensure_one()
        return self.hc_role_id._limit(currency) if self.hc_role_id and self.active else 0.0

    @api.model
    def _hc_reassign_pending(self, manager_by_leaver):
        """Whatever the leavers still had to decide goes to their managers: ``{leaver user: manager user}``.

        Here their open activities; modules that own approvals (requisitions) add theirs.
        """
        Activity = self.env["mail.activity"].sudo()
        activities = Activity.search([("user_id", "in", [u.id for u in manager_by_leaver])])
        by_target = {}
        for act in activities:
            target = manager_by_leaver.get(act.user_id)
            if target:
                by_target.setdefault(target.id, []).append(act.id)
        for target_id, ids in by_target.items():
            Activity.browse(ids).write({"user_id": target_id})
        return True


class HrEmployeePublic(models.Model):
    _inherit = "hr.employee.public"

    hc_role_id = fields.Many2one("hc.workforce.role", readonly=True)
    hc_cost_center_id = fields.Many2one("account.analytic.account", readonly=True)
    hc_facility = fields.Char(readonly=True)


class HrDepartment(models.Model):
    _name = "hr.department"
    _inherit = ["hr.department", "hc.hr.owned.mixin"]

    _hc_hr_key_field = "hc_code"
    _hc_hr_owned_fields = frozenset(
        {"name", "parent_id", "manager_id", "hc_cost_center_id", "hc_facility", "active", "hc_code"}
    )

    hc_code = fields.Char(string="HR Code", index=True, copy=False, help="The department's code in the HR system.")
    hc_cost_center_id = fields.Many2one("account.analytic.account", string="Cost Centre")
    hc_facility = fields.Char(string="Facility", help="The site code the HR system gives.")

    _sql_constraints = [
        ("hc_code_company_unique", "unique(hc_code, company_id)", "An HR department code is unique per company.")
    ]


class AccountAnalyticAccount(models.Model):
    _name = "account.analytic.account"
    _inherit = ["account.analytic.account", "hc.hr.owned.mixin"]

    _hc_hr_key_field = "hc_hr_managed"
    _hc_hr_owned_fields = frozenset({"name", "code", "active", "hc_hr_managed"})

    hc_hr_managed = fields.Boolean(string="Cost Centre from HR", copy=False, readonly=True)
