import base64
import json
from datetime import datetime, timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from . import tools


def _iso(value):
    if not value:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")
    return str(value)


class HcAuditEvidence(models.AbstractModel):
    """Builds evidence packs: everything the trail knows about one correlation id or record."""

    _name = "hc.audit.evidence"
    _description = "Audit Evidence Pack"

    @api.model
    def _related_records(self, model, res_id):
        """Records whose trail belongs in the evidence pack of ``(model, res_id)``, as
        ``{model: set(ids)}``: glue modules add theirs (a picking's or a lot's stock moves, a
        purchase order's lines and receipts), so a pack opened from a document shows what the
        integration did to it. Called as superuser."""
        return {}

    @api.model
    def _event_ids_of_records(self, records):
        """Audit events of ``{model: ids}``: one query per model."""
        ids = set()
        for model, res_ids in records.items():
            if res_ids:
                self.env.cr.execute(
                    "SELECT id FROM hc_audit_event WHERE model = %s AND res_id = ANY(%s)", (model, list(res_ids))
                )
                ids.update(r[0] for r in self.env.cr.fetchall())
        return ids

    @api.model
    def _event_ids_for(self, correlation_id=None, model=None, res_id=None, message_ids=()):
        conditions = []
        if correlation_id:
            conditions.append(
                SQL(
                    "correlation_id = %s OR %s = ANY(string_to_array(correlation_id, ' '))",
                    correlation_id,
                    correlation_id,
                )
            )
        if model and res_id:
            conditions.append(SQL("(model = %s AND res_id = %s)", model, res_id))
        if message_ids:
            conditions.append(SQL("message_id IN %s", tuple(message_ids)))
        if not conditions:
            return []
        self.env.cr.execute(
            SQL(
                "SELECT id FROM hc_audit_event WHERE %s ORDER BY id",
                SQL(" OR ").join(SQL("(%s)", c) for c in conditions),
            )
        )
        return [r[0] for r in self.env.cr.fetchall()]

    @api.model
    def _build(self, correlation_id=None, model=None, res_id=None):
        Message = self.env["hc.inbound.message"].sudo()
        Exception_ = self.env["hc.exception"].sudo()
        Event = self.env["hc.audit.event"].sudo()
        messages = Message.browse()
        records = {}  # {model: set(ids)}
        if correlation_id:
            messages |= Message.search([("correlation_id", "=", correlation_id)])
        if model and res_id:
            records = {model: {res_id}}
            for rel_model, rel_ids in self.sudo()._related_records(model, res_id).items():
                records.setdefault(rel_model, set()).update(rel_ids)
            for rec_model, rec_ids in records.items():
                self.env.cr.execute(
                    "SELECT id FROM hc_inbound_message WHERE result_model = %s AND result_ids IS NOT NULL "
                    "AND result_ids <> '' AND result_ids::jsonb @> ANY(%s::jsonb[])",
                    (rec_model, [json.dumps([i]) for i in rec_ids]),
                )
                messages |= Message.browse([r[0] for r in self.env.cr.fetchall()])
        event_ids = self._event_ids_for(correlation_id, model, res_id, messages.ids)
        events = Event.browse(event_ids)
        # messages named by the events (a change made while processing a message)
        messages |= Message.browse([i for i in set(events.mapped("message_id")) if i]).exists()
        # records the messages produced, and their events
        for msg in messages:
            if msg.result_model and msg.result_ids:
                try:
                    records.setdefault(msg.result_model, set()).update(json.loads(msg.result_ids))
                except (ValueError, TypeError):
                    pass
        exceptions = messages.mapped("exception_id")
        if model and res_id:
            for rec_model, rec_ids in list(records.items()):
                exceptions |= Exception_.search([("res_model", "=", rec_model), ("res_id", "in", list(rec_ids))])
            if model == "hc.exception":
                exceptions |= Exception_.browse(res_id).exists()
            if model == "hc.inbound.message":
                messages |= Message.browse(res_id).exists()
        exceptions |= Exception_.search([("message_ids", "in", messages.ids)]) if messages else Exception_
        messages |= exceptions.message_ids  # the messages waiting on an exception about the record
        records.setdefault("hc.exception", set()).update(exceptions.ids)
        extra = self._event_ids_of_records(records)
        events = Event.browse(sorted(set(event_ids) | extra))
        seal_of = {ev.id: ev.seal_id for ev in events}
        items = []
        for ev in events:
            seal = seal_of[ev.id]
            items.append(
                {
                    "kind": "audit_event",
                    "time": _iso(ev.event_time),
                    "id": ev.id,
                    "action": ev.action,
                    "model": ev.model,
                    "res_id": ev.res_id,
                    "record": ev.res_name,
                    "interface": ev.interface,
                    "user": ev.user_id.login or None,
                    "user_id": ev.user_id.id or None,
                    "endpoint": ev.endpoint_id.code or None,
                    "correlation_id": ev.correlation_id,
                    "message_id": ev.message_id or None,
                    "reason": ev.reason,
                    "changes": json.loads(ev.changes) if ev.changes else None,
                    "client_ip": ev.client_ip,
                    "hash": ev.hash,
                    "hash_ok": ev.hash_ok,
                    "seal": {"sequence": seal.sequence, "hash": seal.hash} if seal else None,
                }
            )
        for msg in messages:
            items.append(
                {
                    "kind": "inbound_message",
                    "time": _iso(msg.received_at),
                    "id": msg.id,
                    "endpoint": msg.endpoint_id.code,
                    "message_type": msg.message_type,
                    "state": msg.state,
                    "idempotency_key": msg.idempotency_key,
                    "correlation_id": msg.correlation_id,
                    "payload_hash": msg.payload_hash,
                    "client_ip": msg.client_ip,
                    "attempts": msg.attempts,
                    "processed_at": _iso(msg.processed_at),
                    "error_code": msg.error_code,
                    "result_model": msg.result_model,
                    "result_ids": json.loads(msg.result_ids or "[]"),
                    "exception_id": msg.exception_id.id or None,
                }
            )
        for exc in exceptions:
            items.append(
                {
                    "kind": "exception",
                    "time": _iso(exc.create_date),
                    "id": exc.id,
                    "name": exc.name,
                    "code": exc.code,
                    "state": exc.state,
                    "team": exc.team_id.name or None,
                    "raised_by": exc.raised_by_id.login or None,
                    "endpoint": exc.endpoint_id.code or None,
                }
            )
            if exc.decided_at:
                items.append(
                    {
                        "kind": "decision",
                        "time": _iso(exc.decided_at),
                        "exception_id": exc.id,
                        "state": exc.state,
                        "decided_by": exc.decided_by_id.login or None,
                        "reason": exc.decision_reason,
                    }
                )
        order = {"inbound_message": 0, "exception": 1, "decision": 2, "audit_event": 3}
        items.sort(key=lambda i: (i["time"] or "", order[i["kind"]], i.get("id") or 0))
        self.env.cr.execute("SELECT sequence, hash, last_event_id FROM hc_audit_seal ORDER BY sequence DESC LIMIT 1")
        head = self.env.cr.fetchone()
        return {
            "generated_at": _iso(datetime.now(timezone.utc).replace(tzinfo=None)),
            "generated_by": self.env.user.login,
            "query": {"correlation_id": correlation_id, "model": model, "res_id": res_id},
            "chain_head": {"sequence": head[0], "hash": head[1], "last_event_id": head[2]} if head else None,
            "counts": {"audit_events": len(events), "inbound_messages": len(messages), "exceptions": len(exceptions)},
            "items": items,
            "events": [i for i in items if i["kind"] == "audit_event"],
            "messages": [i for i in items if i["kind"] == "inbound_message"],
            "exceptions": [i for i in items if i["kind"] == "exception"],
            "decisions": [i for i in items if i["kind"] == "decision"],
        }


