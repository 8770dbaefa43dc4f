from odoo import _, api, models


class HcCodeCatalog(models.AbstractModel):
    _inherit = "hc.code.catalog"

    @api.model
    def _entries(self):
        return {
            **super()._entries(),
            "lot_recalled": (
                _("Recalled lot"),
                _("The lot is under an active recall: take it out of use; approve only a use a pharmacist allows."),
            ),
            "recall_item_unknown": (
                _("Recalled item not known"),
                _("The recall notice names a product Odoo does not know: map it, or reject if it is not stocked."),
            ),
            "anomaly_consumption": (
                _("Unusual consumption"),
                _(
                    "Far more used than usual at this place by this cabinet or user: "
                    "check for diversion or a data error."
                ),
            ),
            "anomaly_waste": (
                _("Unusual waste"),
                _("A large share of what was taken was reported as wasted: check the waste records and witnesses."),
            ),
            "anomaly_reversal": (
                _("Many cancelled dispenses"),
                _("Many dispenses were cancelled after the fact: check who cancelled them and why."),
            ),
            "anomaly_override": (
                _("Repeated overrides"),
                _("Expired, quarantined or recalled lots were approved for use more often than allowed."),
            ),
            "anomaly_count": (
                _("Counts keep disagreeing"),
                _("The counted stock differed from Odoo's more than once: recount and look for losses."),
            ),
            "anomaly_api_burst": (
                _("Burst of messages"),
                _("A system sent far more messages in an hour than it usually does: check the system and its key."),
            ),
            "anomaly_key_reuse": (
                _("Reused message ids"),
                _("A system re-sent message ids with different content: a faulty sender or tampering."),
            ),
            "anomaly_auth_failures": (
                _("Many refused logins"),
                _(
                    "Far more requests than usual were refused for a wrong signature, key or time: "
                    "a key rotated on one side only, a wrong clock, or someone guessing."
                ),
            ),
        }
