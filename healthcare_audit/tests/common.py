"""Shared set-up of the audit tests: the base module's HcCase plus an audited partner field."""

import json
from unittest.mock import patch

from odoo.addons.healthcare_integration_base.tests.common import HcCase
from odoo.tests import new_test_user

_echo_process = None


def _processor_touching_partners(self, messages):
    """The echo processor, plus a tracked change per message: partner.comment = payload's note."""
    out = _echo_process(self, messages)
    for msg in messages:
        body = json.loads(msg.payload)
        if body.get("partner_id") and not isinstance(out.get(msg.id), Exception):
            msg.env["res.partner"].browse(body["partner_id"]).write({"comment": body.get("note", "webhook")})
    return out


class AuditCase(HcCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.auditor = new_test_user(cls.env, "hc_auditor", groups="healthcare_integration_base.group_hc_auditor")
        cls.partner = cls.env["res.partner"].create({"name": "Audited Ward Supplier"})
        cls.env["hc.audit.rule"].create(
            {
                "name": "test partners",
                "model": "res.partner",
                "fields": "comment,name,ref",
                "actions": "create,write,unlink",
            }
        )
        global _echo_process
        echo_cls = type(cls.env["hc.processor.echo"])
        _echo_process = echo_cls._process
        p = patch.object(echo_cls, "_process", _processor_touching_partners)
        p.start()
        cls.addClassCleanup(p.stop)
        cls.Event = cls.env["hc.audit.event"]

    def events(self, model=None, res_id=None, action=None):
        domain = []
        if model:
            domain.append(("model", "=", model))
        if res_id:
            domain.append(("res_id", "=", res_id))
        if action:
            domain.append(("action", "=", action))
        return self.Event.search(domain, order="id")

    def last_id(self):
        self.env.cr.execute("SELECT coalesce(max(id), 0) FROM hc_audit_event")
        return self.env.cr.fetchone()[0]
