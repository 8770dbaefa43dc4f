"""Who, when, why and through which interface: events recorded by the trail."""

import json
from contextlib import contextmanager
from types import SimpleNamespace

from odoo.addons.healthcare_integration_base.tests.common import doc
from odoo.exceptions import AccessError, UserError
from odoo.http import _request_stack

from ..models import tools
from .common import AuditCase


@contextmanager
def fake_request(path, uid=None, ip="10.1.2.3"):
    """An HTTP request as odoo.http exposes it: path, client address and web session."""
    req = SimpleNamespace(httprequest=SimpleNamespace(path=path, remote_addr=ip), session=SimpleNamespace(uid=uid))
    _request_stack.push(req)
    try:
        yield req
    finally:
        _request_stack.pop()


class TestInterfaces(AuditCase):
    def test_write_without_request_or_cron_is_rpc_with_actor(self):
        """Rule 4: no HTTP request and no cron (shell, script, test) -> 'rpc'; actor = env user."""
        self.partner.with_user(self.env.ref("base.user_admin")).write({"comment": "hello"})
        event = self.events("res.partner", self.partner.id, "write")[-1]
        self.assertEqual(event.interface, "rpc")
        self.assertEqual(event.user_id, self.env.ref("base.user_admin"))
        changes = json.loads(event.changes)
        self.assertEqual(list(changes), ["comment"])
        self.assertIsNone(changes["comment"]["old"])
        self.assertIn("hello", changes["comment"]["new"])
        self.assertTrue(event.event_time)
        self.assertEqual(event.res_name, self.partner.display_name)
        self.assertTrue(event.hash_ok)

    def test_untracked_field_is_not_recorded(self):
        before = self.last_id()
        self.partner.write({"phone": "+1 555 0100"})
        self.assertEqual(self.last_id(), before)

    def test_web_session_request_is_ui_with_client_ip(self):
        admin = self.env.ref("base.user_admin")
        with fake_request("/web/dataset/call_kw/res.partner/web_save", uid=admin.id, ip="192.0.2.7"):
            self.partner.with_user(admin).write({"comment": "from the web client"})
        event = self.events("res.partner", self.partner.id, "write")[-1]
        self.assertEqual((event.interface, event.client_ip, event.user_id), ("ui", "192.0.2.7", admin))

    def test_xmlrpc_and_jsonrpc_are_rpc(self):
        for path in ("/xmlrpc/2/object", "/jsonrpc"):
            with fake_request(path, uid=None, ip="198.51.100.9"):
                self.partner.write({"comment": path})
            event = self.events("res.partner", self.partner.id, "write")[-1]
            self.assertEqual((event.interface, event.client_ip), ("rpc", "198.51.100.9"))

    def test_webhook_controller_path_names_its_endpoint(self):
        with fake_request("/hc/v1/endpoints/test-cabinet/messages"):
            self.assertEqual(tools.detect_interface(self.env)[0], "webhook:test-cabinet")

    def test_webhook_driven_change_names_endpoint_and_correlation(self):
        mid = self.ingest([doc("w1", {"outcome": "done", "partner_id": self.partner.id, "note": "dispensed"})])[0][
            "message_id"
        ]
        self.process()
        self.assertEqual(self.Message.browse(mid).state, "done")
        event = self.events("res.partner", self.partner.id, "write")[-1]
        self.assertEqual(event.interface, "webhook:test-cabinet")
        self.assertEqual(event.endpoint_id, self.endpoint)
        self.assertEqual(event.correlation_id, "corr-1")
        self.assertEqual(event.message_id, mid)
        self.assertEqual(event.user_id.id, self.env.uid)

    def test_exception_raised_by_processing_is_webhook_driven(self):
        mid = self.ingest([doc("w2", {"outcome": "business:unknown_item"})])[0]["message_id"]
        self.process()
        exc = self.Message.browse(mid).exception_id
        created = self.events("hc.exception", exc.id, "create")
        self.assertEqual(len(created), 1)
        self.assertEqual(
            (created.interface, created.endpoint_id, created.correlation_id, created.message_id),
            ("webhook:test-cabinet", self.endpoint, "corr-1", mid),
        )

    def test_cron_run_is_cron_interface(self):
        cron = self.env["ir.cron"].create(
            {
                "name": "HC audit test cron",
                "model_id": self.env.ref("base.model_res_partner").id,
                "state": "code",
                "code": f"env['res.partner'].browse({self.partner.id}).write({{'comment': 'by cron'}})",
                "interval_number": 1,
                "interval_type": "days",
            }
        )
        cron.method_direct_trigger()
        event = self.events("res.partner", self.partner.id, "write")[-1]
        self.assertEqual(event.interface, "cron:HC audit test cron")
        # the path ir.cron's scheduler takes
        cron.code = f"env['res.partner'].browse({self.partner.id}).write({{'comment': 'by scheduler'}})"
        cron._callback(cron.cron_name, cron.ir_actions_server_id.id)
        event = self.events("res.partner", self.partner.id, "write")[-1]
        self.assertEqual(event.interface, "cron:HC audit test cron")
        self.assertIn("by scheduler", json.loads(event.changes)["comment"]["new"])

    def test_create_and_unlink_are_recorded(self):
        partner = self.env["res.partner"].create({"name": "Temporary", "ref": "T-1"})
        created = self.events("res.partner", partner.id, "create")
        self.assertEqual(len(created), 1)
        self.assertEqual(json.loads(created.changes)["ref"], {"old": None, "new": "T-1"})
        partner.unlink()
        gone = self.events("res.partner", partner.id, "unlink")
        self.assertEqual(len(gone), 1)
        self.assertEqual(json.loads(gone.changes)["ref"]["old"], "T-1")

    def test_bulk_write_is_one_insert(self):
        partners = self.env["res.partner"].create([{"name": f"P{i}"} for i in range(20)])
        self.env.flush_all()
        before = self.last_id()
        start = self.env.cr.sql_log_count
        partners.write({"comment": "bulk"})
        self.env.flush_all()
        used = self.env.cr.sql_log_count - start
        self.assertEqual(len(self.Event.search([("id", ">", before)])), 20)
        self.assertLessEqual(used, 8, "old values, the write and one INSERT: no query per record")


