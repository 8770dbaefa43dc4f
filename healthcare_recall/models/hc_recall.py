"""A recall case: one product, its recalled lots, where they came from, are and went; one action
to quarantine them everywhere; closed with who and why.

The trace is read with a handful of SQL statements over the lot's move lines (indexed on the lot;
the encounter, correction flag and reporting message are noted on each line), never record by
record, and aggregated in PostgreSQL: a lot with 100,000 movements gives a few hundred rows
(consumption per location and day with a few encounter references and their count, the rest per
place); every encounter reference is paged by ``get_trace_encounters``. ``tests/bench_recall_trace.py``
prints the times.
"""

from collections import defaultdict

from markupsafe import Markup

from odoo import _, api, fields, models, tools
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

TRACE_ENCOUNTERS = 5  # encounter references per consumed row of the trace (all of them: get_trace_encounters)
SCREEN_ENCOUNTERS = 5  # ... and on the case's screen and in the printed report
DAILY_KINDS = frozenset({"consumed", "received"})  # trace rows per day; the other kinds per place
MAX_ENCOUNTER_PAGE = 5000  # at most this many references per get_trace_encounters call
STATES = [("open", "Open"), ("quarantined", "Quarantined"), ("closed", "Closed")]
GUARDED = frozenset(
    {
        "state",
        "quarantined_by_id",
        "quarantined_at",
        "closed_by_id",
        "closed_at",
        "close_reason",
        "notice_message_id",
    }
)
# how a done movement of the lot reads to a pharmacist (see _trace_movements: f is the folded lines)
KIND_SQL = """
    CASE
      WHEN src.usage = 'supplier' AND dst.usage IN ('internal', 'transit') THEN 'received'
      WHEN f.hc_correction THEN 'correction'
      WHEN src.usage = 'internal' AND (dst.hc_usage_kind = 'consumption' OR dst.usage = 'customer') THEN 'consumed'
      WHEN src.usage = 'internal' AND (dst.hc_usage_kind = 'waste' OR dst.scrap_location) THEN 'wasted'
      WHEN src.hc_usage_kind = 'consumption' AND dst.usage = 'internal' THEN 'returned'
      WHEN src.usage = 'customer' AND dst.usage = 'internal' THEN 'returned'
      WHEN src.usage IN ('internal', 'transit') AND dst.usage = 'supplier' THEN 'returned_to_supplier'
      WHEN src.usage IN ('internal', 'transit') AND dst.usage IN ('internal', 'transit') THEN 'transferred'
      ELSE 'other'
    END
"""


