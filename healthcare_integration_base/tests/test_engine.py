"""The queue engine inside Odoo: ledger, processing outcomes, exceptions, decisions."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError

from .common import HcCase, doc


class TestIngest(HcCase):
    def test_first_key_wins_repeat_is_duplicate_conflict_is_recorded(self):
        first = self.ingest([doc("k1", {"a": 1})])[0]
        self.assertEqual(first["status"], "received")
        self.assertFalse(first["duplicate"])
        again = self.ingest([doc("k1", {"a": 1})])[0]
        self.assertTrue(again["duplicate"])
        self.assertEqual(again["message_id"], first["message_id"])
        other = self.ingest([doc("k1", {"a": 2})])[0]
        self.assertTrue(other.get("conflict"))
        ledger = self.env["hc.idempotency.key"].search([("endpoint_id", "=", self.endpoint.id), ("key", "=", "k1")])
        self.assertEqual(len(ledger), 1)
        self.assertEqual(ledger.message_id.id, first["message_id"])
        self.assertEqual(ledger.duplicate_count, 1)
        self.assertEqual(ledger.conflict_count, 1)
        self.assertEqual(ledger.conflict_ids.message_id.state, "rejected")
        self.assertEqual(ledger.conflict_ids.message_id.error_code, "idempotency_key_reuse")
        msgs = self.Message.search([("endpoint_id", "=", self.endpoint.id), ("idempotency_key", "=", "k1")])
        self.assertEqual(sorted(msgs.mapped("state")), ["received", "rejected"])

    def test_batch_stores_one_message_per_event_in_order(self):
        docs = [doc(f"b{i}", {"i": i}) for i in range(5)] + [doc("b1", {"i": 1})]
        results = self.ingest(docs)
        self.assertEqual([r["duplicate"] for r in results], [False] * 5 + [True])
        self.assertEqual(results[5]["message_id"], results[1]["message_id"])
        msgs = self.Message.browse([r["message_id"] for r in results[:5]])
        self.assertEqual(msgs.mapped("idempotency_key"), [f"b{i}" for i in range(5)])

    def test_same_key_on_two_endpoints_is_two_messages(self):
        other = self.env["hc.endpoint"].create({"name": "Other", "code": "other-one"})
        a = self.ingest([doc("same", {"x": 1})])[0]
        b = self.ingest([doc("same", {"x": 1})], endpoint=other)[0]
        self.assertNotEqual(a["message_id"], b["message_id"])
        self.assertFalse(b["duplicate"])


class TestProcessing(HcCase):
    def test_done_records_result_and_latency(self):
        mid = self.ingest([doc("p1", {"outcome": "done"})])[0]["message_id"]
        self.assertEqual(self.process(), 1)
        msg = self.Message.browse(mid)
        self.assertEqual(msg.state, "done")
        self.assertEqual(msg.attempts, 1)
        self.assertEqual(msg.result_model, "res.partner")
        self.assertEqual(msg._api_status()["result"], {"model": "res.partner", "ids": [mid]})
        self.assertTrue(msg.processed_at)

    def test_no_handler_is_a_business_failure(self):
        mid = self.ingest([doc("nh", {}, message_type="unknown.kind")])[0]["message_id"]
        self.process()
        msg = self.Message.browse(mid)
        self.assertEqual((msg.state, msg.error_class, msg.error_code), ("failed", "business", "no_handler"))
        self.assertEqual(msg.exception_id.code, "no_handler")

    def test_technical_failure_backs_off_then_dies(self):
        mid = self.ingest([doc("t1", {"outcome": "technical"})])[0]["message_id"]
        msg = self.Message.browse(mid)
        self.process()
        self.assertEqual((msg.state, msg.error_class, msg.attempts), ("retry", "technical", 1))
        self.assertGreater(msg.next_attempt_at, fields.Datetime.now())
        self.assertEqual(self.process(), 0, "not due yet: must not be claimed")
        for expected_attempts in (2, 3):
            msg.sudo().write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
            self.process()
            self.assertEqual(msg.attempts, expected_attempts)
        self.assertEqual(msg.state, "dead", "max_attempts=3 reached")
        self.assertFalse(msg.next_attempt_at)

    def test_one_crashing_message_does_not_block_its_batch(self):
        results = self.ingest(
            [doc("c1", {"outcome": "done"}), doc("c2", {"outcome": "crash"}), doc("c3", {"outcome": "done"})]
        )
        self.process()
        states = self.Message.browse([r["message_id"] for r in results]).mapped("state")
        self.assertEqual(states, ["done", "retry", "done"])

    def test_one_exception_and_one_activity_per_cause(self):
        results = self.ingest(
            [doc(f"u{i}", {"outcome": "business:item_unknown", "cause": "item:X-1", "i": i}) for i in range(4)]
            + [doc("u9", {"outcome": "business:item_unknown", "cause": "item:X-2"})]
        )
        self.process()
        msgs = self.Message.browse([r["message_id"] for r in results])
        self.assertEqual(set(msgs.mapped("state")), {"failed"})
        exceptions = msgs.mapped("exception_id")
        self.assertEqual(len(exceptions), 2)
        self.assertEqual(sorted(exceptions.mapped("message_count")), [1, 4])
        self.assertEqual(len(exceptions.activity_ids), 2)
        self.assertEqual(exceptions.activity_ids.user_id, self.approver2, "the team lead gets the activity")
        # a later message with the same cause joins the open exception: no new activity
        later = self.ingest([doc("u10", {"outcome": "business:item_unknown", "cause": "item:X-1"})])
        self.process()
        self.assertIn(self.Message.browse(later[0]["message_id"]).exception_id, exceptions)
        self.assertEqual(len(self.env["hc.exception"].search([("endpoint_id", "=", self.endpoint.id)])), 2)

    def test_retry_same_cause_after_fix_posts_and_resolves(self):
        results = self.ingest([doc(f"f{i}", {"outcome": "business:lot_unknown", "i": i}) for i in range(3)])
        self.process()
        msgs = self.Message.browse([r["message_id"] for r in results])
        exception = msgs.exception_id
        # "fix the master data": the test processor now succeeds for these payloads
        # (the payload is immutable through the ORM: the test rewrites the row itself)
        for msg in msgs:
            self.env.cr.execute(
                "UPDATE hc_inbound_message SET payload = %s WHERE id = %s",
                (msg.payload.replace("business:lot_unknown", "done"), msg.id),
            )
        msgs.invalidate_recordset(["payload"])
        exception.with_user(self.manager).action_retry_messages()
        self.assertEqual(set(msgs.mapped("state")), {"done"})
        self.assertEqual(exception.state, "resolved")

    def test_bulk_retry_and_cancel_need_a_manager(self):
        mid = self.ingest([doc("r1", {"outcome": "technical"})])[0]["message_id"]
        self.process()
        msg = self.Message.browse(mid)
        with self.assertRaises(UserError):
            msg.with_user(self.reader).action_retry()
        msg.with_user(self.manager).action_retry()
        self.assertEqual(msg.state, "received")
        msg.with_user(self.manager).action_cancel()
        self.assertEqual(msg.state, "cancelled")


class TestDecisions(HcCase):
    def _failed(self, code="lot_expired"):
        mid = self.ingest([doc(f"d-{code}", {"outcome": f"business:{code}"})])[0]["message_id"]
        self.Message.with_user(self.approver).sudo().process_pending(commit=False)
        return self.Message.browse(mid)

    def test_approve_with_reason_reruns_with_override(self):
        msg = self._failed()
        exception = msg.exception_id
        self.assertEqual(exception.raised_by_id, self.approver)
        with self.assertRaises(UserError):
            exception.with_user(self.approver).action_approve("my own")
        with self.assertRaises(UserError):
            exception.with_user(self.approver2).action_approve("  ")
        with self.assertRaises(AccessError):
            exception.with_user(self.reader).action_approve("not allowed")
        exception.with_user(self.approver2).action_approve("Patient needed it; physician approved")
        self.assertEqual(exception.state, "approved")
        self.assertEqual(exception.decided_by_id, self.approver2)
        self.assertEqual(exception.decision_reason, "Patient needed it; physician approved")
        self.assertEqual(msg.state, "done")
        self.assertIn("lot_expired", msg.approved_codes)

    def test_reject_cancels_waiting_messages(self):
        msg = self._failed("lot_quarantined")
        msg.exception_id.with_user(self.approver2).action_reject("Quarantined lot must not be used")
        self.assertEqual(msg.state, "cancelled")
        self.assertEqual(msg.exception_id.state, "rejected")


class TestCredentials(HcCase):
    def test_generate_secret_manager_only_encrypted_and_rotated(self):
        with self.assertRaises(AccessError):
            self.endpoint.with_user(self.reader).generate_secret()
        first = self.endpoint.with_user(self.manager).generate_secret()
        self.assertTrue(first.startswith("whsec_"))
        self.env.cr.execute(
            "SELECT secret_encrypted, key_hash FROM hc_endpoint_secret WHERE endpoint_id = %s", (self.endpoint.id,)
        )
        stored = self.env.cr.fetchall()
        self.assertEqual(len(stored), 1)
        self.assertNotIn(first, str(stored), "a secret must never be stored in clear")
        second = self.endpoint.with_user(self.manager).generate_secret()
        creds = [value for value, _exp in self.ctx()["credentials"]]
        self.assertEqual(set(creds), {first, second}, "the previous secret stays valid during the grace period")
        expiring = [exp for _v, exp in self.ctx()["credentials"] if exp]
        self.assertEqual(len(expiring), 1)
        self.assertAlmostEqual(expiring[0], fields.Datetime.now() + timedelta(hours=24), delta=timedelta(minutes=5))
        with self.assertRaises(AccessError):
            self.env["hc.endpoint.secret"].with_user(self.manager).search([])

    def test_api_key_is_stored_hashed(self):
        self.endpoint.auth_method = "api_key"
        key = self.endpoint.with_user(self.manager).generate_secret()
        self.env.cr.execute(
            "SELECT coalesce(secret_encrypted, ''), key_hash FROM hc_endpoint_secret WHERE endpoint_id = %s",
            (self.endpoint.id,),
        )
        ((encrypted, key_hash),) = self.env.cr.fetchall()
        self.assertFalse(encrypted)
        self.assertNotEqual(key_hash, key)
        self.assertNotIn(key, key_hash)


class TestRetentionAndAlerts(HcCase):
    def test_retention_archives_payload_keeps_hash_and_ledger(self):
        mid = self.ingest([doc("old", {"outcome": "done"})])[0]["message_id"]
        self.process()
        msg = self.Message.browse(mid)
        msg.sudo().write({"received_at": fields.Datetime.now() - timedelta(days=400)})
        self.env.cr.execute(
            "UPDATE hc_inbound_message SET received_at = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=400), mid),
        )
        self.assertGreaterEqual(self.Message._cron_archive_payloads(), 1)
        msg.invalidate_recordset()
        self.assertFalse(msg.payload)
        self.assertTrue(msg.payload_archived)
        self.assertTrue(msg.payload_hash)
        self.assertTrue(self.env["hc.idempotency.key"].search([("message_id", "=", mid)]))

    def test_backlog_alert_makes_one_activity_per_breach(self):
        self.endpoint.alert_backlog = 2
        self.ingest([doc(f"a{i}", {"outcome": "done"}) for i in range(5)])
        self.env["hc.endpoint.stat"]._cron_check_alerts()
        self.env["hc.endpoint.stat"]._cron_check_alerts()
        alerts = self.endpoint.activity_ids.filtered(lambda a: "alert" in (a.summary or "").lower())
        self.assertEqual(len(alerts), 1)
        self.assertTrue(self.endpoint.alert_active)
        self.process()
        self.env["hc.endpoint.stat"]._cron_check_alerts()
        self.assertFalse(self.endpoint.alert_active)
        stat = self.env["hc.endpoint.stat"].search([("endpoint_id", "=", self.endpoint.id)])
        self.assertEqual(stat.count_done, 5)
        self.assertGreaterEqual(stat.latency_p95_ms, stat.latency_p50_ms)
