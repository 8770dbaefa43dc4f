"""Authentication failures at the door, counted per endpoint, minute and reason.

The controller answers every failure with the same ``401`` (the contract); here it only adds one
to a counter, in a transaction of its own, with an upsert. Nothing the caller sent is kept: no
key, signature, timestamp, body, address or unknown endpoint code, only which known endpoint
the URL named (if any), when (to the minute) and why (one of a fixed list of reasons). So the
table is bounded whatever an attacker sends: one row per endpoint (or one for "no known
endpoint"), minute and reason; rows older than a day are folded into hourly rows and rows older
than the retention period are deleted by a daily cron.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

REASONS = [
    ("unknown_endpoint", "Unknown or inactive endpoint"),
    ("no_valid_credential", "Endpoint has no valid credential"),
    ("missing_credentials", "No signature or key sent"),
    ("bad_timestamp", "Unreadable timestamp"),
    ("stale_timestamp", "Timestamp too old or in the future"),
    ("bad_signature", "Signature does not match"),
    ("bad_api_key", "Wrong API key"),
    ("no_endpoint_matched", "Credentials of no endpoint"),
]
REASON_CODES = frozenset(code for code, _label in REASONS)
RETENTION_DAYS = 35  # the anomaly baseline (28 days) and a week more
COMPACT_AFTER_HOURS = 24


class HcEndpointAuthFailure(models.Model):
    _name = "hc.endpoint.auth.failure"
    _description = "Authentication Failures"
    _order = "bucket desc, endpoint_id, reason"
    _log_access = False
    _rec_name = "reason"

    endpoint_id = fields.Many2one("hc.endpoint", string="Endpoint", ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True)
    bucket = fields.Datetime(
        string="Minute", required=True, index=True, readonly=True, help="Start of the minute (or hour) counted."
    )
    reason = fields.Selection(REASONS, required=True, readonly=True)
    failure_count = fields.Integer(string="Failures", required=True, default=0, readonly=True)

    def init(self):
        # one row per endpoint (NULL: none known), bucket and reason: the upsert's conflict target
        self.env.cr.execute(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {self._table}_bucket_uniq "
            f"ON {self._table} ((coalesce(endpoint_id, 0)), bucket, reason)"
        )

    @api.model
    def _record(self, endpoint_id, company_id, reason):
        """Count one failure now. Call it with a cursor of its own (the request's may roll back);
        ``reason`` outside the fixed list is counted as ``bad_signature`` (never stored as given)."""
        if reason not in REASON_CODES:
            reason = "bad_signature"
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO hc_endpoint_auth_failure AS f (endpoint_id, company_id, bucket, reason, failure_count)
            VALUES (%s, %s, date_trunc('minute', now() AT TIME ZONE 'UTC'), %s, 1)
            ON CONFLICT ((coalesce(endpoint_id, 0)), bucket, reason)
            DO UPDATE SET failure_count = f.failure_count + 1
                """,
                endpoint_id or None,
                company_id if endpoint_id else None,
                reason,
            )
        )

    @api.model
    def _cron_cleanup(self):
        """Fold minutes older than a day into hours; delete what is older than the retention."""
        param = self.env["ir.config_parameter"].sudo().get_param("hc.auth_failure_retention_days")
        try:
            days = max(int(param), 1) if param else RETENTION_DAYS
        except ValueError:
            days = RETENTION_DAYS
        now = fields.Datetime.now()
        self.env.cr.execute(SQL("DELETE FROM hc_endpoint_auth_failure WHERE bucket < %s", now - timedelta(days=days)))
        deleted = self.env.cr.rowcount
        self.env.cr.execute(
            SQL(
                """
            WITH old AS (
                DELETE FROM hc_endpoint_auth_failure
                 WHERE bucket < %s AND bucket <> date_trunc('hour', bucket)
             RETURNING endpoint_id, company_id, date_trunc('hour', bucket) AS hour, reason, failure_count
            )
            INSERT INTO hc_endpoint_auth_failure AS f (endpoint_id, company_id, bucket, reason, failure_count)
            SELECT endpoint_id, max(company_id), hour, reason, sum(failure_count) FROM old GROUP BY 1, 3, 4
            ON CONFLICT ((coalesce(endpoint_id, 0)), bucket, reason)
            DO UPDATE SET failure_count = f.failure_count + EXCLUDED.failure_count
                """,
                now - timedelta(hours=COMPACT_AFTER_HOURS),
            )
        )
        self.invalidate_model()
        folded = self.env.cr.rowcount
        _logger.info("Authentication failures: %s old rows deleted, %s hourly rows written", deleted, folded)
        return True
