"""Requisitions: a department asks for items; budget check, approval, fulfilment, status back.

Lifecycle (``state``): ``draft`` → (within budget and the automatic limit) ``approved``, or
``waiting_approval`` with an activity for the right approver up the department hierarchy →
``approved`` / ``rejected`` → fulfilment makes it ``ordered`` (each line an internal transfer
from a store that has the item, or a draft RFQ line with the preferred supplier) →
``partially_received`` → ``done``; ``cancelled`` by a person. Each change of state is published
once (``requisition.approved``, ``.rejected``, ``.ordered``, ``.partially_received``,
``.delivered``, ``.cancelled``) with the requisition's correlation id, to the department system.
"""

from collections import defaultdict

from odoo import Command, _, api, fields, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_is_zero

STATES = [
    ("draft", "Draft"),
    ("waiting_approval", "Waiting Approval"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("ordered", "Ordered"),
    ("partially_received", "Partially Received"),
    ("done", "Delivered"),
    ("cancelled", "Cancelled"),
]
EVENT_OF_STATE = {
    "approved": "requisition.approved",
    "rejected": "requisition.rejected",
    "ordered": "requisition.ordered",
    "partially_received": "requisition.partially_received",
    "done": "requisition.delivered",
    "cancelled": "requisition.cancelled",
}
PRIORITIES = [("routine", "Routine"), ("urgent", "Urgent"), ("stat", "Stat")]


class HcRequisition(models.Model):
    _name = "hc.requisition"
    _description = "Requisition"
    _inherit = ["mail.thread", "mail.activity.mixin", "hc.guarded.mixin"]
    _order = "priority_level desc, id desc"

    # what only the methods below decide
    _hc_guarded_fields = frozenset(
        {
            "state",
            "approver_id",
            "decided_by_id",
            "decided_at",
            "decision_reason",
            "budget_id",
            "over_budget",
            "routing_note",
            "correlation_id",
            "message_id",
            "endpoint_id",
        }
    )

    name = fields.Char(string="Reference", required=True, copy=False, readonly=True, default=lambda self: _("New"))
    external_ref = fields.Char(
        string="Department System Ref.",
        index=True,
        readonly=True,
        help="The requisition's id in the department system.",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    endpoint_id = fields.Many2one("hc.endpoint", string="From System", readonly=True, index=True)
    message_id = fields.Many2one("hc.inbound.message", string="Message", readonly=True)
    correlation_id = fields.Char(readonly=True, index=True)
    source = fields.Selection(
        [("json", "Canonical JSON"), ("fhir", "FHIR SupplyRequest"), ("manual", "Entered in Odoo")],
        default="manual",
        readonly=True,
    )
    requester_id = fields.Many2one("hr.employee", string="Requester", required=True, index=True)
    department_id = fields.Many2one("hr.department", string="Department", index=True)
    cost_center_id = fields.Many2one("account.analytic.account", string="Cost Centre")
    location_dest_id = fields.Many2one(
        "stock.location", string="Deliver To", required=True, domain="[('usage', '=', 'internal')]"
    )
    warehouse_id = fields.Many2one(related="location_dest_id.warehouse_id", string="Facility", store=True)
    needed_by = fields.Date(string="Needed By")
    budget_date = fields.Date(
        default=fields.Date.context_today,
        required=True,
        readonly=True,
        help="The day whose budget period the requisition counts in.",
    )
    priority = fields.Selection(PRIORITIES, default="routine", required=True, tracking=True)
    priority_level = fields.Integer(compute="_compute_priority_level", store=True)
    reason = fields.Text()
    state = fields.Selection(STATES, default="draft", required=True, index=True, tracking=True, readonly=True)
    line_ids = fields.One2many("hc.requisition.line", "requisition_id", string="Items", copy=True)
    amount_total = fields.Monetary(
        compute="_compute_amount", store=True, currency_field="currency_id", string="Estimated Total"
    )
    budget_id = fields.Many2one("hc.budget", string="Budget", readonly=True)
    over_budget = fields.Boolean(readonly=True, tracking=True)
    approver_id = fields.Many2one("res.users", string="Waiting For", readonly=True, tracking=True, index=True)
    routing_note = fields.Text(string="Why this approver", readonly=True)
    decided_by_id = fields.Many2one("res.users", string="Decided By", readonly=True)
    decided_at = fields.Datetime(readonly=True)
    decision_reason = fields.Text(readonly=True, tracking=True)
    # read by requesters and approvers who have no stock or purchase rights: computed as superuser
    picking_ids = fields.Many2many("stock.picking", compute="_compute_documents", string="Transfers", compute_sudo=True)
    purchase_ids = fields.Many2many(
        "purchase.order", compute="_compute_documents", string="Purchase Orders", compute_sudo=True
    )
    picking_count = fields.Integer(compute="_compute_documents", compute_sudo=True)
    purchase_count = fields.Integer(compute="_compute_documents", compute_sudo=True)

    _sql_constraints = [
        (
            "external_ref_unique",
            "unique(endpoint_id, external_ref)",
            "This department system already sent that requisition.",
        ),
    ]

    @api.depends("priority")
    def _compute_priority_level(self):
        for rec in self:
            rec.priority_level = {"routine": 1, "urgent": 2, "stat": 3}.get(rec.priority, 1)

    @api.depends("line_ids.price_subtotal")
    def _compute_amount(self):
        for rec in self:
            rec.amount_total = sum(rec.line_ids.mapped("price_subtotal"))

    def _compute_documents(self):
        for rec in self:
            rec.picking_ids = rec.line_ids.picking_id
            rec.purchase_ids = rec.line_ids.purchase_line_id.order_id
            rec.picking_count = len(rec.picking_ids)
            rec.purchase_count = len(rec.purchase_ids)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("hc.requisition") or _("New")
        return super().create(vals_list)

    # ------------------------------------------------------------------ state and events
    def _hc_set_state(self, state, reason=None):
        """Move to ``state`` and publish the change once, in this transaction."""
        changing = self.filtered(lambda r: r.state != state)
        if not changing:
            return
        with trust.privileged():
            changing.write({"state": state})
        event = EVENT_OF_STATE.get(state)
        if event:
            self.env["hc.event.subscription"]._publish(
                event,
                [
                    {
                        "company_id": req.company_id.id,
                        "correlation_id": req.correlation_id,
                        "res_model": "hc.requisition",
                        "res_id": req.id,
                        "data": req._hc_event_data(reason),
                    }
                    for req in changing
                ],
            )

    def _hc_event_data(self, reason=None):
        self.ensure_one()
        return {
            "requisition": self.name,
            "requisition_id": self.external_ref,
            "status": self.state,
            "reason": reason,
            "approved_by": self.decided_by_id.name if self.decided_by_id else None,
            "lines": [
                {
                    "item": line.item_code or line.product_id.default_code,
                    "quantity": line.product_qty,
                    "uom": line.product_uom_id.name,
                    "fulfilment": line.fulfilment,
                    "received": line.qty_received,
                    "transfer": line.picking_id.name or None,
                    "purchase_order": line.purchase_line_id.order_id.name or None,
                }
                for line in self.line_ids
            ],
        }

    # ------------------------------------------------------------------ submission: budget and routing
    def _hc_submit(self):
        """Check the budget, then approve automatically or route to the right approver."""
        reqs = self.filtered(lambda r: r.state == "draft")
        if not reqs:
            return
        budgets = self.env["hc.budget"]._for_requisitions(reqs)
        for budget in set(budgets.values()):
            budget.invalidate_recordset(["committed", "available"])
        auto_approved = self.browse()
        pending_budget = defaultdict(float)  # requisitions of this batch count against the budget too
        for req in reqs:
            budget = budgets.get(req.id)
            vals = {"budget_id": budget.id if budget else False, "over_budget": False}
            notes = []
            if budget:
                available = budget.available - pending_budget[budget.id]
                if float_compare(req.amount_total, available, precision_rounding=req.currency_id.rounding) > 0:
                    vals["over_budget"] = True
                    notes.append(
                        _(
                            "Over budget: %(amount)s asked, %(available)s available in %(budget)s.",
                            amount=req._fmt(req.amount_total),
                            available=req._fmt(available),
                            budget=budget.name,
                        )
                    )
            limit = req.company_id.hc_requisition_auto_approve_limit
            over_auto = bool(limit) and req.amount_total > limit
            if over_auto:
                notes.append(_("Above the automatic approval limit of %s.", req._fmt(limit)))
            with trust.privileged():
                req.write(vals)
            if not vals["over_budget"] and not over_auto:
                if budget:
                    pending_budget[budget.id] += req.amount_total
                auto_approved |= req
            else:
                req._hc_route(notes)
        if auto_approved:
            with trust.privileged():
                auto_approved.write(
                    {
                        "decided_at": fields.Datetime.now(),
                        "decision_reason": _("Within budget: approved automatically."),
                    }
                )
            auto_approved._hc_set_state("approved", _("Within budget: approved automatically."))
            auto_approved._hc_fulfil()

    def _fmt(self, amount):
        return f"{self.currency_id.symbol or ''}{amount:,.2f}"

    def _hc_approver_chain(self):
        """``[(user, limit)]`` up the department hierarchy from the requisition's department:
        each department's manager with an active user, never the requester."""
        self.ensure_one()
        chain, seen = [], set()
        dept = self.department_id
        while dept and dept.id not in seen:
            seen.add(dept.id)
            boss = dept.manager_id
            user = boss.user_id
            if (
                boss
                and boss.active
                and user
                and user.active
                and boss != self.requester_id
                and user.id not in {u.id for u, _l in chain}
            ):
                chain.append((user, boss._hc_approval_limit(self.currency_id)))
            dept = dept.parent_id
        return chain

    def _hc_route(self, notes, start_after=None):
        """Give the requisition to the first approver up the hierarchy whose limit covers it
        (over budget: from the level above the department's own manager)."""
        self.ensure_one()
        chain = self._hc_approver_chain()
        if start_after:
            idx = next((i for i, (u, _l) in enumerate(chain) if u == start_after), -1)
            chain = chain[idx + 1 :]
        elif self.over_budget and len(chain) > 1:
            notes.append(_("Overspending the department's budget is decided one level up."))
            chain = chain[1:]
        target = next(((u, lim) for u, lim in chain if lim >= self.amount_total), None)
        if not target and chain:
            target = chain[-1]
            notes.append(
                _(
                    "No approver's limit covers %s: routed to the top of the department hierarchy.",
                    self._fmt(self.amount_total),
                )
            )
        if target:
            user, limit = target
            notes.append(_("%(name)s may approve up to %(limit)s.", name=user.name, limit=self._fmt(limit)))
        else:
            user = self._hc_fallback_approver()
            notes.append(_("The department has no manager with a user: given to %s.", user.name))
        with trust.privileged():
            self.write({"approver_id": user.id, "routing_note": "\n".join(notes)})
        self._hc_set_state("waiting_approval")
        self.activity_unlink(["healthcare_requisition.mail_activity_requisition_approval"])
        self.activity_schedule(
            "healthcare_requisition.mail_activity_requisition_approval",
            summary=_("Approve requisition %(name)s (%(amount)s)", name=self.name, amount=self._fmt(self.amount_total))[
                :250
            ],
            note="\n".join(notes),
            user_id=user.id,
        )

    def _hc_reassign(self, user, previous):
        """The approver left: the requisition and its activity go to ``user`` (their manager)."""
        self.ensure_one()
        note = _("Reassigned from %(old)s, who left, to %(new)s.", old=previous.name, new=user.name)
        with trust.privileged():
            self.write({"approver_id": user.id, "routing_note": "\n".join(filter(None, [self.routing_note, note]))})
        acts = self.activity_ids.filtered(lambda a: a.user_id in (previous | user))
        acts.write({"user_id": user.id})
        self.message_post(body=note)

    def _hc_fallback_approver(self):
        group = self.env.ref("healthcare_workforce.group_hc_buyer")
        users = group.sudo().users.filtered(lambda u: u.active and not u.share)
        return users[:1] or self.env.ref("base.user_admin")

    # ------------------------------------------------------------------ decisions
    def _hc_check_decider(self):
        user = self.env.user
        for rec in self.sudo():  # reads the organisation (employees) the decider may not read; checks the decider
            if rec.state != "waiting_approval":
                raise UserError(_("Requisition %s is not waiting for approval.", rec.name))
            if rec.requester_id.user_id and rec.requester_id.user_id == user:
                raise UserError(_("You cannot decide your own requisition (%s).", rec.name))
            if rec.approver_id == user:
                continue
            if self.env.su or user.has_group("healthcare_integration_base.group_hc_manager"):
                continue  # the integration manager may decide in the approver's stead (recorded)
            # above the approver in the department hierarchy may decide too; below may not
            chain = [u.id for u, _l in rec._hc_approver_chain()]
            at = chain.index(rec.approver_id.id) if rec.approver_id.id in chain else 0
            if user.id not in chain[at:] or not user.has_group("healthcare_workforce.group_hc_department_approver"):
                raise AccessError(
                    _(
                        "Requisition %(name)s waits for %(who)s; only an approver of its department hierarchy "
                        "may decide it.",
                        name=rec.name,
                        who=rec.approver_id.name,
                    )
                )

    def _hc_user_limit(self, user):
        user = user.sudo()
        employee = user.employee_ids.filtered(lambda e: e.company_id == self.company_id)[:1] or user.employee_ids[:1]
        return employee._hc_approval_limit(self.currency_id) if employee else 0.0

    def action_approve(self, reason):
        """Approve with a reason: fulfilled at once. Above the approver's own limit, the
        requisition goes to the next approver up instead (the decision is recorded)."""
        if not (reason or "").strip():
            raise UserError(_("A decision needs a reason."))
        self._hc_check_decider()
        approved = self.browse()
        for rec in self:
            limit = rec.sudo()._hc_user_limit(self.env.user)
            if (
                not self.env.su
                and not self.env.user.has_group("healthcare_integration_base.group_hc_manager")
                and limit < rec.amount_total
            ):
                rec.message_post(
                    body=_(
                        "%(name)s agrees (%(reason)s) but may approve only up to %(limit)s.",
                        name=self.env.user.name,
                        reason=reason,
                        limit=rec._fmt(limit),
                    )
                )
                rec.sudo().activity_ids.filtered(lambda a, r=rec: a.user_id == r.approver_id).action_feedback(
                    feedback=_("Escalated: above %s's limit.", self.env.user.name)
                )
                rec.sudo()._hc_route(
                    [_("Escalated by %s: above their approval limit.", self.env.user.name)], start_after=self.env.user
                )
                continue
            approved |= rec
        if not approved:
            return True
        with trust.privileged():
            approved.sudo().write(
                {"decided_by_id": self.env.uid, "decided_at": fields.Datetime.now(), "decision_reason": reason.strip()}
            )
        approved.sudo().activity_ids.action_feedback(feedback=_("Approved: %s", reason.strip()))
        approved = approved.sudo()
        approved._hc_set_state("approved", reason.strip())
        approved._hc_fulfil()
        return True

    def action_reject(self, reason):
        """Reject with a reason: the department system is told why."""
        if not (reason or "").strip():
            raise UserError(_("A decision needs a reason."))
        self._hc_check_decider()
        with trust.privileged():
            self.sudo().write(
                {"decided_by_id": self.env.uid, "decided_at": fields.Datetime.now(), "decision_reason": reason.strip()}
            )
        self.sudo().activity_ids.action_feedback(feedback=_("Rejected: %s", reason.strip()))
        self.sudo()._hc_set_state("rejected", reason.strip())
        return True

    def action_cancel(self):
        for rec in self:
            if rec.state in ("done", "cancelled", "rejected"):
                raise UserError(_("Requisition %s is already closed.", rec.name))
            if not (
                self.env.user.has_group("healthcare_workforce.group_hc_buyer")
                or rec.sudo().requester_id.user_id == self.env.user
            ):
                raise AccessError(_("Only the requester or a buyer can cancel a requisition."))
        self.sudo().activity_ids.unlink()
        self.sudo()._hc_set_state("cancelled", _("Cancelled by %s", self.env.user.name))
        return True

    def action_open_decision_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Decide %s", ", ".join(self.mapped("name"))),
            "res_model": "hc.requisition.decision.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_requisition_ids": self.ids,
                "default_decision": self.env.context.get("decision", "approve"),
            },
        }

    def action_view_pickings(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Transfers"),
            "res_model": "stock.picking",
            "view_mode": "list,form",
            "domain": [("id", "in", self.picking_ids.ids)],
        }

    def action_view_purchases(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Purchase Orders"),
            "res_model": "purchase.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.purchase_ids.ids)],
        }

    # ------------------------------------------------------------------ fulfilment
    def _hc_fulfil(self):
        """Each line of the approved requisitions: an internal transfer from a store that has it
        (same facility, or the central store per facility setting), else a draft RFQ line with
        the preferred supplier at the contract price, one RFQ per supplier and facility."""
        reqs = self.filtered(lambda r: r.state == "approved")
        lines = reqs.line_ids.filtered(lambda ln: not ln.picking_id and not ln.purchase_line_id)
        if not lines:
            reqs._hc_after_fulfilment()
            return
        stock = self.env["stock.quant"]._hc_free_by_location(
            lines.product_id, lines.requisition_id._hc_source_warehouses()
        )
        taken = defaultdict(float)
        transfers = defaultdict(list)  # (requisition, source location) -> lines
        purchases = []
        for line in lines:
            req = line.requisition_id
            need = line.product_uom_id._compute_quantity(line.product_qty, line.product_id.uom_id)
            source = None
            for wh in req._hc_source_warehouses_of():
                candidates = [
                    (qty - taken[(line.product_id.id, loc.id)], loc)
                    for loc, qty in stock.get((line.product_id.id, wh.id), [])
                    if not (loc.parent_path or "").startswith(req.location_dest_id.parent_path or "-")
                ]
                candidates = [
                    c
                    for c in candidates
                    if float_compare(c[0], need, precision_rounding=line.product_id.uom_id.rounding) >= 0
                ]
                if candidates:
                    source = max(candidates, key=lambda c: c[0])[1]
                    break
            if source:
                taken[(line.product_id.id, source.id)] += need
                transfers[(req, source)].append(line)
            else:
                purchases.append(line)
        self._hc_create_transfers(transfers)
        self._hc_create_purchase_lines(purchases)
        reqs._hc_after_fulfilment()

    def _hc_after_fulfilment(self):
        for req in self:
            if (
                req.state == "approved"
                and req.line_ids
                and all(ln.picking_id or ln.purchase_line_id for ln in req.line_ids)
            ):
                req._hc_set_state("ordered")

    def _hc_source_warehouses(self):
        whs = self.env["stock.warehouse"]
        for req in self:
            whs |= req._hc_source_warehouses_of()
        return whs

    def _hc_source_warehouses_of(self):
        """Where this requisition may be served from, in order."""
        wh = self.location_dest_id.warehouse_id
        if not wh:
            return self.env["stock.warehouse"]
        if wh.hc_requisition_source == "central" and wh.hc_central_warehouse_id:
            return wh.hc_central_warehouse_id
        if wh.hc_requisition_source == "both" and wh.hc_central_warehouse_id:
            return wh | wh.hc_central_warehouse_id
        return wh

    @api.model
    def _hc_create_transfers(self, transfers):
        if not transfers:
            return
        Picking = self.env["stock.picking"]
        vals = []
        keys = list(transfers)
        for req, source in keys:
            wh = source.warehouse_id
            ptype = wh.int_type_id
            vals.append(
                {
                    "picking_type_id": ptype.id,
                    "location_id": source.id,
                    "location_dest_id": req.location_dest_id.id,
                    "origin": req.name,
                    "company_id": req.company_id.id,
                    "scheduled_date": req.needed_by or fields.Datetime.now(),
                    "hc_requisition_id": req.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": line.product_id.display_name,
                                "product_id": line.product_id.id,
                                "product_uom_qty": line.product_qty,
                                "product_uom": line.product_uom_id.id,
                                "location_id": source.id,
                                "location_dest_id": req.location_dest_id.id,
                                "company_id": req.company_id.id,
                                "hc_requisition_line_id": line.id,
                            }
                        )
                        for line in transfers[(req, source)]
                    ],
                }
            )
        pickings = Picking.create(vals)
        pickings.action_confirm()
        pickings.action_assign()
        for picking in pickings:
            for move in picking.move_ids:
                move.hc_requisition_line_id.write(
                    {"fulfilment": "transfer", "picking_id": picking.id, "move_id": move.id}
                )

    @api.model
    def _hc_create_purchase_lines(self, lines):
        if not lines:
            return
        PO = self.env["purchase.order"]
        plan = {}  # line -> seller
        no_seller = []
        for line in lines:
            req = line.requisition_id
            seller = line.product_id._select_seller(
                quantity=line.product_qty, date=req.needed_by or fields.Date.today(), uom_id=line.product_uom_id
            )
            if seller:
                plan[line] = seller
            else:
                no_seller.append(line)
        if no_seller:
            for line in no_seller:
                line.write({"fulfilment": "purchase", "note": _("No supplier: a buyer must choose one.")})
            for req in self.browse([ln.requisition_id.id for ln in no_seller]):
                req.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=_("Choose a supplier for requisition %s", req.name),
                    user_id=req._hc_fallback_approver().id,
                )
        if not plan:
            return
        keys = {
            (s.partner_id.id, ln.requisition_id.company_id.id, ln.requisition_id._hc_receipt_type().id)
            for ln, s in plan.items()
        }
        existing = PO.search(
            [
                ("state", "=", "draft"),
                ("hc_from_requisitions", "=", True),
                ("partner_id", "in", list({k[0] for k in keys})),
                ("company_id", "in", list({k[1] for k in keys})),
            ]
        )
        orders = {(po.partner_id.id, po.company_id.id, po.picking_type_id.id): po for po in existing}
        missing = [k for k in keys if k not in orders]
        if missing:
            origin = _("Requisitions")
            created = PO.create(
                [
                    {
                        "partner_id": p,
                        "company_id": c,
                        "picking_type_id": t,
                        "hc_from_requisitions": True,
                        "origin": origin,
                    }
                    for p, c, t in missing
                ]
            )
            orders.update(dict(zip(missing, created, strict=True)))
        line_vals, ordered = [], []
        for line, seller in plan.items():
            req = line.requisition_id
            order = orders[(seller.partner_id.id, req.company_id.id, req._hc_receipt_type().id)]
            price = (
                seller.product_uom._compute_price(seller.price, line.product_uom_id)
                if seller.product_uom
                else seller.price
            )
            price = (
                seller.currency_id._convert(price, order.currency_id, req.company_id, fields.Date.today())
                if seller.currency_id and seller.currency_id != order.currency_id
                else price
            )
            vals = {
                "order_id": order.id,
                "product_id": line.product_id.id,
                "name": line.product_id.display_name,
                "product_qty": line.product_qty,
                "product_uom": line.product_uom_id.id,
                "price_unit": price,
                "date_planned": req.needed_by or fields.Datetime.now(),
                "hc_requisition_line_id": line.id,
            }
            if req.cost_center_id:
                vals["analytic_distribution"] = {str(req.cost_center_id.id): 100}
            line_vals.append(vals)
            ordered.append(line)
        po_lines = self.env["purchase.order.line"].create(line_vals)
        for line, pol in zip(ordered, po_lines, strict=True):
            line.write({"fulfilment": "purchase", "purchase_line_id": pol.id})
        for order in set(po_lines.order_id):
            origins = set(filter(None, (order.origin or "").split(", "))) - {_("Requisitions")}
            origins |= set(
                po_lines.filtered(lambda pl, o=order: pl.order_id == o).hc_requisition_line_id.requisition_id.mapped(
                    "name"
                )
            )
            order.origin = ", ".join(sorted(origins))[:250]

    def _hc_receipt_type(self):
        wh = self.location_dest_id.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
        return wh.in_type_id

    # ------------------------------------------------------------------ receipt progress
    def _hc_update_progress(self):
        """After goods moved: partially received or delivered, published once per change."""
        self.line_ids.invalidate_recordset(["qty_received"])
        for req in self.filtered(lambda r: r.state in ("ordered", "partially_received")):
            lines = req.line_ids
            done = [
                ln
                for ln in lines
                if float_compare(ln.qty_received, ln.product_qty, precision_rounding=ln.product_uom_id.rounding or 0.01)
                >= 0
            ]
            some = any(
                not float_is_zero(ln.qty_received, precision_rounding=ln.product_uom_id.rounding or 0.01)
                for ln in lines
            )
            if lines and len(done) == len(lines):
                req._hc_set_state("done")
            elif some:
                req._hc_set_state("partially_received")


