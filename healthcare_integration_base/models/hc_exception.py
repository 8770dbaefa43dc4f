from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..lib import trust

SEVERITIES = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]
OPEN_STATES = ("new", "in_progress")


class HcException(models.Model):
    """A business problem a person must decide: one per cause, however many messages wait on it.

    Messages that fail for the same reason (same endpoint, error code and cause key, e.g. an
    unmapped item code) join the open exception of that cause, so the owner team gets one
    activity per cause instead of one per message.
    """

    _name = "hc.exception"
    _description = "Integration Exception"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(required=True, index=True, tracking=True, help="The contract's error code.")
    cause = fields.Char(index=True, help="Groups the messages waiting on the same thing.")
    detail = fields.Text()
    endpoint_id = fields.Many2one("hc.endpoint", index=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", index=True, default=lambda self: self.env.company)
    team_id = fields.Many2one("hc.team", string="Owner Team", tracking=True)
    severity = fields.Selection(SEVERITIES, default="medium", required=True, tracking=True)
    state = fields.Selection(
        [
            ("new", "New"),
            ("in_progress", "In Progress"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("resolved", "Resolved"),
        ],
        default="new",
        required=True,
        index=True,
        tracking=True,
    )
    message_ids = fields.One2many("hc.inbound.message", "exception_id", string="Messages")
    message_count = fields.Integer(compute="_compute_message_count", string="Messages Waiting")
    res_model = fields.Char(string="Concerns Model")
    res_id = fields.Many2oneReference(model_field="res_model", string="Concerns Record")
    raised_by_id = fields.Many2one(
        "res.users", string="Raised By", readonly=True, help="Whose action raised it; that person may not approve it."
    )
    decided_by_id = fields.Many2one("res.users", string="Decided By", readonly=True, tracking=True)
    decided_at = fields.Datetime(readonly=True, tracking=True)
    decision_reason = fields.Text(readonly=True, tracking=True)

    @api.depends("message_ids.state")
    def _compute_message_count(self):
        data = self.env["hc.inbound.message"]._read_group(
            [("exception_id", "in", self.ids), ("state", "=", "failed")], ["exception_id"], ["__count"]
        )
        counts = {exc.id: n for exc, n in data}
        for rec in self:
            rec.message_count = counts.get(rec.id, 0)

    # ------------------------------------------------------------------ creation
    @api.model
    def _default_team(self, endpoint, error, message=None):
        """The processor's team for this cause, else the message type's, else the endpoint's."""
        if error.team_xmlid:
            team = self.env.ref(error.team_xmlid, raise_if_not_found=False)
            if team:
                return team
        row = message and self.env["hc.message.type"]._match(message.message_type)
        if row and row[9]:
            return self.env["hc.team"].browse(row[9])
        return endpoint.team_id

    @api.model
    def _for_failures(self, messages, failures):
        """Return {message_id: exception_id}, reusing the open exception of each cause."""
        by_id = {m.id: m for m in messages}
        wanted = {}
        for mid, err in failures:
            msg = by_id[mid]
            wanted.setdefault((msg.endpoint_id.id, err.code, err.cause), (msg, err))
        existing = self.search(
            [
                ("state", "in", OPEN_STATES),
                ("endpoint_id", "in", list({k[0] for k in wanted})),
                ("cause", "in", list({k[2] for k in wanted})),
            ]
        )
        found = {(e.endpoint_id.id, e.code, e.cause): e.id for e in existing}
        to_create = [key for key in wanted if key not in found]
        if to_create:
            vals = []
            for key in to_create:
                msg, err = wanted[key]
                vals.append(
                    {
                        "name": f"{self.env['hc.code.catalog']._label(err.code)}: {err.detail}"[:200],
                        "code": err.code,
                        "cause": err.cause,
                        "detail": err.detail,
                        "endpoint_id": msg.endpoint_id.id,
                        "company_id": msg.company_id.id or msg.endpoint_id.company_id.id,
                        "team_id": self._default_team(msg.endpoint_id, err, msg).id,
                        "severity": err.severity,
                        "res_model": err.record and err.record[0],
                        "res_id": err.record and err.record[1],
                        "raised_by_id": self.env.uid,
                    }
                )
            created = self.create(vals)
            found.update({key: exc.id for key, exc in zip(to_create, created, strict=True)})
        return {mid: found[(by_id[mid].endpoint_id.id, err.code, err.cause)] for mid, err in failures}

    @api.model_create_multi
    def create(self, vals_list):
        records = super(HcException, self.with_context(mail_create_nolog=True)).create(vals_list)
        activity_type = self.env.ref("healthcare_integration_base.mail_activity_hc_exception", raise_if_not_found=False)
        for rec in records:
            user, escalation = rec._decision_assignee()
            if escalation:
                rec.sudo().assignment_note = escalation
            rec.activity_schedule(
                activity_type_id=activity_type.id if activity_type else False,
                summary=_("Decide: %s", rec.name)[:250],
                note="\n".join(filter(None, [escalation, rec.detail])),
                user_id=user.id,
            )
        return records

    def _decision_assignee(self):
        """``(user, escalation sentence or False)``: a member of the owner team who can decide,
        never the person who raised it; else an escalation (see ``hc.team._decision_assignee``)."""
        self.ensure_one()
        exclude = self.raised_by_id
        if self.team_id:
            return self.team_id._decision_assignee(exclude)
        approvers = (
            self.env.ref("healthcare_integration_base.group_hc_approver")
            .sudo()
            .users.filtered(lambda u: u.active and not u.share and u != exclude)
        )
        target = approvers[:1] or self.env.ref("base.user_admin")
        return target, _("No team owns this exception: it was given to %s.", target.name)

    # ------------------------------------------------------------------ decisions
    def _check_approver(self):
        if not self.env.user.has_group("healthcare_integration_base.group_hc_approver"):
            raise AccessError(_("Only an Exception Approver can decide exceptions."))
        for rec in self:
            if rec.raised_by_id and rec.raised_by_id == self.env.user:
                raise UserError(_("You cannot decide an exception raised by your own action (%s).", rec.name))
            if rec.state not in OPEN_STATES:
                raise UserError(_("Exception %s is already decided.", rec.name))

    def _decide(self, state, reason):
        if not (reason or "").strip():
            raise UserError(_("A decision needs a reason."))
        self._check_approver()
        self.sudo().write(
            {
                "state": state,
                "decided_by_id": self.env.uid,
                "decided_at": fields.Datetime.now(),
                "decision_reason": reason.strip(),
            }
        )
        self.sudo().activity_ids.action_feedback(feedback=_("%(state)s: %(reason)s", state=state, reason=reason))

    def action_approve(self, reason):
        """Approve the exception with a reason: its messages are re-run with the override."""
        self._decide("approved", reason)
        messages = self.sudo().message_ids.filtered(lambda m: m.state == "failed")
        for exc in self:
            for msg in messages.filtered(lambda m, e=exc: m.exception_id == e):
                codes = set(filter(None, (msg.approved_codes or "").split(","))) | {exc.code}
                msg.write({"approved_codes": ",".join(sorted(codes))})
        messages.write({"state": "received", "next_attempt_at": False})
        messages.action_process_now()
        return True

    def action_reject(self, reason):
        """Reject: the waiting messages end ``cancelled``."""
        self._decide("rejected", reason)
        self.sudo().message_ids.filtered(lambda m: m.state == "failed").write({"state": "cancelled"})
        return True

    def _check_handler(self):
        """Working an exception (start, retry its messages) is for approvers and managers."""
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("healthcare_integration_base.group_hc_approver")
            or user.has_group("healthcare_integration_base.group_hc_manager")
        ):
            raise AccessError(_("Only an Exception Approver or an Integration Manager can work exceptions."))

    def action_start(self):
        self._check_handler()
        with trust.privileged():
            self.filtered(lambda e: e.state == "new").write({"state": "in_progress"})
        return True

    def action_retry_messages(self):
        """Retry everything waiting on this cause (after the master data was fixed)."""
        self._check_handler()
        messages = self.sudo().message_ids.filtered(lambda m: m.state == "failed")
        if not messages:
            raise UserError(_("No message is waiting on this exception."))
        self.filtered(lambda e: e.state == "new").sudo().write({"state": "in_progress"})
        messages.write({"state": "received", "next_attempt_at": False})
        messages.action_process_now()
        return True

    def action_open_decision_wizard(self):
        decision = self.env.context.get("decision")
        title = {"approve": _("Approve"), "reject": _("Reject")}.get(decision, _("Decide"))
        return {
            "type": "ir.actions.act_window",
            "name": _("%(decision)s: %(what)s", decision=title, what=", ".join(self.mapped("name")))[:120],
            "res_model": "hc.exception.decision.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_exception_ids": self.ids, "default_decision": self.env.context.get("decision")},
        }

    @api.model
    def _resolve_when_all_done(self, message_ids):
        """Close open exceptions whose messages are all done now."""
        exceptions = self.sudo().search([("message_ids", "in", message_ids), ("state", "in", OPEN_STATES)])
        for exc in exceptions:
            if all(m.state in ("done", "cancelled") for m in exc.message_ids):
                exc.write({"state": "resolved"})
                exc.activity_ids.action_feedback(feedback=_("Resolved: every message is posted."))


class HcExceptionDecisionWizard(models.TransientModel):
    _name = "hc.exception.decision.wizard"
    _description = "Decide an integration exception"

    exception_ids = fields.Many2many("hc.exception")
    decision = fields.Selection([("approve", "Approve"), ("reject", "Reject")], required=True, default="approve")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if self.decision == "approve":
            self.exception_ids.action_approve(self.reason)
        else:
            self.exception_ids.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
