"""Inventory events for a lot under an active recall wait as the business exception ``lot_recalled``."""

import json

from odoo import models
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError
from odoo.addons.healthcare_inventory_sync.lib import fhir
from odoo.tools import SQL

from ..lib import codes

HELD_KINDS = ("consumption", "waste", "transfer", "receipt", "return")


class HcProcessorInventory(models.AbstractModel):
    _inherit = "hc.processor.inventory"

    def _process(self, messages):
        outcomes = super()._process(messages)
        self._hc_note_encounters(messages, outcomes)
        return outcomes

    def _hc_note_encounters(self, messages, outcomes):
        """Note on each posted move the (already pseudonymised) encounter of its event and whether
        the event corrects another, and on its lines the same plus the message that posted them,
        in two statements: a recall's trace then reads the lot's move lines alone, never the
        message bodies nor the moves."""
        moves, lines = [], []
        for msg in messages:
            out = outcomes.get(msg.id)
            if not isinstance(out, dict) or out.get("result_model") != "stock.move" or not out.get("result_ids"):
                continue
            encounter, correction = None, False
            try:
                body = json.loads(msg.payload or "{}")
                if msg.message_type in fhir.MAPPERS:
                    body = fhir.fhir_to_event(body, source_system=msg.endpoint_id.code)
            except (ValueError, TypeError, fhir.FhirUnmappable):
                body = None
            if isinstance(body, dict):
                encounter = body.get("encounter_ref") if isinstance(body.get("encounter_ref"), str) else None
                correction = bool(body.get("reverses"))
            for mid in out["result_ids"]:
                lines.append(SQL("(%s, %s, %s, %s)", int(mid), encounter, correction, msg.id))
                if encounter or correction:
                    moves.append(SQL("(%s, %s, %s)", int(mid), encounter, correction))
        if not lines:
            return
        self.env.flush_all()
        if moves:
            self.env.cr.execute(
                SQL(
                    "UPDATE stock_move m SET hc_encounter_ref = v.enc, hc_correction = v.corr "
                    "FROM (VALUES %s) AS v(id, enc, corr) WHERE m.id = v.id",
                    SQL(", ").join(moves),
                )
            )
        self.env.cr.execute(
            SQL(
                "UPDATE stock_move_line ml SET hc_encounter_ref = v.enc, hc_correction = v.corr, hc_message_id = v.msg "
                "FROM (VALUES %s) AS v(move_id, enc, corr, msg) WHERE ml.move_id = v.move_id",
                SQL(", ").join(lines),
            )
        )
        self.env["stock.move"].invalidate_model(["hc_encounter_ref", "hc_correction"])
        self.env["stock.move.line"].invalidate_model(["hc_encounter_ref", "hc_correction", "hc_message_id"])

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
