import json
import logging
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..lib import errors, trust
from ..lib.errors import HcBusinessError, HcError, HcTechnicalError

# another worker changed the same rows (a quant, a lot) since our snapshot: not the message's fault
CONCURRENCY_ERRORS = (
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.DeadlockDetected,
    psycopg2.errors.LockNotAvailable,
)

_logger = logging.getLogger(__name__)

STATES = [
    ("received", "Received"),
    ("processing", "Processing"),
    ("done", "Done"),
    ("retry", "Retry"),
    ("failed", "Failed (waiting for a person)"),
    ("dead", "Dead (retries exhausted)"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]
PENDING_STATES = ("received", "retry")
FINAL_STATES = ("done", "dead", "rejected", "cancelled")
BACKOFF_BASE = 10  # seconds; attempt n waits about BASE * 2^(n-1), capped
BACKOFF_CAP = 6 * 3600


def parse_rfc3339(value):
    """Naive UTC datetime from an RFC 3339 string, or None."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        if parsed.tzinfo is None:
            return None
        return parsed.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):  # not a date, or outside what a datetime can hold in UTC
        return None


def backoff_seconds(attempts, rng=random, base=BACKOFF_BASE, cap=BACKOFF_CAP):
    """Exponential backoff with full jitter in [50%, 100%] of the step."""
    step = min(cap, base * (2 ** min(max(attempts - 1, 0), 40)))
    return step * (0.5 + rng.random() / 2)


class HcInboundMessage(models.Model):
    """The inbound queue: every message an external system handed to the ERP.

    A message is written by the controller in the same transaction as its ledger row and is
    answered only after commit. Processing claims messages with ``FOR UPDATE SKIP LOCKED``
    and commits the business effect with the message's new state, in one transaction: a
    crash rolls both back and the row lock goes with it, so no message is ever left
    "processing" and none is applied twice.
    """

    _name = "hc.inbound.message"
    _description = "Inbound Message"
    _order = "id desc"
    _rec_name = "display_ref"

    endpoint_id = fields.Many2one("hc.endpoint", required=True, index=True, ondelete="restrict", readonly=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    message_type = fields.Char(index=True, readonly=True)
    state = fields.Selection(STATES, default="received", required=True, index=True, readonly=True)
    idempotency_key = fields.Char(index=True, readonly=True)
    correlation_id = fields.Char(index=True, readonly=True)
    webhook_id = fields.Char(readonly=True)
    content_type = fields.Char(readonly=True)
    payload = fields.Text(readonly=True, help="As received, with patient references replaced by keyed hashes.")
    payload_hash = fields.Char(readonly=True)
    payload_archived = fields.Boolean(
        readonly=True, help="The payload was removed by retention; hash and ledger remain."
    )
    batch_index = fields.Integer(readonly=True, help="Position in the batch it arrived in.")
    client_ip = fields.Char(readonly=True)
    received_at = fields.Datetime(default=fields.Datetime.now, index=True, readonly=True)
    occurred_at = fields.Datetime(readonly=True, help="When it happened at the source.")
    processed_at = fields.Datetime(readonly=True)
    attempts = fields.Integer(default=0, readonly=True)
    next_attempt_at = fields.Datetime(readonly=True)
    error_class = fields.Selection([("technical", "Technical"), ("business", "Business")], readonly=True)
    error_code = fields.Char(index=True, readonly=True)
    error_detail = fields.Text(readonly=True)
    exception_id = fields.Many2one("hc.exception", index=True, readonly=True, ondelete="set null")
    approved_codes = fields.Char(
        readonly=True, help="Business error codes a person approved for this message (overrides)."
    )
    result_model = fields.Char(readonly=True)
    result_ids = fields.Char(readonly=True, help="JSON list of the ids of the records this message produced.")
    duplicate_count = fields.Integer(readonly=True, help="Repeats answered with this message.")
    priority = fields.Selection(
        [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Critical")],
        compute="_compute_priority",
        help="Claimed before lower priorities (the higher of its type's and its endpoint's).",
    )
    priority_level = fields.Integer(
        readonly=True, default=1, index=True, help="Stored priority: 0 low, 1 normal, 2 high, 3 critical."
    )
    display_ref = fields.Char(compute="_compute_display_ref")
    payload_pretty = fields.Text(compute="_compute_payload_pretty", string="Payload (formatted)")
    latency_ms = fields.Integer(compute="_compute_latency", string="Latency (ms)")

    def init(self):
        # claims take the highest priority first, then the oldest
        self.env.cr.execute("DROP INDEX IF EXISTS hc_inbound_message_pending_idx")
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS hc_inbound_message_claim_idx ON hc_inbound_message "
            "(priority_level DESC, id) WHERE state IN ('received', 'retry')"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS hc_inbound_message_failed_cause_idx "
            "ON hc_inbound_message (exception_id) WHERE state = 'failed'"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS hc_inbound_message_webhook_idx "
            "ON hc_inbound_message (endpoint_id, webhook_id) WHERE webhook_id IS NOT NULL"
        )

    @api.depends("priority_level")
    def _compute_priority(self):
        for msg in self:
            msg.priority = str(min(max(msg.priority_level or 0, 0), 3))

    def _compute_display_ref(self):
        for msg in self:
            msg.display_ref = f"#{msg.id} {msg.message_type or ''}".strip()

    @api.depends("payload", "content_type")
    def _compute_payload_pretty(self):
        for msg in self:
            text = msg.payload or ""
            if text and "json" in (msg.content_type or ""):
                try:
                    text = json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=False)
                except ValueError:
                    pass
            msg.payload_pretty = text

    def _compute_latency(self):
        for msg in self:
            if msg.processed_at and msg.received_at:
                msg.latency_ms = int((msg.processed_at - msg.received_at).total_seconds() * 1000)
            else:
                msg.latency_ms = 0

    # ------------------------------------------------------------------ processors
    @api.model
    def _type_row(self, message_type):
        """The registered type a message type resolves to (``hc.message.type._table`` row) or None."""
        return self.env["hc.message.type"]._match(message_type)

    def _is_approved(self, code):
        """True when a person approved business error ``code`` for this message."""
        self.ensure_one()
        return code in (self.approved_codes or "").split(",")

    # ------------------------------------------------------------------ ingestion
    @api.model
    def _ingest(self, ctx, docs, meta):
        """Store documents and their ledger rows; return one result dict per document.

        ``ctx`` is the endpoint auth context, ``docs`` a list of dicts with ``key``,
        ``body_hash``, ``message_type``, ``payload`` (text), ``occurred_at`` and optionally
        ``state`` 'rejected' with ``error_code``/``error_detail``. ``meta`` has
        ``correlation_id``, ``content_type``, ``webhook_id``, ``client_ip``.

        Statement-level idempotent: the ledger insert is ``ON CONFLICT DO NOTHING`` on the
        unique (endpoint, key) index, so concurrent identical deliveries yield one message.
        The caller commits; run it under READ COMMITTED so a waiting insert sees the winner.
        """
        cr = self.env.cr
        now = fields.Datetime.now()
        uid = ctx["user_id"]
        results = [None] * len(docs)
        accepted = [i for i, d in enumerate(docs) if d.get("state") != "rejected"]
        replayed = meta.get("signed_webhook_id")
        if replayed and len(docs) == 1 and accepted:
            # What the signature covers decides what a request does: the Idempotency-Key header is
            # not signed, so a replay of a signed delivery (same webhook-id) takes the key its first
            # delivery had, whatever its headers say. The lock serialises concurrent replays.
            cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", ctx["id"], replayed))
            cr.execute(
                SQL(
                    "SELECT idempotency_key FROM hc_inbound_message WHERE endpoint_id = %s AND webhook_id = %s "
                    "AND idempotency_key IS NOT NULL ORDER BY id LIMIT 1",
                    ctx["id"],
                    replayed,
                )
            )
            first = cr.fetchone()
            if first:
                docs = [{**docs[0], "key": first[0]}]
        # 1. claim the keys in the ledger: one statement for the whole batch
        won = {}
        if accepted:
            rows = SQL(", ").join(
                SQL(
                    "(%s, %s, %s, %s, 0, 0, %s, %s, %s, %s, %s)",
                    ctx["id"],
                    ctx["company_id"],
                    docs[i]["key"],
                    docs[i]["body_hash"],
                    now,
                    uid,
                    now,
                    uid,
                    now,
                )
                for i in accepted
            )
            cr.execute(
                SQL(
                    "INSERT INTO hc_idempotency_key (endpoint_id, company_id, key, body_hash, duplicate_count, "
                    "conflict_count, last_seen_at, create_uid, create_date, write_uid, write_date) VALUES %s "
                    "ON CONFLICT (endpoint_id, key) DO NOTHING RETURNING key, id",
                    rows,
                ),
                log_exceptions=False,  # a failed statement must not put its values in the log
            )
            won = dict(cr.fetchall())
        new_idx, seen_keys, repeat_idx = [], set(), []
        for i in accepted:
            key = docs[i]["key"]
            if key in won and key not in seen_keys:
                new_idx.append(i)
                seen_keys.add(key)
            else:
                repeat_idx.append(i)
        # 2. store the new messages (and the rejected ones) in one statement
        store_idx = new_idx + [i for i, d in enumerate(docs) if d.get("state") == "rejected"]
        if store_idx:
            ids = self._insert_messages(ctx, docs, store_idx, meta, now)
            for i, msg_id in zip(store_idx, ids, strict=True):
                doc = docs[i]
                rejected = doc.get("state") == "rejected"
                results[i] = {
                    "message_id": msg_id,
                    "status": "rejected" if rejected else "received",
                    "duplicate": False,
                }
                if rejected:
                    results[i]["error"] = {
                        "class": "business",
                        "code": doc["error_code"],
                        "detail": doc.get("error_detail", ""),
                    }
            pairs = [(won[docs[i]["key"]], results[i]["message_id"]) for i in new_idx]
            if pairs:
                cr.execute(
                    SQL(
                        "UPDATE hc_idempotency_key l SET message_id = v.mid FROM (VALUES %s) AS v(lid, mid) "
                        "WHERE l.id = v.lid",
                        SQL(", ").join(SQL("(%s, %s)", lid, mid) for lid, mid in pairs),
                    )
                )
        # 3. repeats: same body -> duplicate of the first; different body -> key reuse
        if repeat_idx:
            self._resolve_repeats(ctx, docs, repeat_idx, results, meta, now)
        return results

    @api.model
    def _insert_messages(self, ctx, docs, indexes, meta, now):
        Type = self.env["hc.message.type"]
        rows = []
        for i in indexes:
            doc = docs[i]
            rejected = doc.get("state") == "rejected"
            rows.append(
                SQL(
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0, 0, %s, %s, %s, %s, "
                    "false, %s)",
                    ctx["id"],
                    ctx["company_id"],
                    doc.get("message_type"),
                    "rejected" if rejected else "received",
                    doc.get("key"),
                    meta.get("correlation_id"),
                    meta.get("webhook_id"),
                    meta.get("content_type"),
                    doc.get("payload"),
                    doc.get("body_hash"),
                    doc.get("batch_index", 0),
                    meta.get("client_ip"),
                    now,
                    doc.get("occurred_at"),
                    "business" if rejected else None,
                    doc.get("error_code") if rejected else None,
                    doc.get("error_detail") if rejected else None,
                    ctx["user_id"],
                    now,
                    ctx["user_id"],
                    now,
                    max(Type._priority_of(doc.get("message_type")), ctx.get("priority") or 0, doc.get("priority") or 0),
                )
            )
        self.env.cr.execute(
            SQL(
                "INSERT INTO hc_inbound_message (endpoint_id, company_id, message_type, state, idempotency_key, "
                "correlation_id, webhook_id, content_type, payload, payload_hash, batch_index, client_ip, received_at, "
                "occurred_at, error_class, error_code, error_detail, attempts, duplicate_count, "
                "create_uid, create_date, "
                "write_uid, write_date, payload_archived, priority_level) VALUES %s RETURNING id",
                SQL(", ").join(rows),
            ),
            log_exceptions=False,  # the statement holds payloads: never log it
        )
        # RETURNING follows VALUES order for a plain multi-row INSERT
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _resolve_repeats(self, ctx, docs, repeat_idx, results, meta, now):
        cr = self.env.cr
        keys = list({docs[i]["key"] for i in repeat_idx})
        cr.execute(
            SQL(
                "SELECT l.key, l.id, l.body_hash, l.message_id, m.state FROM hc_idempotency_key l "
                "LEFT JOIN hc_inbound_message m ON m.id = l.message_id WHERE l.endpoint_id = %s AND l.key IN %s",
                ctx["id"],
                tuple(keys),
            )
        )
        ledger = {row[0]: row[1:] for row in cr.fetchall()}
        dup_ledger, dup_msgs, conflicts = defaultdict(int), defaultdict(int), []
        for i in repeat_idx:
            doc = docs[i]
            lid, body_hash, msg_id, state = ledger[doc["key"]]
            if body_hash == doc["body_hash"]:
                dup_ledger[lid] += 1
                if msg_id:
                    dup_msgs[msg_id] += 1
                results[i] = {"message_id": msg_id, "status": state or "received", "duplicate": True}
            else:
                conflicts.append((i, lid))
        if dup_ledger:
            cr.execute(
                SQL(
                    "UPDATE hc_idempotency_key l SET duplicate_count = l.duplicate_count + v.n, last_seen_at = %s "
                    "FROM (VALUES %s) AS v(lid, n) WHERE l.id = v.lid",
                    now,
                    SQL(", ").join(SQL("(%s, %s)", k, n) for k, n in dup_ledger.items()),
                )
            )
        if dup_msgs:
            cr.execute(
                SQL(
                    "UPDATE hc_inbound_message m SET duplicate_count = m.duplicate_count + v.n "
                    "FROM (VALUES %s) AS v(mid, n) WHERE m.id = v.mid",
                    SQL(", ").join(SQL("(%s, %s)", k, n) for k, n in dup_msgs.items()),
                )
            )
        if conflicts:
            detail = "The idempotency key was already used with a different body."
            for i, _lid in conflicts:
                docs[i] = {
                    **docs[i],
                    "state": "rejected",
                    "error_code": "idempotency_key_reuse",
                    "error_detail": detail,
                }
            idx = [i for i, _lid in conflicts]
            ids = self._insert_messages(ctx, docs, idx, meta, now)
            self.env["hc.idempotency.conflict"].sudo().create(
                [
                    {
                        "ledger_id": lid,
                        "body_hash": docs[i]["body_hash"],
                        "message_id": mid,
                        "correlation_id": meta.get("correlation_id"),
                    }
                    for (i, lid), mid in zip(conflicts, ids, strict=True)
                ]
            )
            cr.execute(
                SQL(
                    "UPDATE hc_idempotency_key l SET conflict_count = l.conflict_count + v.n "
                    "FROM (VALUES %s) AS v(lid, n) "
                    "WHERE l.id = v.lid",
                    SQL(", ").join(
                        SQL("(%s, %s)", lid, sum(1 for _i, x in conflicts if x == lid))
                        for lid in {lid for _i, lid in conflicts}
                    ),
                )
            )
            for (i, _lid), mid in zip(conflicts, ids, strict=True):
                results[i] = {
                    "message_id": mid,
                    "status": "rejected",
                    "duplicate": False,
                    "error": {"class": "business", "code": "idempotency_key_reuse", "detail": detail},
                    "conflict": True,
                }

    @api.model
    def _trigger_realtime(self):
        """Wake the real-time processing cron; the caller commits, then notifies the runners.

        A trigger is inserted for every request, stamped with the clock at insert time (just
        before the commit): Odoo deletes the triggers older than the start of a job's last
        transaction when the job ends, so a trigger that arrived while the job was finishing
        survives and runs the job again. Returns True (notify).
        """
        cron = self.env.ref("healthcare_integration_base.ir_cron_hc_process_realtime", raise_if_not_found=False)
        if not cron:
            return False
        self.env.cr.execute(
            SQL(
                "INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, create_date, write_uid, write_date) "
                "VALUES (%(cron)s, clock_timestamp() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC', 1, "
                "now() AT TIME ZONE 'UTC')",
                cron=cron.id,
            )
        )
        return True

    # ------------------------------------------------------------------ processing
    @api.model
    def _claim(self, limit, endpoint_ids=None, sync_mode=None, own_transaction=False):
        """Lock up to ``limit`` due messages that no other worker holds.

        Odoo runs transactions in REPEATABLE READ: locking a row another worker finished after
        our snapshot raises a serialization failure. When this transaction is ours
        (``own_transaction``) nothing has been done in it yet, so we roll back for a fresh
        snapshot and try again instead of failing the whole run.
        """
        for attempt in range(6):
            try:
                with self.env.cr.savepoint(flush=False):
                    return self._claim_once(limit, endpoint_ids, sync_mode)
            except psycopg2.errors.SerializationFailure:
                if not own_transaction or attempt == 5:
                    raise
                self.env.cr.rollback()
                time.sleep(random.uniform(0.005, 0.05) * (attempt + 1))
        return []

    def _claim_once(self, limit, endpoint_ids, sync_mode):
        self.env.flush_all()  # pending ORM writes (a retry, a fix) must be visible to the claim
        conditions = [
            SQL("m.state IN ('received', 'retry')"),
            SQL("(m.next_attempt_at IS NULL OR m.next_attempt_at <= %s)", fields.Datetime.now()),
        ]
        if endpoint_ids:
            conditions.append(SQL("m.endpoint_id IN %s", tuple(endpoint_ids)))
        if sync_mode:
            conditions.append(SQL("m.endpoint_id IN (SELECT id FROM hc_endpoint WHERE sync_mode = %s)", sync_mode))
        self.env.cr.execute(
            SQL(
                "SELECT m.id FROM hc_inbound_message m WHERE %s ORDER BY m.priority_level DESC, m.id LIMIT %s "
                "FOR UPDATE SKIP LOCKED",
                SQL(" AND ").join(conditions),
                limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def process_pending(self, limit=200, endpoint_ids=None, sync_mode=None, time_budget=None, commit=True):
        """Process waiting messages in batches until none is left (or the time budget ends).

        Each batch is claimed, processed and committed in one transaction. Any number of
        workers may run this at once. Returns the number of messages handled.
        """
        if not (self.env.is_superuser() or self.env.user.has_group("healthcare_integration_base.group_hc_manager")):
            raise AccessError(_("Only an Integration Manager can process the queue."))
        self = self.sudo()  # noqa: PLW0642 - processors act for the endpoint; uid is kept as the actor
        deadline = time.monotonic() + time_budget if time_budget else None
        total = conflicts = 0
        if commit:
            self.env.cr.commit()  # each claim starts a transaction of its own, with a fresh snapshot
        while True:
            ids = self._claim(limit, endpoint_ids, sync_mode, own_transaction=commit)
            if not ids:
                break
            try:
                self.browse(ids)._process_claimed()
            except CONCURRENCY_ERRORS:
                if not commit:
                    raise
                # a concurrent worker touched the same rows: the batch goes back to the queue as a
                # whole and is claimed again with a fresh snapshot, no message is charged a retry
                self.env.cr.rollback()
                conflicts += 1
                if conflicts > 100 or (deadline and time.monotonic() > deadline):
                    self._trigger_realtime()
                    self.env.cr.commit()
                    break
                time.sleep(random.uniform(0.01, 0.05) * min(conflicts, 10))
                continue
            total += len(ids)
            if not commit:
                break
            self.env.cr.commit()
            if deadline and time.monotonic() > deadline:
                self._trigger_realtime()
                self.env.cr.commit()
                break
        return total

    @api.model
    def _cron_process_realtime(self):
        budget = float(self.env["ir.config_parameter"].sudo().get_param("hc.process_time_budget", 240))
        batch = int(self.env["ir.config_parameter"].sudo().get_param("hc.process_batch_size", 200))
        done = self.process_pending(limit=batch, sync_mode="realtime", time_budget=budget)
        # stragglers committed while the job was finishing: ask Odoo to run the job again at once
        remaining = self.sudo().search_count(
            [
                ("state", "in", PENDING_STATES),
                ("endpoint_id.sync_mode", "=", "realtime"),
                "|",
                ("next_attempt_at", "=", False),
                ("next_attempt_at", "<=", fields.Datetime.now()),
            ]
        )
        if remaining:
            self.env["ir.cron"]._notify_progress(done=max(done, 1), remaining=remaining)

    @api.model
    def _cron_process_batch(self):
        now = fields.Datetime.now()
        due = (
            self.env["hc.endpoint"]
            .search([("sync_mode", "=", "batch")])
            .filtered(
                lambda e: not e.last_batch_run or e.last_batch_run + timedelta(minutes=e.batch_interval_minutes) <= now
            )
        )
        if due:
            due.write({"last_batch_run": now})
            self.env.cr.commit()
            self.process_pending(endpoint_ids=due.ids, time_budget=240)
        # retries of real-time endpoints that became due meanwhile
        self.process_pending(sync_mode="realtime", time_budget=120)

    def _process_claimed(self):
        """Run each type's processor on the claimed messages and record every outcome, in bulk."""
        groups = defaultdict(list)
        for msg in self:
            row = self._type_row(msg.message_type)
            groups[(row[4] if row else None, msg.endpoint_id)].append(msg.id)
        outcomes = {}
        for (processor_model, endpoint), ids in groups.items():
            batch = self.browse(ids)
            if not processor_model or processor_model not in self.env:
                for msg_id in ids:
                    outcomes[msg_id] = HcBusinessError(
                        errors.NO_HANDLER, "No processor is installed for this message type.", cause=errors.NO_HANDLER
                    )
                continue
            # who and through which interface, read by the audit trail: kept out of the context,
            # which any RPC caller sets (lib/trust.py)
            with trust.attributed(
                interface=f"webhook:{endpoint.code}",
                endpoint_id=endpoint.id,
                correlation_ids={m.id: m.correlation_id for m in batch},
            ):
                outcomes.update(self._run_processor(batch, processor_model))
        self._record_outcomes(outcomes)

    def _run_processor(self, batch, processor_model):
        """``{message_id: outcome}`` from the processor; a crash re-runs its messages one by one."""
        processor = self.env[processor_model]
        try:
            with self.env.cr.savepoint():
                out = processor._process(batch) or {}
        except CONCURRENCY_ERRORS:
            raise  # the snapshot is stale for every message of the batch: see process_pending
        except Exception:
            _logger.info(
                "Processor %s failed on a batch of %s; isolating messages", processor_model, len(batch), exc_info=True
            )
            out = {}
            for msg in batch:
                try:
                    with (
                        trust.attributed(correlation_id=msg.correlation_id, message_id=msg.id),
                        self.env.cr.savepoint(),
                    ):
                        out.update(processor._process(msg) or {})
                except HcError as exc:
                    out[msg.id] = exc
                except CONCURRENCY_ERRORS:
                    raise
                except Exception as exc:  # any other failure is technical and retried
                    _logger.warning("Message %s failed technically: %s", msg.id, type(exc).__name__)
                    out[msg.id] = HcTechnicalError(type(exc).__name__, str(exc)[:500])
        for msg_id in batch.ids:
            out.setdefault(msg_id, HcTechnicalError(errors.NO_OUTCOME, "The processor returned no outcome."))
        return out

    def _record_outcomes(self, outcomes):
        cr = self.env.cr
        now = fields.Datetime.now()
        done, business, technical = [], [], []
        for msg_id, outcome in outcomes.items():
            if isinstance(outcome, HcBusinessError):
                business.append((msg_id, outcome))
            elif isinstance(outcome, Exception):
                technical.append((msg_id, outcome))
            else:
                done.append((msg_id, outcome))
        if done:
            cr.execute(
                SQL(
                    "UPDATE hc_inbound_message m SET state = 'done', processed_at = %s, attempts = m.attempts + 1, "
                    "next_attempt_at = NULL, error_class = NULL, error_code = NULL, error_detail = NULL, "
                    "result_model = v.model, result_ids = v.ids, write_date = %s, write_uid = %s "
                    "FROM (VALUES %s) AS v(mid, model, ids) WHERE m.id = v.mid",
                    now,
                    now,
                    self.env.uid,
                    SQL(", ").join(
                        SQL("(%s, %s, %s)", mid, out.get("result_model"), json.dumps(out.get("result_ids") or []))
                        for mid, out in done
                    ),
                )
            )
        if technical:
            self._record_technical(technical, now)
        if business:
            self._record_business(business, now)
        self.invalidate_model()
        if done:
            self.env["hc.exception"]._resolve_when_all_done([mid for mid, _o in done])

    def _record_technical(self, failures, now):
        """Retry with the type's policy (attempts, backoff), honouring ``retry_at`` and ``counts``."""
        by_id = dict(failures)
        msgs = self.browse(list(by_id))
        rows = []
        for msg in msgs:
            exc = by_id[msg.id]
            row = self._type_row(msg.message_type)
            max_attempts = (row and row[6]) or msg.endpoint_id.max_attempts or 8
            counts = getattr(exc, "counts", True)
            attempts = msg.attempts + (1 if counts else 0)
            dead = counts and attempts >= max_attempts
            retry_at = getattr(exc, "retry_at", None)
            if dead:
                nxt = None
            elif retry_at:
                nxt = max(retry_at, now)
            else:
                base, cap = (row[7], row[8]) if row else (BACKOFF_BASE, BACKOFF_CAP)
                nxt = now + timedelta(seconds=backoff_seconds(attempts, base=base, cap=cap))
            rows.append(
                SQL(
                    "(%s, %s, %s::timestamp, %s, %s, %s)",
                    msg.id,
                    "dead" if dead else "retry",
                    nxt,
                    getattr(exc, "code", type(exc).__name__),
                    (getattr(exc, "detail", "") or "")[:2000],
                    1 if counts else 0,
                )
            )
        self.env.cr.execute(
            SQL(
                "UPDATE hc_inbound_message m SET state = v.state, attempts = m.attempts + v.n, "
                "next_attempt_at = v.nxt, "
                "error_class = 'technical', error_code = v.code, error_detail = v.detail, processed_at = %s, "
                "write_date = %s FROM (VALUES %s) AS v(mid, state, nxt, code, detail, n) WHERE m.id = v.mid",
                now,
                now,
                SQL(", ").join(rows),
            )
        )

    def _record_business(self, failures, now):
        exceptions = self.env["hc.exception"].sudo()._for_failures(self.browse([m for m, _e in failures]), failures)
        self.env.cr.execute(
            SQL(
                "UPDATE hc_inbound_message m SET state = 'failed', attempts = m.attempts + 1, next_attempt_at = NULL, "
                "error_class = 'business', error_code = v.code, error_detail = v.detail, exception_id = v.exc, "
                "processed_at = %s, write_date = %s FROM (VALUES %s) AS v(mid, code, detail, exc) WHERE m.id = v.mid",
                now,
                now,
                SQL(", ").join(
                    SQL("(%s, %s, %s, %s)", mid, exc.code, (exc.detail or "")[:2000], exceptions[mid])
                    for mid, exc in failures
                ),
            )
        )

    # ------------------------------------------------------------------ actions
    def _check_manager(self):
        if not self.env.user.has_group("healthcare_integration_base.group_hc_manager") and not self.env.su:
            raise UserError(_("Only an Integration Manager can replay or cancel messages."))

    def action_retry(self):
        """Put failed, dead or retrying messages back in the queue (bulk on a selection)."""
        self._check_manager()
        todo = self.filtered(lambda m: m.state in ("failed", "dead", "retry", "received"))
        if not todo:
            raise UserError(_("Only failed, dead or retrying messages can be retried."))
        todo.sudo().write({"state": "received", "next_attempt_at": False})
        self.env["hc.exception"].sudo().search([("message_ids", "in", todo.ids), ("state", "=", "new")]).write(
            {"state": "in_progress"}
        )
        todo._trigger_realtime()
        return True

    def action_retry_same_cause(self):
        """Retry every failed message waiting on the same exception(s) as these."""
        exceptions = self.mapped("exception_id")
        if not exceptions:
            raise UserError(_("These messages are not waiting on an exception."))
        return exceptions.action_retry_messages()

    def action_cancel(self):
        self._check_manager()
        todo = self.filtered(lambda m: m.state not in ("done", "cancelled"))
        todo.sudo().write({"state": "cancelled", "next_attempt_at": False})
        return True

    def action_process_now(self):
        """Process these messages now, in this request (useful after a fix)."""
        self._check_manager()
        pending = self.filtered(lambda m: m.state in PENDING_STATES)
        if pending:
            self.env.cr.execute(
                SQL("SELECT id FROM hc_inbound_message WHERE id IN %s FOR UPDATE SKIP LOCKED", tuple(pending.ids))
            )
            claimed = [r[0] for r in self.env.cr.fetchall()]
            self.browse(claimed).sudo()._process_claimed()
        return True

    # ------------------------------------------------------------------ API view
    def _api_status(self):
        self.ensure_one()
        error = None
        if self.error_code:
            error = {"class": self.error_class, "code": self.error_code, "detail": self.error_detail or ""}
        result = None
        if self.result_model:
            result = {"model": self.result_model, "ids": json.loads(self.result_ids or "[]")}
        return {
            "message_id": self.id,
            "endpoint": self.endpoint_id.code,
            "message_type": self.message_type or None,
            "status": self.state,
            "attempts": self.attempts,
            "received_at": _iso(self.received_at),
            "processed_at": _iso(self.processed_at),
            "occurred_at": _iso(self.occurred_at),
            "correlation_id": self.correlation_id or None,
            "idempotency_key": self.idempotency_key or None,
            "next_attempt_at": _iso(self.next_attempt_at),
            "error": error,
            "result": result,
        }

    @api.model
    def _health_for_endpoint(self, endpoint_id):
        """Queue depth, oldest pending age and counts by status of one endpoint."""
        self.env.cr.execute(
            SQL(
                "SELECT state, count(*), min(received_at) FROM hc_inbound_message "
                "WHERE endpoint_id = %s GROUP BY state",
                endpoint_id,
            )
        )
        counts, oldest = {}, None
        for state, count, first in self.env.cr.fetchall():
            counts[state] = count
            if state in PENDING_STATES and first and (oldest is None or first < oldest):
                oldest = first
        age = int((fields.Datetime.now() - oldest).total_seconds()) if oldest else 0
        return {
            "queue_depth": sum(counts.get(s, 0) for s in PENDING_STATES),
            "oldest_pending_age_s": age,
            "counts": {s: counts.get(s, 0) for s, _label in STATES},
        }

    # ------------------------------------------------------------------ retention
    @api.model
    def _cron_archive_payloads(self):
        days = int(self.env["ir.config_parameter"].sudo().get_param("hc.payload_retention_days", 90))
        if days <= 0:
            return 0
        limit = fields.Datetime.now() - timedelta(days=days)
        self.env.cr.execute(
            SQL(
                "UPDATE hc_inbound_message SET payload = NULL, payload_archived = true, write_date = now() "
                "WHERE received_at < %s AND state IN %s AND NOT payload_archived",
                limit,
                FINAL_STATES,
            )
        )
        count = self.env.cr.rowcount
        self.invalidate_model(["payload", "payload_archived"])
        _logger.info("Archived the payload of %s inbound messages older than %s days", count, days)
        return count


def _iso(value):
    return (value and value.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")) or None
