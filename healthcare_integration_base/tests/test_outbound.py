"""Outbound deliveries against a real local HTTP server playing the partner."""

import json
import time
from datetime import datetime, timedelta, timezone

from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Response

from odoo import fields

from .common import HcCase


class TestOutbound(HcCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = HTTPServer(host="127.0.0.1", port=0)
        cls.partner.start()
        cls.addClassCleanup(cls.partner.stop)

    def setUp(self):
        super().setUp()
        self.partner.clear()
        self.secret = self.endpoint.with_user(self.manager).generate_secret()
        self.outbound_secret = self.endpoint.with_user(self.manager).generate_outbound_secret()
        self.endpoint.write(
            {
                "outbound_url": self.partner.url_for("/orders"),
                "outbound_timeout": 1.0,
                "breaker_threshold": 3,
                "breaker_cooldown": 60,
            }
        )

    def _queue(self, n=1):
        return self.env["hc.outbound.message"].create(
            [
                {"endpoint_id": self.endpoint.id, "message_type": "x12.850", "payload": {"po": f"PO-{i}"}}
                for i in range(n)
            ]
        )

    def _due(self, msgs):
        msgs.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})

    def test_signed_delivery_is_verifiable_by_the_partner(self):
        seen = {}

        def handler(request):
            seen["headers"] = dict(request.headers)
            seen["body"] = request.get_data()
            return Response("ok", status=200)

        self.partner.expect_request("/orders", method="POST").respond_with_handler(handler)
        msg = self._queue()
        msg.deliver_now()
        self.assertEqual(msg.state, "sent")
        self.assertEqual(msg.attempts, 1)
        self.assertEqual(msg.attempt_ids.status_code, 200)
        headers = {k.lower(): v for k, v in seen["headers"].items()}
        # the partner verifies with the reference Standard Webhooks implementation, with the
        # outbound secret; the secret that verifies the partner's inbound requests signs nothing
        payload = Webhook(self.outbound_secret).verify(seen["body"], headers)
        self.assertEqual(payload, {"po": "PO-0"})
        with self.assertRaises(WebhookVerificationError):
            Webhook(self.secret).verify(seen["body"], headers)
        self.assertEqual(headers["webhook-id"], msg.webhook_id)

    def test_failures_retry_open_the_breaker_then_recover(self):
        self.partner.expect_request("/orders").respond_with_data("down", status=503)
        msgs = self._queue(4)
        for msg in msgs[:3]:
            msg.deliver_now()
            self.assertEqual(msg.state, "retry")
            self.assertEqual(msg.last_status_code, 503)
            self.assertGreater(msg.next_attempt_at, fields.Datetime.now())
        self.assertEqual(self.endpoint.breaker_state, "open", "3 consecutive failures open the circuit")
        calls = len(self.partner.log)
        msgs[3].deliver_now()
        self.assertEqual(len(self.partner.log), calls, "an open circuit sends nothing")
        self.assertEqual(msgs[3].last_error, "circuit open")
        # cool-down elapsed: one trial (half-open); the partner has recovered
        self.endpoint.breaker_opened_at = fields.Datetime.now() - timedelta(seconds=61)
        self.partner.clear()
        self.partner.expect_request("/orders").respond_with_data("ok", status=202)
        self._due(msgs)
        msgs[0].deliver_now()
        self.assertEqual(msgs[0].state, "sent")
        self.assertEqual(self.endpoint.breaker_state, "closed")
        self.assertEqual(self.endpoint.breaker_failures, 0)
        (msgs - msgs[0]).deliver_now()
        self.assertEqual(set(msgs.mapped("state")), {"sent"})
        self.assertEqual(len(msgs[0].attempt_ids), 2, "delivery history keeps every attempt")

    def test_timeout_is_a_retry_and_client_errors_are_final(self):
        # Odoo's test framework raises any requests timeout below 10 s to 10 s: sleep past that
        def slow(_request):
            time.sleep(10.5)
            return Response("late", status=200)

        self.partner.expect_request("/orders").respond_with_handler(slow)
        msg = self._queue()
        msg.deliver_now()
        self.assertEqual((msg.state, msg.last_error), ("retry", "timeout"))
        self.partner.clear()
        self.partner.expect_request("/orders").respond_with_data(json.dumps({"error": "bad po"}), status=400)
        self._due(msg)
        msg.deliver_now()
        self.assertEqual(msg.state, "dead", "a 400 does not get better by retrying")
        self.assertIn("bad po", msg.last_response_excerpt)

    def test_ack_deadline_becomes_overdue(self):
        self.partner.expect_request("/orders").respond_with_data("ok", status=200)
        msg = self._queue()
        msg.ack_deadline = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(hours=1)
        msg.deliver_now()
        self.assertEqual(msg.ack_status, "awaiting")
        msg.ack_deadline = fields.Datetime.now() - timedelta(minutes=1)
        self.env["hc.outbound.message"]._check_ack_deadlines()
        self.assertEqual(msg.ack_status, "overdue")
