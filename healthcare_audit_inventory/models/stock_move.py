"""The audit trail's record of the moves inventory sync inserts done in bulk."""

from odoo import api, fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    @api.model
    def _hc_audit_inserted(self, moves, lines):
        """The audit trail's record of these moves becoming done, each tied to its own message."""
        extra, known = {}, {}

        def ref(record):
            return [record.id, record.display_name] if record else None

        for move, ln in zip(moves, lines, strict=True):
            extra[move.id] = {"message_id": ln.message_id, "correlation_id": ln.correlation_id}
            # what we just wrote, in the trail's format: no need to read it back field by field
            known[move.id] = {
                "state": "done",
                "name": ln.name,
                "reference": ln.name,
                "origin": ln.origin,
                "date": fields.Datetime.to_string(ln.date),
                "product_id": ref(ln.product),
                "product_uom": ref(ln.uom),
                "product_uom_qty": ln.qty,
                "quantity": ln.qty,
                "location_id": ref(ln.src),
                "location_dest_id": ref(ln.dest),
                "company_id": ref(ln.company),
                "lot_ids": ln.lot.ids,
                "picked": True,
            }
        self.env["hc.audit.rule"]._audit_inserted(moves, extra, known)
