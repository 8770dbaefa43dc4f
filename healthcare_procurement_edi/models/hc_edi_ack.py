"""Order acknowledgments in (855 / ORDRSP / cXML ConfirmationRequest / UBL OrderResponse).

Each acknowledged line is matched to its order line (``LineMatcher``), gets its
``hc_ack_status``, and what the supplier changed (price, quantity, date) is applied when it is
within the trading partner's tolerances; otherwise, and for substitutions, rejected lines,
items not on the order and units that do not convert, one exception per cause goes to
procurement. Approving applies the supplier's version; rejecting sends the order as we want it
(an order change) back to the supplier.
"""

from collections import OrderedDict
from datetime import datetime, time

from odoo import _, api, fields, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError
from odoo.exceptions import UserError

from .hc_edi_flow import (
    APPLYING_SUPPLIER_CHANGE,
    TEAM_PROCUREMENT,
    LineMatcher,
    as_date,
    correlation_of,
    dec,
    pct_diff,
)

ACK_STATUSES = [
    ("pending", "Not Acknowledged"),
    ("accepted", "Accepted"),
    ("changed", "Accepted with Changes"),
    ("backordered", "Backordered"),
    ("substituted", "Substituted"),
    ("rejected", "Rejected"),
]
# the worst status of a line's acknowledgment entries wins
RANK = {"pending": 0, "accepted": 1, "changed": 2, "backordered": 3, "substituted": 4, "rejected": 5}
ACK_CODES = (
    "ack_price_change",
    "ack_quantity_change",
    "ack_date_change",
    "ack_substitution",
    "ack_rejected_line",
    "ack_not_on_po",
    "ack_uom_mismatch",
)


def in_line_unit(units, line, entries):
    """``(entries, bad_units)``: the entries with quantity and price converted into ``line``'s
    unit; the unit codes that do not convert are listed in ``bad_units``."""
    out, bad = [], []
    for entry in entries:
        done = units.convert(
            entry.get("uom"), line.product_uom, line.product_id, dec(entry.get("quantity")), dec(entry.get("price"))
        )
        if done is None:
            bad.append(entry.get("uom"))
            out.append(entry)
            continue
        qty, price = done
        out.append({**entry, "quantity": qty, "price": price})
    return out, bad


