import json
import logging
from datetime import datetime, timezone

from odoo import _, api, fields, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from . import tools

# every transaction that writes audit events holds this lock shared (writers never wait for each
# other); an immediate seal takes it exclusively so that the writers in flight finish first
WRITERS_LOCK = 74_311_002
LOG_COLUMNS = (
    ("event_time", "timestamp"),
    ("action", "varchar"),
    ("model", "varchar"),
    ("res_id", "int4"),
    ("res_name", "varchar"),
    ("interface", "varchar"),
    ("user_id", "int4"),
    ("endpoint_id", "int4"),
    ("correlation_id", "varchar"),
    ("message_id", "int4"),
    ("reason", "text"),
    ("changes", "text"),
    ("client_ip", "varchar"),
    ("hash", "varchar"),
)

_logger = logging.getLogger(__name__)

ACTIONS = [
    ("create", "Create"),
    ("write", "Write"),
    ("unlink", "Delete"),
    ("state", "State Change"),
    ("decision", "Decision"),
    ("secret_rotated", "Secret Rotated"),
    ("access_denied", "Refused (segregation of duties)"),
    ("retention", "Retention Archive"),
    ("seal", "Seal"),
]
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION hc_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'hc_audit: table % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def install_append_only_triggers(cr, table):
    """Reject UPDATE, DELETE and TRUNCATE on ``table`` (PostgreSQL triggers, idempotent)."""
    cr.execute(APPEND_ONLY_FUNCTION)
    cr.execute(
        SQL(
            "DROP TRIGGER IF EXISTS %(row)s ON %(table)s; DROP TRIGGER IF EXISTS %(stmt)s ON %(table)s; "
            "CREATE TRIGGER %(row)s BEFORE UPDATE OR DELETE ON %(table)s FOR EACH ROW "
            "EXECUTE FUNCTION hc_audit_append_only(); "
            "CREATE TRIGGER %(stmt)s BEFORE TRUNCATE ON %(table)s FOR EACH STATEMENT "
            "EXECUTE FUNCTION hc_audit_append_only(); "
            "ALTER TABLE %(table)s ENABLE TRIGGER USER",
            row=SQL.identifier(f"{table}_append_only"),
            stmt=SQL.identifier(f"{table}_no_truncate"),
            table=SQL.identifier(table),
        )
    )


def disable_append_only_triggers(cr, table):
    cr.execute("SELECT 1 FROM information_schema.tables WHERE table_name = %s", (table,))
    if cr.fetchone():
        cr.execute(SQL("ALTER TABLE %s DISABLE TRIGGER USER", SQL.identifier(table)))


