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
