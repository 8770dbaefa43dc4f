"""Budgets per department or cost centre and period (Odoo Community has no budget module).

committed = requisitions approved and not yet on a confirmed purchase order (their estimated
amount) + confirmed purchase order lines not yet billed + posted vendor bills, the last two
found by the budget's cost centre (analytic distribution) and dated in the period. Computed
with one query per part for all budgets at once.
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

COMMITTING_STATES = ("approved", "ordered", "partially_received", "done")


class HcBudget(models.Model):
    _name = "hc.budget"
    _description = "Department Budget"
    _order = "date_from desc, department_id"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    department_id = fields.Many2one("hr.department", string="Department", index=True)
    cost_center_id = fields.Many2one("account.analytic.account", string="Cost Centre", index=True)
    date_from = fields.Date(string="From", required=True)
    date_to = fields.Date(string="To", required=True)
    amount = fields.Monetary(string="Budget", currency_field="currency_id", required=True)
    committed_requisitions = fields.Monetary(
        compute="_compute_committed", currency_field="currency_id", string="Approved Requisitions"
    )
    committed_orders = fields.Monetary(
        compute="_compute_committed", currency_field="currency_id", string="Ordered, Not Billed"
    )
    committed_bills = fields.Monetary(compute="_compute_committed", currency_field="currency_id", string="Billed")
    committed = fields.Monetary(compute="_compute_committed", currency_field="currency_id", string="Committed")
    available = fields.Monetary(compute="_compute_committed", currency_field="currency_id", string="Available")

    @api.depends("department_id", "cost_center_id", "date_from", "date_to")
    def _compute_name(self):
        for rec in self:
            who = rec.department_id.name or rec.cost_center_id.display_name or _("Budget")
            rec.name = f"{who} {rec.date_from or ''}–{rec.date_to or ''}"

    @api.constrains("department_id", "cost_center_id", "date_from", "date_to")
    def _check_scope(self):
        for rec in self:
            if not (rec.department_id or rec.cost_center_id):
                raise ValidationError(_("A budget belongs to a department or a cost centre."))
            if rec.date_from > rec.date_to:
                raise ValidationError(_("A budget's period ends after it starts."))

    def _compute_committed(self):
        cr = self.env.cr
        self.env.flush_all()  # the sums below read requisitions, orders and bills in SQL
        reqs, orders, bills = {}, {}, {}
        real = self.filtered("id")
        if real.ids:
            cr.execute(
                SQL(
                    """
                    SELECT b.id, coalesce(sum(l.price_subtotal), 0)
                      FROM hc_budget b
                      JOIN hc_requisition r ON r.company_id = b.company_id
                       AND ((b.department_id IS NOT NULL AND r.department_id = b.department_id)
                            OR (b.department_id IS NULL AND r.cost_center_id = b.cost_center_id))
                       AND r.budget_date BETWEEN b.date_from AND b.date_to
                       AND r.state IN %s
                      JOIN hc_requisition_line l ON l.requisition_id = r.id
                      LEFT JOIN purchase_order_line pol ON pol.id = l.purchase_line_id
                      LEFT JOIN purchase_order po ON po.id = pol.order_id
                     WHERE b.id IN %s AND (po.id IS NULL OR po.state NOT IN ('purchase', 'done'))
                     GROUP BY b.id
                    """,
                    COMMITTING_STATES,
                    tuple(real.ids),
                )
            )
            reqs = dict(cr.fetchall())
            cr.execute(
                SQL(
                    """
                    WITH b AS (
                        SELECT b.id, b.company_id, b.date_from, b.date_to,
                               coalesce(b.cost_center_id, d.hc_cost_center_id) AS cc
                          FROM hc_budget b LEFT JOIN hr_department d ON d.id = b.department_id WHERE b.id IN %s
                    )
                    SELECT b.id, coalesce(sum(greatest(pol.product_qty - pol.qty_invoiced, 0) * pol.price_unit), 0)
                      FROM b
                      JOIN purchase_order_line pol ON pol.analytic_distribution ? b.cc::text
                      JOIN purchase_order po ON po.id = pol.order_id
                     WHERE po.state IN ('purchase', 'done')
                       AND po.company_id = b.company_id
                       AND po.date_approve::date BETWEEN b.date_from AND b.date_to
                     GROUP BY b.id
                    """,
                    tuple(real.ids),
                )
            )
            orders = dict(cr.fetchall())
            cr.execute(
                SQL(
                    """
                    WITH b AS (
                        SELECT b.id, b.company_id, b.date_from, b.date_to,
                               coalesce(b.cost_center_id, d.hc_cost_center_id) AS cc
                          FROM hc_budget b LEFT JOIN hr_department d ON d.id = b.department_id WHERE b.id IN %s
                    )
                    SELECT b.id, coalesce(sum(aml.balance), 0)
                      FROM b
                      JOIN account_move_line aml ON aml.analytic_distribution ? b.cc::text
                      JOIN account_move am ON am.id = aml.move_id
                     WHERE am.state = 'posted'
                       AND am.move_type IN ('in_invoice', 'in_refund') AND aml.company_id = b.company_id
                       AND aml.date BETWEEN b.date_from AND b.date_to
                     GROUP BY b.id
                    """,
                    tuple(real.ids),
                )
            )
            bills = dict(cr.fetchall())
        for rec in self:
            rec.committed_requisitions = reqs.get(rec.id, 0.0)
            rec.committed_orders = orders.get(rec.id, 0.0)
            rec.committed_bills = bills.get(rec.id, 0.0)
            rec.committed = rec.committed_requisitions + rec.committed_orders + rec.committed_bills
            rec.available = rec.amount - rec.committed

    @api.model
    def _for_requisitions(self, requisitions):
        """{requisition id: budget} — the department's budget for the period, else the cost centre's."""
        if not requisitions:
            return {}
        budgets = self.search(
            [
                ("company_id", "in", requisitions.company_id.ids),
                "|",
                ("department_id", "in", requisitions.department_id.ids),
                ("cost_center_id", "in", requisitions.cost_center_id.ids),
            ]
        )
        out = {}
        for req in requisitions:
            day = req.budget_date
            fits = budgets.filtered(
                lambda b, r=req, d=day: b.company_id == r.company_id and b.date_from <= d <= b.date_to
            )
            budget = (
                fits.filtered(lambda b, r=req: r.department_id and b.department_id == r.department_id)[:1]
                or fits.filtered(
                    lambda b, r=req: not b.department_id and r.cost_center_id and b.cost_center_id == r.cost_center_id
                )[:1]
            )
            if budget:
                out[req.id] = budget
        return out
