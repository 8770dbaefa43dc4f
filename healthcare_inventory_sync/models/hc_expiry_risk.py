from datetime import timedelta

from odoo import _, api, fields, models, tools


class HcExpiryRisk(models.Model):
    """Stock on hand by lot and location with its expiry: what will expire, where, and its value."""

    _name = "hc.expiry.risk"
    _description = "Expiry Risk"
    _auto = False
    _order = "expiration_date, location_id"
    _depends = {
        "stock.quant": ["quantity", "lot_id", "location_id", "product_id", "company_id"],
        "stock.lot": ["expiration_date"],
        "stock.location": ["usage"],
        "product.product": ["standard_price"],
    }

    lot_id = fields.Many2one("stock.lot", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    location_id = fields.Many2one("stock.location", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    quantity = fields.Float(readonly=True, digits="Product Unit of Measure")
    value = fields.Float(readonly=True)
    expiration_date = fields.Datetime(readonly=True)
    expiry_month = fields.Date(string="Month of Expiry", readonly=True)
    days_left = fields.Integer(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"""
            CREATE VIEW {self._table} AS
            SELECT min(q.id) AS id, q.lot_id, q.product_id, q.location_id, q.company_id,
                   sum(q.quantity) AS quantity,
                   sum(q.quantity) * COALESCE((pp.standard_price ->> q.company_id::text)::numeric, 0) AS value,
                   lot.expiration_date,
                   date_trunc('month', lot.expiration_date)::date AS expiry_month,
                   (lot.expiration_date::date - (now() AT TIME ZONE 'UTC')::date) AS days_left
              FROM stock_quant q
              JOIN stock_lot lot ON lot.id = q.lot_id
              JOIN stock_location loc ON loc.id = q.location_id
              JOIN product_product pp ON pp.id = q.product_id
             WHERE loc.usage = 'internal' AND lot.expiration_date IS NOT NULL
             GROUP BY q.lot_id, q.product_id, q.location_id, q.company_id, lot.expiration_date, pp.standard_price
            HAVING sum(q.quantity) > 0
        """)

    @api.model
    def _horizon_days(self):
        return int(self.env["ir.config_parameter"].sudo().get_param("hc.expiry_risk_days", 90))

    @api.model
    def _cron_expiry_activities(self):
        """Daily: one activity per lot entering the horizon, for the pharmacy team (not per day)."""
        self.env.flush_all()
        self.invalidate_model()
        risks = self.search([("days_left", "<=", self._horizon_days())])
        lots = risks.lot_id.filtered(lambda lot: not lot.hc_expiry_alerted)
        team = self.env.ref("healthcare_inventory_sync.hc_team_pharmacy", raise_if_not_found=False)
        user = team._activity_user() if team else self.env.ref("base.user_admin")
        for lot in lots:
            rows = risks.filtered(lambda r, lot=lot: r.lot_id == lot)
            where = ", ".join(f"{r.location_id.display_name}: {r.quantity:g}" for r in rows)
            lot.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=_("Lot %(lot)s expires on %(date)s", lot=lot.name, date=lot.expiration_date.date()),
                note=_("On hand: %s. Use first, move, or plan waste.", where),
                user_id=user.id,
                date_deadline=max(fields.Date.today(), (lot.expiration_date - timedelta(days=7)).date()),
            )
        lots.write({"hc_expiry_alerted": True})
        return len(lots)