class HcRecall(models.Model):
    _name = "hc.recall"
    _description = "Recall Case"
    _inherit = ["mail.thread", "mail.activity.mixin", "hc.guarded.mixin"]
    _order = "id desc"
    _check_company_auto = True

    # state and who/when of each step are written only by the actions
    _hc_guarded_fields = GUARDED

    name = fields.Char(string="Reference", required=True, copy=False, default=lambda self: _("New"), tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    product_id = fields.Many2one(
        "product.product",
        string="Product",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('tracking', 'in', ('lot', 'serial'))]",
    )
    gtin = fields.Char(related="product_id.barcode", string="GTIN / Barcode")
    lot_ids = fields.Many2many(
        "stock.lot",
        "hc_recall_stock_lot_rel",
        "recall_id",
        "lot_id",
        string="Lots / Serial Numbers",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
        tracking=True,
    )
    unknown_lots = fields.Char(
        string="Lots Not Known Here",
        help="Lots the notice names that this company never had (nothing to trace for them).",
    )
    reason = fields.Text(tracking=True, help="Why the lots are recalled, as the notice says.")
    classification = fields.Selection(
        [("I", "Class I (serious harm)"), ("II", "Class II"), ("III", "Class III")], tracking=True
    )
    source = fields.Char(string="Issued By", help="Supplier, manufacturer or authority that issued the recall.")
    external_ref = fields.Char(string="Notice Reference", index=True, help="The recall notice's own id.")
    issued_at = fields.Datetime(string="Issued On")
    notice_message_id = fields.Many2one("hc.inbound.message", string="Notice Message", readonly=True, copy=False)
    state = fields.Selection(STATES, default="open", required=True, index=True, tracking=True, readonly=True)
    quarantined_by_id = fields.Many2one("res.users", string="Quarantined By", readonly=True, copy=False)
    quarantined_at = fields.Datetime(string="Quarantined On", readonly=True, copy=False)
    closed_by_id = fields.Many2one("res.users", string="Closed By", readonly=True, copy=False, tracking=True)
    closed_at = fields.Datetime(string="Closed On", readonly=True, copy=False, tracking=True)
    close_reason = fields.Text(string="Closing Reason", readonly=True, copy=False, tracking=True)
    trace_html = fields.Html(string="Trace", compute="_compute_trace_html", sanitize=False)
    on_hand_qty = fields.Float(string="On Hand", compute="_compute_totals", digits="Product Unit of Measure")
    consumed_qty = fields.Float(string="Consumed", compute="_compute_totals", digits="Product Unit of Measure")
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")

    def init(self):
        cr = self.env.cr
        # the trace reads every movement and quant of a lot: index them by lot
        tools.create_index(
            cr, "hc_recall_sml_lot_idx", "stock_move_line", ["lot_id", "state"], where="lot_id IS NOT NULL"
        )
        # a page of encounter references: one lot's done movements from one location on one day
        tools.create_index(
            cr,
            "hc_recall_sml_lot_loc_date_idx",
            "stock_move_line",
            ["lot_id", "location_id", "date"],
            where="lot_id IS NOT NULL AND state = 'done'",
        )
        # messages held on a lot: the exceptions that concern a record (res_model, res_id)
        tools.create_index(
            cr, "hc_recall_exception_res_idx", "hc_exception", ["res_id", "res_model"], where="res_id IS NOT NULL"
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].sudo().next_by_code("hc.recall") or _("New")
        return super().create(vals_list)

    @api.constrains("product_id", "lot_ids")
    def _check_lots(self):
        for rec in self:
            if rec.lot_ids.product_id - rec.product_id:
                raise UserError(_("Every recalled lot must be a lot of %s.", rec.product_id.display_name))

    def write(self, vals):
        if {"product_id", "lot_ids", "company_id"} & set(vals) and not self.env.su:
            if any(rec.state != "open" for rec in self):
                raise UserError(_("The product and lots of a recall are fixed once it is quarantined."))
        return super().write(vals)

    def _hc_notify_opened(self):
        """A notice opened the case: the Pharmacy team reviews it and quarantines."""
        team = self.env.ref("healthcare_inventory_sync.hc_team_pharmacy", raise_if_not_found=False)
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for rec in self:
            rec.sudo().activity_schedule(
                activity_type_id=activity_type.id if activity_type else False,
                summary=_("Recall notice: review and quarantine %s", rec.product_id.display_name)[:250],
                note=rec.reason,
                user_id=(team._activity_user() if team else self.env.ref("base.user_admin")).id,
            )

    # ------------------------------------------------------------------ permissions
    def _check_recall_user(self):
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("stock.group_stock_user")
            or user.has_group("healthcare_integration_base.group_hc_approver")
            or user.has_group("healthcare_integration_base.group_hc_manager")
        ):
            raise AccessError(_("Only Inventory users, Exception Approvers and Integration Managers work recalls."))
        self.check_access("write")

    # ------------------------------------------------------------------ quarantine everywhere
    def action_quarantine_all(self):
        """Quarantine every lot of the case (all facilities of its company), one activity per
        location owner to pull the stock, one ``lot.recalled`` event per lot, once."""
        self._check_recall_user()
        for rec in self:
            if rec.state != "open":
                raise UserError(_("Recall %s is already quarantined or closed.", rec.name))
            if not rec.lot_ids:
                raise UserError(_("Recall %s names no lot known here: nothing to quarantine.", rec.name))
        for rec in self:
            lots = rec.lot_ids.sudo()
            reason = _("Recall %(name)s: %(reason)s", name=rec.name, reason=rec.reason or _("recalled"))
            todo = lots.filtered(lambda lot: not lot.hc_quarantined)
            if todo:
                todo.with_user(self.env.user).action_hc_quarantine(reason)
            with trust.privileged():
                lots.write({"hc_recall_id": rec.id})
                rec.write(
                    {"state": "quarantined", "quarantined_by_id": self.env.uid, "quarantined_at": fields.Datetime.now()}
                )
            rec.sudo()._schedule_pull_activities()
            rec.sudo()._publish_recalled()
            rec.message_post(
                body=_(
                    "Quarantined %(count)s lot(s) in every facility of %(company)s.",
                    count=len(lots),
                    company=rec.company_id.name,
                )
            )
        return True

    def _location_owner(self, location):
        """Who pulls recalled stock from a location: the owner team of its facility (the warehouse's
        'Owner Team'), else the Pharmacy team."""
        team = location.warehouse_id.hc_owner_team_id
        return team or self.env.ref("healthcare_inventory_sync.hc_team_pharmacy", raise_if_not_found=False)

    def _schedule_pull_activities(self):
        """One activity per location owner, listing the locations and quantities to pull."""
        self.ensure_one()
        rows = self._trace_on_hand()
        by_owner = defaultdict(list)
        Location = self.env["stock.location"].sudo()
        for row in rows:
            if row["usage"] != "internal" or row["quantity"] <= 0:
                continue
            location = Location.browse(row["location_id"])
            by_owner[self._location_owner(location)].append(row)
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        for team, team_rows in by_owner.items():
            user = team._activity_user() if team else self.env.ref("base.user_admin")
            lines = Markup("").join(
                Markup("<li>%s: %s %s %s (lot %s)</li>")
                % (r["facility"] or "", r["location"], r["quantity"], self.uom_id.name, r["lot"])
                for r in team_rows
            )
            self.sudo().activity_schedule(
                activity_type_id=activity_type.id if activity_type else False,
                summary=_(
                    "Pull recalled stock: %(product)s (%(team)s)",
                    product=self.product_id.display_name,
                    team=team.name if team else "",
                )[:250],
                note=Markup("<p>%s</p><ul>%s</ul>") % (_("Take these quantities out of use:"), lines),
                user_id=user.id,
            )

    def _publish_recalled(self):
        """``lot.recalled`` to subscribed systems (cabinets block dispensing), one per lot of the case."""
        self.ensure_one()
        product = self.product_id
        self.env["hc.event.subscription"]._publish(
            "lot.recalled",
            [
                {
                    "company_id": self.company_id.id,
                    "res_model": "hc.recall",
                    "res_id": self.id,
                    "data": {
                        "recall": self.name,
                        "notice_ref": self.external_ref or None,
                        "lot": lot.name,
                        "product": product.default_code or product.display_name,
                        "gtin": product.hc_gtin14 or None,
                        "expiry": (lot.expiration_date and lot.expiration_date.date().isoformat()) or None,
                        "reason": self.reason or None,
                        "classification": self.classification or None,
                    },
                }
                for lot in self.lot_ids.sudo()
            ],
        )

    # ------------------------------------------------------------------ closing
    def action_close(self, reason):
        """Close the case (stock returned or destroyed), recording who and why. The lots stay
        quarantined (releasing them is the four-eyes release of the lot); inventory events for
        them are no longer held as ``lot_recalled``."""
        if not (reason or "").strip():
            raise UserError(_("Closing a recall needs a reason (returned to the supplier, destroyed, ...)."))
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("healthcare_integration_base.group_hc_approver")
            or user.has_group("healthcare_integration_base.group_hc_manager")
        ):
            raise AccessError(_("Only an Exception Approver or an Integration Manager closes a recall."))
        self.check_access("write")
        for rec in self:
            if rec.state == "closed":
                raise UserError(_("Recall %s is already closed.", rec.name))
        with trust.privileged():
            for rec in self:
                lots = rec.lot_ids.sudo().filtered(lambda lot, r=rec: lot.hc_recall_id == r)
                lots.write({"hc_recall_id": False})
                rec.write(
                    {
                        "state": "closed",
                        "closed_by_id": self.env.uid,
                        "closed_at": fields.Datetime.now(),
                        "close_reason": reason.strip(),
                    }
                )
                rec.activity_ids.sudo().action_feedback(feedback=_("Recall closed: %s", reason.strip()))
                rec.message_post(body=_("Closed by %(user)s: %(reason)s", user=user.name, reason=reason.strip()))
        return True

    def action_view_encounters(self):
        """Every consumption of the case's lots with its pseudonymised encounter reference, grouped by
        location and day: clinical staff page, filter and export them (the trace lists the first few)."""
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": _("Encounter References: %s", self.name),
            "res_model": "stock.move",
            "view_mode": "list",
            "views": [(self.env.ref("healthcare_recall.hc_recall_encounter_view_list").id, "list")],
            "domain": [
                ("move_line_ids.lot_id", "in", self.lot_ids.ids),
                ("state", "=", "done"),
                ("hc_encounter_ref", "!=", False),
                ("hc_correction", "=", False),
            ],
            "context": {"group_by": ["location_id", "date:day"], "create": False, "edit": False, "delete": False},
        }

    def action_open_close_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Close recall"),
            "res_model": "hc.recall.close.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_recall_id": self.id},
        }

    # ------------------------------------------------------------------ trace (SQL)
    def get_trace(self):
        """The whole trace as plain data (also over RPC): origin, where it is, where it went."""
        self.ensure_one()
        self.check_access("read")
        return _no_none(self.sudo()._trace())

    def _trace(self):
        self.ensure_one()
        self.env.flush_all()
        lot_ids = self.lot_ids.ids
        movements = self._trace_movements()
        totals = defaultdict(float)
        sections = defaultdict(list)
        for row in movements:
            totals[row["kind"]] += row["quantity"]
            sections[row["kind"]].append(row)
        on_hand = self._trace_on_hand()
        lots = self.lot_ids.sudo()
        return {
            "recall": self.name,
            "product": self.product_id.display_name,
            "lots": [
                {
                    "id": lot.id,
                    "name": lot.name,
                    "expiry": (lot.expiration_date and lot.expiration_date.date().isoformat()) or None,
                    "quarantined": lot.hc_quarantined,
                }
                for lot in lots
            ],
            "origin": self._hc_recall_origin_rows(lot_ids),
            "on_hand": [r for r in on_hand if r["usage"] == "internal"],
            "in_transit": [r for r in on_hand if r["usage"] == "transit"] + self._trace_open_moves(),
            "consumed": sections["consumed"],
            "wasted": sections["wasted"],
            "returned": sections["returned"],
            "returned_to_supplier": sections["returned_to_supplier"],
            "transferred": sections["transferred"],
            "corrections": sections["correction"],
            "waiting_messages": self._trace_waiting(lot_ids),
            "totals": {
                "received": totals["received"],
                "on_hand": sum(r["quantity"] for r in on_hand if r["usage"] == "internal"),
                "reserved": sum(r["reserved"] for r in on_hand),
                "in_transit": sum(r["quantity"] for r in on_hand if r["usage"] == "transit"),
                "consumed": totals["consumed"],
                "wasted": totals["wasted"],
                "returned": totals["returned"],
                "returned_to_supplier": totals["returned_to_supplier"],
                "transferred": totals["transferred"],
                "corrections": totals["correction"],
            },
        }

    def _consumed_total(self):
        """What of the lots was used on patients (one sum, without reading the messages)."""
        self.env.cr.execute(
            SQL(
                """
            SELECT coalesce(sum(ml.quantity_product_uom), 0)
              FROM stock_move_line ml
              JOIN stock_location src ON src.id = ml.location_id AND src.usage = 'internal'
              JOIN stock_location dst ON dst.id = ml.location_dest_id
             WHERE ml.lot_id = ANY(%s) AND ml.state = 'done'
               AND (dst.hc_usage_kind = 'consumption' OR dst.usage = 'customer')
                """,
                self.lot_ids.ids,
            )
        )
        return float(self.env.cr.fetchone()[0])

    def _trace_movements(self):
        """Done movements of the lots, per kind, day, from, to and lot (aggregated in SQL: a lot with
        100,000 movements gives a few hundred rows). Consumptions carry the number of distinct
        pseudonymised encounter references (``stock.move.line.hc_encounter_ref``, noted on each
        line when its event was posted) and the first ``TRACE_ENCOUNTERS`` of them in alphabetical order;
        ``get_trace_encounters`` pages through all of them for one location and day."""
        lot_ids = self.lot_ids.ids
        if not lot_ids:
            return []
        # the lot's lines are first folded per lot, day, from, to and correction flag (the lines
        # alone: no move, no message body read), then classified: the CASE runs on the folded rows
        self.env.cr.execute("SET LOCAL work_mem = '64MB'")
        self.env.cr.execute(
            SQL(
                """
            WITH f AS (
                SELECT ml.lot_id, ml.date::date AS day, ml.location_id, ml.location_dest_id,
                       coalesce(ml.hc_correction, false) AS hc_correction,
                       sum(ml.quantity_product_uom) AS qty, count(*) AS moves, count(ml.hc_message_id) AS messages,
                       array_agg(DISTINCT ml.hc_encounter_ref) FILTER (WHERE ml.hc_encounter_ref IS NOT NULL)
                           AS encounters
                  FROM stock_move_line ml
                 WHERE ml.lot_id = ANY(%(lots)s) AND ml.state = 'done'
                 GROUP BY 1, 2, 3, 4, 5
            )
            SELECT %(kind)s AS kind, f.day, f.location_id, f.location_dest_id, src.warehouse_id, dst.warehouse_id,
                   f.lot_id, f.qty, f.moves, f.messages, coalesce(cardinality(f.encounters), 0),
                   f.encounters[1:%(first)s]
              FROM f
              JOIN stock_location src ON src.id = f.location_id
              JOIN stock_location dst ON dst.id = f.location_dest_id
             ORDER BY f.day, 1, f.location_id, f.location_dest_id
                """,
                lots=lot_ids,
                first=TRACE_ENCOUNTERS,
                kind=SQL(KIND_SQL),
            )
        )
        raw = self.env.cr.fetchall()
        names = self._names(
            {r[2] for r in raw} | {r[3] for r in raw}, {r[4] for r in raw} | {r[5] for r in raw}, {r[6] for r in raw}
        )
        locs, whs, lots = names
        merged = {}
        for kind, on, src, dst, src_wh, dst_wh, lot, qty, moves, messages, n_enc, first_enc in raw:
            # consumption and receipts per day; waste, returns, transfers and corrections per place
            # (with their first and last day): a pharmacist asks where those went, not on which day.
            # A correction and a plain receipt between the same places the same day are both
            # 'received': added up.
            key = (kind, on if kind in DAILY_KINDS else None, src, dst, lot)
            row = merged.get(key)
            day = on.isoformat()
            if row is None:
                at_dst = kind in ("returned", "received")
                row = merged[key] = {
                    "kind": kind,
                    "day": day,
                    "lot_id": lot,
                    "location_id": dst if at_dst else src,
                    "from_location": locs.get(src),
                    "from_facility": whs.get(src_wh),
                    "to_location": locs.get(dst),
                    "to_facility": whs.get(dst_wh),
                    "location": locs.get(dst if at_dst else src),
                    "facility": whs.get(dst_wh if at_dst else src_wh),
                    "lot": lots.get(lot),
                    "quantity": 0.0,
                    "movements": 0,
                    "messages": 0,
                }
                if kind == "consumed":
                    row.update(encounter_count=0, encounters=[])
                elif kind not in DAILY_KINDS:  # per place: over which days
                    row.update(first_day=day, last_day=day, days=0, encounters=[])
                else:
                    row["encounters"] = []
            if "days" in row:
                if day != row["last_day"] or not row["days"]:
                    row["days"] += 1  # the folded rows come in day order
                row["last_day"] = day
            row["quantity"] += float(qty or 0.0)
            row["movements"] += moves
            row["messages"] += messages
            if kind == "consumed":
                row["encounter_count"] += n_enc
                row["encounters"] = sorted({*row["encounters"], *(first_enc or [])})[:TRACE_ENCOUNTERS]
        return list(merged.values())

    def get_trace_encounters(self, location_id, day, offset=0, limit=500, lot_id=None):
        """Every pseudonymised encounter reference of the consumptions of the case's lots at one
        location on one day (as the trace's consumed rows give them: ``location_id``, ``day``), a
        page at a time, in alphabetical order; ``total`` says how many there are. Over RPC too."""
        self.ensure_one()
        self.check_access("read")
        limit = max(1, min(int(limit or 500), MAX_ENCOUNTER_PAGE))
        offset = max(0, int(offset or 0))
        lot_ids = self.lot_ids.ids
        if lot_id:
            lot_ids = [lid for lid in lot_ids if lid == int(lot_id)]
        day = fields.Date.to_date(day)
        if not lot_ids or not day:
            return {"location_id": location_id, "day": str(day or ""), "total": 0, "offset": offset, "encounters": []}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            SELECT ml.hc_encounter_ref, count(*) OVER ()
              FROM stock_move_line ml
              JOIN stock_location dst ON dst.id = ml.location_dest_id
             WHERE ml.lot_id = ANY(%(lots)s) AND ml.state = 'done' AND ml.location_id = %(loc)s
               AND ml.date >= %(day)s AND ml.date < %(day)s + 1
               AND ml.hc_encounter_ref IS NOT NULL AND NOT coalesce(ml.hc_correction, false)
               AND (dst.hc_usage_kind = 'consumption' OR dst.usage = 'customer')
             GROUP BY ml.hc_encounter_ref
             ORDER BY ml.hc_encounter_ref
            OFFSET %(offset)s LIMIT %(limit)s
                """,
                lots=lot_ids,
                loc=int(location_id),
                day=day,
                offset=offset,
                limit=limit,
            )
        )
        raw = self.env.cr.fetchall()
        total = raw[0][1] if raw else self._count_encounters(lot_ids, int(location_id), day) if offset else 0
        return {
            "location_id": int(location_id),
            "day": day.isoformat(),
            "total": total,
            "offset": offset,
            "encounters": [ref for ref, _n in raw],
        }

    def _count_encounters(self, lot_ids, location_id, day):
        self.env.cr.execute(
            SQL(
                """
            SELECT count(DISTINCT ml.hc_encounter_ref)
              FROM stock_move_line ml
              JOIN stock_location dst ON dst.id = ml.location_dest_id
             WHERE ml.lot_id = ANY(%s) AND ml.state = 'done' AND ml.location_id = %s
               AND ml.date >= %s AND ml.date < %s + 1
               AND NOT coalesce(ml.hc_correction, false)
               AND (dst.hc_usage_kind = 'consumption' OR dst.usage = 'customer')
                """,
                lot_ids,
                location_id,
                day,
                day,
            )
        )
        return self.env.cr.fetchone()[0]

    def _names(self, location_ids, warehouse_ids, lot_ids):
        """Display names of the locations, facilities and lots of a trace, one query each."""
        location_ids, warehouse_ids, lot_ids = ([i for i in ids if i] for ids in (location_ids, warehouse_ids, lot_ids))
        env = self.env
        locs = {rec.id: rec.complete_name or rec.name for rec in env["stock.location"].sudo().browse(location_ids)}
        whs = {rec.id: rec.name for rec in env["stock.warehouse"].sudo().browse(warehouse_ids)}
        lots = {rec.id: rec.name for rec in env["stock.lot"].sudo().browse(lot_ids)}
        return locs, whs, lots

    def _trace_on_hand(self):
        """On hand now, per lot and location (internal and in transit), with what is reserved."""
        lot_ids = self.lot_ids.ids
        if not lot_ids:
            return []
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            SELECT q.lot_id, q.location_id, l.warehouse_id, l.usage, sum(q.quantity), sum(q.reserved_quantity)
              FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
             WHERE q.lot_id = ANY(%s) AND l.usage IN ('internal', 'transit')
             GROUP BY q.lot_id, q.location_id, l.warehouse_id, l.usage
            HAVING sum(q.quantity) <> 0 OR sum(q.reserved_quantity) <> 0
             ORDER BY l.warehouse_id, q.location_id
                """,
                lot_ids,
            )
        )
        raw = self.env.cr.fetchall()
        locs, whs, lots = self._names({r[1] for r in raw}, {r[2] for r in raw}, {r[0] for r in raw})
        return [
            {
                "lot": lots.get(lot),
                "location_id": loc,
                "location": locs.get(loc),
                "facility": whs.get(wh),
                "usage": usage,
                "quantity": float(qty or 0.0),
                "reserved": float(reserved or 0.0),
            }
            for lot, loc, wh, usage, qty, reserved in raw
        ]

    def _trace_open_moves(self):
        """Transfers of the lots planned or under way (reserved for another place, not done yet)."""
        lot_ids = self.lot_ids.ids
        if not lot_ids:
            return []
        self.env.cr.execute(
            SQL(
                """
            SELECT ml.lot_id, ml.location_id, ml.location_dest_id, src.warehouse_id, dst.warehouse_id,
                   sum(ml.quantity_product_uom), min(ml.reference)
              FROM stock_move_line ml
              JOIN stock_location src ON src.id = ml.location_id
              JOIN stock_location dst ON dst.id = ml.location_dest_id
             WHERE ml.lot_id = ANY(%s) AND ml.state IN ('waiting', 'confirmed', 'partially_available', 'assigned')
             GROUP BY 1, 2, 3, 4, 5
                """,
                lot_ids,
            )
        )
        raw = self.env.cr.fetchall()
        locs, whs, lots = self._names(
            {r[1] for r in raw} | {r[2] for r in raw}, {r[3] for r in raw} | {r[4] for r in raw}, {r[0] for r in raw}
        )
        return [
            {
                "lot": lots.get(lot),
                "usage": "planned",
                "location": locs.get(src),
                "facility": whs.get(swh),
                "to_location": locs.get(dst),
                "to_facility": whs.get(dwh),
                "quantity": float(qty or 0.0),
                "reserved": float(qty or 0.0),
                "reference": ref,
            }
            for lot, src, dst, swh, dwh, qty, ref in raw
        ]

    def _trace_waiting(self, lot_ids):
        """Inbound messages held on these lots (recalled, quarantined, expired) and waiting for a person."""
        if not lot_ids:
            return []
        self.env.cr.execute(
            SQL(
                """
            SELECT m.id, ep.code, m.message_type, e.code, m.received_at, m.state
              FROM hc_exception e
              JOIN hc_inbound_message m ON m.exception_id = e.id
              JOIN hc_endpoint ep ON ep.id = m.endpoint_id
             WHERE e.res_model = 'stock.lot' AND e.res_id = ANY(%s) AND m.state = 'failed'
             ORDER BY m.received_at
             LIMIT 500
                """,
                lot_ids,
            )
        )
        return [
            {"message_id": mid, "endpoint": ep, "type": mtype, "code": code, "received_at": str(at), "state": state}
            for mid, ep, mtype, code, at, state in self.env.cr.fetchall()
        ]

    @api.model
    def _hc_recall_origin_rows(self, lot_ids):
        """Where the lots came from: each receipt (from a supplier location) with its supplier,
        receipt reference, source document and the inbound message that reported it.

        The procurement addon extends this (purchase order, ship notice) through the receipt's
        stock moves; here only what ``stock`` and the inbound queue know is read.
        """
        if not lot_ids:
            return []
        self.env.cr.execute(
            SQL(
                """
            SELECT ml.lot_id, ml.date, ml.quantity_product_uom, ml.location_dest_id, dst.warehouse_id,
                   mv.id, p.name, p.origin, coalesce(pp.name, rp.name), mv.origin, im.id, e.code, ml.id
              FROM stock_move_line ml
              JOIN stock_move mv ON mv.id = ml.move_id
              JOIN stock_location dst ON dst.id = ml.location_dest_id
              LEFT JOIN stock_picking p ON p.id = mv.picking_id
              LEFT JOIN res_partner pp ON pp.id = p.partner_id
              LEFT JOIN res_partner rp ON rp.id = mv.partner_id
              LEFT JOIN hc_endpoint e ON e.code = split_part(mv.origin, ':', 1)
              LEFT JOIN hc_inbound_message im
                     ON im.endpoint_id = e.id AND im.idempotency_key = substr(mv.origin, length(e.code) + 2)
             WHERE ml.lot_id = ANY(%s) AND ml.state = 'done' AND ml.location_id = ANY(%s)
             ORDER BY ml.date
             LIMIT 1000
                """,
                lot_ids,
                self.env["stock.location"]
                .sudo()
                .with_context(active_test=False)
                .search([("usage", "=", "supplier")])
                .ids,
            )
        )
        raw = self.env.cr.fetchall()
        locs, whs, lots = self._names({r[3] for r in raw}, {r[4] for r in raw}, {r[0] for r in raw})
        return [
            {
                "lot": lots.get(lot),
                "date": str(date),
                "quantity": float(qty or 0.0),
                "location": locs.get(dest),
                "facility": whs.get(wh),
                "move_id": move_id,
                "move_line_id": line_id,
                "receipt": picking,
                "source_document": picking_origin,
                "supplier": supplier,
                "reference": move_origin,
                "message_id": message_id,
                "endpoint": endpoint,
            }
            for (
                lot,
                date,
                qty,
                dest,
                wh,
                move_id,
                picking,
                picking_origin,
                supplier,
                move_origin,
                message_id,
                endpoint,
                line_id,
            ) in raw
        ]

    # ------------------------------------------------------------------ screen
    @api.depends("lot_ids", "state")
    def _compute_totals(self):
        for rec in self:
            if not rec.id or not rec.lot_ids:
                rec.on_hand_qty = rec.consumed_qty = 0.0
                continue
            recall = rec.sudo()
            rec.on_hand_qty = sum(r["quantity"] for r in recall._trace_on_hand() if r["usage"] == "internal")
            rec.consumed_qty = recall._consumed_total()

    @api.depends("lot_ids", "state")
    def _compute_trace_html(self):
        for rec in self:
            if not rec.id or not rec.lot_ids:
                rec.trace_html = False
                continue
            rec.trace_html = self.env["ir.qweb"]._render(
                "healthcare_recall.hc_recall_trace_body",
                {"trace": rec.sudo()._trace_for_people(), "uom": rec.uom_id.name or ""},
            )

    def _trace_for_people(self):
        """The trace as the case's screen and the printed report show it, from the aggregated rows
        only: consumption per location and day with its number of encounters and the first
        ``SCREEN_ENCOUNTERS`` of them (every one: *Encounter References*); waste, returns, transfers
        and corrections per kind, lot, from and to, with their first and last day."""
        trace = self._trace()
        for row in trace["consumed"]:
            row["encounters"] = row["encounters"][:SCREEN_ENCOUNTERS]
        sections = ("wasted", "returned", "returned_to_supplier", "transferred", "corrections")
        trace["other_places"] = sorted(
            (row for section in sections for row in trace[section]),
            key=lambda r: (r["first_day"], r["kind"], r["from_location"] or ""),
        )
        return trace


def _no_none(value):
    """The trace for XML-RPC, which has no null: Odoo's ``False`` for a missing value."""
    if isinstance(value, dict):
        return {key: _no_none(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_no_none(item) for item in value]
    return False if value is None else value
