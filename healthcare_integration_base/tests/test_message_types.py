"""Message types are data: resolution by sequence, door checks, retry policy, priorities, events out."""

import contextlib
import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError

from .common import HcCase, doc


class TestMessageTypes(HcCase):
    def _result_of(self, key, message_type):
        mid = self.ingest([doc(key, {"outcome": "done"}, message_type=message_type)])[0]["message_id"]
        self.process()
        msg = self.Message.browse(mid)
        self.assertEqual(msg.state, "done", msg.error_detail)
        return msg.result_model

    def test_overlapping_patterns_resolve_by_sequence_not_load_order(self):
        Type = self.env["hc.message.type"]
        wide = Type.create({"name": "wide", "code": "ovl.*", "processor_model": "hc.processor.echo", "sequence": 20})
        narrow = Type.create(
            {"name": "narrow", "code": "ovl.a*", "processor_model": "hc.processor.ping", "sequence": 10}
        )
        # ping answers without a result model, echo with res.partner: the outcome tells who ran
        self.assertEqual(Type._resolve("ovl.abc"), narrow)
        self.assertFalse(self._result_of("o1", "ovl.abc"), "the lower sequence (ping) wins")
        self.assertEqual(self._result_of("o2", "ovl.zzz"), "res.partner", "only the wide pattern matches")
        narrow.sequence = 30  # now the wide one comes first, though it was created first all along
        self.assertEqual(Type._resolve("ovl.abc"), wide)
        self.assertEqual(self._result_of("o3", "ovl.abc"), "res.partner")
        wide.active = False
        self.assertEqual(Type._resolve("ovl.abc"), narrow, "archived types do not match")

    def test_an_exact_code_beats_a_pattern_at_the_same_sequence(self):
        Type = self.env["hc.message.type"]
        Type.create({"name": "p", "code": "same.*", "processor_model": "hc.processor.echo", "sequence": 10})
        exact = Type.create({"name": "e", "code": "same.x", "processor_model": "hc.processor.ping", "sequence": 10})
        self.assertEqual(Type._resolve("same.x"), exact)

    def test_the_processor_must_be_a_processor(self):
        with self.assertRaises(ValidationError):
            self.env["hc.message.type"].create({"name": "bad", "code": "bad.x", "processor_model": "res.partner"})
        with self.assertRaises(ValidationError):
            self.env["hc.message.type"].create({"name": "bad", "code": "bad.y", "processor_model": "no.such.model"})

    def test_the_type_team_owns_its_business_exceptions(self):
        team = self.env["hc.team"].create({"name": "Procurement"})
        self.test_type.team_id = team
        mid = self.ingest([doc("tt", {"outcome": "business:price_mismatch"})])[0]["message_id"]
        self.process()
        self.assertEqual(self.Message.browse(mid).exception_id.team_id, team)

    def test_retry_policy_comes_from_the_type(self):
        self.test_type.write({"max_attempts": 2, "backoff_seconds": 600, "backoff_cap_seconds": 600})
        msg = self.Message.browse(self.ingest([doc("rp", {"outcome": "technical"})])[0]["message_id"])
        before = fields.Datetime.now()
        self.process()
        self.assertEqual((msg.state, msg.attempts), ("retry", 1))
        wait = (msg.next_attempt_at - before).total_seconds()
        self.assertTrue(290 <= wait <= 610, f"first wait from the type's backoff (600 s with jitter): {wait}")
        msg.sudo().write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.process()
        self.assertEqual(msg.state, "dead", "the type's 2 attempts, not the endpoint's 3")

    def test_priority_is_the_higher_of_type_and_endpoint_and_claims_go_first(self):
        routine = self.ingest([doc(f"r{i}", {"outcome": "done"}) for i in range(5)])
        self.test_type.priority = "3"
        urgent = self.ingest([doc("u1", {"outcome": "done"})])[0]["message_id"]
        self.assertEqual(self.Message.browse(urgent).priority_level, 3)
        self.assertEqual(self.Message.browse(routine[0]["message_id"]).priority_level, 1)
        claimed = self.Message._claim(2)
        self.assertEqual(claimed[0], urgent, "the critical message is claimed first, though it came last")
        self.test_type.priority = "0"
        self.endpoint.priority = "2"
        later = self.ingest([doc("e1", {"outcome": "done"})])[0]["message_id"]
        self.assertEqual(self.Message.browse(later).priority_level, 2, "the endpoint's priority when higher")


class TestSubscriptions(HcCase):
    def setUp(self):
        super().setUp()
        self.subscriber = self.env["hc.endpoint"].create(
            {"name": "Cabinet fleet", "code": "cabinet-fleet", "outbound_url": "http://127.0.0.1:9/events"}
        )
        self.env["hc.event.subscription"].create({"endpoint_id": self.subscriber.id, "event_type": "lot.*"})
        self.Outbound = self.env["hc.outbound.message"]

    def _sent(self):
        return self.Outbound.search([("endpoint_id", "=", self.subscriber.id)])

    def test_one_delivery_per_event_and_matching_subscription(self):
        Sub = self.env["hc.event.subscription"]
        Sub._publish("lot.quarantined", [{"data": {"lot": "L1"}, "correlation_id": "c-1"}])
        Sub._publish("inventory.posted", [{"data": {"x": 1}}])  # nobody subscribes to it
        out = self._sent()
        self.assertEqual(len(out), 1)
        body = json.loads(out.payload)
        self.assertEqual(
            (body["type"], body["data"], body["correlation_id"]), ("lot.quarantined", {"lot": "L1"}, "c-1")
        )
        self.assertEqual(out.webhook_id, body["id"], "the event id is the delivery's webhook-id: repeats are droppable")
        self.assertEqual(out.url, "http://127.0.0.1:9/events")

    def test_nothing_is_queued_for_a_rolled_back_change(self):
        Sub = self.env["hc.event.subscription"]
        with contextlib.suppress(RuntimeError), self.env.cr.savepoint():
            Sub._publish("lot.quarantined", [{"data": {"lot": "L2"}}])
            raise RuntimeError("the posting failed after publishing")
        self.env.invalidate_all()
        self.assertFalse(self._sent(), "the delivery rolled back with the change that caused it")

    def test_other_companies_do_not_receive_an_event(self):
        other = self.env["res.company"].create({"name": "Other Hospital"})
        self.env["hc.event.subscription"]._publish("lot.quarantined", [{"data": {}, "company_id": other.id}])
        self.assertFalse(self._sent())


class TestEndpointCache(HcCase):
    def test_bookkeeping_writes_leave_the_workers_caches_alone(self):
        registry = self.env.registry
        registry.cache_invalidated.clear()
        self.endpoint.sudo().write({"breaker_failures": 2, "last_batch_run": fields.Datetime.now()})
        self.assertFalse(registry.cache_invalidated, "a breaker or batch-run write must not signal every worker")
        self.endpoint.write({"rate_limit_per_minute": 30})
        self.assertIn("default", registry.cache_invalidated, "an auth-context field change must reach every worker")
        self.assertEqual(self.env["hc.endpoint"]._auth_context(self.endpoint.code)["rate_limit"], 30)
