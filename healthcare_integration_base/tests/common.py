"""Helpers shared by the base module's tests."""

import hashlib
import json
from contextlib import contextmanager

from odoo.tests import TransactionCase, new_test_user


def doc(key, body, message_type="test.echo", **extra):
    text = json.dumps(body, sort_keys=True)
    return {
        "key": key,
        "body_hash": hashlib.sha256(text.encode()).hexdigest(),
        "message_type": message_type,
        "payload": text,
        **extra,
    }


class HcCase(TransactionCase):
    """An endpoint, users of each role, and the ``test.*`` message type, registered as data: the
    diagnostic ``hc.processor.echo`` whose outcome each payload chooses."""

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
        cls.test_type = cls.env["hc.message.type"].create(
            {"name": "Test echo", "code": "test.*", "processor_model": "hc.processor.echo", "sequence": 50}
        )

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
