"""Message types are data: which processor handles a type, who owns its failures, how it retries.

A type is matched by exact code, or by a ``fnmatch`` pattern (``inventory.*``). When several
active types match, the lowest ``sequence`` wins; at equal sequence an exact code beats a
pattern, then the code sorts. Never the order in which modules were loaded.
"""

from fnmatch import fnmatchcase

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

PRIORITIES = [("0", "Low"), ("1", "Normal"), ("2", "High"), ("3", "Critical")]
DEFAULT_PRIORITY = 1


class HcMessageType(models.Model):
    _name = "hc.message.type"
    _inherit = ["hc.cached.config.mixin"]  # the engine caches it: changes clear the cache
    _description = "Message Type"
    _order = "sequence, code"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        index=True,
        help="The message type as senders name it (inventory.consumption, x12.856, SupplyDelivery), "
        "or a pattern with * and ? (inventory.*).",
    )
    sequence = fields.Integer(default=10, help="When several active types match a message, the lowest sequence wins.")
    active = fields.Boolean(default=True)
    processor_model = fields.Char(
        required=True, help="Technical name of the model that processes messages of this type (hc.processor.*)."
    )
    team_id = fields.Many2one(
        "hc.team",
        string="Owner Team",
        help="Who decides this type's business exceptions, unless the processor names a team for a cause. "
        "Empty: the endpoint's team.",
    )
    max_attempts = fields.Integer(
        default=0, help="Technical failures are retried this many times, then 'dead'. 0: the endpoint's setting."
    )
    backoff_seconds = fields.Integer(
        default=10, string="First Retry After (s)", help="Retry n waits about this × 2^(n-1) seconds, with jitter."
    )
    backoff_cap_seconds = fields.Integer(default=6 * 3600, string="Longest Wait (s)")
    priority = fields.Selection(
        PRIORITIES,
        default=str(DEFAULT_PRIORITY),
        required=True,
        help="Claimed before lower priorities: a critical message never waits behind a backlog of routine ones.",
    )
    description = fields.Text(help="What a sender posts as this type (shown in /hc/v1/openapi.json).")
    content_types = fields.Char(
        help="Content types this type arrives in, comma-separated (for the API description).",
        default="application/json",
    )
    is_pattern = fields.Boolean(compute="_compute_is_pattern")

    _sql_constraints = [("code_unique", "unique(code)", "A message type code must be unique.")]

    @api.depends("code")
    def _compute_is_pattern(self):
        for rec in self:
            rec.is_pattern = _is_pattern(rec.code)

    @api.constrains("processor_model")
    def _check_processor_model(self):
        for rec in self:
            model = self.env.get(rec.processor_model)
            if model is None or not getattr(model, "_hc_is_processor", False):
                raise ValidationError(
                    _(
                        "%(model)s is not a message processor (a model inheriting hc.message.processor).",
                        model=rec.processor_model,
                    )
                )

    @api.constrains("max_attempts", "backoff_seconds", "backoff_cap_seconds")
    def _check_retry_policy(self):
        for rec in self:
            if rec.max_attempts < 0 or rec.backoff_seconds < 1 or rec.backoff_cap_seconds < rec.backoff_seconds:
                raise ValidationError(
                    _("Retry policy: attempts 0 or more, first wait at least 1 s, longest wait not below it.")
                )

    # ------------------------------------------------------------------ resolution (cached per process)
    @api.model
    @tools.ormcache()
    def _rows(self):
        """Active types as plain tuples, in resolution order (see the module docstring)."""
        types = self.sudo().with_context(active_test=True).search([])
        rows = [
            (
                t.id,
                t.code,
                _is_pattern(t.code),
                t.sequence,
                t.processor_model,
                int(t.priority),
                t.max_attempts,
                t.backoff_seconds,
                t.backoff_cap_seconds,
                t.team_id.id or False,
            )
            for t in types
        ]
        rows.sort(key=lambda r: (r[3], r[2], r[1]))
        return tuple(rows)

    @api.model
    def _match(self, message_type):
        """The resolution row of ``message_type`` (see ``_table``), or None."""
        return self._match_cached(message_type or "")

    @api.model
    @tools.ormcache("message_type")
    def _match_cached(self, message_type):
        for row in self._rows():
            if (row[2] and fnmatchcase(message_type, row[1])) or row[1] == message_type:
                return row
        return None

    @api.model
    def _resolve(self, message_type):
        """The type record for ``message_type`` (empty recordset when none matches)."""
        row = self._match(message_type)
        return self.browse(row[0]) if row else self.browse()

    @api.model
    def _priority_of(self, message_type):
        row = self._match(message_type)
        return row[5] if row else DEFAULT_PRIORITY

    @api.model
    def _document_priority(self, message_type, document):
        """The priority a document asks for itself (a ``stat`` requisition), or None: its
        processor's ``_document_priority``; the message gets the highest of this, its type's and
        its endpoint's."""
        row = self._match(message_type)
        if not row or row[4] not in self.env:
            return None
        return self.env[row[4]]._document_priority(message_type, document)

    @api.model
    def _validate_at_door(self, message_type, document, kind):
        """Violations the type's processor finds in a document at the door (empty: accept).

        ``kind`` is how the body was read (``event``, ``batch``, ``fhir``, ``x12``, ``edifact``,
        ``xml``). Messages of a type nobody registered are accepted and wait as ``no_handler``.
        """
        row = self._match(message_type)
        if not row or row[4] not in self.env:
            return []
        return self.env[row[4]]._validate_document(message_type, document, kind) or []

    @api.model
    def _api_description(self):
        """The registered types, for the OpenAPI document."""
        return [
            {
                "code": row[1],
                "pattern": row[2],
                "sequence": row[3],
                "priority": dict(PRIORITIES)[str(row[5])].lower(),
                "content_types": [c.strip() for c in (self.browse(row[0]).content_types or "").split(",") if c.strip()],
                "description": self.browse(row[0]).description or self.browse(row[0]).name,
            }
            for row in self._rows()
        ]


def _is_pattern(code):
    return any(ch in (code or "") for ch in "*?[")
