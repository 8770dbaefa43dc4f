from odoo import api, models
from odoo.addons.healthcare_procurement_edi.models.hc_edi_flow import correlation_of
from odoo.tools import SQL


class HcAuditEvidence(models.AbstractModel):
    _inherit = "hc.audit.evidence"

    @api.model
    def _related_records(self, model, res_id):
        """A purchase order's pack also holds its EDI documents (sent and received), their
        deliveries, its receipts with their detailed operations, and its bills' lines; a receipt's
        pack its detailed operations; a bill's pack its lines."""
        related = super()._related_records(model, res_id)

        def add(records):
            if records:
                related.setdefault(records._name, set()).update(records.ids)

        if model == "purchase.order":
            order = self.env["purchase.order"].browse(res_id).exists()
            add(order.edi_document_ids)
            add(order.edi_document_ids.outbound_id)
            add(order.picking_ids)
            add(order.picking_ids.move_ids)
            add(order.picking_ids.move_line_ids)
            add(order.invoice_ids.invoice_line_ids)
        elif model == "stock.picking":
            add(self.env["stock.picking"].browse(res_id).exists().move_line_ids)
        elif model == "account.move":
            add(self.env["account.move"].browse(res_id).exists().invoice_line_ids)
        return related

    @api.model
    def _event_ids_for(self, correlation_id=None, model=None, res_id=None, message_ids=()):
        """A purchase order's pack includes everything recorded under its flow's correlation id
        (the receipt validated by a person, the bill posted later, the decisions)."""
        ids = super()._event_ids_for(correlation_id, model, res_id, message_ids)
        if model == "purchase.order" and res_id and not correlation_id:
            order = self.env["purchase.order"].browse(res_id).exists()
            flow = correlation_of(order)
            if flow:
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM hc_audit_event WHERE correlation_id = %s "
                        "OR %s = ANY(string_to_array(correlation_id, ' '))",
                        flow,
                        flow,
                    )
                )
                ids = sorted(set(ids) | {r[0] for r in self.env.cr.fetchall()})
        return ids
