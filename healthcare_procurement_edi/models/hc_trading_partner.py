"""A supplier we exchange EDI documents with: its format, identifiers, transport, tolerances and SLAs."""

import hmac
from datetime import datetime, timezone

from odoo import _, api, fields, models
from odoo.addons.healthcare_integration_base.lib import crypto
from odoo.addons.healthcare_integration_base.models.hc_endpoint import server_secret_key
from odoo.exceptions import AccessError, ValidationError

from ..lib import outbound as edi_outbound

DOCUMENT_FORMATS = [
    ("x12_4010", "ANSI X12 4010"),
    ("x12_5010", "ANSI X12 5010"),
    ("edifact_d96a", "UN/EDIFACT D.96A"),
    ("edifact_d01b", "UN/EDIFACT D.01B"),
    ("cxml", "cXML 1.2"),
    ("ubl", "UBL 2.1 / Peppol BIS 3"),
    ("json", "Canonical JSON"),
]
SYNTAX_OF_FORMAT = {
    "x12_4010": "x12",
    "x12_5010": "x12",
    "edifact_d96a": "edifact",
    "edifact_d01b": "edifact",
    "cxml": "cxml",
    "ubl": "ubl",
    "json": "json",
}
CONTENT_TYPES = {
    "x12": "application/edi-x12",
    "edifact": "application/edifact",
    "cxml": "application/xml",
    "ubl": "application/xml",
    "json": "application/json",
}
SECRET_FIELDS = {"cxml_shared_secret": "cxml_shared_secret", "sftp_password": "sftp_password"}


