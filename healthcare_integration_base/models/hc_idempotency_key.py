from odoo import fields, models


class HcIdempotencyKey(models.Model):
    """The idempotency ledger: per endpoint, the first message with a key wins.

    Rows are written by the controller with ``INSERT ... ON CONFLICT DO NOTHING`` on the
    unique (endpoint_id, key) index, so concurrent identical requests make exactly one row.
    The ledger and its hashes outlive payload retention.
    """

    _name = "hc.idempotency.key"
    _description = "Idempotency Ledger Entry"
    _order = "id desc"
    _rec_name = "key"

    endpoint_id = fields.Many2one("hc.endpoint", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="endpoint_id.company_id", store=True)
    key = fields.Char(required=True)
    body_hash = fields.Char(required=True, help="SHA-256 of the document (JSON: of its canonical form).")
    message_id = fields.Many2one("hc.inbound.message", string="First Message", index=True, ondelete="set null")
    outcome = fields.Selection(related="message_id.state", string="Outcome")
    duplicate_count = fields.Integer(default=0, help="Repeats recognised and answered without a second effect.")
    last_seen_at = fields.Datetime()
    conflict_ids = fields.One2many("hc.idempotency.conflict", "ledger_id", string="Key Reuse Conflicts")
    conflict_count = fields.Integer(default=0)

    _sql_constraints = [
        ("endpoint_key_unique", "unique(endpoint_id, key)", "An idempotency key is unique per endpoint."),
    ]


class HcIdempotencyConflict(models.Model):
    """A request that reused a key with a different body (answered 422), kept for review."""

    _name = "hc.idempotency.conflict"
    _description = "Idempotency Key Reuse"
    _order = "id desc"

    ledger_id = fields.Many2one("hc.idempotency.key", required=True, ondelete="cascade", index=True)
    endpoint_id = fields.Many2one(related="ledger_id.endpoint_id", store=True)
    company_id = fields.Many2one(related="ledger_id.company_id", store=True)
    body_hash = fields.Char()
    message_id = fields.Many2one("hc.inbound.message", string="Rejected Message", ondelete="set null")
    correlation_id = fields.Char()
