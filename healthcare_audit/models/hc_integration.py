"""Audit hooks on the base module's models and on ir.cron."""

import logging
import threading

from odoo import _, api, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)

# configuration of an endpoint: changing it needs an Integration Manager (runtime fields
# such as the breaker state or last batch run are written by the engine and stay free)
ENDPOINT_CONFIG_FIELDS = frozenset(
    {
        "name",
        "code",
        "active",
        "company_id",
        "user_id",
        "auth_method",
        "sync_mode",
        "batch_interval_minutes",
        "allowed_networks",
        "allowed_message_types",
        "rate_limit_per_minute",
        "max_body_bytes",
        "max_batch_events",
        "timestamp_tolerance",
        "max_attempts",
        "secret_grace_hours",
        "team_id",
        "outbound_url",
        "outbound_timeout",
        "breaker_threshold",
        "breaker_cooldown",
        "alert_backlog",
        "alert_oldest_age",
        "alert_failure_rate",
    }
)


def log_durably(env, entries):
    """Record events in their own transaction, so they survive the refusal they document.

    Under tests (no commit allowed) and when the separate transaction fails (e.g. the actor
    was created in the current, uncommitted transaction) they are recorded in the current one.
    """
    testing = getattr(threading.current_thread(), "testing", False) or env.registry.in_test_mode()
    if not testing:
        try:
            with env.registry.cursor() as cr:
                env(cr=cr, su=True)["hc.audit.event"]._log(entries)
            return
        except Exception:
            _logger.warning("hc_audit: could not record a refusal in its own transaction", exc_info=True)
    env(su=True)["hc.audit.event"]._log(entries)


class HcEndpoint(models.Model):
    _inherit = "hc.endpoint"

    def _hc_audit_check_manager(self, operation, fnames):
        if self.env.su or self.env.user.has_group("healthcare_integration_base.group_hc_manager"):
            return
        config = sorted(ENDPOINT_CONFIG_FIELDS & set(fnames))
        if not config:
            return
        reason = _(
            "Endpoint configuration changes need an Integration Manager (%(op)s of %(fields)s refused).",
            op=operation,
            fields=", ".join(config),
        )
        log_durably(
            self.env,
            [
                {
                    "action": "access_denied",
                    "model": self._name,
                    "res_id": rec.id,
                    "res_name": rec.sudo().display_name,
                    "reason": reason,
                    "changes": {"refused_fields": config},
                }
                for rec in self
            ]
            or [
                {
                    "action": "access_denied",
                    "model": self._name,
                    "reason": reason,
                    "changes": {"refused_fields": config},
                }
            ],
        )
        raise AccessError(reason)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._hc_audit_check_manager("create", [*vals, "code"])
        return super().create(vals_list)

    def write(self, vals):
        self._hc_audit_check_manager("write", vals)
        return super().write(vals)

    def generate_secret(self):
        plain = super().generate_secret()
        self.env["hc.audit.event"].sudo()._log_event(
            "secret_rotated",
            self,
            reason=_("A new credential was generated; the previous one expires in %s h.", self.secret_grace_hours),
            changes={"auth_method": self.auth_method, "credential": "***"},
        )
        return plain

    def generate_outbound_secret(self):
        plain = super().generate_outbound_secret()
        self.env["hc.audit.event"].sudo()._log_event(
            "secret_rotated",
            self,
            reason=_(
                "A new outbound signing secret was generated; the previous one signs for %s h more.",
                self.secret_grace_hours,
            ),
            changes={"kind": "outbound", "credential": "***"},
        )
        return plain


class HcGuardedMixin(models.AbstractModel):
    _inherit = "hc.guarded.mixin"

    def _hc_guard_refused(self, refused, operation):
        """A direct write of a decision field is an attempt worth recording, even when refused."""
        reason = _(
            "Direct %(op)s of %(fields)s refused: set only by the model's actions.",
            op=operation,
            fields=", ".join(refused),
        )
        entry = {
            "action": "access_denied",
            "model": self._name,
            "reason": reason,
            "changes": {"refused_fields": refused},
        }
        log_durably(
            self.env,
            [{**entry, "res_id": rec.id, "res_name": rec.sudo().display_name} for rec in self] or [entry],
        )
        return super()._hc_guard_refused(refused, operation)


class HcException(models.Model):
    _inherit = "hc.exception"

    @api.model
    def _for_failures(self, messages, failures):
        """Exceptions raised by processing are webhook-driven: record them with their endpoint."""
        if trust.attribution().get("interface") or not messages:
            return super()._for_failures(messages, failures)
        result = {}
        for endpoint in messages.mapped("endpoint_id"):
            batch = messages.filtered(lambda m, e=endpoint: m.endpoint_id == e)
            ids = set(batch.ids)
            with trust.attributed(
                interface=f"webhook:{endpoint.code}",
                endpoint_id=endpoint.id,
                correlation_ids={m.id: m.correlation_id for m in batch},
            ):
                result.update(super()._for_failures(batch, [(mid, err) for mid, err in failures if mid in ids]))
        return result

    def _check_approver(self):
        try:
            return super()._check_approver()
        except (AccessError, UserError) as exc:
            log_durably(
                self.env,
                [
                    {
                        "action": "access_denied",
                        "model": self._name,
                        "res_id": rec.id,
                        "res_name": rec.sudo().name,
                        "reason": str(exc.args[0] if exc.args else exc)[:1000],
                        "changes": {"attempted": "decision", "raised_by_id": rec.sudo().raised_by_id.id or None},
                    }
                    for rec in self
                ],
            )
            raise

    def _decide(self, state, reason):
        before = {rec.id: rec.sudo().state for rec in self}
        with trust.audit_suspended():  # recorded below, once, as a decision
            res = super()._decide(state, reason)
        self.env["hc.audit.event"].sudo()._log(
            [
                {
                    "action": "decision",
                    "model": self._name,
                    "res_id": rec.id,
                    "res_name": rec.sudo().name,
                    "reason": (reason or "").strip(),
                    "changes": {
                        "state": {"old": before.get(rec.id), "new": state},
                        "decided_by_id": {"old": None, "new": self.env.uid},
                    },
                }
                for rec in self
            ]
        )
        return res


class IrCron(models.Model):
    _inherit = "ir.cron"

    def _callback(self, cron_name, server_action_id):
        thread = threading.current_thread()
        previous = getattr(thread, "hc_audit_cron_name", None)
        thread.hc_audit_cron_name = cron_name
        try:
            with trust.attributed(interface=f"cron:{cron_name}"):
                return super()._callback(cron_name, server_action_id)
        finally:
            thread.hc_audit_cron_name = previous

    def method_direct_trigger(self):
        thread = threading.current_thread()
        previous = getattr(thread, "hc_audit_cron_name", None)
        thread.hc_audit_cron_name = self.cron_name or self.name
        try:
            return super().method_direct_trigger()
        finally:
            thread.hc_audit_cron_name = previous
