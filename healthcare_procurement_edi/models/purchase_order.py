"""Purchase orders out: a confirmed order of an EDI supplier is queued in the supplier's format;
a change or cancellation of an order already sent is sent too."""

import logging
import re
from datetime import timedelta
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ..lib import errors as edi_errors
from ..lib import interchange as edi_in
from ..lib import outbound as edi_out
from .hc_trading_partner import CONTENT_TYPES, SYNTAX_OF_FORMAT

_logger = logging.getLogger(__name__)
ORDER_TYPES = {
    "x12": "x12.850",
    "edifact": "edifact.ORDERS",
    "cxml": "cxml.OrderRequest",
    "ubl": "ubl.Order",
    "json": "json.order",
}
CHANGE_TYPES = {
    "x12": "x12.860",
    "edifact": "edifact.ORDCHG",
    "cxml": "cxml.OrderRequest",
    "ubl": "ubl.OrderChange",
    "json": "json.order_change",
}
# free text never carries a character an X12 / EDIFACT reader would take for a separator
FREE_TEXT_UNSAFE = re.compile(r"[*~^>:|'+?\x00-\x1f]")


def free_text(value, limit=80):
    return FREE_TEXT_UNSAFE.sub(" ", value or "").strip()[:limit]


GTIN_RE = re.compile(r"\d{8}|\d{12,14}")
LINE_FIELDS = {"product_qty", "price_unit", "date_planned", "product_id", "product_uom"}


