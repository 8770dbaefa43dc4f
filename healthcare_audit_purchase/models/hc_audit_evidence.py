from odoo import api, models


class HcAuditEvidence(models.AbstractModel):
    _inherit = "hc.audit.evidence"

    @api.model
    def _related_records(self, model, res_id):
        """A purchase order's pack holds its lines and its vendor bills."""
        related = super()._related_records(model, res_id)
        if model == "purchase.order":
            order = self.env["purchase.order"].browse(res_id).exists()
            if order.order_line:
                related.setdefault("purchase.order.line", set()).update(order.order_line.ids)
            if order.invoice_ids:
                related.setdefault("account.move", set()).update(order.invoice_ids.ids)
        return related
