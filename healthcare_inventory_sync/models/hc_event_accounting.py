from odoo import fields, models, tools


class HcEventAccounting(models.Model):
    """Every received event has an outcome: done, waiting (with its cause), rejected or cancelled.

    Anything still without an outcome (received or processing) shows up as such, so a period
    can be closed knowing no event was silently lost.
    """

    _name = "hc.event.accounting"
    _description = "Event Accounting"
    _auto = False
    _order = "day desc, endpoint_id"
    _depends = {"hc.inbound.message": ["state", "received_at", "endpoint_id", "message_type", "error_code"]}

    endpoint_id = fields.Many2one("hc.endpoint", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    day = fields.Date(readonly=True)
    message_type = fields.Char(readonly=True)
    outcome = fields.Selection(
        [
            ("done", "Done"),
            ("waiting", "Waiting"),
            ("rejected", "Rejected"),
            ("cancelled", "Cancelled"),
            ("no_outcome", "Without Outcome Yet"),
        ],
        readonly=True,
    )
    cause = fields.Char(readonly=True, help="The error code events are waiting on.")
    event_count = fields.Integer(string="Events", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"""
            CREATE VIEW {self._table} AS
            -- ids in a fixed order, days first, not in whatever order the grouping comes out:
            -- a selected row keeps its id while new messages arrive (they fall on today); only
            -- a message of an earlier day changing outcome renumbers the rows from that day on
            SELECT row_number() OVER (ORDER BY s.day, s.endpoint_id, s.company_id, s.message_type, s.outcome, s.cause)
                   AS id, s.* FROM (
                SELECT endpoint_id, company_id, (received_at AT TIME ZONE 'UTC')::date AS day, message_type,
                       CASE WHEN state = 'done' THEN 'done'
                            WHEN state IN ('failed', 'retry', 'dead') THEN 'waiting'
                            WHEN state = 'rejected' THEN 'rejected'
                            WHEN state = 'cancelled' THEN 'cancelled'
                            ELSE 'no_outcome' END AS outcome,
                       CASE WHEN state IN ('failed', 'retry', 'dead', 'rejected') THEN error_code END AS cause,
                       count(*) AS event_count
                  FROM hc_inbound_message
                 WHERE message_type LIKE 'inventory.%%' OR message_type IN ('SupplyDelivery', 'MedicationDispense')
                 GROUP BY 1, 2, 3, 4, 5, 6) s
        """)
