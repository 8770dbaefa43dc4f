import ipaddress
import logging
import re
from datetime import timedelta
from fnmatch import fnmatchcase

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib import crypto, signature, trust

_logger = logging.getLogger(__name__)

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
DEFAULT_MAX_BODY = 5 * 1024 * 1024


def server_secret_key(env):
    """The key that encrypts secrets at rest, from the server configuration (``hc_secret_key``).

    Without it, test and development servers fall back to a key derived from the database
    secret (and say so); a production server refuses, because its secrets would otherwise be
    readable by anyone with a database dump.
    """
    key = tools.config.get("hc_secret_key")
    if key:
        return key
    if tools.config.get("test_enable") or tools.config.get("dev_mode") or tools.config.get("hc_allow_db_key"):
        _logger.warning("hc_secret_key is not set in the server configuration: using a database-derived key")
        return env["ir.config_parameter"].sudo().get_param("database.secret")
    raise UserError(
        _(
            "The server configuration has no 'hc_secret_key'. Add a long random value to the "
            "[options] section of the Odoo configuration file (e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`) and restart Odoo."
        )
    )


class HcEndpoint(models.Model):
    """One external system's connection to the ERP."""

    _name = "hc.endpoint"
    _description = "Integration Endpoint"
    _inherit = ["mail.thread", "mail.activity.mixin", "hc.cached.config.mixin"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True, index=True, tracking=True, help="Short code in the URL: /hc/v1/endpoints/<code>/messages"
    )
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Acting User",
        default=lambda self: self.env.ref("base.user_root"),
        help="The technical user webhook-driven changes are made as.",
    )
    auth_method = fields.Selection(
        [("signature", "Signed (Standard Webhooks)"), ("api_key", "API key (Bearer)")],
        default="signature",
        required=True,
        tracking=True,
    )
    sync_mode = fields.Selection(
        [("realtime", "Real time"), ("batch", "Batch (scheduled)")], default="realtime", required=True, tracking=True
    )
    batch_interval_minutes = fields.Integer(default=15, help="For batch endpoints: how often their queue is processed.")
    last_batch_run = fields.Datetime(readonly=True, copy=False)
    allowed_networks = fields.Text(
        help="Client IP networks allowed to post, one CIDR per line or comma-separated. Empty: any."
    )
    allowed_message_types = fields.Text(
        help="Message types this endpoint may send, one per line or comma-separated; '*' patterns allowed. Empty: any."
    )
    rate_limit_per_minute = fields.Integer(default=0, help="0: no limit.")
    max_body_bytes = fields.Integer(default=DEFAULT_MAX_BODY, string="Max Body Size (bytes)")
    max_batch_events = fields.Integer(default=1000)
    timestamp_tolerance = fields.Integer(default=300, string="Timestamp Tolerance (s)")
    max_attempts = fields.Integer(default=8, help="Technical failures are retried this many times, then 'dead'.")
    priority = fields.Selection(
        [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Critical")],
        default="0",
        required=True,
        tracking=True,
        help="Messages of this endpoint are claimed at least at this priority (their type's may be higher): "
        "e.g. Critical for dispensing cabinets, Low for a nightly bulk feed.",
    )
    secret_grace_hours = fields.Integer(
        default=24, help="After a new secret is generated, the previous one stays valid this long."
    )
    team_id = fields.Many2one("hc.team", string="Owner Team", tracking=True)
    secret_ids = fields.One2many("hc.endpoint.secret", "endpoint_id", groups="base.group_system")
    has_credential = fields.Boolean(compute="_compute_credential_info")
    credential_hint = fields.Char(compute="_compute_credential_info", string="Current Credential")
    has_outbound_secret = fields.Boolean(compute="_compute_credential_info")
    outbound_secret_hint = fields.Char(compute="_compute_credential_info", string="Outbound Signing Secret")
    # outbound deliveries to this system
    outbound_url = fields.Char(string="Delivery URL", help="Where outbound messages for this system are POSTed.")
    outbound_timeout = fields.Float(default=10.0, string="Delivery Timeout (s)")
    breaker_threshold = fields.Integer(default=5, help="Consecutive delivery failures that open the circuit.")
    breaker_cooldown = fields.Integer(default=300, string="Breaker Cool-down (s)")
    breaker_state = fields.Selection(
        [("closed", "Closed"), ("open", "Open"), ("half_open", "Half-open")], default="closed", readonly=True
    )
    breaker_failures = fields.Integer(readonly=True, string="Consecutive Failures")
    breaker_opened_at = fields.Datetime(readonly=True)
    # monitoring thresholds
    alert_backlog = fields.Integer(default=1000, string="Alert: Backlog Above")
    alert_oldest_age = fields.Integer(default=900, string="Alert: Oldest Pending Age Above (s)")
    alert_failure_rate = fields.Float(default=0.2, string="Alert: Failure Rate Above (last hour)")
    alert_active = fields.Boolean(readonly=True, copy=False, help="A threshold is breached and an activity was made.")
    message_count = fields.Integer(compute="_compute_message_count")

    _sql_constraints = [("code_unique", "unique(code)", "The endpoint code must be unique.")]

    @api.constrains("code")
    def _check_code(self):
        for rec in self:
            if not CODE_RE.match(rec.code or ""):
                raise ValidationError(_("Endpoint code must match [a-z0-9][a-z0-9_-]{1,63}."))

    @api.constrains("allowed_networks")
    def _check_networks(self):
        for rec in self:
            try:
                rec._networks()
            except ValueError as exc:
                raise ValidationError(_("Invalid network in allowed networks: %s", exc)) from exc

    def _networks(self):
        text = self.allowed_networks or ""
        return [ipaddress.ip_network(part, strict=False) for part in re.split(r"[\s,;]+", text) if part]

    def _message_type_patterns(self):
        return [p for p in re.split(r"[\s,;]+", self.allowed_message_types or "") if p]

    def _compute_credential_info(self):
        secrets = (
            self.env["hc.endpoint.secret"].sudo().search([("endpoint_id", "in", self.ids), ("expires_at", "=", False)])
        )
        by_endpoint = {s.endpoint_id.id: s for s in secrets if s.kind != "outbound"}
        outbound = {s.endpoint_id.id: s for s in secrets if s.kind == "outbound"}
        for rec in self:
            cred = by_endpoint.get(rec.id)
            rec.has_credential = bool(cred)
            rec.credential_hint = (cred and f"…{cred.hint}") or False
            out = outbound.get(rec.id)
            rec.has_outbound_secret = bool(out)
            rec.outbound_secret_hint = (out and f"…{out.hint}") or False

    def _compute_message_count(self):
        data = self.env["hc.inbound.message"]._read_group(
            [("endpoint_id", "in", self.ids)], ["endpoint_id"], ["__count"]
        )
        counts = {endpoint.id: count for endpoint, count in data}
        for rec in self:
            rec.message_count = counts.get(rec.id, 0)

    # ------------------------------------------------------------------ credentials
    def generate_secret(self):
        """Create a new credential and return it, exactly once.

        The previous credential keeps working for ``secret_grace_hours`` so the external system
        can switch without downtime. Integration Managers only.
        """
        self.ensure_one()
        if not self.env.user.has_group("healthcare_integration_base.group_hc_manager"):
            raise AccessError(_("Only an Integration Manager can generate endpoint credentials."))
        key = server_secret_key(self.env)
        Secret = self.env["hc.endpoint.secret"].sudo()
        now = fields.Datetime.now()
        current = Secret.search([("endpoint_id", "=", self.id), ("expires_at", "=", False), ("kind", "!=", "outbound")])
        current.write({"expires_at": now + timedelta(hours=max(self.secret_grace_hours, 0))})
        if self.auth_method == "signature":
            plain = signature.generate_secret()
            vals = {"secret_encrypted": crypto.encrypt(crypto.derive_fernet_key(key), plain)}
        else:
            plain = signature.generate_api_key()
            vals = {"key_hash": signature.hash_api_key(plain)}
        Secret.create({"endpoint_id": self.id, "kind": self.auth_method, "hint": plain[-4:], **vals})
        self.message_post(
            body=_(
                "New %(kind)s generated by %(user)s; the previous one stays valid for %(h)s h.",
                kind=dict(self._fields["auth_method"].selection)[self.auth_method],
                user=self.env.user.name,
                h=self.secret_grace_hours,
            )
        )
        self.env.registry.clear_cache()
        return plain

    def action_generate_secret(self):
        """UI button: show the new credential once, in a dialog with copy buttons, the full
        webhook URL and a curl example (see ``hc_endpoint_credential``).

        The value travels only in this RPC answer; it is not stored anywhere readable.
        """
        plain = self.generate_secret()
        return {
            "type": "ir.actions.client",
            "tag": "hc_credential_dialog",
            "name": _("New credential for %s", self.name),
            "params": self._hc_credential_instructions(plain),
        }

    def generate_outbound_secret(self):
        """Create a new secret that signs deliveries to this system and return it, exactly once.

        It is separate from the secret that verifies the system's inbound requests. The previous
        outbound secret still signs (next to the new one) for ``secret_grace_hours``, so the
        partner can switch without refusing deliveries. Integration Managers only.
        """
        self.ensure_one()
        if not self.env.user.has_group("healthcare_integration_base.group_hc_manager"):
            raise AccessError(_("Only an Integration Manager can generate endpoint credentials."))
        key = server_secret_key(self.env)
        Secret = self.env["hc.endpoint.secret"].sudo()
        now = fields.Datetime.now()
        current = Secret.search([("endpoint_id", "=", self.id), ("expires_at", "=", False), ("kind", "=", "outbound")])
        current.write({"expires_at": now + timedelta(hours=max(self.secret_grace_hours, 0))})
        plain = signature.generate_secret()
        Secret.create(
            {
                "endpoint_id": self.id,
                "kind": "outbound",
                "hint": plain[-4:],
                "secret_encrypted": crypto.encrypt(crypto.derive_fernet_key(key), plain),
            }
        )
        self.message_post(
            body=_(
                "New outbound signing secret generated by %(user)s; the previous one keeps signing for %(h)s h.",
                user=self.env.user.name,
                h=self.secret_grace_hours,
            )
        )
        return plain

    def action_generate_outbound_secret(self):
        """UI button: show the new outbound signing secret once, like :meth:`action_generate_secret`."""
        plain = self.generate_outbound_secret()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("New outbound signing secret for %s: copy it now, it will not be shown again", self.code),
                "message": plain,
                "sticky": True,
                "type": "warning",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_open_messages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("healthcare_integration_base.action_hc_inbound_message")
        action["domain"] = [("endpoint_id", "=", self.id)]
        action["context"] = {"search_default_endpoint_id": self.id}
        return action

    def action_reset_breaker(self):
        if not self.env.user.has_group("healthcare_integration_base.group_hc_manager"):
            raise AccessError(_("Only an Integration Manager can reset the circuit breaker."))
        with trust.privileged():
            self.write({"breaker_state": "closed", "breaker_failures": 0, "breaker_opened_at": False})
        return True

    @api.model
    def _auth_context(self, code):
        """Everything the controller needs to authenticate ``code``, cached per process.

        Returns None for an unknown or inactive endpoint. Cleared whenever an endpoint or a
        credential changes (``registry.clear_cache``, which other workers see too).
        """
        return self._auth_context_cached(code)

    @tools.ormcache("code")
    def _auth_context_cached(self, code):
        endpoint = self.sudo().with_context(active_test=True).search([("code", "=", code)], limit=1)
        if not endpoint:
            return None
        secrets = self.env["hc.endpoint.secret"].sudo().search([("endpoint_id", "=", endpoint.id)])
        fernet_key = None
        creds = []
        for sec in secrets:
            if sec.kind != endpoint.auth_method:
                continue
            if sec.kind == "signature":
                fernet_key = fernet_key or crypto.derive_fernet_key(server_secret_key(self.env))
                value = crypto.decrypt(fernet_key, sec.secret_encrypted)
            else:
                value = sec.key_hash
            creds.append((value, sec.expires_at))
        return {
            "id": endpoint.id,
            "code": endpoint.code,
            "company_id": endpoint.company_id.id,
            "user_id": endpoint.user_id.id or self.env.ref("base.user_root").id,
            "auth_method": endpoint.auth_method,
            "sync_mode": endpoint.sync_mode,
            "credentials": tuple(creds),
            "networks": tuple(endpoint._networks()),
            "types": tuple(endpoint._message_type_patterns()),
            "rate_limit": endpoint.rate_limit_per_minute,
            "max_body": endpoint.max_body_bytes or DEFAULT_MAX_BODY,
            "max_batch": endpoint.max_batch_events or 1000,
            "tolerance": endpoint.timestamp_tolerance or 300,
            "priority": int(endpoint.priority or 0),
        }

    @api.model
    @tools.ormcache()
    def _active_codes(self):
        """Codes of active endpoints (for requests that do not name their endpoint)."""
        return tuple(self.sudo().search([]).mapped("code"))

    @staticmethod
    def _type_allowed(patterns, message_type):
        return not patterns or any(fnmatchcase(message_type or "", p) for p in patterns)

    # fields the controller's cached context (``_auth_context``) or ``_active_codes`` is made of;
    # bookkeeping writes (last batch run, breaker, alerts) leave every worker's cache alone
    _AUTH_FIELDS = frozenset(
        {
            "code",
            "active",
            "company_id",
            "user_id",
            "auth_method",
            "sync_mode",
            "allowed_networks",
            "allowed_message_types",
            "rate_limit_per_minute",
            "max_body_bytes",
            "max_batch_events",
            "timestamp_tolerance",
            "priority",
        }
    )

    _hc_cached_fields = _AUTH_FIELDS