class HcTradingPartner(models.Model):
    _name = "hc.trading.partner"
    _description = "EDI Trading Partner"
    _inherit = ["mail.thread"]
    _order = "name, id"

    name = fields.Char(related="partner_id.name", store=True, string="Supplier Name")
    active = fields.Boolean(default=True)
    partner_id = fields.Many2one(
        "res.partner", string="Supplier", required=True, index=True, ondelete="restrict", tracking=True
    )
    endpoint_id = fields.Many2one(
        "hc.endpoint",
        string="Endpoint",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        help="The supplier posts its documents to this endpoint's URL; our documents go to its delivery URL.",
    )
    company_id = fields.Many2one(related="endpoint_id.company_id", store=True, index=True, string="Company")
    document_format = fields.Selection(
        DOCUMENT_FORMATS, string="Document Format", required=True, default="x12_4010", tracking=True
    )
    syntax = fields.Char(compute="_compute_syntax")
    test_mode = fields.Boolean(
        string="Test Interchanges", help="Our interchanges are flagged as test (ISA15 T, UNB test indicator)."
    )
    # their identifiers
    interchange_qualifier = fields.Char(
        string="Their Interchange Qualifier", help="ISA05 (e.g. ZZ, 01, 14) or the UNB sender code qualifier."
    )
    interchange_id = fields.Char(
        string="Their Interchange ID", index=True, tracking=True, help="ISA06 or the UNB sender identification."
    )
    gs_id = fields.Char(string="Their Application ID (GS)", help="GS02/GS03 for them; empty: their interchange ID.")
    gln = fields.Char(string="Their GLN", help="GS1 Global Location Number of the supplier.")
    cxml_domain = fields.Char(string="Their cXML Domain", help="e.g. DUNS, NetworkID.")
    cxml_identity = fields.Char(string="Their cXML Identity")
    # ours towards them
    our_interchange_qualifier = fields.Char(string="Our Interchange Qualifier", default="ZZ")
    our_interchange_id = fields.Char(string="Our Interchange ID", tracking=True)
    our_gs_id = fields.Char(string="Our Application ID (GS)", help="Empty: our interchange ID.")
    our_cxml_domain = fields.Char(string="Our cXML Domain", default="NetworkID")
    our_cxml_identity = fields.Char(string="Our cXML Identity")
    # secrets: write-only fields, stored encrypted in hc.edi.secret (never readable)
    cxml_shared_secret = fields.Char(
        string="cXML Shared Secret",
        compute="_compute_secrets",
        inverse="_inverse_cxml_shared_secret",
        help="Sent in our cXML Sender credential. Stored encrypted; it is never shown again.",
    )
    cxml_shared_secret_set = fields.Boolean(compute="_compute_secrets", string="cXML Secret Set")
    sftp_password = fields.Char(
        string="SFTP Password",
        compute="_compute_secrets",
        inverse="_inverse_sftp_password",
        help="Stored encrypted; it is never shown again.",
    )
    sftp_password_set = fields.Boolean(compute="_compute_secrets", string="SFTP Password Set")
    # transport
    transport = fields.Selection(
        [("https", "HTTPS (signed POST)"), ("sftp", "SFTP server"), ("folder", "Folder")],
        compute="_compute_transport",
        help="From the endpoint's delivery URL: https://..., sftp://user@host:port/dir or file:///dir "
        "(a folder under the server's EDI outbox root).",
    )
    delivery_url = fields.Char(related="endpoint_id.outbound_url", string="Delivery URL", readonly=True)
    sftp_host_key = fields.Char(
        string="SFTP Host Key Fingerprint",
        help="SHA256 fingerprint of the SFTP server's host key (SHA256:base64...): deliveries go to no other server.",
    )
    # tolerances used when matching acknowledgments, ship notices and invoices
    price_tolerance_percent = fields.Float(string="Price Tolerance (%)", default=0.0)
    quantity_tolerance_percent = fields.Float(string="Quantity Tolerance (%)", default=0.0)
    days_early_tolerance = fields.Integer(string="Days Early Accepted", default=0)
    days_late_tolerance = fields.Integer(string="Days Late Accepted", default=0)
    min_shelf_life_days = fields.Integer(
        string="Minimum Shelf Life at Receipt (days)", default=0, help="Lots expiring sooner are held for a decision."
    )
    auto_post_matched_bills = fields.Boolean(
        string="Post Matched Bills", help="A bill matched within tolerance is posted; otherwise it stays draft."
    )
    # service levels
    ack_sla_hours = fields.Integer(string="Order Acknowledgment Due (h)", default=24)
    ship_notice_sla_hours = fields.Integer(string="Ship Notice Due (h)", default=72)
    functional_ack_sla_hours = fields.Integer(string="Functional Acknowledgment (997) Due (h)", default=4)
    uom_code_ids = fields.One2many("hc.edi.uom.code", "trading_partner_id", string="Unit Codes")
    document_ids = fields.One2many("hc.edi.document", "trading_partner_id", string="EDI Documents")
    document_count = fields.Integer(compute="_compute_document_count", string="Documents")

    _sql_constraints = [
        (
            "tolerances_positive",
            "CHECK(price_tolerance_percent >= 0 AND quantity_tolerance_percent >= 0 AND days_early_tolerance >= 0 "
            "AND days_late_tolerance >= 0 AND min_shelf_life_days >= 0)",
            "Tolerances and shelf life cannot be negative.",
        ),
        (
            "sla_positive",
            "CHECK(ack_sla_hours >= 0 AND ship_notice_sla_hours >= 0 AND functional_ack_sla_hours >= 0)",
            "Service levels cannot be negative.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        secrets = [{k: vals.pop(k) for k in list(vals) if k in SECRET_FIELDS} for vals in vals_list]
        records = super().create(vals_list)
        self.env["hc.edi.control"]._create_sequences(records.ids)
        for rec, values in zip(records, secrets, strict=True):
            for kind, plain in values.items():
                if plain:
                    rec._set_secret(kind, plain)
        return records

    def write(self, vals):
        secrets = {k: vals.pop(k) for k in list(vals) if k in SECRET_FIELDS}
        result = super().write(vals) if vals else True
        for kind, plain in secrets.items():
            if plain:
                for rec in self:
                    rec._set_secret(kind, plain)
        return result

    @api.depends("document_format")
    def _compute_syntax(self):
        for rec in self:
            rec.syntax = SYNTAX_OF_FORMAT.get(rec.document_format)

    @api.depends("endpoint_id.outbound_url")
    def _compute_transport(self):
        for rec in self:
            url = (rec.endpoint_id.sudo().outbound_url or "").lower()
            rec.transport = "sftp" if url.startswith("sftp://") else "folder" if url.startswith("file://") else "https"

    def _compute_document_count(self):
        data = self.env["hc.edi.document"]._read_group(
            [("trading_partner_id", "in", self.ids)], ["trading_partner_id"], ["__count"]
        )
        counts = {p.id: n for p, n in data}
        for rec in self:
            rec.document_count = counts.get(rec.id, 0)

    def _compute_secrets(self):
        kinds = {}
        if self.ids:
            for sec in self.env["hc.edi.secret"].sudo().search([("trading_partner_id", "in", self.ids)]):
                kinds.setdefault(sec.trading_partner_id.id, set()).add(sec.kind)
        for rec in self:
            rec.cxml_shared_secret = False
            rec.sftp_password = False
            rec.cxml_shared_secret_set = "cxml_shared_secret" in kinds.get(rec.id, ())
            rec.sftp_password_set = "sftp_password" in kinds.get(rec.id, ())

    def _inverse_cxml_shared_secret(self):
        """Written through ``write`` (which never lets the value reach the cache)."""

    def _inverse_sftp_password(self):
        """Written through ``write`` (which never lets the value reach the cache)."""

    def _check_manager(self):
        if not (self.env.su or self.env.user.has_group("healthcare_integration_base.group_hc_manager")):
            raise AccessError(_("Only an Integration Manager can change a trading partner's credentials."))

    def _set_secret(self, kind, plain):
        """Store ``plain`` encrypted (Fernet, key from the server configuration), replacing the old one."""
        self.ensure_one()
        self._check_manager()
        Secret = self.env["hc.edi.secret"].sudo()
        Secret.search([("trading_partner_id", "=", self.id), ("kind", "=", kind)]).unlink()
        key = crypto.derive_fernet_key(server_secret_key(self.env))
        Secret.create(
            {
                "trading_partner_id": self.id,
                "kind": kind,
                "secret_encrypted": crypto.encrypt(key, plain),
            }
        )
        self.message_post(
            body=_("%(label)s replaced by %(user)s.", label=self._fields[kind].string, user=self.env.user.name)
        )

    def _get_secret(self, kind):
        """The decrypted secret (engine use only, under sudo), or None."""
        self.ensure_one()
        sec = (
            self.env["hc.edi.secret"]
            .sudo()
            .search([("trading_partner_id", "=", self.id), ("kind", "=", kind)], limit=1)
        )
        if not sec:
            return None
        return crypto.decrypt(crypto.derive_fernet_key(server_secret_key(self.env)), sec.secret_encrypted)

    @api.constrains("partner_id", "endpoint_id", "active")
    def _check_unique(self):
        for rec in self.filtered("active"):
            others = self.search_count(
                [
                    ("id", "!=", rec.id),
                    ("active", "=", True),
                    "|",
                    ("endpoint_id", "=", rec.endpoint_id.id),
                    "&",
                    ("partner_id.commercial_partner_id", "=", rec.partner_id.commercial_partner_id.id),
                    ("company_id", "=", rec.company_id.id),
                ]
            )
            if others:
                raise ValidationError(
                    _("A supplier has one active trading partner per company, and an endpoint serves one partner.")
                )

    @api.constrains("interchange_id", "our_interchange_id", "interchange_qualifier", "our_interchange_qualifier")
    def _check_ids(self):
        for rec in self:
            for name in ("interchange_id", "our_interchange_id"):
                value = rec[name] or ""
                if len(value) > 35 or any(ch in value for ch in "*~^:+'?\n\r"):
                    raise ValidationError(
                        _("%(field)s: at most 35 characters, without EDI separators.", field=rec._fields[name].string)
                    )
            for name in ("interchange_qualifier", "our_interchange_qualifier"):
                if len(rec[name] or "") > 4:
                    raise ValidationError(_("%(field)s: at most 4 characters.", field=rec._fields[name].string))

    # ------------------------------------------------------------------ lookups
    @api.model
    def _for_endpoint(self, endpoint_id):
        return self.sudo().search([("endpoint_id", "=", endpoint_id), ("active", "=", True)], limit=1)

    @api.model
    def _for_supplier(self, partner, company):
        return self.sudo().search(
            [
                ("partner_id.commercial_partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", company.id),
                ("active", "=", True),
            ],
            limit=1,
        )

    def _sender_matches(self, ic):
        """Whether interchange ``ic`` was sent by this partner (ISA06 / UNB sender / cXML From / UBL)."""
        self.ensure_one()
        sender = (ic.sender_id or "").strip().upper()
        known = {
            (v or "").strip().upper()
            for v in (self.interchange_id, self.cxml_identity, self.gln, self.gs_id)
            if v and v.strip()
        }
        if not known:
            return False
        if ic.syntax == "x12" and self.interchange_qualifier and ic.sender_qualifier:
            if ic.sender_qualifier.strip().upper() != self.interchange_qualifier.strip().upper():
                return False
        return sender in known

    def _edi_envelope(self, interchange, group, sets, *, swap_from=None):
        """The envelope of a document we send: our ids as sender, theirs as receiver.

        ``swap_from``: an interchange we answer whose sender is not this partner (its ids are then
        used as they came, sender and receiver swapped)."""
        self.ensure_one()
        syntax = SYNTAX_OF_FORMAT[self.document_format]
        if swap_from is not None:
            sender, sender_q = swap_from.receiver_id, swap_from.receiver_qualifier
            receiver, receiver_q = swap_from.sender_id, swap_from.sender_qualifier
            sender_app = receiver_app = None
        elif syntax == "cxml":
            sender, sender_q = self.our_cxml_identity or self._our_id(), self.our_cxml_domain or "NetworkID"
            receiver, receiver_q = self.cxml_identity or self._their_id(), self.cxml_domain or "NetworkID"
            sender_app = receiver_app = None
        else:
            sender, sender_q = self._our_id(), self.our_interchange_qualifier or "ZZ"
            receiver, receiver_q = self._their_id(), self.interchange_qualifier or "ZZ"
            sender_app, receiver_app = self.our_gs_id or sender, self.gs_id or receiver
        return edi_outbound.Envelope(
            sender_id=sender or "",
            sender_qualifier=sender_q or "",
            receiver_id=receiver or "",
            receiver_qualifier=receiver_q or "",
            interchange_control_number=int(interchange),
            group_control_number=int(group or 0),
            set_control_numbers=[int(s) for s in sets],
            test=bool(self.test_mode),
            sender_app=sender_app,
            receiver_app=receiver_app,
            version=self.document_format,
            when=datetime.now(timezone.utc).replace(tzinfo=None),
        )

    def _our_id(self):
        """Our interchange id towards the partner; when none is configured, the company's
        registry number or name (alphanumeric, 15 characters: it fits ISA06)."""
        company = self.company_id
        fallback = company.company_registry or company.vat or company.name or "BUYER"
        return self.our_interchange_id or "".join(ch for ch in fallback.upper() if ch.isalnum())[:15]

    def _their_id(self):
        fallback = self.gln or self.partner_id.commercial_partner_id.name or "SUPPLIER"
        return self.interchange_id or "".join(ch for ch in fallback.upper() if ch.isalnum())[:15]

    def _cxml_secret_matches(self, ic):
        """A cXML document carrying a Sender shared secret carries the one agreed (when one is)."""
        self.ensure_one()
        given = ((getattr(ic, "auth", None) or {}).get("shared_secret") or "").strip()
        if not given:
            return True
        ours = self.sudo()._get_secret("cxml_shared_secret")
        return not ours or hmac.compare_digest(given.encode(), ours.encode())

    def action_open_documents(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("EDI Documents"),
            "res_model": "hc.edi.document",
            "view_mode": "list,form",
            "domain": [("trading_partner_id", "=", self.id)],
        }


class HcEdiSecret(models.Model):
    """A trading partner credential, encrypted at rest. No user reads it: only ``sudo()`` code."""

    _name = "hc.edi.secret"
    _description = "EDI Partner Credential"

    trading_partner_id = fields.Many2one("hc.trading.partner", required=True, ondelete="cascade", index=True)
    kind = fields.Selection(
        [("cxml_shared_secret", "cXML shared secret"), ("sftp_password", "SFTP password")], required=True
    )
    secret_encrypted = fields.Char(required=True)
