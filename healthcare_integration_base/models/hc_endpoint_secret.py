from odoo import fields, models


class HcEndpointSecret(models.Model):
    """A credential of an endpoint. Never readable by users: only ``sudo()`` code reads it.

    Signing secrets (inbound and outbound) are stored encrypted (they are needed to verify
    HMACs and to sign outbound deliveries); API keys are stored as a hash only.
    """

    _name = "hc.endpoint.secret"
    _description = "Endpoint Credential"
    _order = "id desc"

    endpoint_id = fields.Many2one("hc.endpoint", required=True, ondelete="cascade", index=True)
    kind = fields.Selection(
        [("signature", "Signing secret"), ("api_key", "API key"), ("outbound", "Outbound signing secret")],
        required=True,
        help="Signing secret and API key authenticate the partner's inbound requests; the outbound "
        "signing secret signs the deliveries to the partner and never verifies anything inbound.",
    )
    secret_encrypted = fields.Char(help="Fernet token of the signing secret.")
    key_hash = fields.Char(index=True, help="SHA-256 of the API key.")
    hint = fields.Char(help="The last characters, to tell credentials apart.")
    expires_at = fields.Datetime(help="Empty for the current credential; set when rotated.")
