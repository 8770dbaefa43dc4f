"""Diversion and API anomaly signals, computed by PostgreSQL over the tables the suite already has
(stock moves, inbound messages, external counts, the idempotency ledger): nothing is copied.

Each signal above its threshold becomes one ``hc.exception`` (code ``anomaly_<kind>``) for the
owning team, with the figures in its detail and the series it was judged on as
``hc.anomaly.point`` rows (drawn on the exception's form). The cause key names the kind, the
company, what it is about and the day, so a second run the same day adds nothing, and while
an exception of the same kind and subject is open a new day's signal joins it (a note) instead
of opening another.
"""

import math
from datetime import datetime, time, timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..lib import codes

BASELINE_DAYS = 28
WINDOW_DAYS = 7
MIN_BASELINE_DAYS = 7  # days with any use in the baseline before a spike is judged


class HcAnomalyPoint(models.Model):
    """One point of the series an anomaly signal was judged on (for its graph)."""

    _name = "hc.anomaly.point"
    _description = "Anomaly Series Point"
    _order = "exception_id, day"

    exception_id = fields.Many2one("hc.exception", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="exception_id.company_id", store=True)
    code = fields.Char(related="exception_id.code", store=True, string="Signal")
    day = fields.Date(required=True)
    value = fields.Float(string="Value")
    baseline = fields.Float(string="Usual (average)")


class HcException(models.Model):
    _inherit = "hc.exception"

    hc_anomaly_point_ids = fields.One2many("hc.anomaly.point", "exception_id", string="Series")
    hc_anomaly_chart = fields.Html(string="Series Chart", compute="_compute_hc_anomaly_chart", sanitize=False)

    @api.model
    def action_hc_detect_anomalies(self):
        """The 'Detect now' button of the anomaly signals list."""
        return self.env["hc.anomaly.detector"].action_run()

    @api.depends("hc_anomaly_point_ids.value", "hc_anomaly_point_ids.baseline")
    def _compute_hc_anomaly_chart(self):
        for rec in self:
            points = rec.hc_anomaly_point_ids.sorted("day")
            rec.hc_anomaly_chart = _svg_chart(points) if points else False


def _svg_chart(points, width=560, height=160, pad=24):
    """A small line chart (SVG) of the series: bars per day, the usual level as a dashed line."""
    values = [p.value for p in points]
    top = max([*values, *(p.baseline for p in points), 1.0])
    step = (width - 2 * pad) / max(len(points), 1)
    bars, labels = [], []
    for i, point in enumerate(points):
        h = (height - 2 * pad) * point.value / top
        x = pad + i * step
        last = i == len(points) - 1
        bars.append(
            Markup('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>')
            % (x, height - pad - h, max(step - 2, 1), h, "#d9534f" if last else "#5b8bd9", point.day, point.value)
        )
        if i == 0 or last:
            labels.append(
                Markup('<text x="%.1f" y="%d" font-size="10">%s</text>') % (x, height - 6, point.day.isoformat())
            )
    base = points[-1].baseline
    y = height - pad - (height - 2 * pad) * base / top
    return Markup(
        '<svg class="o_hc_anomaly_chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
        'role="img" aria-label="%s">%s<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#333" '
        'stroke-dasharray="4 3"/><text x="%d" y="%.1f" font-size="10">%s %.2f</text>%s'
        '<text x="%d" y="12" font-size="10">%s %.2f</text></svg>'
    ) % (
        width,
        height,
        _("Series"),
        Markup("").join(bars),
        pad,
        width - pad,
        y,
        y,
        pad,
        max(y - 3, 10),
        _("usual"),
        base,
        Markup("").join(labels),
        pad,
        _("max"),
        top,
    )


