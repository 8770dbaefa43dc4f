from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    hc_payload_retention_days = fields.Integer(
        string="Keep Message Payloads (days)",
        config_parameter="hc.payload_retention_days",
        default=90,
        help="Older payloads of finished messages are removed; hashes and the idempotency ledger stay.",
    )
    hc_process_batch_size = fields.Integer(
        string="Processing Batch Size", config_parameter="hc.process_batch_size", default=200
    )
