from odoo import _, api, fields, models, tools


class HcEndpointStat(models.Model):
    """Per-endpoint health, computed by PostgreSQL (a view, nothing stored)."""

    _name = "hc.endpoint.stat"
    _description = "Endpoint Monitoring"
    _auto = False
    _order = "backlog desc, endpoint_id"

    endpoint_id = fields.Many2one("hc.endpoint", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    count_received = fields.Integer("Received", readonly=True)
    count_retry = fields.Integer("Retry", readonly=True)
    count_done = fields.Integer("Done", readonly=True)
    count_failed = fields.Integer("Failed", readonly=True)
    count_dead = fields.Integer("Dead", readonly=True)
    count_rejected = fields.Integer("Rejected", readonly=True)
    count_cancelled = fields.Integer("Cancelled", readonly=True)
    backlog = fields.Integer("Backlog", readonly=True, help="Messages received or waiting for a retry.")
    oldest_pending_age = fields.Integer("Oldest Pending Age (s)", readonly=True)
    latency_p50_ms = fields.Float("Latency p50 (ms)", readonly=True, help="Received to done, last 24 h.")
    latency_p95_ms = fields.Float("Latency p95 (ms)", readonly=True)
    duplicate_count = fields.Integer("Duplicates", readonly=True)
    failure_rate = fields.Float("Failure Rate (1 h)", readonly=True, aggregator="avg")
    last_success_at = fields.Datetime("Last Success", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"""
            CREATE VIEW {self._table} AS
            SELECT e.id AS id, e.id AS endpoint_id, e.company_id,
                   COALESCE(s.received, 0) AS count_received, COALESCE(s.retry, 0) AS count_retry,
                   COALESCE(s.done, 0) AS count_done, COALESCE(s.failed, 0) AS count_failed,
                   COALESCE(s.dead, 0) AS count_dead, COALESCE(s.rejected, 0) AS count_rejected,
                   COALESCE(s.cancelled, 0) AS count_cancelled,
                   COALESCE(s.received, 0) + COALESCE(s.retry, 0) AS backlog,
                   COALESCE(EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC' - s.oldest_pending))::int, 0)
                       AS oldest_pending_age,
                   l.p50 AS latency_p50_ms, l.p95 AS latency_p95_ms,
                   COALESCE(d.dups, 0) AS duplicate_count,
                   COALESCE(f.rate, 0) AS failure_rate,
                   s.last_success AS last_success_at
              FROM hc_endpoint e
              LEFT JOIN (
                    SELECT endpoint_id,
                           count(*) FILTER (WHERE state = 'received') AS received,
                           count(*) FILTER (WHERE state = 'retry') AS retry,
                           count(*) FILTER (WHERE state = 'done') AS done,
                           count(*) FILTER (WHERE state = 'failed') AS failed,
                           count(*) FILTER (WHERE state = 'dead') AS dead,
                           count(*) FILTER (WHERE state = 'rejected') AS rejected,
                           count(*) FILTER (WHERE state = 'cancelled') AS cancelled,
                           min(received_at) FILTER (WHERE state IN ('received', 'retry')) AS oldest_pending,
                           max(processed_at) FILTER (WHERE state = 'done') AS last_success
                      FROM hc_inbound_message GROUP BY endpoint_id) s ON s.endpoint_id = e.id
              LEFT JOIN (
                    SELECT endpoint_id,
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY
                               EXTRACT(EPOCH FROM (processed_at - received_at)) * 1000) AS p50,
                           percentile_cont(0.95) WITHIN GROUP (ORDER BY
                               EXTRACT(EPOCH FROM (processed_at - received_at)) * 1000) AS p95
                      FROM hc_inbound_message
                     WHERE state = 'done' AND processed_at > now() AT TIME ZONE 'UTC' - interval '24 hours'
                     GROUP BY endpoint_id) l ON l.endpoint_id = e.id
              LEFT JOIN (SELECT endpoint_id, sum(duplicate_count) AS dups FROM hc_idempotency_key
                          GROUP BY endpoint_id) d ON d.endpoint_id = e.id
              LEFT JOIN (
                    SELECT endpoint_id,
                           (count(*) FILTER (WHERE state IN ('failed', 'dead', 'retry')))::float
                               / NULLIF(count(*), 0) AS rate
                      FROM hc_inbound_message
                     WHERE received_at > now() AT TIME ZONE 'UTC' - interval '1 hour'
                       AND state NOT IN ('received', 'rejected')
                     GROUP BY endpoint_id) f ON f.endpoint_id = e.id
             WHERE e.active
        """)

    @api.model
    def _cron_check_alerts(self):
        """One activity per breach: when a threshold is first crossed, not per message."""
        self.env.flush_all()
        self.invalidate_model()  # a view over tables written with SQL: never trust the cache
        stats = self.search([])
        activity_type = self.env.ref("mail.mail_activity_data_warning", raise_if_not_found=False)
        for stat in stats:
            endpoint = stat.endpoint_id
            reasons = []
            if endpoint.alert_backlog and stat.backlog > endpoint.alert_backlog:
                reasons.append(_("backlog %(n)s > %(t)s", n=stat.backlog, t=endpoint.alert_backlog))
            if endpoint.alert_oldest_age and stat.oldest_pending_age > endpoint.alert_oldest_age:
                reasons.append(
                    _("oldest pending %(n)s s > %(t)s s", n=stat.oldest_pending_age, t=endpoint.alert_oldest_age)
                )
            if endpoint.alert_failure_rate and stat.failure_rate > endpoint.alert_failure_rate:
                reasons.append(
                    _(
                        "failure rate %(n).0f%% > %(t).0f%%",
                        n=stat.failure_rate * 100,
                        t=endpoint.alert_failure_rate * 100,
                    )
                )
            if reasons and not endpoint.alert_active:
                user = endpoint.team_id._activity_user() if endpoint.team_id else self.env.ref("base.user_admin")
                endpoint.activity_schedule(
                    activity_type_id=activity_type.id if activity_type else False,
                    summary=_("Integration alert on %s", endpoint.code),
                    note="; ".join(reasons),
                    user_id=user.id,
                )
                endpoint.alert_active = True
            elif not reasons and endpoint.alert_active:
                endpoint.alert_active = False
                endpoint.activity_ids.filtered(
                    lambda a, code=endpoint.code: a.summary and code in a.summary
                ).action_feedback(feedback=_("Back under the thresholds."))
        return True
