"""API anomaly signals (issue 14): a burst of messages far above an endpoint's usual hourly rate,
message ids re-sent with a different body, and requests refused at the door far above the
endpoint's usual day. Each: a baseline and a spike give exactly one exception for the endpoint's
owning team with its figures and series; the same data without the spike gives none."""

from datetime import date, datetime, time, timedelta

from odoo import fields
from odoo.addons.healthcare_integration_base.tests.common import HcCase, doc

DAY = date(2026, 6, 15)  # far from the days other tests post on: the day's figures are ours alone


class ApiAnomalyCase(HcCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Detector = cls.env["hc.anomaly.detector"]

    def signals(self, code):
        return self.env["hc.exception"].search([("code", "=", code), ("endpoint_id", "=", self.endpoint.id)])

    def assert_one_signal(self, code, day, figure):
        created = self.Detector._detect(day)
        signals = self.signals(code)
        self.assertEqual(len(signals), 1, signals.mapped("name"))
        self.assertIn(signals, created)
        self.assertEqual((signals.res_model, signals.res_id), ("hc.endpoint", self.endpoint.id))
        self.assertEqual(signals.team_id, self.team, "the endpoint's owning team")
        self.assertIn(self.endpoint.name, signals.name)
        self.assertIn(figure, signals.detail)
        self.assertTrue(signals.hc_anomaly_point_ids)
        self.assertIn("<svg", str(signals.hc_anomaly_chart))
        # a second run the same day adds nothing
        self.Detector._detect(day)
        self.assertEqual(len(self.signals(code)), 1)
        return signals


class TestApiBurst(ApiAnomalyCase):
    def feed(self, spike):
        """Three messages a day for 28 days, then on DAY either 120 within one hour or 3."""
        when = []
        for back in range(28, 0, -1):
            start = datetime.combine(DAY - timedelta(days=back), time(8))
            when += [start + timedelta(hours=3 * i) for i in range(3)]
        today = datetime.combine(DAY, time(14))
        when += [today + timedelta(seconds=20 * i) for i in range(120 if spike else 3)]
        results = self.ingest([doc(f"burst-{i}", {"n": i}) for i in range(len(when))])
        for res, at in zip(results, when, strict=True):
            self.env.cr.execute("UPDATE hc_inbound_message SET received_at = %s WHERE id = %s", (at, res["message_id"]))
        self.env.invalidate_all()

    def test_burst_far_above_the_usual_rate(self):
        self.feed(spike=True)
        signal = self.assert_one_signal("anomaly_api_burst", DAY, "120 messages")
        self.assertEqual(signal.hc_anomaly_point_ids.mapped("value"), [120.0])

    def test_usual_rate_no_signal(self):
        self.feed(spike=False)
        self.Detector._detect(DAY)
        self.assertFalse(self.signals("anomaly_api_burst"))


class TestKeyReuse(ApiAnomalyCase):
    def feed(self, reuse):
        """Ten messages, three of them sent again: with a different body (reuse) or as they were."""
        self.ingest([doc(f"key-{i}", {"qty": i}) for i in range(10)])
        again = [doc(f"key-{i}", {"qty": i + 100 if reuse else i}) for i in range(3)]
        results = self.ingest(again)
        self.assertEqual([bool(r.get("conflict")) for r in results], [reuse] * 3)

    def test_reused_keys_give_one_signal(self):
        self.feed(reuse=True)
        self.assert_one_signal("anomaly_key_reuse", fields.Datetime.now().date(), "3 message ids")

    def test_plain_repeats_no_signal(self):
        self.feed(reuse=False)
        self.Detector._detect(fields.Datetime.now().date())
        self.assertFalse(self.signals("anomaly_key_reuse"))


class TestAuthFailures(ApiAnomalyCase):
    def fail(self, when, reason, count, endpoint=True):
        """What the door counted (``hc.endpoint.auth.failure``) at ``when``."""
        self.env.cr.execute(
            "INSERT INTO hc_endpoint_auth_failure (endpoint_id, company_id, bucket, reason, failure_count) "
            "VALUES (%s, %s, %s, %s, %s)",
            (
                self.endpoint.id if endpoint else None,
                self.endpoint.company_id.id if endpoint else None,
                when,
                reason,
                count,
            ),
        )

    def feed(self, today, baseline=2):
        """A clock that drifts now and then: ``baseline`` stale timestamps a day for 28 days."""
        for back in range(28, 0, -1):
            self.fail(datetime.combine(DAY - timedelta(days=back), time(3, 17)), "stale_timestamp", baseline)
        for minute, (reason, count) in enumerate(today):
            self.fail(datetime.combine(DAY, time(22, minute)), reason, count)
        self.env.invalidate_all()

    def test_failures_far_above_the_usual_day(self):
        self.feed([("bad_signature", 40), ("bad_signature", 25), ("missing_credentials", 5)])
        signal = self.assert_one_signal("anomaly_auth_failures", DAY, "70")
        self.assertIn("Signature does not match: 65", signal.detail)
        self.assertIn("No signature or key sent: 5", signal.detail)
        points = signal.hc_anomaly_point_ids.sorted("day")
        self.assertEqual(len(points), 29)
        self.assertEqual((points[-1].day, points[-1].value, points[-1].baseline), (DAY, 70.0, 2.0))

    def test_usual_day_no_signal(self):
        self.feed([("stale_timestamp", 3)])
        self.Detector._detect(DAY)
        self.assertFalse(self.signals("anomaly_auth_failures"))

    def test_many_failures_on_a_noisy_endpoint_are_its_usual(self):
        self.feed([("bad_signature", 70)], baseline=30)
        self.Detector._detect(DAY)
        self.assertFalse(self.signals("anomaly_auth_failures"))

    def test_failures_of_no_known_endpoint_raise_nothing(self):
        self.fail(datetime.combine(DAY, time(9)), "unknown_endpoint", 500, endpoint=False)
        created = self.Detector._detect(DAY)
        self.assertFalse(created.filtered(lambda e: e.code == "anomaly_auth_failures"))

    def test_label_in_the_catalog(self):
        catalog = self.env["hc.code.catalog"]
        self.assertEqual(catalog._label("anomaly_auth_failures"), "Many refused logins")
