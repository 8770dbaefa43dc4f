"""What a message processor is: the batch contract between the engine and a business module.

A business module adds a model inheriting ``hc.message.processor`` (its own namespace: helpers
of two families never override each other) and registers the types it handles as
``hc.message.type`` records naming that model. The engine claims messages, groups them by
processor and endpoint, and calls ``_process(messages)`` once per group, inside a savepoint.

``_process`` returns ``{message_id: outcome}``, where an outcome is
- a dict ``{"result_model": ..., "result_ids": [...]}``: done;
- an ``HcBusinessError``: the message waits for a person (one exception per cause);
- an ``HcTechnicalError``: retried with the type's backoff (``retry_at``/``counts`` honoured).
It must isolate messages from one another (validate per message, post what is valid). If it
raises, the engine rolls the batch back to its savepoint and calls it again one message at a
time, so one message's bug never holds up the others.
"""

import json

from odoo import api, models

from ..lib.errors import HcBusinessError, HcTechnicalError


class HcMessageProcessor(models.AbstractModel):
    _name = "hc.message.processor"
    _description = "Message Processor"

    _hc_is_processor = True

    @api.model
    def _validate_document(self, message_type, document, kind):
        """Checks at the door, before the message is stored as ``received``.

        Return a list of violations (strings naming the field, never quoting its value: they
        go back to the sender and into the message); any violation makes the message
        ``rejected`` with ``schema_violation`` and the sender gets ``422``.
        """
        return []

    @api.model
    def _document_priority(self, message_type, document):
        """The priority (0 low .. 3 critical) this document asks for, or None (the type's)."""
        return None

    @api.model
    def _openapi_schemas(self):
        """The JSON Schemas this processor validates with, for /hc/v1/openapi.json:
        ``{"schemas": {name: schema}, "json_bodies": [names a JSON body may be]}``."""
        return {}

    @api.model
    def _process(self, messages):
        """Process ``messages`` (an ``hc.inbound.message`` recordset); see the module docstring."""
        raise NotImplementedError(f"{self._name} does not implement _process")


class HcProcessorPing(models.AbstractModel):
    """``hc.ping``: an end-to-end connectivity check a sender may post at any time.

    It has no business effect; it proves the message was stored, claimed and processed.
    """

    _name = "hc.processor.ping"
    _inherit = "hc.message.processor"
    _description = "Processor: connectivity check"

    @api.model
    def _process(self, messages):
        return {msg.id: {"result_model": None, "result_ids": []} for msg in messages}


class HcProcessorEcho(models.AbstractModel):
    """A diagnostic processor whose outcome the payload chooses.

    Not registered for any type: an administrator (or a test) registers a type for it to
    exercise the engine's paths end to end. ``{"outcome": "done" | "business:<code>" |
    "technical" | "crash"}``, optional ``"cause"``.
    """

    _name = "hc.processor.echo"
    _inherit = "hc.message.processor"
    _description = "Processor: diagnostic echo"

    @api.model
    def _validate_document(self, message_type, document, kind):
        if kind in ("event", "batch") and not isinstance(document, dict):
            return ["$: must be a JSON object"]
        if isinstance(document, dict) and not isinstance(document.get("outcome", "done"), str):
            return ["$.outcome: must be a string"]
        return []

    @api.model
    def _process(self, messages):
        out = {}
        for msg in messages:
            body = json.loads(msg.payload or "{}")
            outcome = body.get("outcome", "done")
            if outcome.startswith("business:"):
                code = outcome.split(":", 1)[1]
                if msg._is_approved(code):
                    out[msg.id] = {"result_model": "res.partner", "result_ids": [1]}
                else:
                    out[msg.id] = HcBusinessError(code, f"echo failure {code}", cause=body.get("cause", code))
            elif outcome == "technical":
                out[msg.id] = HcTechnicalError("partner_timeout", "the echo partner timed out")
            elif outcome == "crash":
                raise RuntimeError("echo processor crash")
            else:
                out[msg.id] = {"result_model": "res.partner", "result_ids": [msg.id]}
        return out
