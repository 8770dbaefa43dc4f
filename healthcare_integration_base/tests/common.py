"""Helpers shared by the base module's tests."""

import hashlib
import json
from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests import TransactionCase, new_test_user

from ..lib.errors import HcBusinessError, HcTechnicalError


def doc(key, body, message_type="test.echo", **extra):
    text = json.dumps(body, sort_keys=True)
    return {
        "key": key,
        "body_hash": hashlib.sha256(text.encode()).hexdigest(),
        "message_type": message_type,
        "payload": text,
        **extra,
    }


def _test_processor(messages):
    """A processor driven by the payload: {"outcome": "done" | "business:<code>" | "technical"}."""
    out = {}
    for msg in messages:
        body = json.loads(msg.payload)
        outcome = body.get("outcome", "done")
        if outcome.startswith("business:"):
            code = outcome.split(":", 1)[1]
            if msg._is_approved(code):
                out[msg.id] = {"result_model": "res.partner", "result_ids": [1]}
            else:
                out[msg.id] = HcBusinessError(code, f"test failure {code}", cause=body.get("cause", code))
        elif outcome == "technical":
            out[msg.id] = HcTechnicalError("partner_timeout", "the test partner timed out")
        elif outcome == "crash":
            raise RuntimeError("processor bug")
        else:
            out[msg.id] = {"result_model": "res.partner", "result_ids": [msg.id]}
    return out


class HcCase(TransactionCase):
    """An endpoint, users of each role, and a test processor for ``test.*`` messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env["hc.team"].create({"name": "Master Data"})
        cls.endpoint = cls.env["hc.endpoint"].create(
            {"name": "Test cabinet", "code": "test-cabinet", "team_id": cls.team.id, "max_attempts": 3}
        )
        cls.manager = new_test_user(cls.env, "hc_manager", groups="healthcare_integration_base.group_hc_manager")
        cls.approver = new_test_user(cls.env, "hc_approver", groups="healthcare_integration_base.group_hc_approver")
        cls.approver2 = new_test_user(cls.env, "hc_approver2", groups="healthcare_integration_base.group_hc_approver")
        cls.reader = new_test_user(cls.env, "hc_reader", groups="healthcare_integration_base.group_hc_user")
        cls.team.user_id = cls.approver2
        cls.Message = cls.env["hc.inbound.message"]
        model_cls = type(cls.Message)
        original = model_cls._hc_processors

        def processors(self):
            return {**original(self), "test.*": "_hc_test_process"}

        cls._patches = [
            patch.object(model_cls, "_hc_processors", processors),
            patch.object(model_cls, "_hc_test_process", lambda self: _test_processor(self), create=True),
        ]
        for p in cls._patches:
            p.start()
        for p in cls._patches:
            cls.addClassCleanup(p.stop)

    def ctx(self, endpoint=None):
        self.env.registry.clear_cache()
        return self.env["hc.endpoint"]._auth_context((endpoint or self.endpoint).code)

    def ingest(self, docs, endpoint=None):
        meta = {
            "correlation_id": "corr-1",
            "content_type": "application/json",
            "webhook_id": "wh-1",
            "client_ip": "127.0.0.1",
        }
        return self.Message._ingest(self.ctx(endpoint), docs, meta)

    def process(self):
        return self.Message.process_pending(commit=False, limit=1000)

    @contextmanager
    def as_user(self, user):
        yield self.env(user=user)
