"""The door, for EDI: an interchange from anyone but the endpoint's trading partner is refused,
and every X12 / EDIFACT interchange that came in gets its functional acknowledgment queued.

Thin: the decisions are ``hc.processor.edi``'s (``_door_refusal``, ``_acknowledge_at_door``).
"""

import logging
import time

import psycopg2

from odoo.addons.healthcare_integration_base.controllers.main import HcApiController
from odoo.http import request

_logger = logging.getLogger(__name__)
EDI_KINDS = ("x12", "edifact", "xml")
ACK_ATTEMPTS = 5


class HcEdiApiController(HcApiController):
    def _prepare_docs(self, ctx, parsed, meta, headers):
        docs = super()._prepare_docs(ctx, parsed, meta, headers)
        if parsed.kind in EDI_KINDS:
            processor = self._env()["hc.processor.edi"]
            for doc in docs:
                if doc.get("state") == "rejected":
                    continue
                why = processor._door_refusal(ctx["id"], doc.get("message_type"), doc.get("payload"))
                if why:
                    doc.update(state="rejected", error_code="schema_violation", error_detail=why)
        return docs

    def _ingest(self, ctx, docs, meta):
        results = super()._ingest(ctx, docs, meta)
        if any((d.get("message_type") or "").startswith(("x12.", "edifact.")) for d in docs):
            self._acknowledge(ctx, docs, results)
        return results

    def _acknowledge(self, ctx, docs, results):
        """Queue the acknowledgments after the messages are committed (they say what was
        received), in a transaction of their own, retried when a concurrent update (the engine
        processing the message) makes it fail to serialise."""
        for attempt in range(ACK_ATTEMPTS):
            try:
                with request.env.registry.cursor() as cr:
                    env = request.env(cr=cr, user=1, su=True)
                    env["hc.processor.edi"]._acknowledge_at_door(ctx["id"], docs, results)
                    cr.commit()
                return
            except (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected) as exc:
                if attempt + 1 == ACK_ATTEMPTS:
                    _logger.warning(
                        "Functional acknowledgment not queued (endpoint id %s): %s", ctx["id"], type(exc).__name__
                    )
                    return
                time.sleep(0.05 * (attempt + 1))
            except Exception as exc:  # the message is stored: the answer stays the door's
                _logger.warning(
                    "Functional acknowledgment not queued (endpoint id %s): %s", ctx["id"], type(exc).__name__
                )
                return
