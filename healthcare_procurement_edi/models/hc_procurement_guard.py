"""What the supplier's documents and the three-way match decide is written only by the engine
and the exception decisions (``hc.guarded.mixin``): a buyer, a receiver or an accountant with
write access to the order, the receipt or the bill cannot set it over RPC. Without this, an
accountant could write ``hc_match_state = 'matched'`` on a blocked bill and post it without
the approval the match asks for, or a buyer could mark an order acknowledged.
"""

from odoo import models

# the order's acknowledgment tracking (hc_ack_state / hc_ack_deadline are read-only related
# fields: a write to them changes nothing)
ORDER_GUARDED = frozenset(
    {"edi_ack_state", "edi_ack_deadline", "edi_ack_exception_id", "hc_ack_received_at", "hc_ack_on_time"}
)
LINE_GUARDED = frozenset(
    {
        "hc_ack_status",
        "hc_ack_qty",
        "hc_ack_backorder_qty",
        "hc_ack_price",
        "hc_ack_date",
        "hc_ack_change_count",
    }
)
BILL_GUARDED = frozenset(
    {
        "hc_match_state",
        "hc_edi_document_id",
        "hc_first_pass_match",
        "hc_blocked_since",
        "hc_unblocked_at",
        "hc_match_note",
        "hc_block_alert_at",
    }
)
RECEIPT_GUARDED = frozenset(
    {
        "hc_asn_document_id",
        "hc_asn_received_at",
        "hc_asn_number",
        "hc_asn_differences",
        "hc_receipt_due",
        "hc_asn_accurate",
    }
)
# which ship notice prefilled a detailed operation (the receipt-vs-notice check reads it)
MOVE_LINE_GUARDED = frozenset({"hc_asn_document_id"})


class PurchaseOrderGuard(models.Model):
    _name = "purchase.order"
    _inherit = ["purchase.order", "hc.guarded.mixin"]

    _hc_guarded_fields = ORDER_GUARDED


class PurchaseOrderLineGuard(models.Model):
    _name = "purchase.order.line"
    _inherit = ["purchase.order.line", "hc.guarded.mixin"]

    _hc_guarded_fields = LINE_GUARDED


class AccountMoveGuard(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "hc.guarded.mixin"]

    _hc_guarded_fields = BILL_GUARDED


class StockPickingGuard(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "hc.guarded.mixin"]

    _hc_guarded_fields = RECEIPT_GUARDED


class StockMoveLineGuard(models.Model):
    _name = "stock.move.line"
    _inherit = ["stock.move.line", "hc.guarded.mixin"]

    _hc_guarded_fields = MOVE_LINE_GUARDED