class HcAuditEvent(models.Model):
    """One audited change: who, when, why, through which interface, what changed.

    Rows are only ever inserted with SQL (one INSERT per audited operation), carry the
    sha256 of their canonical content, and are protected by PostgreSQL triggers that
    reject UPDATE, DELETE and TRUNCATE. Seals (:class:`hc.audit.seal`) chain them.
    """

    _name = "hc.audit.event"
    _description = "Audit Event"
    _order = "id desc"
    _rec_name = "res_name"
    _log_access = True

    event_time = fields.Datetime(string="Time", readonly=True, index=True)
    action = fields.Selection(ACTIONS, readonly=True, index=True)
    model = fields.Char(readonly=True, index=True)
    res_id = fields.Integer(string="Record ID", readonly=True, index=True)
    res_name = fields.Char(string="Record", readonly=True)
    interface = fields.Char(
        readonly=True, index=True, help="ui, rpc, webhook:<endpoint code> or cron:<scheduled action name>"
    )
    user_id = fields.Many2one("res.users", string="User", readonly=True, index=True, ondelete="restrict")
    endpoint_id = fields.Many2one("hc.endpoint", string="Endpoint", readonly=True, index=True, ondelete="restrict")
    correlation_id = fields.Char(readonly=True, index=True)
    message_id = fields.Integer(string="Inbound Message", readonly=True, index=True)
    reason = fields.Text(readonly=True)
    changes = fields.Text(readonly=True, help="JSON: {field: {old, new}}; sensitive fields are masked.")
    client_ip = fields.Char(string="Client IP", readonly=True)
    hash = fields.Char(string="Content Hash", readonly=True, index=True)
    seal_id = fields.Many2one("hc.audit.seal", compute="_compute_seal", string="Seal")
    changes_pretty = fields.Text(compute="_compute_changes_pretty", string="Changes (formatted)")
    hash_ok = fields.Boolean(compute="_compute_hash_ok", string="Hash Verified")

    def init(self):
        install_append_only_triggers(self.env.cr, self._table)
        self.env.cr.execute("CREATE INDEX IF NOT EXISTS hc_audit_event_model_res_idx ON hc_audit_event (model, res_id)")

    def _auto_init(self):
        # schema upgrades (a new column with a default) must be able to fill existing rows
        disable_append_only_triggers(self.env.cr, self._table)
        return super()._auto_init()

    # ------------------------------------------------------------------ computes
    def _compute_seal(self):
        seals = self.env["hc.audit.seal"].sudo()
        ids = [i for i in self.ids if i]
        by_event = {}
        if ids:
            self.env.cr.execute(
                "SELECT e.id, s.id FROM unnest(%s::int[]) AS e(id) JOIN hc_audit_seal s "
                "ON e.id BETWEEN s.first_event_id AND s.last_event_id",
                (ids,),
            )
            by_event = dict(self.env.cr.fetchall())
        for rec in self:
            rec.seal_id = seals.browse(by_event.get(rec.id))

    def _compute_changes_pretty(self):
        for rec in self:
            try:
                rec.changes_pretty = json.dumps(json.loads(rec.changes or "{}"), indent=2, ensure_ascii=False)
            except ValueError:
                rec.changes_pretty = rec.changes

    def _compute_hash_ok(self):
        rows = self._fetch_rows(ids=self.ids) if self.ids else []
        ok = {row["id"]: tools.hash_matches(row) for row in rows}
        for rec in self:
            rec.hash_ok = ok.get(rec.id, False)

    # ------------------------------------------------------------------ no ORM writes, ever
    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise AccessError(_("Audit events are written by the system only."))

    def write(self, vals):  # pylint: disable=method-required-super
        raise AccessError(_("Audit events cannot be modified."))

    def unlink(self):  # pylint: disable=method-required-super
        raise AccessError(_("Audit events cannot be deleted."))

    def copy(self, default=None):  # pylint: disable=method-required-super
        raise AccessError(_("Audit events cannot be copied."))

    # ------------------------------------------------------------------ recording
    @api.model
    def _context_info(self):
        """(interface, endpoint_id, correlation_id, message_id, client_ip) of the current change."""
        # set by server code only (lib/trust.py): no context key re-attributes a change
        ctx = trust.attribution()
        interface, ip = tools.detect_interface(self.env)
        endpoint_id = ctx.get("endpoint_id") or None
        correlation = ctx.get("correlation_id") or None
        message_id = ctx.get("message_id") or None
        ids = ctx.get("correlation_ids") or {}
        if ids and not correlation:
            values = sorted({v for v in ids.values() if v})
            correlation = " ".join(values)[:1000] or None
        if ids and not message_id and len(ids) == 1:
            message_id = int(next(iter(ids)))
        if interface.startswith("webhook:") and not endpoint_id:
            code = interface.split(":", 1)[1]
            self.env.cr.execute("SELECT id FROM hc_endpoint WHERE code = %s", (code,))
            row = self.env.cr.fetchone()
            endpoint_id = row and row[0]
        return interface, endpoint_id, correlation, message_id, ip

    @api.model
    def _log(self, entries):
        """Insert events in one statement. ``entries``: dicts with action, model, res_id,
        res_name, changes (dict or None), reason, and optionally any context override
        (interface, endpoint_id, correlation_id, message_id, client_ip, user_id)."""
        if not entries:
            return []
        interface, endpoint_id, correlation, message_id, ip = self._context_info()
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        uid = self.env.uid
        rows = []
        for entry in entries:
            changes = entry.get("changes")
            row = {
                "event_time": now,
                "action": entry["action"],
                "model": entry.get("model"),
                "res_id": entry.get("res_id") or None,
                "res_name": (entry.get("res_name") or "")[:500] or None,
                "interface": entry.get("interface") or interface,
                "user_id": entry.get("user_id") or uid,
                "endpoint_id": entry.get("endpoint_id") or endpoint_id,
                "correlation_id": entry.get("correlation_id") or correlation,
                "message_id": entry.get("message_id") or message_id,
                "reason": entry.get("reason") or None,
                "changes": json.dumps(changes, sort_keys=True, ensure_ascii=False, default=str)
                if changes is not None
                else None,
                "client_ip": entry.get("client_ip") or ip,
            }
            row["hash"] = tools.content_hash(row)
            rows.append(row)
        # shared among writers: only an immediate seal (seal_pending) waits for it
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock_shared(%s)", WRITERS_LOCK))
        # one array per column: a statement of fixed size whatever the number of events
        self.env.cr.execute(
            SQL(
                "INSERT INTO hc_audit_event (%s, create_uid, create_date, write_uid, write_date) "
                "SELECT u.*, %s, %s, %s, %s FROM unnest(%s) AS u RETURNING id",
                SQL(", ").join(SQL.identifier(col) for col, _type in LOG_COLUMNS),
                uid,
                now,
                uid,
                now,
                SQL(", ").join(SQL(f"%s::{sqltype}[]", [row[col] for row in rows]) for col, sqltype in LOG_COLUMNS),
            )
        )
        return [r[0] for r in self.env.cr.fetchall()]

    @api.model
    def _log_event(self, action, record=None, reason=None, changes=None, **extra):
        """Record one event about ``record`` (a recordset of one, or None)."""
        entry = {"action": action, "reason": reason, "changes": changes, **extra}
        if record is not None and record:
            entry.update(model=record._name, res_id=record.id, res_name=record.sudo().display_name)
        return self._log([entry])

    # ------------------------------------------------------------------ reading raw rows
    @api.model
    def _fetch_rows(self, ids=None, id_from=None, id_to=None, table="hc_audit_event"):
        cols = ", ".join(("id", "hash", *tools.all_hashed_columns()))
        conditions, params = [], []
        if ids is not None:
            conditions.append("id = ANY(%s)")
            params.append(list(ids))
        if id_from is not None:
            conditions.append("id >= %s")
            params.append(id_from)
        if id_to is not None:
            conditions.append("id <= %s")
            params.append(id_to)
        where = " AND ".join(conditions) or "true"
        self.env.cr.execute(f"SELECT {cols} FROM {table} WHERE {where} ORDER BY id", params)
        names = [d[0] for d in self.env.cr.description]
        return [dict(zip(names, row, strict=True)) for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------ public API
    @api.model
    def _check_auditor(self):
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("healthcare_integration_base.group_hc_auditor")
            or user.has_group("healthcare_integration_base.group_hc_manager")
            or user.has_group("base.group_system")
        ):
            raise AccessError(_("Only Auditors and Integration Managers can use the audit trail."))

    @api.model
    def seal_pending(self, margin_seconds=0):
        self._check_auditor()
        return self.env["hc.audit.seal"].sudo()._seal_pending(margin_seconds=margin_seconds)

    @api.model
    def verify_chain(self, date_from=None, date_to=None):
        self._check_auditor()
        return tools.rpc_safe(self.env["hc.audit.seal"].sudo()._verify(date_from=date_from, date_to=date_to))

    @api.model
    def evidence_pack(self, correlation_id=None, model=None, res_id=None):
        self._check_auditor()
        if not correlation_id and not (model and res_id):
            raise UserError(_("Give a correlation id, or a model and a record id."))
        return tools.rpc_safe(
            self.env["hc.audit.evidence"]
            .sudo()
            ._build(correlation_id=correlation_id, model=model, res_id=res_id and int(res_id))
        )

    def action_open_record(self):
        self.ensure_one()
        if not self.model or not self.res_id or self.model not in self.env:
            raise UserError(_("The record is not available."))
        return {
            "type": "ir.actions.act_window",
            "res_model": self.model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }

    def action_evidence_pack(self):
        self.ensure_one()
        wizard = self.env["hc.audit.evidence.wizard"].create(
            {
                "correlation_id": self.correlation_id.split(" ")[0] if self.correlation_id else False,
                "model": False if self.correlation_id else self.model,
                "res_id": False if self.correlation_id else self.res_id,
            }
        )
        return wizard.action_download_json()
