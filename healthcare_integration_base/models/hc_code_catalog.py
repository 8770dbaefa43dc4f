"""Human labels and one-line explanations of the contract's error codes.

The codes stay what they are in the HTTP API, the database and a technical column; people read
the label and the explanation. Business modules add their codes by extending ``_entries``::

    def _entries(self):
        return {**super()._entries(), "lot_expired": (_("Expired lot"), _("The lot ..."))}
"""

from odoo import _, api, models


class HcCodeCatalog(models.AbstractModel):
    _name = "hc.code.catalog"
    _description = "Integration Error Codes"

    @api.model
    def _entries(self):
        """``{code: (label, explanation)}``."""
        return {
            "no_handler": (
                _("No processor for this message type"),
                _("No installed module processes this message type: install it, or stop the sender posting it."),
            ),
            "no_outcome": (
                _("Processing gave no result"),
                _("The processor returned nothing for this message; it is retried, then reported as dead."),
            ),
            "partner_timeout": (
                _("Partner did not answer in time"),
                _("A remote system timed out; the message is retried automatically with increasing delays."),
            ),
            "schema_violation": (
                _("Message does not follow its schema"),
                _("A required field is missing or has the wrong form: the sender must fix and resend it."),
            ),
            "unreadable_body": (
                _("Unreadable message"),
                _("The body could not be read as the declared content type: the sender must fix and resend it."),
            ),
            "message_type_forbidden": (
                _("Message type not allowed for this endpoint"),
                _("The endpoint is not configured to accept this message type."),
            ),
            "idempotency_key_reuse": (
                _("Same key, different content"),
                _(
                    "The sender reused an idempotency key with a different body; the first message stands and "
                    "this one was refused."
                ),
            ),
            "max_batch": (_("Batch too large"), _("The batch has more documents than the endpoint accepts at once.")),
            "max_body": (_("Message too large"), _("The body exceeds the endpoint's size limit.")),
            "rate_limit": (
                _("Too many requests"),
                _("The sender exceeded the endpoint's rate limit and must slow down."),
            ),
        }

    @api.model
    def _label(self, code):
        """The human label of ``code`` (a readable form of the code when it is not catalogued)."""
        if not code:
            return False
        entry = self._entries().get(code)
        return entry[0] if entry else code.replace("_", " ").replace(".", " ").strip().capitalize()

    @api.model
    def _explanation(self, code):
        entry = self._entries().get(code) if code else None
        return entry[1] if entry else False