def dec_text(value, digits=6):
    """A number as Decimal text, without float noise or trailing zeros ('10', '12.5')."""
    text = format(Decimal(repr(round(float(value or 0.0), digits))).normalize(), "f")
    return "0" if text in ("-0", "") else text


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    edi_document_ids = fields.One2many("hc.edi.document", "purchase_id", string="EDI History", readonly=True)
    edi_ack_deadline = fields.Datetime(
        string="Acknowledgment Due", readonly=True, copy=False, help="When the supplier's order acknowledgment is due."
    )
    edi_ack_state = fields.Selection(
        [("none", "Not EDI"), ("awaiting", "Awaiting"), ("received", "Acknowledged"), ("overdue", "Overdue")],
        string="Supplier Acknowledgment",
        default="none",
        readonly=True,
        copy=False,
        index=True,
    )
    edi_ack_exception_id = fields.Many2one("hc.exception", readonly=True, copy=False, string="Acknowledgment Exception")
    edi_trading_partner_id = fields.Many2one(
        "hc.trading.partner", compute="_compute_edi_trading_partner", string="EDI Trading Partner"
    )

    @api.depends("partner_id", "company_id")
    def _compute_edi_trading_partner(self):
        for order in self:
            order.edi_trading_partner_id = order._edi_partner()

    def _edi_partner(self):
        self.ensure_one()
        if not self.partner_id:
            return self.env["hc.trading.partner"]
        return self.env["hc.trading.partner"]._for_supplier(self.partner_id, self.company_id)

    # ------------------------------------------------------------------ triggers
    def button_approve(self, force=False):
        result = super().button_approve(force=force)
        for order in self.filtered(lambda o: o.state in ("purchase", "done")):
            partner = order._edi_partner()
            if partner and not order.edi_document_ids.filtered(lambda d: d.direction == "out" and d.kind == "order"):
                order._edi_send("order", partner)
        return result

    def button_cancel(self):
        sent = self.filtered(
            lambda o: (
                o.state in ("purchase", "done")
                and o.edi_document_ids.filtered(lambda d: d.direction == "out" and d.kind == "order")
            )
        )
        result = super().button_cancel()
        for order in sent.filtered(lambda o: o.state == "cancel"):
            order._edi_send("order_cancel", order._edi_partner())
        return result

    def action_edi_send_change(self):
        """Send the order as it is now to the supplier as a change (after edits the lines did not send)."""
        for order in self:
            partner = order._edi_partner()
            if not partner or not order._edi_was_sent():
                raise UserError(_("%s was not sent to a supplier by EDI.", order.name))
            order._edi_send("order_change", partner)
        return True

    def _edi_was_sent(self):
        return bool(self.edi_document_ids.filtered(lambda d: d.direction == "out" and d.kind == "order"))

    # ------------------------------------------------------------------ the document
    def _edi_canonical(self, partner):
        """The canonical order dict the syntax layer renders (see lib/outbound.py)."""
        self.ensure_one()
        lines = self.order_line.filtered(lambda ln: not ln.display_type and ln.product_id)
        codes = self.env["hc.edi.uom.code"]._codes_for(partner, lines.product_uom)
        sellers = {}
        for info in lines.product_id.seller_ids:
            if info.partner_id.commercial_partner_id == self.partner_id.commercial_partner_id and info.product_code:
                if info.company_id in (self.company_id, self.env["res.company"]):
                    sellers.setdefault(info.product_id.id or ("tmpl", info.product_tmpl_id.id), info.product_code)
        company_partner = self.company_id.partner_id
        ship = self.picking_type_id.warehouse_id.partner_id or company_partner
        out_lines = []
        for line in lines:
            product = line.product_id
            barcode = (product.barcode or "").strip()
            out_lines.append(
                {
                    "line_id": line.id,
                    "buyer_part": product.default_code or "",
                    "vendor_part": sellers.get(product.id) or sellers.get(("tmpl", product.product_tmpl_id.id)) or "",
                    "gtin": barcode.zfill(14) if GTIN_RE.fullmatch(barcode) else "",
                    "description": free_text((line.name or product.name or "").split("\n")[0]),
                    "quantity": dec_text(line.product_qty, 4),
                    "uom": codes.get(line.product_uom.id, "EA"),
                    "price": dec_text(line.price_unit, 6),
                    "requested_date": fields.Date.to_string(line.date_planned.date()) if line.date_planned else "",
                }
            )
        when = self.date_approve or self.date_order or fields.Datetime.now()
        return {
            "name": self.name,
            "id": self.id,
            "date": fields.Date.to_string(when.date()),
            "currency": self.currency_id.name,
            "buyer": {"name": free_text(self.company_id.name), "gln": "", "id": partner._our_id()},
            "supplier": {
                "name": free_text(self.partner_id.commercial_partner_id.name),
                "gln": partner.gln or "",
                "id": partner._their_id(),
            },
            "ship_to": {
                "name": free_text(ship.name),
                "gln": "",
                "street": free_text(ship.street),
                "city": free_text(ship.city, 35),
                "zip": free_text(ship.zip, 15),
                "country": ship.country_id.code or "",
            },
            "requested_date": fields.Date.to_string(self.date_planned.date()) if self.date_planned else "",
            "notes": free_text(html2plaintext(self.notes or "") or "", 264),
            "lines": out_lines,
        }

    @api.model
    def _edi_document_id(self, syntax, data):
        """cXML payloadID / UBL ID of a document we wrote: what the supplier's answers reference."""
        if syntax not in ("cxml", "ubl"):
            return None
        try:
            return (edi_in.read(data, syntax).control_number or "")[:128] or None
        except Exception:  # the id is a convenience; the document is sent anyway
            return None

    def _edi_send(self, kind, partner):
        """Render the order (or its change / cancellation) in the partner's format and queue it."""
        self.ensure_one()
        fmt = partner.document_format
        syntax = SYNTAX_OF_FORMAT[fmt]
        po = self._edi_canonical(partner)
        Control = self.env["hc.edi.control"]
        if syntax == "x12":
            isa, gs, st = (
                Control._next(partner.id, "isa")[0],
                Control._next(partner.id, "gs")[0],
                Control._next(partner.id, "st")[0],
            )
        elif syntax == "edifact":
            isa, gs, st = Control._next(partner.id, "unb")[0], 0, Control._next(partner.id, "unh")[0]
        else:
            isa = Control._next(partner.id, "doc")[0]
            gs, st = 0, isa
        env = partner._edi_envelope(isa, gs, [st])
        secret = partner.sudo()._get_secret("cxml_shared_secret") if syntax == "cxml" else None
        try:
            if kind == "order":
                data = edi_out.render_order(fmt, po, env, shared_secret=secret)
            else:
                change = "cancel" if kind == "order_cancel" else "change"
                data = edi_out.render_order_change(fmt, po, env, kind=change, shared_secret=secret)
        except edi_errors.EdiError as exc:
            if kind != "order":  # the change is made in Odoo; the supplier is told another way
                self.message_post(
                    body=_(
                        "The %(what)s could not be sent by EDI (%(why)s): tell the supplier another way.",
                        what=_("cancellation") if kind == "order_cancel" else _("change"),
                        why=exc.message,
                    )
                )
                return self.env["hc.edi.document"]
            raise UserError(
                _("%(po)s cannot be written as %(fmt)s: %(why)s", po=self.name, fmt=fmt, why=exc.message)
            ) from None
        message_type = (ORDER_TYPES if kind == "order" else CHANGE_TYPES)[syntax]
        now = fields.Datetime.now()
        outbound = (
            self.env["hc.outbound.message"]
            .sudo()
            .create(
                {
                    "endpoint_id": partner.endpoint_id.id,
                    "message_type": message_type,
                    "content_type": CONTENT_TYPES[syntax],
                    "payload": data.decode("utf-8"),
                    "res_model": "purchase.order",
                    "res_id": self.id,
                    "correlation_id": f"{self.name}:{kind}:{isa}",
                    "ack_deadline": now + timedelta(hours=partner.ack_sla_hours)
                    if kind == "order" and partner.ack_sla_hours
                    else False,
                }
            )
        )
        cron = self.env.ref("healthcare_integration_base.ir_cron_hc_deliver_outbound", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()
        expects_fa = syntax in ("x12", "edifact")
        doc = (
            self.env["hc.edi.document"]
            .sudo()
            .create(
                {
                    "trading_partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "direction": "out",
                    "kind": kind,
                    "message_type": message_type,
                    "document_format": fmt,
                    "purchase_id": self.id,
                    "outbound_id": outbound.id,
                    "interchange_control": self._edi_document_id(syntax, data) or str(isa),
                    "group_control": str(gs) if syntax == "x12" else "",
                    "set_controls": str(st),
                    "functional_id": ("PO" if kind == "order" else "PC") if syntax == "x12" else "",
                    "document_number": self.name,
                    "fa_status": "awaiting" if expects_fa else "none",
                    "fa_deadline": now + timedelta(hours=partner.functional_ack_sla_hours)
                    if expects_fa and partner.functional_ack_sla_hours
                    else False,
                }
            )
        )
        if kind == "order":
            with trust.privileged():
                self.sudo().write(
                    {
                        "edi_ack_state": "awaiting",
                        "edi_ack_deadline": outbound.ack_deadline or False,
                    }
                )
        self.message_post(
            body=_(
                "%(doc)s queued for %(supplier)s as %(type)s (interchange %(isa)s).",
                doc=dict(self.env["hc.edi.document"]._fields["kind"].selection)[kind],
                supplier=partner.name,
                type=message_type,
                isa=isa,
            )
        )
        return doc


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    def write(self, vals):
        result = super().write(vals)
        if LINE_FIELDS & set(vals):
            self.order_id._edi_lines_changed()
        return result

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.order_id._edi_lines_changed()
        return lines


class PurchaseOrderChange(models.Model):
    _inherit = "purchase.order"

    def _edi_lines_changed(self):
        """A line of an order already sent changed: the supplier gets the order as it is now."""
        for order in self.filtered(lambda o: o.state == "purchase"):
            partner = order._edi_partner()
            if partner and order._edi_was_sent():
                order._edi_send("order_change", partner)
