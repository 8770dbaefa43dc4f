from odoo import _, api, models


class HcCodeCatalogFlow(models.AbstractModel):
    _inherit = "hc.code.catalog"

    @api.model
    def _entries(self):
        return {
            **super()._entries(),
            "ack_price_change": (
                _("Supplier changed the price"),
                _(
                    "The order acknowledgment confirms a price outside the partner's tolerance: approve to take it, reject to send our price back."
                ),
            ),
            "ack_quantity_change": (
                _("Supplier changed the quantity"),
                _(
                    "The acknowledged quantity differs from the order beyond tolerance: approve to order that quantity, reject to insist."
                ),
            ),
            "ack_date_change": (
                _("Supplier changed the delivery date"),
                _(
                    "The acknowledged delivery date is outside the days early/late accepted: approve to move the receipt, reject to insist."
                ),
            ),
            "ack_substitution": (
                _("Supplier offers a substitute"),
                _(
                    "The supplier will ship another item instead: approve to add it and cancel the original line's remainder."
                ),
            ),
            "ack_rejected_line": (
                _("Supplier rejected an order line"),
                _(
                    "The supplier will not deliver this line: approve to cancel its remainder (and source it elsewhere), reject to insist."
                ),
            ),
            "ack_not_on_po": (
                _("Acknowledged item not on the order"),
                _(
                    "The acknowledgment names an item or order we did not send: check the supplier's part numbers or the order number."
                ),
            ),
            "ack_uom_mismatch": (
                _("Acknowledged in another unit"),
                _(
                    "The supplier acknowledged in a unit that does not convert to the ordered one: fix the partner's unit codes or the order."
                ),
            ),
            "asn_over": (
                _("Over-shipment announced"),
                _(
                    "The ship notice ships more than is open on the order beyond tolerance: refuse the surplus or accept it."
                ),
            ),
            "asn_under": (
                _("Under-shipment announced"),
                _(
                    "The ship notice ships less than is open on the order (beyond tolerance and any backorder): chase the rest."
                ),
            ),
            "asn_not_on_po": (
                _("Shipped item not on the order"),
                _(
                    "The ship notice lists an item or order we did not send: do not receive it blindly; check with the supplier."
                ),
            ),
            "asn_short_dated": (
                _("Short-dated lot announced"),
                _(
                    "A lot expires sooner than the partner's minimum shelf life at receipt: accept it knowingly or refuse the lot."
                ),
            ),
            "asn_serial_duplicate": (
                _("Serial number already in stock"),
                _(
                    "The ship notice announces a serial number we already hold: check for a relabelled or duplicated device."
                ),
            ),
            "asn_lot_missing": (
                _("Lot missing on the ship notice"),
                _("A lot-tracked item was notified without its lot: receiving staff must scan the lot and expiry."),
            ),
            "invoice_price_mismatch": (
                _("Invoice price does not match the order"),
                _(
                    "A billed price or charge differs from the order beyond tolerance: approve the difference or refuse the bill."
                ),
            ),
            "invoice_quantity_mismatch": (
                _("Invoiced quantity does not match"),
                _(
                    "More is billed than was received or ordered (or an item not on the order): approve or ask for a credit note."
                ),
            ),
            "invoice_not_received": (
                _("Invoiced before receipt"),
                _("The bill charges goods nothing of which was received yet: wait for the receipt or approve."),
            ),
            "invoice_unknown_po": (
                _("Invoice for an unknown order"),
                _("The invoice names no order of ours: find the order or refuse the bill."),
            ),
            "invoice_duplicate": (
                _("Duplicate supplier invoice"),
                _(
                    "The supplier sent the same invoice number again: it was not billed twice; check whether a correction was meant."
                ),
            ),
            "edi_document_not_applied": (
                _("EDI document could not be applied"),
                _("Odoo refused the change the document asks for (e.g. below a received quantity): apply it by hand."),
            ),
        }
