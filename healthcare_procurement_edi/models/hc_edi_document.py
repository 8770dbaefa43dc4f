"""The EDI history: every document we sent to or received from a trading partner.

An outbound document keeps the control numbers it was sent with (interchange, group, sets), so
the partner's 997/999/CONTRL is matched to it; its functional acknowledgment is due within the
partner's SLA, and one exception per overdue document is raised for the procurement team.
"""

import json

from odoo import _, api, fields, models
from odoo.addons.healthcare_integration_base.lib import trust

KINDS = [
    ("order", "Purchase Order"),
    ("order_change", "Order Change"),
    ("order_cancel", "Order Cancellation"),
    ("functional_ack", "Functional Acknowledgment"),
    ("po_ack", "Order Acknowledgment"),
    ("asn", "Ship Notice"),
    ("invoice", "Invoice"),
    ("other", "Other"),
]
FA_STATES = [
    ("none", "Not Expected"),
    ("awaiting", "Awaiting"),
    ("accepted", "Accepted"),
    ("accepted_errors", "Accepted with Errors"),
    ("partial", "Partially Accepted"),
    ("rejected", "Rejected"),
    ("overdue", "Overdue"),
]
FA_STATUS = {
    "A": "accepted",
    "E": "accepted_errors",
    "P": "partial",
    "R": "rejected",
    "M": "rejected",
    "W": "rejected",
    "X": "rejected",
}
FA_OVERDUE = "edi_functional_ack_overdue"
FA_REJECTED = "edi_document_rejected"
PO_ACK_OVERDUE = "edi_order_ack_overdue"


def norm_control(value):
    """A control number as compared: text without leading zeros ('000000012' == '12')."""
    text = str(value or "").strip()
    return text.lstrip("0") or ("0" if text else "")


