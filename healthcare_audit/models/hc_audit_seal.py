import logging
from datetime import datetime, timedelta, timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from . import tools
from .hc_audit_event import WRITERS_LOCK, disable_append_only_triggers, install_append_only_triggers

_logger = logging.getLogger(__name__)
SEAL_LOCK = 74_311_001  # advisory lock key: one sealer at a time (never taken on the hot path)
ARCHIVE_TABLE = "hc_audit_event_archive"


def _utcnow():
    return datetime.now(timezone.utc).replace(tzinfo=None)


class HcAuditSeal(models.Model):
    """A link of the hash chain over the audit events.

    Seal *n* covers every event with ``previous.last_event_id < id <= last_event_id`` and
    stores their ids and hashes; ``hash = sha256(previous seal hash + event hashes in id
    order)``. Seals are inserted with SQL and are append-only like the events.
    """

    _name = "hc.audit.seal"
    _description = "Audit Seal"
    _order = "sequence desc"
    _rec_name = "sequence"

    sequence = fields.Integer(readonly=True, index=True)
    prev_hash = fields.Char(string="Previous Seal Hash", readonly=True)
    first_event_id = fields.Integer(readonly=True, index=True)
    last_event_id = fields.Integer(readonly=True, index=True)
    event_count = fields.Integer(string="Events", readonly=True)
    first_event_time = fields.Datetime(readonly=True)
    last_event_time = fields.Datetime(readonly=True)
    hash = fields.Char(readonly=True)
    sealed_at = fields.Datetime(readonly=True)
    sealed_by_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")

    _sql_constraints = [("sequence_unique", "unique(sequence)", "Seal sequences are unique.")]

    def init(self):
        cr = self.env.cr
        cr.execute("ALTER TABLE hc_audit_seal ADD COLUMN IF NOT EXISTS event_ids integer[]")
        cr.execute("ALTER TABLE hc_audit_seal ADD COLUMN IF NOT EXISTS event_hashes varchar[]")
        install_append_only_triggers(cr, self._table)
        cr.execute(
            SQL(
                """
            CREATE TABLE IF NOT EXISTS %s (
                id integer PRIMARY KEY, hash varchar, event_time timestamp, action varchar, model varchar,
                res_id integer, res_name varchar, interface varchar, user_id integer, endpoint_id integer,
                correlation_id varchar, message_id integer, reason text, changes text, client_ip varchar,
                archived_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))""",
                SQL.identifier(ARCHIVE_TABLE),
            )
        )
        install_append_only_triggers(cr, ARCHIVE_TABLE)

    def _auto_init(self):
        disable_append_only_triggers(self.env.cr, self._table)
        return super()._auto_init()

    # no ORM writes, ever: seals are inserted by _seal_pending() only
    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise UserError(_("Seals are made by seal_pending() only."))

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(_("Seals cannot be modified."))

    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(_("Seals cannot be deleted."))

    # ------------------------------------------------------------------ sealing
    @api.model
    def _last_seal(self):
        self.env.cr.execute("SELECT sequence, hash, last_event_id FROM hc_audit_seal ORDER BY sequence DESC LIMIT 1")
        return self.env.cr.fetchone() or (0, "", 0)

    @api.model
    def _seal_pending(self, margin_seconds=0, limit=50000):
        """Chain every event not sealed yet (older than ``margin_seconds``) into a new seal.

        Only sealers serialize (advisory lock); event inserts never wait for it. Returns the
        new seal's id, or False when nothing was pending.

        ``margin_seconds`` protects against a transaction still in flight that holds a lower
        event id than one already committed: the scheduled action uses the configured
        ``hc_audit.seal_margin_seconds`` (default 300, longer than any Odoo transaction).
        """
        cr = self.env.cr
        cr.execute("SELECT pg_advisory_xact_lock(%s)", (SEAL_LOCK,))
        seq, prev_hash, last_id = self._last_seal()
        conditions = [SQL("id > %s", last_id)]
        if margin_seconds:
            conditions.append(SQL("event_time < %s", _utcnow() - timedelta(seconds=margin_seconds)))
        cr.execute(
            SQL(
                "SELECT id, hash, event_time FROM hc_audit_event WHERE %s ORDER BY id LIMIT %s",
                SQL(" AND ").join(conditions),
                limit,
            )
        )
        rows = cr.fetchall()
        if rows and not margin_seconds:
            rows = self._committed_prefix(rows, last_id)
        if not rows:
            return False
        if margin_seconds:
            # keep ids contiguous: stop before the first younger event
            cr.execute(
                "SELECT min(id) FROM hc_audit_event WHERE id > %s AND event_time >= %s",
                (last_id, _utcnow() - timedelta(seconds=margin_seconds)),
            )
            young = cr.fetchone()[0]
            if young:
                rows = [r for r in rows if r[0] < young]
                if not rows:
                    return False
        ids = [r[0] for r in rows]
        hashes = [r[1] for r in rows]
        new_hash = tools.seal_hash(prev_hash, hashes)
        now = _utcnow()
        cr.execute(
            "INSERT INTO hc_audit_seal (sequence, prev_hash, first_event_id, last_event_id, event_count, "
            "first_event_time, last_event_time, hash, sealed_at, sealed_by_id, event_ids, event_hashes, "
            "create_uid, create_date, write_uid, write_date) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                seq + 1,
                prev_hash,
                ids[0],
                ids[-1],
                len(ids),
                rows[0][2],
                rows[-1][2],
                new_hash,
                now,
                self.env.uid,
                ids,
                hashes,
                self.env.uid,
                now,
                self.env.uid,
                now,
            ),
        )
        seal_id = cr.fetchone()[0]
        self.invalidate_model()
        return seal_id

    @api.model
    def _committed_prefix(self, rows, last_id):
        """An immediate seal must not pass over an event that another transaction, in flight when
        ours began, commits with a lower id: it would stay unsealed below the seal forever.

        Wait for the writers in flight (their shared lock), then look at what is committed now
        through a connection of its own: stop before the first committed event our snapshot does
        not see. Events written by this very transaction are ours to seal.
        """
        cr = self.env.cr
        cr.execute("SELECT pg_advisory_xact_lock(%s)", (WRITERS_LOCK,))
        visible = {r[0] for r in rows}
        with self.env.registry.cursor() as fresh:
            fresh.execute(
                "SELECT min(id) FROM hc_audit_event WHERE id > %s AND id <= %s AND NOT (id = ANY(%s))",
                (last_id, rows[-1][0], list(visible)),
            )
            unseen = fresh.fetchone()[0]
        if unseen:
            _logger.info("hc_audit: seal stops before event %s, committed after this transaction began", unseen)
            rows = [r for r in rows if r[0] < unseen]
        return rows

    @api.model
    def _cron_seal(self):
        margin = int(self.env["ir.config_parameter"].sudo().get_param("hc_audit.seal_margin_seconds", 300))
        while self._seal_pending(margin_seconds=margin):
            pass

    # ------------------------------------------------------------------ verification
    @api.model
    def _events_between(self, id_after, id_to):
        """Rows (live and archived) with id_after < id <= id_to, by id."""
        Event = self.env["hc.audit.event"]
        rows = Event._fetch_rows(id_from=id_after + 1, id_to=id_to)
        rows += Event._fetch_rows(id_from=id_after + 1, id_to=id_to, table=ARCHIVE_TABLE)
        rows.sort(key=lambda r: r["id"])
        return rows

    @api.model
    def _verify(self, date_from=None, date_to=None):
        """Check every seal link and every event's content hash.

        Returns ``{"ok", "checked", "seals", "first_break"}``; ``first_break`` is None or
        ``{"event_id", "reason", "seal"}``. With a period, only seals overlapping it and
        unsealed events inside it are read (the links between seals are always checked).
        """
        date_from = fields.Datetime.to_datetime(date_from) if date_from else None
        date_to = fields.Datetime.to_datetime(date_to) if date_to else None
        cr = self.env.cr
        cr.execute(
            "SELECT sequence, prev_hash, first_event_id, last_event_id, event_count, hash, event_ids, "
            "event_hashes, first_event_time, last_event_time FROM hc_audit_seal ORDER BY sequence"
        )
        seals = cr.fetchall()
        checked = 0
        prev_hash, prev_last, expected_seq = "", 0, 1

        def brk(event_id, reason, seal=None):
            return {
                "ok": False,
                "checked": checked,
                "seals": len(seals),
                "first_break": {"event_id": event_id, "reason": reason, "seal": seal},
            }

        for seq, s_prev, first_id, last_id, count, s_hash, raw_ids, raw_hashes, t_first, t_last in seals:
            ids, hashes = list(raw_ids or []), list(raw_hashes or [])
            if seq != expected_seq:
                return brk(first_id, f"seal sequence {expected_seq} is missing (found {seq})", seq)
            if (s_prev or "") != prev_hash:
                return brk(first_id, f"seal {seq}: previous-seal hash does not match seal {seq - 1}", seq)
            if (
                tools.seal_hash(s_prev, hashes) != s_hash
                or len(ids) != count
                or len(hashes) != count
                or (ids and (ids[0] != first_id or ids[-1] != last_id))
            ):
                return brk(first_id, f"seal {seq}: the seal record was altered (its hash does not match)", seq)
            in_period = not (
                (date_from and t_last and t_last < date_from) or (date_to and t_first and t_first > date_to)
            )
            if in_period:
                rows = {r["id"]: r for r in self._events_between(prev_last, last_id)}
                sealed = dict(zip(ids, hashes, strict=True))
                for event_id in sorted(set(rows) | set(sealed)):
                    row = rows.get(event_id)
                    if row is None:
                        return brk(event_id, f"event {event_id} sealed in seal {seq} was deleted", seq)
                    if event_id not in sealed:
                        return brk(event_id, f"event {event_id} was inserted inside the range of seal {seq}", seq)
                    checked += 1
                    if not tools.hash_matches(row):
                        return brk(event_id, f"event {event_id} was altered: its content does not match its hash", seq)
                    if row["hash"] != sealed[event_id]:
                        return brk(event_id, f"event {event_id} was altered: its hash differs from seal {seq}", seq)
            prev_hash, prev_last, expected_seq = s_hash, last_id, seq + 1
        # events not sealed yet: content hashes only
        Event = self.env["hc.audit.event"]
        for table in ("hc_audit_event", ARCHIVE_TABLE):
            for row in Event._fetch_rows(id_from=prev_last + 1, table=table):
                if (date_from and row["event_time"] and row["event_time"] < date_from) or (
                    date_to and row["event_time"] and row["event_time"] > date_to
                ):
                    continue
                checked += 1
                if not tools.hash_matches(row):
                    return brk(
                        row["id"],
                        f"event {row['id']} (not sealed yet) was altered: its content does not match its hash",
                    )
        return {"ok": True, "checked": checked, "seals": len(seals), "first_break": None}

    # ------------------------------------------------------------------ retention
    @api.model
    def archive_before(self, before, reason=None):
        """Move sealed events older than ``before`` to ``hc_audit_event_archive`` (whole seals only).

        The documented, audited retention path: Integration Managers / administrators only.
        Inside this transaction the append-only trigger of ``hc_audit_event`` is disabled
        (``ALTER TABLE ... DISABLE TRIGGER``, which takes a table lock until commit), events
        are moved with their hashes, the trigger is re-enabled, and an event 'retention' is
        recorded. The archive table is append-only too; verification reads both tables, so
        the seals keep verifying. Returns the number of events moved.
        """
        user = self.env.user
        if not (self.env.su or user.has_group("base.group_system")):
            raise UserError(_("Only an administrator can archive audit events."))
        before = fields.Datetime.to_datetime(before)
        cr = self.env.cr
        cr.execute("SELECT pg_advisory_xact_lock(%s)", (SEAL_LOCK,))
        cr.execute("SELECT max(last_event_id) FROM hc_audit_seal WHERE last_event_time < %s", (before,))
        upto = cr.fetchone()[0]
        if not upto:
            return 0
        cr.execute("ALTER TABLE hc_audit_event DISABLE TRIGGER hc_audit_event_append_only")
        try:
            cr.execute(
                f"""
                WITH moved AS (DELETE FROM hc_audit_event WHERE id <= %s RETURNING *)
                INSERT INTO {ARCHIVE_TABLE} (id, hash, event_time, action, model, res_id, res_name, interface,
                    user_id, endpoint_id, correlation_id, message_id, reason, changes, client_ip)
                SELECT id, hash, event_time, action, model, res_id, res_name, interface, user_id, endpoint_id,
                    correlation_id, message_id, reason, changes, client_ip FROM moved""",
                (upto,),
            )
            count = cr.rowcount
        finally:
            cr.execute("ALTER TABLE hc_audit_event ENABLE TRIGGER hc_audit_event_append_only")
        self.env["hc.audit.event"]._log(
            [
                {
                    "action": "retention",
                    "model": "hc.audit.event",
                    "reason": reason or _("Retention archive"),
                    "changes": {"archived_events": count, "up_to_event_id": upto, "before": str(before)},
                }
            ]
        )
        self.env["hc.audit.event"].invalidate_model()
        return count