class TestDecisionsAndDuties(AuditCase):
    def _failed_exception(self, raised_by=None):
        env = self.env(user=raised_by) if raised_by else self.env
        mid = self.ingest([doc("b1", {"outcome": "business:unknown_item"})])[0]["message_id"]
        self.Message.with_env(env).sudo().browse(mid)._process_claimed()
        exc = self.Message.browse(mid).exception_id
        self.assertTrue(exc)
        return exc

    def test_decision_records_actor_and_reason(self):
        exc = self._failed_exception()
        exc.with_user(self.approver2).action_reject("Item withdrawn by the supplier")
        event = self.events("hc.exception", exc.id, "decision")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.user_id, self.approver2)
        self.assertEqual(event.reason, "Item withdrawn by the supplier")
        self.assertEqual(json.loads(event.changes)["state"]["new"], "rejected")

    def test_own_exception_refusal_is_recorded(self):
        exc = self._failed_exception()
        exc.sudo().raised_by_id = self.approver
        try:
            exc.with_user(self.approver).action_approve("looks fine to me")
            self.fail("self-approval must be refused")
        except UserError:
            pass
        refused = self.events("hc.exception", exc.id, "access_denied")
        self.assertEqual(len(refused), 1)
        self.assertEqual(refused.user_id, self.approver)

    def test_endpoint_configuration_needs_a_manager(self):
        try:
            self.endpoint.with_user(self.approver).write({"allowed_networks": "0.0.0.0/0"})
            self.fail("a non-manager must not change endpoint configuration")
        except AccessError:
            pass
        refused = self.events("hc.endpoint", self.endpoint.id, "access_denied")
        self.assertEqual(len(refused), 1)
        self.assertIn("allowed_networks", refused.changes)
        self.assertEqual(refused.user_id, self.approver)
        # a manager may, and it is recorded with old and new values
        self.endpoint.with_user(self.manager).write({"allowed_networks": "10.0.0.0/8"})
        event = self.events("hc.endpoint", self.endpoint.id, "write")[-1]
        self.assertEqual(json.loads(event.changes)["allowed_networks"], {"old": None, "new": "10.0.0.0/8"})
        self.assertEqual(event.user_id, self.manager)


