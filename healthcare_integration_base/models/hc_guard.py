"""Fields that record decisions, approvals, attribution and engine bookkeeping: written only by
their methods.

``readonly=True`` is a view attribute: an RPC caller with write access to a model can write any
of its fields. Models list the fields that only their methods write in ``_hc_guarded_fields``
(``ALL``: every field); ``create`` and ``write`` refuse them unless the code runs as superuser
(``sudo()``, server code's own decision) or inside :func:`..lib.trust.privileged`, which a
method enters only after checking the group and the four-eyes rule. Neither can be reached by a
context key. ``_hc_frozen_fields`` are never changed through the ORM once the record exists, not
even by ``sudo()`` code (the received payload). The engine's bulk SQL statements do not go
through the ORM and stay as they are.
"""

from odoo import _, api, models
from odoo.exceptions import AccessError, UserError

from ..lib import trust

ALL = "__all__"


class HcGuardedMixin(models.AbstractModel):
    _name = "hc.guarded.mixin"
    _description = "Fields written only by their methods"

    _hc_guarded_fields = frozenset()
    _hc_frozen_fields = frozenset()

    @api.model
    def _hc_guarded_names(self):
        if self._hc_guarded_fields == ALL:
            return frozenset(self._fields)
        return frozenset(self._hc_guarded_fields)

    @api.model
    def _hc_trusted_writer(self):
        return self.env.su or trust.is_privileged()

    def _hc_check_guarded(self, fnames, operation):
        """Raise AccessError when ``fnames`` name guarded fields and the caller is not trusted."""
        if self._hc_trusted_writer():
            return
        refused = sorted(self._hc_guarded_names() & set(fnames))
        if refused:
            self._hc_guard_refused(refused, operation)

    def _hc_guard_refused(self, refused, operation):
        raise AccessError(
            _(
                "%(model)s: %(fields)s can be set only through its actions (approve, reject, retry, ...), "
                "which check who may decide; a direct %(operation)s is refused.",
                fields=", ".join(refused),
                model=self._description,
                operation=operation,
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._hc_trusted_writer():
            self._hc_check_guarded({name for vals in vals_list for name in vals}, "create")
            # defaults given in the context (default_state=...) are input too: ignore them
            guarded = self._hc_guarded_names()
            ctx = self.env.context
            if any(key.startswith("default_") and key[8:] in guarded for key in ctx):
                self = self.with_context(  # noqa: PLW0642
                    {k: v for k, v in ctx.items() if not (k.startswith("default_") and k[8:] in guarded)}
                )
        return super().create(vals_list)

    def write(self, vals):
        frozen = sorted(set(self._hc_frozen_fields) & set(vals))
        if frozen and self:
            raise UserError(
                _(
                    "%(fields)s of %(model)s cannot change once it is recorded.",
                    fields=", ".join(frozen),
                    model=self._description,
                )
            )
        self._hc_check_guarded(vals, "write")
        return super().write(vals)


class HcInboundMessageGuard(models.Model):
    _name = "hc.inbound.message"
    _inherit = ["hc.inbound.message", "hc.guarded.mixin"]

    # the queue is the engine's: state, approvals (approved_codes), outcomes, attribution
    _hc_guarded_fields = ALL
    # what was received (and the identity it is deduplicated by) never changes, not even by sudo code
    _hc_frozen_fields = frozenset({"payload", "payload_hash", "endpoint_id", "idempotency_key"})


class HcExceptionGuard(models.Model):
    _name = "hc.exception"
    _inherit = ["hc.exception", "hc.guarded.mixin"]

    _hc_guarded_fields = frozenset(
        {
            "state",
            "raised_by_id",
            "decided_by_id",
            "decided_at",
            "decision_reason",
            "code",
            "cause",
            "endpoint_id",
            "company_id",
            "res_model",
            "res_id",
        }
    )


class HcOutboundMessageGuard(models.Model):
    _name = "hc.outbound.message"
    _inherit = ["hc.outbound.message", "hc.guarded.mixin"]

    _hc_guarded_fields = frozenset(
        {
            "state",
            "url",
            "webhook_id",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "last_status_code",
            "last_response_excerpt",
            "last_error",
            "ack_status",
            "ack_received_at",
        }
    )
    _hc_frozen_fields = frozenset({"payload", "webhook_id", "endpoint_id"})


class HcEndpointGuard(models.Model):
    _name = "hc.endpoint"
    _inherit = ["hc.endpoint", "hc.guarded.mixin"]

    # runtime state kept by the engine (configuration is a manager's, see healthcare_audit)
    _hc_guarded_fields = frozenset(
        {"breaker_state", "breaker_failures", "breaker_opened_at", "last_batch_run", "alert_active"}
    )