class HcEdiDocument(models.Model):
    _name = "hc.edi.document"
    _description = "EDI Document"
    _order = "id desc"
    _rec_name = "display_label"

    display_label = fields.Char(compute="_compute_display_label", string="Document")
    trading_partner_id = fields.Many2one("hc.trading.partner", required=True, index=True, ondelete="restrict")
    partner_id = fields.Many2one(related="trading_partner_id.partner_id", string="Supplier")
    company_id = fields.Many2one("res.company", required=True, index=True)
    direction = fields.Selection([("out", "Sent"), ("in", "Received")], required=True, index=True)
    kind = fields.Selection(KINDS, required=True, index=True, string="Document")
    message_type = fields.Char(index=True, help="x12.850, edifact.ORDERS, cxml.OrderRequest ...")
    document_format = fields.Char(string="Format")
    purchase_id = fields.Many2one("purchase.order", string="Purchase Order", index=True, ondelete="set null")
    outbound_id = fields.Many2one("hc.outbound.message", string="Delivery", index=True, ondelete="set null")
    inbound_message_id = fields.Many2one(
        "hc.inbound.message", string="Received Message", index=True, ondelete="set null"
    )
    delivery_state = fields.Selection(related="outbound_id.state", string="Delivery Status")
    interchange_control = fields.Char(string="Interchange Control No.", index=True)
    group_control = fields.Char(string="Group Control No.", index=True)
    set_controls = fields.Char(string="Set Control No(s).")
    functional_id = fields.Char(string="Functional Group", help="GS01 (PO, PR, SH, IN...).")
    document_number = fields.Char(string="Number", help="PO number, acknowledgment, ship notice or invoice number.")
    fa_status = fields.Selection(FA_STATES, string="Functional Ack", default="none", required=True, index=True)
    fa_deadline = fields.Datetime(string="Functional Ack Due")
    fa_received_at = fields.Datetime(string="Functional Ack Received")
    fa_detail = fields.Text(string="Acknowledgment Detail")
    fa_document_id = fields.Many2one("hc.edi.document", string="Acknowledged By", ondelete="set null")
    acknowledges_id = fields.Many2one("hc.edi.document", string="Acknowledges", ondelete="set null")
    exception_id = fields.Many2one("hc.exception", string="Exception", ondelete="set null")
    document_json = fields.Json(string="Parsed Document", help="The canonical document read from the interchange.")
    document_text = fields.Text(compute="_compute_document_text", string="Parsed Content")
    duplicate = fields.Boolean(
        default=False, help="An interchange already received from this partner: acknowledged, not processed."
    )
    note = fields.Char()

    @api.depends("kind", "direction", "document_number", "message_type")
    def _compute_display_label(self):
        kinds = dict(KINDS)
        for rec in self:
            arrow = _("to") if rec.direction == "out" else _("from")
            rec.display_label = " ".join(
                filter(
                    None,
                    [
                        kinds.get(rec.kind),
                        rec.document_number,
                        f"({rec.message_type})" if rec.message_type else "",
                        arrow,
                        rec.trading_partner_id.name or "",
                    ],
                )
            )

    @api.depends("document_json")
    def _compute_document_text(self):
        for rec in self:
            doc = rec.document_json
            rec.document_text = json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) if doc else False

    # ------------------------------------------------------------------ SLA
    @api.model
    def _cron_check_sla(self):
        """One exception per overdue document: a functional acknowledgment (997/999/CONTRL) or an
        order acknowledgment (855/ORDRSP) not received within the partner's SLA."""
        now = fields.Datetime.now()
        self.env["hc.outbound.message"]._check_ack_deadlines()
        late = self.sudo().search(
            [
                ("direction", "=", "out"),
                ("fa_status", "=", "awaiting"),
                ("fa_deadline", "<", now),
                ("outbound_id.state", "=", "sent"),
            ]
        )
        for doc in late:
            exc = (
                self.env["hc.exception"]
                .sudo()
                ._hc_edi_raise(
                    FA_OVERDUE,
                    _(
                        "%(doc)s sent %(sent)s: no functional acknowledgment within %(h)s h.",
                        doc=doc.display_label,
                        sent=doc.outbound_id.sent_at,
                        h=doc.trading_partner_id.functional_ack_sla_hours,
                    ),
                    cause=f"{FA_OVERDUE}:{doc.id}",
                    endpoint=doc.trading_partner_id.endpoint_id,
                    record=("purchase.order", doc.purchase_id.id) if doc.purchase_id else ("hc.edi.document", doc.id),
                )
            )
            with trust.privileged():
                doc.write({"fa_status": "overdue", "exception_id": exc.id})
        orders = (
            self.env["purchase.order"]
            .sudo()
            .search([("edi_ack_deadline", "<", now), ("edi_ack_state", "=", "awaiting")])
        )
        for order in orders:
            partner = order._edi_partner()
            exc = (
                self.env["hc.exception"]
                .sudo()
                ._hc_edi_raise(
                    PO_ACK_OVERDUE,
                    _(
                        "%(po)s: the supplier has not acknowledged the order within %(h)s h.",
                        po=order.name,
                        h=partner.ack_sla_hours,
                    ),
                    cause=f"{PO_ACK_OVERDUE}:{order.id}",
                    endpoint=partner.endpoint_id,
                    record=("purchase.order", order.id),
                )
            )
            with trust.privileged():
                order.write({"edi_ack_state": "overdue", "edi_ack_exception_id": exc.id})
        return len(late) + len(orders)


class HcException(models.Model):
    _inherit = "hc.exception"

    @api.model
    def _hc_edi_raise(self, code, detail, cause, endpoint, record=None, severity="medium"):
        """The open exception of ``cause`` (created once): for problems no inbound message carries."""
        existing = self.search(
            [("state", "in", ("new", "in_progress")), ("cause", "=", cause), ("endpoint_id", "=", endpoint.id)],
            limit=1,
        )
        if existing:
            return existing
        team = self.env.ref("healthcare_procurement_edi.hc_team_procurement", raise_if_not_found=False)
        return self.create(
            {
                "name": f"{self.env['hc.code.catalog']._label(code)}: {detail}"[:200],
                "code": code,
                "cause": cause,
                "detail": detail,
                "endpoint_id": endpoint.id,
                "company_id": endpoint.company_id.id,
                "team_id": (team or endpoint.team_id).id,
                "severity": severity,
                "res_model": record and record[0],
                "res_id": record and record[1],
            }
        )
