import json
import logging
import time
import uuid
from datetime import timedelta

import requests

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..lib import crypto, signature, trust
from .hc_endpoint import server_secret_key
from .hc_inbound_message import backoff_seconds

_logger = logging.getLogger(__name__)
EXCERPT = 500


class HcOutboundMessage(models.Model):
    """The delivery queue to partners: signed POSTs with retries and a circuit breaker.

    Delivery is at-least-once: a message is claimed with ``FOR UPDATE SKIP LOCKED`` and its
    outcome committed right after the HTTP call; the ``webhook-id`` stays the same on every
    attempt so the partner can drop repeats.
    """

    _name = "hc.outbound.message"
    _description = "Outbound Delivery"
    _order = "id desc"

    endpoint_id = fields.Many2one("hc.endpoint", required=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(related="endpoint_id.company_id", store=True)
    url = fields.Char(
        compute="_compute_url",
        store=True,
        readonly=True,
        string="Delivery URL",
        help="The endpoint's delivery URL: deliveries go only where a manager configured the endpoint to send.",
    )
    message_type = fields.Char(index=True)
    content_type = fields.Char(default="application/json")
    payload = fields.Text(required=True)
    webhook_id = fields.Char(default=lambda self: f"msg_{uuid.uuid4().hex}", readonly=True, copy=False)
    correlation_id = fields.Char(index=True)
    state = fields.Selection(
        [("pending", "Pending"), ("retry", "Retry"), ("sent", "Sent"), ("dead", "Dead"), ("cancelled", "Cancelled")],
        default="pending",
        required=True,
        index=True,
        readonly=True,
    )
    attempts = fields.Integer(default=0, readonly=True)
    max_attempts = fields.Integer(default=8)
    next_attempt_at = fields.Datetime(readonly=True)
    sent_at = fields.Datetime(readonly=True)
    last_status_code = fields.Integer(readonly=True)
    last_response_excerpt = fields.Text(readonly=True)
    last_error = fields.Char(readonly=True)
    ack_deadline = fields.Datetime(help="When the partner's business acknowledgment is due.")
    ack_status = fields.Selection(
        [("none", "Not Expected"), ("awaiting", "Awaiting"), ("received", "Received"), ("overdue", "Overdue")],
        default="none",
        required=True,
        index=True,
        readonly=True,
    )
    ack_received_at = fields.Datetime(readonly=True)
    res_model = fields.Char()
    res_id = fields.Many2oneReference(model_field="res_model")
    attempt_ids = fields.One2many("hc.outbound.attempt", "outbound_id", string="Delivery History", readonly=True)

    @api.depends("endpoint_id.outbound_url")
    def _compute_url(self):
        for msg in self:
            msg.url = msg.endpoint_id.sudo().outbound_url

    @api.model_create_multi
    def create(self, vals_list):
        endpoints = self.env["hc.endpoint"].browse([v.get("endpoint_id") for v in vals_list if v.get("endpoint_id")])
        urls = {e.id: e.sudo().outbound_url for e in endpoints}
        for vals in vals_list:
            if isinstance(vals.get("payload"), (dict, list)):
                vals["payload"] = json.dumps(vals["payload"], ensure_ascii=False)
            if not urls.get(vals.get("endpoint_id")):
                raise UserError(_("The endpoint has no delivery URL."))
        return super().create(vals_list)

    def _check_manager(self):
        if not (self.env.su or self.env.user.has_group("healthcare_integration_base.group_hc_manager")):
            raise AccessError(_("Only an Integration Manager can send, retry or cancel outbound deliveries."))

    def action_retry(self):
        self._check_manager()
        with trust.privileged():
            self.write({"state": "pending", "next_attempt_at": False})
        return True

    def action_cancel(self):
        self._check_manager()
        with trust.privileged():
            self.filtered(lambda m: m.state != "sent").write({"state": "cancelled"})
        return True

    def action_mark_acknowledged(self):
        self._check_manager()
        with trust.privileged():
            self.write({"ack_status": "received", "ack_received_at": fields.Datetime.now()})
        return True

    # ------------------------------------------------------------------ delivery
    @api.model
    def _cron_deliver(self, limit=50, time_budget=120):
        deadline = time.monotonic() + time_budget
        total = 0
        while time.monotonic() < deadline:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM hc_outbound_message WHERE state IN ('pending', 'retry') "
                    "AND (next_attempt_at IS NULL OR next_attempt_at <= %s) "
                    "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                    fields.Datetime.now(),
                    limit,
                )
            )
            ids = [r[0] for r in self.env.cr.fetchall()]
            if not ids:
                break
            for msg in self.browse(ids):
                msg._deliver()
                total += 1
            self.env.cr.commit()
        self._check_ack_deadlines()
        return total

    def deliver_now(self):
        """Deliver these messages in this transaction (manual resend): Integration Managers only,
        checked before anything is sent."""
        self._check_manager()
        todo = self.filtered(lambda m: m.state in ("pending", "retry"))
        if not todo:
            return True
        # the delivery cron may hold some of them right now: those are its to send, not sent twice
        self.env.cr.execute(
            SQL(
                "SELECT id FROM hc_outbound_message WHERE id IN %s AND state IN ('pending', 'retry') "
                "FOR UPDATE SKIP LOCKED",
                tuple(todo.ids),
            )
        )
        claimed = {row[0] for row in self.env.cr.fetchall()}
        with trust.privileged():
            for msg in todo.filtered(lambda m: m.id in claimed):
                msg._deliver()
        return True

    def _outbound_secrets(self):
        """The endpoint's outbound signing secrets still valid: the current one first, then those
        rotated less than the grace period ago (the partner may verify with either meanwhile).

        Never the secret that verifies the partner's inbound requests: whoever can queue an
        outbound delivery must not be able to mint a valid inbound signature."""
        secrets = (
            self.env["hc.endpoint.secret"]
            .sudo()
            .search(
                [
                    ("endpoint_id", "=", self.endpoint_id.id),
                    ("kind", "=", "outbound"),
                    "|",
                    ("expires_at", "=", False),
                    ("expires_at", ">", fields.Datetime.now()),
                ],
                order="expires_at desc nulls first, id desc",
            )
        )
        if not secrets:
            return []
        key = crypto.derive_fernet_key(server_secret_key(self.env))
        return [crypto.decrypt(key, s.secret_encrypted) for s in secrets]

    def _record_attempt(self, code=None, duration=0, error=None, excerpt="", url=None):
        # the delivery log is the engine's: no user creates attempts, so it is written as superuser
        self.env["hc.outbound.attempt"].sudo().create(
            {
                "outbound_id": self.id,
                "url": url,
                "status_code": code,
                "duration_ms": duration,
                "error": error,
                "response_excerpt": excerpt,
            }
        )

    def _refuse_delivery(self, error, detail):
        """Nothing can be sent until a manager fixes the endpoint: dead at once, with the reason."""
        self._record_attempt(error=error)
        with trust.privileged():
            self.write(
                {
                    "state": "dead",
                    "attempts": self.attempts + 1,
                    "next_attempt_at": False,
                    "last_status_code": 0,
                    "last_error": detail[:250],
                    "last_response_excerpt": False,
                }
            )
        return False

    def _deliver(self):
        """One attempt, honouring the endpoint's circuit breaker."""
        self.ensure_one()
        endpoint = self.endpoint_id.sudo()
        now = fields.Datetime.now()
        url = endpoint.outbound_url
        if not url:
            return self._refuse_delivery("no_delivery_url", "The endpoint has no delivery URL.")
        secrets = self._outbound_secrets()
        if not secrets:
            return self._refuse_delivery(
                "no_outbound_secret",
                "The endpoint has no outbound signing secret: a manager generates one "
                "(Generate Outbound Secret), gives it to the partner, then retries.",
            )
        if endpoint.breaker_state == "open":
            reopen = endpoint.breaker_opened_at + timedelta(seconds=endpoint.breaker_cooldown)
            if now < reopen:
                with trust.privileged():
                    self.write({"state": "retry", "next_attempt_at": reopen, "last_error": "circuit open"})
                return False
            endpoint.write({"breaker_state": "half_open"})
        body = self.payload.encode()
        ts = int(time.time())
        headers = {
            "Content-Type": self.content_type or "application/json",
            "webhook-id": self.webhook_id,
            "webhook-timestamp": str(ts),
            # Standard Webhooks: several space-separated signatures, one per valid secret
            "webhook-signature": " ".join(signature.sign(s, self.webhook_id, ts, body) for s in secrets),
        }
        if self.correlation_id:
            headers["X-Correlation-ID"] = self.correlation_id
        start = time.monotonic()
        code, excerpt, error = None, "", None
        try:
            resp = requests.post(
                url, data=body, headers=headers, timeout=endpoint.outbound_timeout or 10, allow_redirects=False
            )
            code, excerpt = resp.status_code, resp.text[:EXCERPT]
            ok = 200 <= resp.status_code < 300
            if not ok:
                error = f"HTTP {resp.status_code}"
        except requests.Timeout:
            ok, error = False, "timeout"
        except Exception as exc:  # whatever happened, the attempt is recorded and retried
            ok, error = False, type(exc).__name__
        duration = int((time.monotonic() - start) * 1000)
        self._record_attempt(code=code, duration=duration, error=error, excerpt=excerpt, url=url)
        attempts = self.attempts + 1
        vals = {"attempts": attempts, "last_status_code": code, "last_response_excerpt": excerpt, "last_error": error}
        if ok:
            vals.update(state="sent", sent_at=now, next_attempt_at=False)
            if self.ack_deadline and self.ack_status == "none":
                vals["ack_status"] = "awaiting"
            endpoint.write({"breaker_state": "closed", "breaker_failures": 0, "breaker_opened_at": False})
        else:
            # 4xx other than 408/429 will not get better by retrying: dead at once
            final = code is not None and 400 <= code < 500 and code not in (408, 429)
            dead = final or attempts >= (self.max_attempts or 8)
            vals.update(
                state="dead" if dead else "retry",
                next_attempt_at=False if dead else now + timedelta(seconds=backoff_seconds(attempts)),
            )
            failures = endpoint.breaker_failures + 1
            bvals = {"breaker_failures": failures}
            if endpoint.breaker_state == "half_open" or failures >= (endpoint.breaker_threshold or 5):
                bvals.update(breaker_state="open", breaker_opened_at=now)
            endpoint.write(bvals)
        with trust.privileged():
            self.write(vals)
        return ok

    @api.model
    def _check_ack_deadlines(self):
        overdue = self.search([("ack_status", "=", "awaiting"), ("ack_deadline", "<", fields.Datetime.now())])
        with trust.privileged():
            overdue.write({"ack_status": "overdue"})
        return overdue


class HcOutboundAttempt(models.Model):
    _name = "hc.outbound.attempt"
    _description = "Outbound Delivery Attempt"
    _order = "id desc"

    outbound_id = fields.Many2one("hc.outbound.message", required=True, ondelete="cascade", index=True)
    url = fields.Char(string="Delivery URL")
    status_code = fields.Integer()
    duration_ms = fields.Integer()
    error = fields.Char()
    response_excerpt = fields.Text()
