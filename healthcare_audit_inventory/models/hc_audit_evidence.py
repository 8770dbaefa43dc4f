from odoo import api, models


class HcAuditEvidence(models.AbstractModel):
    _inherit = "hc.audit.evidence"

    @api.model
    def _related_records(self, model, res_id):
        """A picking's pack holds its stock moves; a lot's pack the moves that carried it (the
        messages that moved stock are found through them)."""
        related = super()._related_records(model, res_id)
        moves = self.env["stock.move"]
        if model == "stock.picking":
            moves = self.env["stock.picking"].browse(res_id).exists().move_ids
        elif model == "stock.lot":
            moves = self.env["stock.move.line"].search([("lot_id", "=", res_id)]).move_id
        if moves:
            related.setdefault("stock.move", set()).update(moves.ids)
        return related