class HcRequisitionLine(models.Model):
    _name = "hc.requisition.line"
    _description = "Requisition Item"
    _order = "requisition_id, sequence, id"

    requisition_id = fields.Many2one("hc.requisition", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="requisition_id.company_id", store=True)
    currency_id = fields.Many2one(related="requisition_id.currency_id")
    state = fields.Selection(related="requisition_id.state")
    item_code = fields.Char(string="Item Code (sender's)", readonly=True)
    product_id = fields.Many2one("product.product", string="Item", required=True, index=True)
    product_qty = fields.Float(string="Quantity", required=True, digits="Product Unit of Measure")
    product_uom_id = fields.Many2one("uom.uom", string="Unit", required=True)
    price_unit = fields.Float(string="Estimated Unit Price", digits="Product Price")
    price_subtotal = fields.Monetary(
        compute="_compute_subtotal", store=True, currency_field="currency_id", string="Estimated Amount"
    )
    fulfilment = fields.Selection(
        [("transfer", "Internal transfer"), ("purchase", "Purchase")],
        readonly=True,
        help="How this item is being provided.",
    )
    picking_id = fields.Many2one("stock.picking", string="Transfer", readonly=True, index="btree_not_null")
    move_id = fields.Many2one("stock.move", readonly=True, index="btree_not_null")
    purchase_line_id = fields.Many2one(
        "purchase.order.line", string="Purchase Order Line", readonly=True, index="btree_not_null"
    )
    purchase_order_id = fields.Many2one(related="purchase_line_id.order_id", string="Purchase Order")
    qty_received = fields.Float(
        compute="_compute_qty_received", string="Received", digits="Product Unit of Measure", compute_sudo=True
    )
    note = fields.Char()

    @api.depends("product_qty", "price_unit")
    def _compute_subtotal(self):
        for line in self:
            line.price_subtotal = line.product_qty * line.price_unit

    def _compute_qty_received(self):
        for line in self:
            if line.fulfilment == "transfer" and line.picking_id:
                # the transfer's moves and its backorders' (they carry the line too)
                moves = self.env["stock.move"].search(
                    [("hc_requisition_line_id", "=", line.id), ("state", "=", "done")]
                )
                line.qty_received = sum(m.product_uom._compute_quantity(m.quantity, line.product_uom_id) for m in moves)
            elif line.purchase_line_id:
                pol = line.purchase_line_id
                line.qty_received = pol.product_uom._compute_quantity(pol.qty_received, line.product_uom_id)
            else:
                line.qty_received = 0.0


class HcRequisitionDecisionWizard(models.TransientModel):
    _name = "hc.requisition.decision.wizard"
    _description = "Decide a requisition"

    requisition_ids = fields.Many2many("hc.requisition")
    decision = fields.Selection([("approve", "Approve"), ("reject", "Reject")], required=True, default="approve")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if self.decision == "approve":
            self.requisition_ids.action_approve(self.reason)
        else:
            self.requisition_ids.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
