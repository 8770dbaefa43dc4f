from odoo import _, api, models


class HcCodeCatalog(models.AbstractModel):
    _inherit = "hc.code.catalog"

    @api.model
    def _entries(self):
        return {
            **super()._entries(),
            "item_unknown": (
                _("Unknown item"),
                _("No product matches the item's code, GTIN or internal reference: create an item mapping."),
            ),
            "location_unknown": (
                _("Unknown location"),
                _("No stock location matches the code: create a location mapping or set the location's barcode."),
            ),
            "uom_unknown": (_("Unknown unit"), _("The unit of measure code is not known: create a unit mapping.")),
            "uom_incompatible": (
                _("Unit does not fit the product"),
                _("The unit belongs to another category than the product's unit (e.g. mL for a product in boxes)."),
            ),
            "lot_required": (
                _("Lot missing"),
                _("The product is tracked by lot: the event must name its lot."),
            ),
            "serial_required": (
                _("Serial number missing"),
                _("The product is tracked by serial number: the event must name it."),
            ),
            "lot_unknown": (
                _("Unknown lot"),
                _("The lot is not known in Odoo for this product: create it (with its expiry) or correct the event."),
            ),
            "lot_expiry_mismatch": (
                _("Expiry differs from Odoo's"),
                _("The event's expiry date differs from the lot's expiry in Odoo: check the label and the lot."),
            ),
            "lot_expired": (
                _("Expired lot"),
                _("The lot was past its expiry date when used: a pharmacist may approve its use, or reject it."),
            ),
            "lot_quarantined": (
                _("Quarantined lot"),
                _("The lot is in quarantine: release it first, or approve this one use."),
            ),
            "serial_already_consumed": (
                _("Serial number already used"),
                _("This serial number is not in stock any more: it was already consumed or moved."),
            ),
            "negative_stock": (
                _("Not enough stock"),
                _("The event takes more than Odoo has on hand at that location: approve to post it anyway."),
            ),
            "reversal_unknown": (
                _("Nothing to reverse"),
                _("The event reverses another event that Odoo never received."),
            ),
            "reversal_pending": (
                _("Reversal waits for its event"),
                _("The reversed event has not arrived yet; the reversal waits for it."),
            ),
            "fhir_unmappable": (
                _("FHIR resource cannot be mapped"),
                _("The FHIR resource lacks what an inventory event needs (item, quantity, location)."),
            ),
            "gtin_check_digit": (
                _("Invalid GTIN"),
                _("The GTIN's check digit is wrong: the barcode was mis-scanned or mistyped."),
            ),
            "move_not_done": (
                _("Stock move not completed"),
                _("Odoo could not complete the stock move; the message is retried."),
            ),
        }
