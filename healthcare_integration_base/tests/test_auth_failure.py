"""Authentication failure counters: one row per endpoint, minute and reason however many failures;
unknown endpoints share one row; old minutes fold into hours, older rows go; managers read,
nobody writes over RPC."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError

from .common import HcCase


class TestAuthFailureCounter(HcCase):
    def rows(self):
        self.env.cr.execute(
            "SELECT endpoint_id, company_id, reason, failure_count, bucket FROM hc_endpoint_auth_failure "
            "WHERE endpoint_id = %s OR endpoint_id IS NULL ORDER BY endpoint_id NULLS FIRST, reason, bucket",
            (self.endpoint.id,),
        )
        return self.env.cr.fetchall()

    def test_upsert_keeps_one_row_per_endpoint_minute_and_reason(self):
        Failure = self.env["hc.endpoint.auth.failure"]
        self.env.cr.execute("DELETE FROM hc_endpoint_auth_failure WHERE endpoint_id IS NULL")
        company = self.endpoint.company_id.id
        for _n in range(50):
            Failure._record(self.endpoint.id, company, "bad_signature")
        Failure._record(self.endpoint.id, company, "stale_timestamp")
        for _n in range(30):  # unknown codes: one row, no code, no company
            Failure._record(None, None, "unknown_endpoint")
        Failure._record(self.endpoint.id, company, "<script>whsec_leak</script>")  # never stored as given
        rows = [r[:4] for r in self.rows()]
        self.assertEqual(
            rows,
            [
                (None, None, "unknown_endpoint", 30),
                (self.endpoint.id, company, "bad_signature", 51),
                (self.endpoint.id, company, "stale_timestamp", 1),
            ],
        )

    def test_cleanup_folds_minutes_into_hours_and_purges(self):
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        two_days = (now - timedelta(days=2)).replace(minute=0)
        insert = (
            "INSERT INTO hc_endpoint_auth_failure (endpoint_id, company_id, bucket, reason, failure_count) "
            "VALUES (%s, %s, %s, %s, %s)"
        )
        ep, company = self.endpoint.id, self.endpoint.company_id.id
        for bucket, count in (
            (two_days, 1),  # on the hour already: the folded minutes join it
            (two_days + timedelta(minutes=7), 2),
            (two_days + timedelta(minutes=59), 3),
            (now - timedelta(minutes=5), 4),  # recent: stays to the minute
            (now - timedelta(days=40), 9),  # past the retention: deleted
        ):
            self.env.cr.execute(insert, (ep, company, bucket, "bad_signature", count))
        self.env["hc.endpoint.auth.failure"]._cron_cleanup()
        rows = [(r[4], r[3]) for r in self.rows() if r[0] == ep]
        self.assertEqual(rows, [(two_days, 6), (now - timedelta(minutes=5), 4)])

    def test_managers_read_nobody_writes(self):
        self.env["hc.endpoint.auth.failure"]._record(self.endpoint.id, self.endpoint.company_id.id, "bad_api_key")
        Failure = self.env["hc.endpoint.auth.failure"]
        as_manager = Failure.with_user(self.manager)
        row = as_manager.search([("endpoint_id", "=", self.endpoint.id)])
        self.assertEqual((row.reason, row.failure_count), ("bad_api_key", 1))
        with self.assertRaises(AccessError):
            row.write({"failure_count": 0})
        with self.assertRaises(AccessError):
            as_manager.create({"bucket": fields.Datetime.now(), "reason": "bad_api_key", "failure_count": 1})
        with self.assertRaises(AccessError):
            row.unlink()
        with self.assertRaises(AccessError):
            Failure.with_user(self.reader).search([])