class PurchaseOrderLine(models.Model):
    _inherit = "purchase.order.line"

    hc_ack_status = fields.Selection(
        ACK_STATUSES, string="Supplier Acknowledgment", default="pending", copy=False, index=True, readonly=True
    )
    hc_ack_qty = fields.Float(
        string="Acknowledged Quantity", digits="Product Unit of Measure", copy=False, readonly=True
    )
    hc_ack_backorder_qty = fields.Float(
        string="Backordered Quantity", digits="Product Unit of Measure", copy=False, readonly=True
    )
    hc_ack_price = fields.Float(string="Acknowledged Price", digits="Product Price", copy=False, readonly=True)
    hc_ack_date = fields.Date(string="Acknowledged Date", copy=False, readonly=True)
    hc_ack_change_count = fields.Integer(string="Acknowledgment Changes", copy=False, readonly=True)


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    hc_ack_state = fields.Selection(related="edi_ack_state", string="Acknowledgment State")
    hc_ack_deadline = fields.Datetime(related="edi_ack_deadline", string="Acknowledgment Deadline")
    hc_ack_received_at = fields.Datetime(string="Acknowledged On", copy=False, readonly=True)
    hc_ack_on_time = fields.Boolean(string="Acknowledged on Time", copy=False, readonly=True)

    def _edi_lines_changed(self):
        if APPLYING_SUPPLIER_CHANGE.get():
            return None  # the supplier's own change is not sent back to it
        return super()._edi_lines_changed()

    def _hc_supplier_change(self, write):
        token = APPLYING_SUPPLIER_CHANGE.set(True)
        try:
            return write()
        finally:
            APPLYING_SUPPLIER_CHANGE.reset(token)

    # ------------------------------------------------------------------ applying
    @api.model
    def _hc_apply_ack(self, doc):
        data = doc.document_json or {}
        partner = doc.trading_partner_id
        order = doc.purchase_id
        if not order:
            po = str(data.get("po_number") or "?")[:40]
            return HcBusinessError(
                "ack_not_on_po",
                _(
                    "Acknowledgment %(ack)s is for order %(po)s, which we did not send to this supplier.",
                    ack=data.get("ack_number") or "",
                    po=po,
                ),
                cause=f"ack_not_on_po:{partner.id}:{po}",
                record=("hc.edi.document", doc.id),
                team_xmlid=TEAM_PROCUREMENT,
            )
        order = order.sudo()
        with trust.attributed(correlation_id=correlation_of(order)):
            order._hc_apply_ack_lines(doc, partner, data)
        return None

    def _hc_apply_ack_lines(self, doc, partner, data):
        self.ensure_one()
        order = self
        matcher = LineMatcher(order, order.partner_id)
        Exc = self.env["hc.exception"]
        grouped = OrderedDict()
        notes = []
        for entry in data.get("lines") or []:
            line = matcher.match(entry, data.get("po_number"))
            if not line:
                key = next((k for _kind, k in matcher.keys(entry) if k), str(entry.get("line_id") or "?"))
                Exc._hc_flow_raise(
                    "ack_not_on_po",
                    _(
                        "%(po)s: the acknowledgment names item %(item)s, which is not on the order.",
                        po=order.name,
                        item=key,
                    ),
                    f"ack_not_on_po:{order.id}:{key}"[:120],
                    partner,
                    ("purchase.order", order.id),
                    payload={"entry": entry},
                    document=doc,
                )
                continue
            grouped.setdefault(line, []).append(entry)
        units = self.env["hc.edi.uom.code"]._hc_converter(
            partner, products=order.order_line.product_id, uoms=order.order_line.product_uom
        )
        changed_lines = {}
        for line, as_sent in grouped.items():
            raw = [(e.get("status") or "accepted") for e in as_sent]
            status = max(("pending" if s == "on_hold" else s if s in RANK else "changed" for s in raw), key=RANK.get)
            our_code = units.code_of(line.product_uom)
            # a unit that converts (2 BX for 20 EA) is compared and applied in the line's unit
            entries, bad_uom = in_line_unit(units, line, as_sent)
            vals = {"hc_ack_status": status}
            if bad_uom:
                Exc._hc_flow_raise(
                    "ack_uom_mismatch",
                    _(
                        "%(po)s, %(item)s: acknowledged in unit %(theirs)s, ordered in %(ours)s; the quantities cannot be compared.",
                        po=order.name,
                        item=line.product_id.display_name,
                        theirs=bad_uom[0],
                        ours=our_code,
                    ),
                    f"ack_uom_mismatch:{line.id}",
                    partner,
                    ("purchase.order", order.id),
                    payload={"line_id": line.id, "uom": bad_uom[0]},
                    document=doc,
                )
                vals["hc_ack_status"] = "changed" if status in ("accepted", "pending") else status
                line.write(vals)
                continue
            live = [e for e in entries if (e.get("status") or "") != "rejected"]
            quantities = [dec(e.get("quantity")) for e in live if dec(e.get("quantity")) is not None]
            qty = sum(quantities) if quantities else None
            backorder = sum(dec(e.get("quantity"), 0.0) for e in entries if e.get("status") == "backordered")
            price = next((dec(e.get("price")) for e in live if dec(e.get("price")) is not None), None)
            dates = [as_date(e.get("date")) for e in live if as_date(e.get("date"))]
            ack_date = max(dates) if dates else None
            vals.update(
                {
                    "hc_ack_qty": qty if qty is not None else line.product_qty,
                    "hc_ack_backorder_qty": backorder,
                    "hc_ack_price": price if price is not None else line.price_unit,
                    "hc_ack_date": ack_date,
                }
            )
            apply_vals = {}
            changes = 0
            if status == "rejected":
                changes += 1
                Exc._hc_flow_raise(
                    "ack_rejected_line",
                    _("%(po)s: the supplier rejected %(item)s.", po=order.name, item=line.product_id.display_name),
                    f"ack_rejected_line:{line.id}",
                    partner,
                    ("purchase.order", order.id),
                    payload={"line_id": line.id},
                    document=doc,
                    severity="high",
                )
            elif status == "substituted":
                changes += 1
                sub_entry = next((e for e in entries if e.get("status") == "substituted"), entries[0])
                substitute = sub_entry.get("substitute") or {}
                product = (
                    matcher.product_of(substitute, self.env, order.company_id)
                    if substitute
                    else self.env["product.product"]
                )
                Exc._hc_flow_raise(
                    "ack_substitution",
                    _(
                        "%(po)s: the supplier offers %(sub)s instead of %(item)s.",
                        po=order.name,
                        sub=product.display_name
                        or substitute.get("description")
                        or substitute.get("vendor_part")
                        or substitute.get("gtin")
                        or _("another item"),
                        item=line.product_id.display_name,
                    ),
                    f"ack_substitution:{line.id}",
                    partner,
                    ("purchase.order", order.id),
                    payload={
                        "line_id": line.id,
                        "product_id": product.id or False,
                        "substitute": substitute,
                        "quantity": dec(sub_entry.get("quantity"), line.product_qty),
                        "price": dec(sub_entry.get("price"), line.price_unit),
                        "date": sub_entry.get("date"),
                    },
                    document=doc,
                )
            else:
                if price is not None and round(price - line.price_unit, 6):
                    changes += 1
                    within = pct_diff(price, line.price_unit) <= partner.price_tolerance_percent
                    order._hc_ack_value_change(doc, partner, line, "price_unit", price, within, apply_vals, notes)
                if qty is not None and round(qty - line.product_qty, 6):
                    changes += 1
                    within = (
                        pct_diff(qty, line.product_qty) <= partner.quantity_tolerance_percent
                        and qty >= line.qty_received
                    )
                    order._hc_ack_value_change(doc, partner, line, "product_qty", qty, within, apply_vals, notes)
                planned = line.date_planned.date() if line.date_planned else None
                if ack_date and planned and ack_date != planned:
                    changes += 1
                    delta = (ack_date - planned).days
                    if -partner.days_early_tolerance <= delta <= partner.days_late_tolerance:
                        apply_vals["date_planned"] = datetime.combine(ack_date, line.date_planned.time())
                        notes.append(
                            _(
                                "%(item)s: date %(old)s → %(new)s",
                                item=line.product_id.display_name,
                                old=planned,
                                new=ack_date,
                            )
                        )
                    else:
                        Exc._hc_flow_raise(
                            "ack_date_change",
                            _(
                                "%(po)s, %(item)s: the supplier confirms delivery on %(new)s instead of %(old)s.",
                                po=order.name,
                                item=line.product_id.display_name,
                                new=ack_date,
                                old=planned,
                            ),
                            f"ack_date_change:{line.id}",
                            partner,
                            ("purchase.order", order.id),
                            payload={
                                "line_id": line.id,
                                "date": fields.Date.to_string(ack_date),
                                "previous": fields.Date.to_string(planned),
                            },
                            document=doc,
                        )
                if ack_date:
                    changed_lines[line] = ack_date
            vals["hc_ack_change_count"] = line.hc_ack_change_count + changes
            self._hc_supplier_change(lambda line=line, v={**vals, **apply_vals}: line.write(v))
        # the receipt follows the acknowledged dates
        for line, ack_date in changed_lines.items():
            line._hc_move_receipt_date(ack_date)
        now = fields.Datetime.now()
        first = not self.hc_ack_received_at
        with trust.privileged():
            self.write(
                {
                    "edi_ack_state": "received",
                    "hc_ack_received_at": self.hc_ack_received_at or now,
                    "hc_ack_on_time": self.hc_ack_on_time
                    if not first
                    else bool(not self.edi_ack_deadline or now <= self.edi_ack_deadline),
                }
            )
            if self.edi_ack_exception_id and self.edi_ack_exception_id.state in ("new", "in_progress"):
                self.edi_ack_exception_id.write({"state": "resolved"})
        summary = ", ".join(f"{ln.product_id.display_name}: {dict(ACK_STATUSES)[ln.hc_ack_status]}" for ln in grouped)
        self.message_post(
            body=_(
                "%(doc)s applied: %(summary)s.%(applied)s",
                doc=doc.display_label,
                summary=summary or _("no line"),
                applied=(" " + _("Within tolerance: %s.", "; ".join(notes))) if notes else "",
            )
        )

    def _hc_ack_value_change(self, doc, partner, line, field, new, within, apply_vals, notes):
        """An acknowledged price or quantity that differs from ``line``: applied (``apply_vals``, and
        a note) when ``within`` the partner's tolerance, else one exception for procurement."""
        code, key, what, tolerance = {
            "price_unit": ("ack_price_change", "price", _("price"), partner.price_tolerance_percent),
            "product_qty": ("ack_quantity_change", "quantity", _("quantity"), partner.quantity_tolerance_percent),
        }[field]
        old = line[field]
        item = line.product_id.display_name
        if within:
            apply_vals[field] = new
            notes.append(_("%(item)s: %(what)s %(old)s → %(new)s", item=item, what=what, old=old, new=new))
            return
        self.env["hc.exception"]._hc_flow_raise(
            code,
            _(
                "%(po)s, %(item)s: the supplier confirms %(what)s %(new)s instead of %(old)s (tolerance %(tol)s%%).",
                po=self.name,
                item=item,
                what=what,
                new=new,
                old=old,
                tol=tolerance,
            ),
            f"{code}:{line.id}",
            partner,
            ("purchase.order", self.id),
            payload={"line_id": line.id, key: new, "previous": old},
            document=doc,
        )


