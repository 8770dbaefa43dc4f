from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    # noted when an inventory event posts the move (hc.processor.inventory), read by recall traces
    hc_encounter_ref = fields.Char(
        string="Encounter (pseudonymised)",
        readonly=True,
        copy=False,
        help="The keyed hash of the encounter the event names; look the patient up in the EHR.",
    )
    hc_correction = fields.Boolean(
        string="Correction", readonly=True, copy=False, help="Posted by an event that reverses an earlier one."
    )


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    # the same facts on each line, written with the move's (hc.processor.inventory): a recall's
    # trace of a lot reads its lines alone, without joining 100,000 moves
    hc_encounter_ref = fields.Char(string="Encounter (pseudonymised)", readonly=True, copy=False)
    hc_correction = fields.Boolean(string="Correction", readonly=True, copy=False)
    hc_message_id = fields.Many2one(
        "hc.inbound.message",
        string="Reported By Message",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The inbound message whose event posted this movement.",
    )