class HcAuditEvidenceWizard(models.TransientModel):
    _name = "hc.audit.evidence.wizard"
    _description = "Export an evidence pack"

    correlation_id = fields.Char()
    model = fields.Char(string="Model", help="Technical name, e.g. stock.move")
    res_id = fields.Integer(string="Record ID")
    record_label = fields.Char(compute="_compute_record_label", string="Record")
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char()

    @api.depends("model", "res_id")
    def _compute_record_label(self):
        """The record the pack is about, in words ("Purchase Order P00012"), when the wizard was
        opened from it; nothing when the model is not installed or the record is gone."""
        for wizard in self:
            label = False
            if wizard.model in self.env and wizard.res_id:
                record = self.env[wizard.model].browse(wizard.res_id).exists()
                if record:
                    model_name = self.env["ir.model"].sudo()._get(wizard.model).name or wizard.model
                    label = f"{model_name} {record.sudo().display_name}"
            wizard.record_label = label

    def _pack(self):
        self.ensure_one()
        return self.env["hc.audit.event"].evidence_pack(
            correlation_id=self.correlation_id or None, model=self.model or None, res_id=self.res_id or None
        )

    def _pack_json(self):
        return json.dumps(self._pack(), indent=2, ensure_ascii=False, default=str)

    def action_download_json(self):
        self.ensure_one()
        name = (self.correlation_id or f"{self.model}-{self.res_id}").replace("/", "_")
        self.write({"file": base64.b64encode(self._pack_json().encode()), "filename": f"evidence-{name}.json"})
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": f"/web/content/{self._name}/{self.id}/file/{self.filename}?download=true",
        }

    def action_print_pdf(self):
        self.ensure_one()
        if not self.correlation_id and not (self.model and self.res_id):
            raise UserError(_("Give a correlation id, or a model and a record id."))
        return self.env.ref("healthcare_audit.action_report_hc_audit_evidence").report_action(self)


