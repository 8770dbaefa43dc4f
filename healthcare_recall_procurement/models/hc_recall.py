"""Where a recalled lot came from, procurement side: the purchase order, the supplier's ship
notice (the EDI document and the inbound message that carried it) and the receipt it prefilled."""

from odoo import api, models
from odoo.tools import SQL


class HcRecall(models.Model):
    _inherit = "hc.recall"

    @api.model
    def _hc_recall_origin_rows(self, lot_ids):
        rows = super()._hc_recall_origin_rows(lot_ids)
        line_ids = [row["move_line_id"] for row in rows if row.get("move_line_id")]
        if not line_ids:
            return rows
        # one query for every receipt line: its order line's order, and the ship notice that
        # prefilled the line (or, for lines added by hand, the one the receipt was announced by)
        self.env.cr.execute(
            SQL(
                """
            SELECT ml.id, po.id, po.name, sup.name, d.id, coalesce(d.document_number, p.hc_asn_number),
                   d.document_format, d.inbound_message_id, im.received_at, ep.code, p.hc_asn_received_at
              FROM stock_move_line ml
              JOIN stock_move mv ON mv.id = ml.move_id
              LEFT JOIN stock_picking p ON p.id = mv.picking_id
              LEFT JOIN purchase_order_line pol ON pol.id = mv.purchase_line_id
              LEFT JOIN purchase_order po ON po.id = pol.order_id
              LEFT JOIN res_partner sup ON sup.id = po.partner_id
              LEFT JOIN hc_edi_document d ON d.id = coalesce(ml.hc_asn_document_id, p.hc_asn_document_id)
              LEFT JOIN hc_inbound_message im ON im.id = d.inbound_message_id
              LEFT JOIN hc_endpoint ep ON ep.id = im.endpoint_id
             WHERE ml.id = ANY(%s)
                """,
                line_ids,
            )
        )
        found = {r[0]: r[1:] for r in self.env.cr.fetchall()}
        for row in rows:
            po_id, po_name, supplier, doc_id, asn_number, fmt, msg_id, msg_at, endpoint, asn_at = found.get(
                row.get("move_line_id"), (None,) * 10
            )
            row.update(
                {
                    "purchase_order_id": po_id,
                    "purchase_order": po_name,
                    "ship_notice_id": doc_id,
                    "ship_notice": asn_number,
                    "ship_notice_format": fmt,
                    "ship_notice_message_id": msg_id,
                    "ship_notice_received_at": str(msg_at or asn_at) if (msg_at or asn_at) else None,
                }
            )
            if supplier and not row.get("supplier"):
                row["supplier"] = supplier
            if msg_id and not row.get("message_id"):  # the receipt was reported by the ship notice
                row["message_id"], row["endpoint"] = msg_id, endpoint
        return rows