class HcAnomalyDetector(models.AbstractModel):
    _name = "hc.anomaly.detector"
    _description = "Anomaly Detection"

    # ------------------------------------------------------------------ entry points
    @api.model
    def action_run(self):
        """On demand (menu): today's signals, for approvers and managers."""
        user = self.env.user
        if not (
            user.has_group("healthcare_integration_base.group_hc_manager")
            or user.has_group("healthcare_integration_base.group_hc_approver")
        ):
            raise AccessError(_("Only Integration Managers and Exception Approvers run anomaly detection."))
        created = self.sudo()._detect(fields.Date.context_today(self))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Anomaly detection"),
                "message": _("%s new signal(s).", len(created)),
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _cron_detect(self):
        """Daily: yesterday (now complete) and today so far."""
        today = fields.Date.today()
        self._detect(today - timedelta(days=1))
        self._detect(today)

    @api.model
    def _detect(self, day=None):
        """Compute every signal for ``day`` (a date; today when empty); returns the new exceptions."""
        day = fields.Date.to_date(day) if day else fields.Date.today()
        self.env.flush_all()
        signals = [
            *self._signals_consumption(day),
            *self._signals_waste(day),
            *self._signals_reversal(day),
            *self._signals_override(day),
            *self._signals_count(day),
            *self._signals_api_burst(day),
            *self._signals_key_reuse(day),
            *self._signals_auth_failures(day),
        ]
        return self._raise(signals, day)

    # ------------------------------------------------------------------ helpers
    def _bounds(self, day, days_before):
        start = datetime.combine(day - timedelta(days=days_before), time.min)
        end = datetime.combine(day + timedelta(days=1), time.min)
        return start, end

    def _thresholds(self, product_ids):
        products = self.env["product.product"].sudo().browse(set(product_ids))
        by_categ = self.env["product.category"]._hc_thresholds(products.categ_id)
        return {p.id: by_categ[p.categ_id.id] for p in products}

    def _fetch_over_limit(self, count_index, limit_field):
        """The rows of the query just run whose count (column ``count_index``) is above the
        product category's ``limit_field`` (column 1 is the product), each with its limits."""
        rows = self.env.cr.fetchall()
        limits = self._thresholds([r[1] for r in rows])
        return [(row, limits[row[1]]) for row in rows if row[count_index] > limits[row[1]][limit_field]]

    def _moves_cte(self, start, end):
        """Done stock moves in [start, end) with who did them: the posting system's endpoint
        (a cabinet, an EHR) or, for moves made in Odoo, the user's id, never a name."""
        return SQL(
            """
            SELECT mv.id, mv.company_id, mv.product_id, mv.product_qty AS qty, mv.date, mv.origin,
                   mv.location_id, mv.location_dest_id, src.hc_usage_kind AS src_kind,
                   dst.hc_usage_kind AS dst_kind, coalesce(e.code, 'user:' || mv.create_uid) AS actor,
                   mv.hc_correction AS correction,
                   e.id AS endpoint_id
              FROM stock_move mv
              JOIN stock_location src ON src.id = mv.location_id
              JOIN stock_location dst ON dst.id = mv.location_dest_id
              LEFT JOIN hc_endpoint e ON e.code = split_part(mv.origin, ':', 1)
             WHERE mv.state = 'done' AND mv.date >= %s AND mv.date < %s
               AND (src.hc_usage_kind IS NOT NULL OR dst.hc_usage_kind IS NOT NULL)
            """,
            start,
            end,
        )

    # ------------------------------------------------------------------ signals
    def _signals_consumption(self, day):
        """Use per day, product, location and cabinet/user: the day against the 28 days before."""
        start, end = self._bounds(day, BASELINE_DAYS)
        self.env.cr.execute(
            SQL(
                """
            WITH mv AS (%(moves)s),
            daily AS (
                SELECT company_id, product_id, location_id, actor, date::date AS day, sum(qty) AS qty
                  FROM mv WHERE dst_kind = 'consumption' GROUP BY 1, 2, 3, 4, 5
            ),
            subjects AS (SELECT DISTINCT company_id, product_id, location_id, actor FROM daily WHERE day = %(day)s),
            series AS (
                SELECT s.company_id, s.product_id, s.location_id, s.actor, g.day::date AS day, coalesce(d.qty, 0) AS qty
                  FROM subjects s
                 CROSS JOIN generate_series(%(first)s::date, %(day)s::date, interval '1 day') g(day)
                  LEFT JOIN daily d ON d.company_id = s.company_id AND d.product_id = s.product_id
                       AND d.location_id = s.location_id AND d.actor = s.actor AND d.day = g.day::date
            )
            SELECT company_id, product_id, location_id, actor,
                   max(qty) FILTER (WHERE day = %(day)s) AS today,
                   avg(qty) FILTER (WHERE day < %(day)s) AS mean,
                   stddev_pop(qty) FILTER (WHERE day < %(day)s) AS sd,
                   count(*) FILTER (WHERE day < %(day)s AND qty > 0) AS active_days,
                   array_agg(qty ORDER BY day) AS values
              FROM series GROUP BY 1, 2, 3, 4
                """,
                moves=self._moves_cte(start, end),
                day=day,
                first=day - timedelta(days=BASELINE_DAYS),
            )
        )
        rows = self.env.cr.fetchall()
        limits = self._thresholds([r[1] for r in rows])
        out = []
        for company, product, location, actor, today_raw, mean_raw, sd_raw, active, values in rows:
            lim = limits[product]
            today, mean, sd = float(today_raw or 0), float(mean_raw or 0), float(sd_raw or 0)
            spread = max(sd, math.sqrt(mean), 1.0)  # a flat baseline is not a zero spread
            z = (today - mean) / spread
            if active < MIN_BASELINE_DAYS or today < lim["hc_spike_min_qty"]:
                continue
            if z < lim["hc_spike_z"] or today < lim["hc_spike_ratio"] * mean:
                continue
            out.append(
                {
                    "code": codes.ANOMALY_CONSUMPTION,
                    "company_id": company,
                    "subject": f"{product}:{location}:{actor}",
                    "product_id": product,
                    "location_id": location,
                    "actor": actor,
                    "figures": _(
                        "Used on %(day)s: %(today)s; usual day (28-day average): %(mean).2f, spread %(sd).2f; "
                        "z-score %(z).1f (threshold %(zt)s), %(ratio).1f times the average (threshold %(rt)s).",
                        day=day,
                        today=today,
                        mean=mean,
                        sd=sd,
                        z=z,
                        zt=lim["hc_spike_z"],
                        ratio=today / mean if mean else float("inf"),
                        rt=lim["hc_spike_ratio"],
                    ),
                    "series": [
                        (day - timedelta(days=len(values) - 1 - i), float(v), mean) for i, v in enumerate(values)
                    ],
                }
            )
        return out

    def _signals_ratio(self, day, code, numerator_sql, denominator_sql, threshold_field, label):
        """A share over the 7 days to ``day`` per product, location and cabinet/user, with its daily series."""
        start, end = self._bounds(day, WINDOW_DAYS - 1)
        self.env.cr.execute(
            SQL(
                """
            WITH mv AS (%(moves)s),
            marked AS (
                SELECT mv.*, (%(num)s) AS is_num, (%(den)s) AS is_den,
                       CASE WHEN src_kind = 'consumption' THEN location_dest_id ELSE location_id END AS place
                  FROM mv
            )
            SELECT company_id, product_id, place, actor,
                   sum(qty) FILTER (WHERE is_num), sum(qty) FILTER (WHERE is_den),
                   count(*) FILTER (WHERE is_num),
                   array_agg(date::date ORDER BY date) FILTER (WHERE is_num),
                   array_agg(qty ORDER BY date) FILTER (WHERE is_num)
              FROM marked WHERE is_num OR is_den
             GROUP BY 1, 2, 3, 4
            HAVING count(*) FILTER (WHERE is_num) > 0
                """,
                moves=self._moves_cte(start, end),
                num=numerator_sql,
                den=denominator_sql,
            )
        )
        rows = self.env.cr.fetchall()
        limits = self._thresholds([r[1] for r in rows])
        out = []
        for company, product, place, actor, num_raw, den_raw, count, days, qtys in rows:
            lim = limits[product]
            num, den = float(num_raw or 0), float(den_raw or 0)
            share = num / den if den else 1.0
            if count < 2 or share <= lim[threshold_field]:
                continue
            per_day = {}
            for d, q in zip(days, qtys, strict=True):
                per_day[d] = per_day.get(d, 0.0) + float(q)
            series = [
                (day - timedelta(days=i), per_day.get(day - timedelta(days=i), 0.0), den / WINDOW_DAYS)
                for i in range(WINDOW_DAYS - 1, -1, -1)
            ]
            out.append(
                {
                    "code": code,
                    "company_id": company,
                    "subject": f"{product}:{place}:{actor}",
                    "product_id": product,
                    "location_id": place,
                    "actor": actor,
                    "figures": _(
                        "%(label)s in the 7 days to %(day)s: %(num)s of %(den)s "
                        "(%(share).0f%%, threshold %(thr).0f%%), "
                        "%(count)s events.",
                        label=label,
                        day=day,
                        num=num,
                        den=den,
                        share=share * 100,
                        thr=lim[threshold_field] * 100,
                        count=count,
                    ),
                    "series": series,
                }
            )
        return out

    def _signals_waste(self, day):
        return self._signals_ratio(
            day,
            codes.ANOMALY_WASTE,
            SQL("mv.dst_kind = 'waste'"),
            SQL("mv.dst_kind IN ('waste', 'consumption')"),
            "hc_waste_ratio",
            _("Wasted"),
        )

    def _signals_reversal(self, day):
        """Cancelled dispenses: moves back from patient consumption posted by an event that
        ``reverses`` another (a correction, not a return of unused stock)."""
        reversal = SQL("mv.src_kind = 'consumption' AND mv.correction")
        return self._signals_ratio(
            day,
            codes.ANOMALY_REVERSAL,
            reversal,
            SQL("mv.dst_kind = 'consumption'"),
            "hc_reversal_ratio",
            _("Cancelled dispenses"),
        )

    def _signals_override(self, day):
        """Uses of expired, quarantined or recalled lots a person approved, per product, place, cabinet."""
        start, end = self._bounds(day, WINDOW_DAYS - 1)
        self.env.cr.execute(
            SQL(
                """
            WITH mv AS (%(moves)s)
            SELECT mv.company_id, mv.product_id, mv.location_id, mv.actor, count(*),
                   array_agg(mv.date::date ORDER BY mv.date)
              FROM mv
              JOIN hc_inbound_message im
                ON im.endpoint_id = mv.endpoint_id AND im.idempotency_key = substr(mv.origin, length(mv.actor) + 2)
             WHERE im.approved_codes ~ '(lot_expired|lot_quarantined|lot_recalled)'
             GROUP BY 1, 2, 3, 4
                """,
                moves=self._moves_cte(start, end),
            )
        )
        out = []
        for (company, product, location, actor, count, days), lim in self._fetch_over_limit(4, "hc_override_max"):
            out.append(
                {
                    "code": codes.ANOMALY_OVERRIDE,
                    "company_id": company,
                    "subject": f"{product}:{location}:{actor}",
                    "product_id": product,
                    "location_id": location,
                    "actor": actor,
                    "figures": _(
                        "%(count)s approved uses of expired, quarantined or recalled lots in the 7 days to %(day)s "
                        "(allowed: %(max)s).",
                        count=count,
                        day=day,
                        max=lim["hc_override_max"],
                    ),
                    "series": _daily(day, days, lim["hc_override_max"] / WINDOW_DAYS),
                }
            )
        return out

    def _signals_count(self, day):
        """External counts that disagreed with Odoo's on-hand, per product and location."""
        start, end = self._bounds(day, WINDOW_DAYS - 1)
        self.env.cr.execute(
            SQL(
                """
            SELECT c.company_id, c.product_id, c.location_id, count(*),
                   array_agg(c.counted_at::date ORDER BY c.counted_at),
                   sum(abs(c.variance_qty))
              FROM hc_stock_count c
             WHERE c.classification <> 'match' AND c.counted_at >= %s AND c.counted_at < %s
             GROUP BY 1, 2, 3
                """,
                start,
                end,
            )
        )
        out = []
        for (company, product, location, count, days, variance), lim in self._fetch_over_limit(
            3, "hc_count_mismatch_max"
        ):
            out.append(
                {
                    "code": codes.ANOMALY_COUNT,
                    "company_id": company,
                    "subject": f"{product}:{location}",
                    "product_id": product,
                    "location_id": location,
                    "actor": None,
                    "figures": _(
                        "%(count)s counts disagreed with Odoo in the 7 days to %(day)s (allowed: %(max)s); "
                        "total difference %(var)s.",
                        count=count,
                        day=day,
                        max=lim["hc_count_mismatch_max"],
                        var=float(variance or 0),
                    ),
                    "series": _daily(day, days, 0.0),
                }
            )
        return out

    def _param(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return float(value) if value not in (None, False, "") else default  # get_param: False when unset
        except ValueError:
            return default

    def _signals_api_burst(self, day):
        """Messages per endpoint and hour: the day's busiest hour against the usual hourly rate of
        the 28 days before (quiet hours count)."""
        start, end = self._bounds(day, BASELINE_DAYS)
        day_start = datetime.combine(day, time.min)
        self.env.cr.execute(
            SQL(
                """
            WITH hourly AS (
                SELECT endpoint_id, company_id, date_trunc('hour', received_at) AS hour, count(*) AS n
                  FROM hc_inbound_message
                 WHERE received_at >= %(start)s AND received_at < %(end)s
                 GROUP BY 1, 2, 3
            )
            SELECT endpoint_id, company_id,
                   max(n) FILTER (WHERE hour >= %(day_start)s) AS peak,
                   coalesce(sum(n) FILTER (WHERE hour < %(day_start)s), 0) AS baseline_total,
                   array_agg(hour ORDER BY hour) FILTER (WHERE hour >= %(day_start)s),
                   array_agg(n ORDER BY hour) FILTER (WHERE hour >= %(day_start)s)
              FROM hourly GROUP BY 1, 2
            HAVING max(n) FILTER (WHERE hour >= %(day_start)s) IS NOT NULL
                """,
                start=start,
                end=end,
                day_start=day_start,
            )
        )
        rows = self.env.cr.fetchall()  # before reading a parameter (a query of its own)
        ratio = self._param("hc.anomaly.api_burst_ratio", 10.0)
        minimum = self._param("hc.anomaly.api_burst_min", 100.0)
        out = []
        for endpoint, company, peak, total, hours, counts in rows:
            usual = float(total) / (BASELINE_DAYS * 24)
            if peak < minimum or peak < ratio * max(usual, 1.0):
                continue
            out.append(
                {
                    "code": codes.ANOMALY_API_BURST,
                    "company_id": company,
                    "subject": f"endpoint:{endpoint}",
                    "endpoint_id": endpoint,
                    "figures": _(
                        "Busiest hour on %(day)s: %(peak)s messages; usual: %(usual).1f an hour over 28 days "
                        "(threshold: %(ratio)s times, at least %(min)s).",
                        day=day,
                        peak=peak,
                        usual=usual,
                        ratio=ratio,
                        min=int(minimum),
                    ),
                    # hours of the day as points (the graph shows the day's hours)
                    "series": [(h.date(), float(n), usual) for h, n in zip(hours, counts, strict=True)],
                }
            )
        return out

    def _signals_key_reuse(self, day):
        """Message ids re-sent with a different body (recorded by the idempotency ledger), per endpoint."""
        start, end = self._bounds(day, WINDOW_DAYS - 1)
        self.env.cr.execute(
            SQL(
                """
            SELECT c.endpoint_id, c.company_id, count(*), array_agg(c.create_date::date ORDER BY c.create_date)
              FROM hc_idempotency_conflict c
             WHERE c.create_date >= %s AND c.create_date < %s
             GROUP BY 1, 2
                """,
                start,
                end,
            )
        )
        rows = self.env.cr.fetchall()  # before reading a parameter (a query of its own)
        minimum = self._param("hc.anomaly.key_reuse_min", 3.0)
        out = []
        for endpoint, company, count, days in rows:
            if count < minimum:
                continue
            out.append(
                {
                    "code": codes.ANOMALY_KEY_REUSE,
                    "company_id": company,
                    "subject": f"endpoint:{endpoint}",
                    "endpoint_id": endpoint,
                    "figures": _(
                        "%(count)s message ids re-sent with different content in the 7 days to %(day)s "
                        "(threshold %(min)s).",
                        count=count,
                        day=day,
                        min=int(minimum),
                    ),
                    "series": _daily(day, days, 0.0),
                }
            )
        return out

    def _signals_auth_failures(self, day):
        """Refused requests (wrong signature, key or time) per endpoint: the day against its usual
        day over the 28 days before, counted by the door in ``hc.endpoint.auth.failure``."""
        start, end = self._bounds(day, BASELINE_DAYS)
        self.env.cr.execute(
            SQL(
                """
            WITH daily AS (
                SELECT endpoint_id, bucket::date AS day, sum(failure_count) AS n
                  FROM hc_endpoint_auth_failure
                 WHERE endpoint_id IS NOT NULL AND bucket >= %(start)s AND bucket < %(end)s
                 GROUP BY 1, 2
            ),
            subjects AS (SELECT DISTINCT endpoint_id FROM daily WHERE day = %(day)s),
            series AS (
                SELECT s.endpoint_id, g.day::date AS day, coalesce(d.n, 0) AS n
                  FROM subjects s
                 CROSS JOIN generate_series(%(first)s::date, %(day)s::date, interval '1 day') g(day)
                  LEFT JOIN daily d ON d.endpoint_id = s.endpoint_id AND d.day = g.day::date
            ),
            reasons AS (
                SELECT endpoint_id, array_agg(reason || '=' || n ORDER BY n DESC, reason) AS why
                  FROM (SELECT endpoint_id, reason, sum(failure_count) AS n
                          FROM hc_endpoint_auth_failure
                         WHERE endpoint_id IS NOT NULL AND bucket >= %(day)s::date AND bucket < %(end)s
                         GROUP BY 1, 2) r
                 GROUP BY 1
            )
            SELECT s.endpoint_id, e.company_id,
                   max(s.n) FILTER (WHERE s.day = %(day)s) AS today,
                   avg(s.n) FILTER (WHERE s.day < %(day)s) AS mean,
                   array_agg(s.n ORDER BY s.day) AS values,
                   min(r.why) AS why
              FROM series s
              JOIN hc_endpoint e ON e.id = s.endpoint_id
              LEFT JOIN reasons r ON r.endpoint_id = s.endpoint_id
             GROUP BY 1, 2
                """,
                start=start,
                end=end,
                day=day,
                first=day - timedelta(days=BASELINE_DAYS),
            )
        )
        rows = self.env.cr.fetchall()  # before reading parameters and labels (queries of their own)
        ratio = self._param("hc.anomaly.auth_failures_ratio", 10.0)
        minimum = self._param("hc.anomaly.auth_failures_min", 20.0)
        labels = dict(self.env["hc.endpoint.auth.failure"]._fields["reason"]._description_selection(self.env))
        out = []
        for endpoint, company, today_raw, mean_raw, values, why in rows:
            today, mean = float(today_raw or 0), float(mean_raw or 0)
            if today < minimum or today < ratio * max(mean, 1.0):
                continue
            reasons = []
            for item in why or []:
                reason, _sep, n = item.rpartition("=")
                reasons.append(f"{labels.get(reason, reason)}: {n}")
            out.append(
                {
                    "code": codes.ANOMALY_AUTH_FAILURES,
                    "company_id": company,
                    "subject": f"endpoint:{endpoint}",
                    "endpoint_id": endpoint,
                    "figures": _(
                        "Refused requests on %(day)s: %(today)s (%(reasons)s); usual day (28-day average): "
                        "%(mean).2f (threshold: %(ratio)s times, at least %(min)s).",
                        day=day,
                        today=int(today),
                        reasons="; ".join(reasons),
                        mean=mean,
                        ratio=ratio,
                        min=int(minimum),
                    ),
                    "series": [
                        (day - timedelta(days=len(values) - 1 - i), float(v), mean) for i, v in enumerate(values)
                    ],
                }
            )
        return out

    # ------------------------------------------------------------------ exceptions
    def _raise(self, signals, day):
        """One exception per signal; none when this cause was raised already, a note on the open
        exception of the same kind and subject when there is one."""
        if not signals:
            return self.env["hc.exception"]
        Exception_ = self.env["hc.exception"].sudo()
        for sig in signals:
            sig["prefix"] = f"{sig['code']}:{sig['company_id']}:{sig['subject']}"
            sig["cause"] = f"{sig['prefix']}:{day.isoformat()}"
        existing = Exception_.search(
            [("code", "in", list({s["code"] for s in signals})), ("cause", "in", [s["cause"] for s in signals])]
        )
        seen = set(existing.mapped("cause"))
        open_ = Exception_.search(
            [("code", "in", list({s["code"] for s in signals})), ("state", "in", ("new", "in_progress"))]
        )
        open_by_prefix = {exc.cause.rsplit(":", 1)[0]: exc for exc in open_ if exc.cause}
        Location = self.env["stock.location"].sudo()
        Product = self.env["product.product"].sudo()
        Endpoint = self.env["hc.endpoint"].sudo()
        Catalog = self.env["hc.code.catalog"]
        pharmacy = self.env.ref("healthcare_inventory_sync.hc_team_pharmacy", raise_if_not_found=False)
        vals, series = [], []
        for sig in signals:
            if sig["cause"] in seen:
                continue
            if sig["prefix"] in open_by_prefix:
                open_by_prefix[sig["prefix"]].message_post(body=sig["figures"])
                continue
            location = Location.browse(sig.get("location_id")) if sig.get("location_id") else Location
            product = Product.browse(sig.get("product_id")) if sig.get("product_id") else Product
            endpoint = Endpoint.browse(sig.get("endpoint_id")) if sig.get("endpoint_id") else Endpoint
            if endpoint:
                team = endpoint.team_id
                about = endpoint.name or endpoint.code
                res = ("hc.endpoint", endpoint.id)
            else:
                team = location.warehouse_id.hc_owner_team_id or pharmacy
                about = ", ".join(filter(None, [product.display_name, location.complete_name, sig.get("actor")]))
                res = ("stock.location", location.id) if location else (False, False)
            vals.append(
                {
                    "name": f"{Catalog._label(sig['code'])}: {about}"[:200],
                    "code": sig["code"],
                    "cause": sig["cause"],
                    "detail": sig["figures"],
                    "endpoint_id": endpoint.id or False,
                    "company_id": sig["company_id"],
                    "team_id": team.id if team else False,
                    "severity": "high",
                    "res_model": res[0],
                    "res_id": res[1],
                    "raised_by_id": self.env.ref("base.user_root").id,
                }
            )
            series.append(sig["series"])
            seen.add(sig["cause"])
        if not vals:
            return Exception_
        created = Exception_.create(vals)
        self.env["hc.anomaly.point"].sudo().create(
            [
                {"exception_id": exc.id, "day": d, "value": v, "baseline": b}
                for exc, points in zip(created, series, strict=True)
                for d, v, b in points
            ]
        )
        return created


def _daily(day, days, baseline):
    """Events per day over the 7 days to ``day`` as (day, count, baseline) points."""
    counts = {}
    for d in days or []:
        counts[d] = counts.get(d, 0) + 1
    return [
        (day - timedelta(days=i), float(counts.get(day - timedelta(days=i), 0)), baseline)
        for i in range(WINDOW_DAYS - 1, -1, -1)
    ]
