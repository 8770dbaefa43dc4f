from odoo import _, api, models


class HcCodeCatalog(models.AbstractModel):
    _inherit = "hc.code.catalog"

    @api.model
    def _entries(self):
        return {
            **super()._entries(),
            "edi_functional_ack_overdue": (
                _("No functional acknowledgment from the supplier"),
                _(
                    "The supplier's EDI system did not confirm receipt (997/999/CONTRL) of a document we sent within "
                    "its service level: check the delivery and call the supplier's EDI desk."
                ),
            ),
            "edi_order_ack_overdue": (
                _("Order not acknowledged by the supplier"),
                _("The supplier did not acknowledge the purchase order within its service level: chase the order."),
            ),
            "edi_document_rejected": (
                _("Supplier rejected our EDI document"),
                _(
                    "The supplier's functional acknowledgment rejected a document we sent: read the segment in error, "
                    "fix the order or the partner settings, and send it again."
                ),
            ),
            "edi_functional_ack_unmatched": (
                _("Acknowledgment of an unknown document"),
                _("The supplier acknowledged control numbers we never sent it: check the partner's identifiers."),
            ),
            "edi_sender_unknown": (
                _("Interchange from an unknown sender"),
                _(
                    "The interchange's sender is not the trading partner of the endpoint it came to; "
                    "it is not processed."
                ),
            ),
            "edi_envelope_invalid": (
                _("Malformed EDI interchange"),
                _("The envelope's counts or control numbers do not add up: the supplier must fix and resend it."),
            ),
        }