class HcAuditVerifyWizard(models.TransientModel):
    _name = "hc.audit.verify.wizard"
    _description = "Verify the audit trail"

    date_from = fields.Datetime()
    date_to = fields.Datetime()
    done = fields.Boolean(readonly=True)
    ok = fields.Boolean(readonly=True, string="Chain Intact")
    checked = fields.Integer(readonly=True, string="Events Checked")
    seals = fields.Integer(readonly=True, string="Seals")
    break_event_id = fields.Integer(readonly=True, string="First Break (event id)")
    break_reason = fields.Text(readonly=True, string="First Break")

    def action_verify(self):
        self.ensure_one()
        result = self.env["hc.audit.event"].verify_chain(date_from=self.date_from, date_to=self.date_to)
        brk = result["first_break"] or {}
        self.write(
            {
                "done": True,
                "ok": result["ok"],
                "checked": result["checked"],
                "seals": result["seals"],
                "break_event_id": brk.get("event_id") or 0,
                "break_reason": brk.get("reason") or False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Verify Trail"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_seal_now(self):
        self.env["hc.audit.event"].seal_pending()
        return self.action_verify()


class HcAuditAlert(models.Model):
    """A break found by the scheduled verification: one per break, with activities for Auditors."""

    _name = "hc.audit.alert"
    _description = "Audit Chain Break"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(required=True)
    key = fields.Char(index=True, required=True)
    event_id = fields.Integer(string="Event ID")
    reason = fields.Text()
    seal_sequence = fields.Integer()

    @api.model
    def _cron_verify(self):
        result = self.env["hc.audit.seal"].sudo()._verify()
        brk = result["first_break"]
        if not brk:
            return result
        key = f"{brk['event_id']}:{brk['reason']}"
        if self.sudo().search_count([("key", "=", key)]):
            return result
        alert = self.sudo().create(
            {
                "name": _("Audit chain break at event %s", brk["event_id"]),
                "key": key,
                "event_id": brk["event_id"] or 0,
                "reason": brk["reason"],
                "seal_sequence": brk.get("seal") or 0,
            }
        )
        group = self.env.ref("healthcare_integration_base.group_hc_auditor")
        users = group.users.filtered(lambda u: u.active and not u.share) or self.env.ref("base.user_admin")
        for user in users:
            alert.activity_schedule(
                "mail.mail_activity_data_todo", summary=alert.name[:250], note=brk["reason"], user_id=user.id
            )
        self.env["hc.audit.event"].sudo()._log_event(
            "create", alert, reason=brk["reason"], changes={"first_break": brk}
        )
        return result


def masked(value):
    return tools.MASK if value else value
