from odoo import api, fields, models, tools

FAILED_STATES = [
    ("retry", "Waiting for a retry"),
    ("failed", "Waiting for a person"),
    ("dead", "Given up"),
    ("rejected", "Refused at the door"),
]


class HcEndpointFailure(models.Model):
    """Failed messages per endpoint, cause, state and day, computed by PostgreSQL (a view, nothing
    stored): what the monitoring graph groups by cause. The cause is the error code, read by people
    as its label from the code catalog."""

    _name = "hc.endpoint.failure"
    _description = "Failures by Cause"
    _auto = False
    _order = "day desc, message_count desc"
    _rec_name = "cause"

    endpoint_id = fields.Many2one("hc.endpoint", string="Endpoint", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    cause = fields.Selection(selection="_selection_cause", string="Cause", readonly=True)
    error_code = fields.Char(string="Code (technical)", readonly=True)
    state = fields.Selection(FAILED_STATES, string="Status", readonly=True)
    day = fields.Date(string="Received on", readonly=True)
    message_count = fields.Integer(string="Messages", readonly=True)

    @api.model
    def _selection_cause(self):
        """Every catalogued code with its label, and the codes messages carry that the catalog does
        not know (shown in a readable form)."""
        catalog = self.env["hc.code.catalog"]
        codes = set(catalog._entries())
        self.env.cr.execute("SELECT DISTINCT error_code FROM hc_inbound_message WHERE error_code IS NOT NULL")
        codes.update(r[0] for r in self.env.cr.fetchall())
        return sorted(((code, catalog._label(code)) for code in codes), key=lambda c: c[1])

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"""
            CREATE VIEW {self._table} AS
            SELECT min(m.id) AS id, m.endpoint_id, e.company_id, m.error_code AS cause, m.error_code,
                   m.state, m.received_at::date AS day, count(*) AS message_count
              FROM hc_inbound_message m
              JOIN hc_endpoint e ON e.id = m.endpoint_id
             WHERE m.state IN ('retry', 'failed', 'dead', 'rejected') AND m.error_code IS NOT NULL
             GROUP BY m.endpoint_id, e.company_id, m.error_code, m.state, m.received_at::date
        """)

    def action_open_messages(self):
        """The messages behind a row of the graph or the list."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("healthcare_integration_base.action_hc_inbound_message")
        action["domain"] = [
            ("endpoint_id", "=", self.endpoint_id.id),
            ("error_code", "=", self.error_code),
            ("state", "=", self.state),
        ]
        action["context"] = {}
        return action