class TestNoSecrets(AuditCase):
    def test_secret_rotation_is_recorded_without_the_secret(self):
        plain = self.endpoint.with_user(self.manager).generate_secret()
        self.assertTrue(plain)
        rotated = self.events("hc.endpoint", self.endpoint.id, "secret_rotated")
        self.assertEqual(len(rotated), 1)
        self.assertEqual(rotated.user_id, self.manager)
        self.env.cr.execute(
            "SELECT count(*) FROM hc_audit_event WHERE concat_ws('|', changes, reason, res_name) LIKE %s",
            (f"%{plain}%",),
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.env.cr.execute("SELECT count(*) FROM hc_audit_event WHERE changes LIKE %s", (f"%{plain[-4:]}%",))
        self.assertEqual(self.env.cr.fetchone()[0], 0, "not even the credential hint")

    def test_sensitive_fields_and_payload_are_masked(self):
        self.env["hc.audit.rule"].create(
            {
                "name": "messages",
                "model": "hc.inbound.message",
                "fields": "payload,payload_archived,idempotency_key,state",
                "actions": "write",
            }
        )
        mid = self.ingest([doc("m1", {"patient": "MRN-0042"})])[0]["message_id"]
        # the payload is immutable once received; the engine's own writes are recorded, masked
        self.Message.browse(mid).sudo().write({"payload_archived": True, "state": "cancelled"})
        event = self.events("hc.inbound.message", mid)[-1]
        changes = json.loads(event.changes)
        self.assertEqual(changes["payload_archived"], {"old": "***", "new": "***"})
        self.assertNotIn("MRN-0042", event.changes)
        self.assertTrue(tools.is_sensitive("payload", "hc.inbound.message"))
        self.assertEqual(changes["state"], {"old": "received", "new": "cancelled"})
        for name in ("secret_encrypted", "api_key", "password", "access_token", "patient_ref"):
            self.assertTrue(tools.is_sensitive(name), name)
        self.assertFalse(tools.is_sensitive("comment"))
        self.assertTrue(tools.is_sensitive("hint", "hc.endpoint.secret"))
        self.assertFalse(tools.is_sensitive("expires_at", "hc.endpoint.secret"))

    def test_credential_records_are_masked_even_when_tracked(self):
        self.env["hc.audit.rule"].create({"name": "secrets", "model": "hc.endpoint.secret", "actions": "create,write"})
        plain = self.endpoint.with_user(self.manager).generate_secret()
        self.env.cr.execute("SELECT count(*) FROM hc_audit_event WHERE model = 'hc.endpoint.secret'")
        self.assertGreater(self.env.cr.fetchone()[0], 0)
        self.env.cr.execute("SELECT changes FROM hc_audit_event WHERE model = 'hc.endpoint.secret'")
        for (changes,) in self.env.cr.fetchall():
            self.assertNotIn(plain, changes)
            for name in ("hint", "secret_encrypted", "key_hash"):
                if name in json.loads(changes):
                    self.assertEqual(json.loads(changes)[name]["new"], "***")


class TestEvidence(AuditCase):
    def test_evidence_pack_of_a_webhook_change(self):
        mid = self.ingest([doc("e1", {"outcome": "done", "partner_id": self.partner.id, "note": "received"})])[0][
            "message_id"
        ]
        self.process()
        self.env["hc.audit.event"].seal_pending()
        pack = self.env["hc.audit.event"].with_user(self.auditor).evidence_pack(correlation_id="corr-1")
        kinds = [i["kind"] for i in pack["items"]]
        self.assertIn("inbound_message", kinds)
        msg_items = [i for i in pack["items"] if i["kind"] == "inbound_message"]
        self.assertEqual([i["id"] for i in msg_items], [mid])
        self.assertNotIn("payload", msg_items[0])
        events = [i for i in pack["items"] if i["kind"] == "audit_event"]
        self.assertTrue(
            any(
                e["model"] == "res.partner"
                and e["res_id"] == self.partner.id
                and e["interface"] == "webhook:test-cabinet"
                for e in events
            )
        )
        self.assertTrue(all(e["seal"] for e in events), "every event is covered by a seal")
        self.assertEqual([m["id"] for m in pack["messages"]], [mid])
        self.assertEqual(len(pack["events"]), len(events))
        times = [i["time"] for i in pack["items"]]
        self.assertEqual(times, sorted(times))
        # the same pack by record
        by_record = self.env["hc.audit.event"].evidence_pack(model="res.partner", res_id=self.partner.id)
        self.assertTrue(any(i["kind"] == "audit_event" for i in by_record["items"]))

    def test_evidence_pack_contains_exception_and_decision(self):
        mid = self.ingest([doc("e2", {"outcome": "business:unknown_item"})])[0]["message_id"]
        self.process()
        exc = self.Message.browse(mid).exception_id
        exc.with_user(self.approver2).action_reject("not ours")
        pack = self.env["hc.audit.event"].evidence_pack(correlation_id="corr-1")
        kinds = {i["kind"] for i in pack["items"]}
        self.assertTrue({"inbound_message", "exception", "decision", "audit_event"} <= kinds, kinds)

    def test_download_action_and_pdf(self):
        self.partner.write({"comment": "pdf"})
        wizard = (
            self.env["hc.audit.evidence.wizard"]
            .with_user(self.auditor)
            .create({"model": "res.partner", "res_id": self.partner.id})
        )
        action = wizard.action_download_json()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertTrue(wizard.file)
        html = self.env["ir.actions.report"]._render_qweb_html("healthcare_audit.report_hc_audit_evidence", wizard.ids)[
            0
        ]
        self.assertIn(b"Evidence pack", html)

    def test_auditor_reads_but_cannot_edit(self):
        self.partner.write({"comment": "x"})
        event = self.events("res.partner", self.partner.id)[-1]
        self.assertTrue(event.with_user(self.auditor).read(["action", "interface"]))
        admin = self.env.ref("base.user_admin")
        for user in (self.auditor, admin):
            with self.assertRaises(AccessError):
                event.with_user(user).write({"reason": "edited"})
            with self.assertRaises(AccessError):
                event.with_user(user).unlink()
        with self.assertRaises(AccessError):
            self.Event.create({"action": "write"})
        with self.assertRaises(AccessError):
            self.Event.with_user(self.reader).search([])
