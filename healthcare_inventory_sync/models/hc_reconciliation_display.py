"""Who approves a proposed stock adjustment, and what the form shows to whom (four-eyes)."""

from odoo import _, api, fields, models


class HcReconciliationRun(models.Model):
    _inherit = "hc.reconciliation.run"

    can_decide = fields.Boolean(
        compute="_compute_can_decide", help="The current user may approve or reject the proposed adjustment."
    )
    decide_hint = fields.Char(compute="_compute_can_decide", string="Who Can Decide")
    approver_id = fields.Many2one(
        "res.users",
        string="Approval Asked Of",
        readonly=True,
        help="The Exception Approver (not the proposer) asked to approve the adjustment.",
    )

    @api.depends_context("uid")
    @api.depends("state", "proposed_by_id", "approver_id")
    def _compute_can_decide(self):
        user = self.env.user
        is_approver = user.has_group("healthcare_integration_base.group_hc_approver")
        for run in self:
            run.can_decide = run.state == "proposed" and is_approver and run.proposed_by_id != user
            if run.state != "proposed" or run.can_decide:
                run.decide_hint = False
            elif run.proposed_by_id == user:
                run.decide_hint = _(
                    "You proposed this adjustment: another Exception Approver must approve it (four-eyes rule)%s.",
                    _(", %s is asked to", run.approver_id.name) if run.approver_id else "",
                )
            else:
                run.decide_hint = _("Only an Exception Approver who did not propose it can approve this adjustment.")

    def _adjustment_approver(self):
        """Another person with the right to approve: an Exception Approver of the run's company
        other than the proposer, preferably in the Pharmacy team; else nobody (``False``)."""
        self.ensure_one()
        proposer = self.proposed_by_id or self.env.user
        approvers = (
            self.env.ref("healthcare_integration_base.group_hc_approver")
            .sudo()
            .users.filtered(lambda u: u.active and not u.share and u != proposer and self.company_id in u.company_ids)
        )
        team = self.env.ref("healthcare_inventory_sync.hc_team_pharmacy", raise_if_not_found=False)
        preferred = team.sudo()._deciders(proposer) & approvers if team else approvers.browse()
        return (preferred or approvers)[:1]

    currency_id = fields.Many2one("res.currency", related="company_id.currency_id")


class HcReconciliationLine(models.Model):
    _inherit = "hc.reconciliation.line"

    product_uom_id = fields.Many2one("uom.uom", related="product_id.uom_id", string="Unit")
    currency_id = fields.Many2one("res.currency", related="company_id.currency_id")


class HcReconciliationRunSource(models.Model):
    _inherit = "hc.reconciliation.run"

    count_source = fields.Char(
        string="Source of the Counts",
        readonly=True,
        copy=False,
        help="Where the external quantities of the lines come from, as loaded.",
    )

    def action_load_counts(self):
        res = super().action_load_counts()
        for run in self:
            where = run.endpoint_id.display_name or _("every source system")
            run.sudo().count_source = _(
                "External counts from %(where)s (the latest per location, product and lot), "
                "loaded on %(when)s by %(who)s",
                where=where,
                when=fields.Datetime.to_string(fields.Datetime.now())[:16],
                who=self.env.user.name,
            )
        return res

    def action_load_csv(self):
        res = super().action_load_csv()
        for run in self:
            run.sudo().count_source = _(
                "CSV file uploaded on %(when)s by %(who)s",
                when=fields.Datetime.to_string(fields.Datetime.now())[:16],
                who=self.env.user.name,
            )
        return res
