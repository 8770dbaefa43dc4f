"""Inventory events for a lot under an active recall wait as the business exception ``lot_recalled``."""

from odoo import models
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError

from ..lib import codes

HELD_KINDS = ("consumption", "waste", "transfer", "receipt", "return")


class HcProcessorInventory(models.AbstractModel):
    _inherit = "hc.processor.inventory"

    def _hc_check_lot(self, ev, by_key, on_hand, to_create):
        """A recalled lot wins over every other finding on it (quarantine, expiry): the person who
        decides sees the recall. The lot's ``hc_recall_id`` is prefetched for the whole batch."""
        try:
            super()._hc_check_lot(ev, by_key, on_hand, to_create)
            failure = None
        except HcBusinessError as exc:
            failure = exc
        lot = ev.lot_rec
        if (
            lot
            and ev.kind in HELD_KINDS
            and not ev.reverses
            and lot.hc_recall_id
            and not ev.msg._is_approved(codes.LOT_RECALLED)
        ):
            recall = lot.hc_recall_id
            raise HcBusinessError(
                codes.LOT_RECALLED,
                f"Lot {lot.name!r} of {lot.product_id.display_name} is recalled ({recall.name}): take it out of use.",
                cause=f"{codes.LOT_RECALLED}:{recall.id}:{lot.id}",
                record=("stock.lot", lot.id),
                severity="critical",
                team_xmlid="healthcare_inventory_sync.hc_team_pharmacy",
            )
        if failure:
            raise failure