class PurchaseOrderLineReceipt(models.Model):
    _inherit = "purchase.order.line"

    def _hc_move_receipt_date(self, when):
        """The open receipt moves of this line are scheduled on the acknowledged date."""
        moves = self.sudo().move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        if moves:
            moves.write({"date": datetime.combine(when, time(12, 0))})


class HcExceptionAck(models.Model):
    _inherit = "hc.exception"

    def _hc_flow_decided(self, approved):
        if self.code not in ACK_CODES:
            return super()._hc_flow_decided(approved)
        payload = self.hc_edi_payload or {}
        line = self.env["purchase.order.line"].sudo().browse(payload.get("line_id") or []).exists()
        order = (
            line.order_id
            if line
            else self.env["purchase.order"]
            .sudo()
            .browse(self.res_id if self.res_model == "purchase.order" else [])
            .exists()
        )
        if not order:
            return True
        with trust.attributed(correlation_id=correlation_of(order)):
            if approved:
                self._hc_apply_ack_approval(order, line, payload)
            elif self.code not in ("ack_not_on_po", "ack_uom_mismatch"):
                partner = order._edi_partner()
                if partner and order.state == "purchase":
                    order._edi_send("order_change", partner)
            order.message_post(
                body=_(
                    "%(exc)s %(what)s by %(user)s: %(reason)s",
                    exc=self.name,
                    what=_("approved")
                    if approved
                    else _("rejected (the order as we want it was sent to the supplier)"),
                    user=self.env.user.name,
                    reason=self.decision_reason or "",
                )
            )
        return True

    def _hc_apply_ack_approval(self, order, line, payload):
        code = self.code
        if not line:
            return
        if code == "ack_price_change":
            order._hc_supplier_change(lambda: line.write({"price_unit": payload["price"]}))
        elif code == "ack_quantity_change":
            order._hc_supplier_change(lambda: line.write({"product_qty": max(payload["quantity"], line.qty_received)}))
        elif code == "ack_date_change":
            when = fields.Date.to_date(payload["date"])
            order._hc_supplier_change(
                lambda: line.write(
                    {"date_planned": datetime.combine(when, (line.date_planned or datetime.now()).time())}
                )
            )
            line._hc_move_receipt_date(when)
        elif code == "ack_rejected_line":
            order._hc_supplier_change(lambda: line.write({"product_qty": line.qty_received}))
        elif code == "ack_substitution":
            product = self.env["product.product"].sudo().browse(payload.get("product_id") or []).exists()
            if not product:
                matcher = LineMatcher(order, order.partner_id)
                product = matcher.product_of(payload.get("substitute") or {}, self.env, order.company_id)
            if not product:
                raise UserError(
                    _(
                        "The substitute item (%s) is not a product here yet: create it (with the supplier's part number) and approve again.",
                        (payload.get("substitute") or {}).get("vendor_part")
                        or (payload.get("substitute") or {}).get("gtin")
                        or "?",
                    )
                )
            remainder = max(line.product_qty - line.qty_received, 0.0)
            qty = payload.get("quantity") or remainder

            def substitute():
                self.env["purchase.order.line"].sudo().create(
                    {
                        "order_id": order.id,
                        "product_id": product.id,
                        "product_qty": qty,
                        "product_uom": product.uom_po_id.id,
                        "price_unit": payload.get("price") if payload.get("price") is not None else line.price_unit,
                        "date_planned": line.date_planned,
                        "hc_ack_status": "accepted",
                        "hc_ack_qty": qty,
                    }
                )
                line.write({"product_qty": line.qty_received})

            order._hc_supplier_change(substitute)
