"""Invoices in (810 / INVOIC / cXML InvoiceDetailRequest / UBL Invoice): a draft vendor bill
linked to the order lines it bills (``purchase_line_id``, so Odoo's billed quantities follow),
matched three ways per line — ordered vs received vs invoiced quantity, order price vs invoiced
price — within the trading partner's tolerances, with charges checked against the order.

A bill that does not match is ``blocked``: it cannot be posted, and accounts payable gets one
exception per kind of difference. Approving records who accepted which difference and, once
nothing is open, the bill is ``approved`` and can be posted; rejecting cancels the draft bill.
A matching bill is posted automatically when the partner says so.
"""

from datetime import timedelta

from lxml import etree

from odoo import Command, _, api, fields, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.exceptions import UserError

from .hc_edi_flow import TEAM_PAYABLE, LineMatcher, as_date, correlation_of, dec, pct_diff

MATCH_STATES = [("matched", "Matched"), ("blocked", "Blocked"), ("approved", "Approved")]
INVOICE_CODES = (
    "invoice_price_mismatch",
    "invoice_quantity_mismatch",
    "invoice_not_received",
    "invoice_unknown_po",
    "invoice_duplicate",
)
CHARGE_LABELS = {"freight": "Freight", "discount": "Discount", "other": "Other charge"}


class AccountMove(models.Model):
    _inherit = "account.move"

    hc_match_state = fields.Selection(
        MATCH_STATES, string="Three-Way Match", readonly=True, copy=False, index=True, tracking=True
    )
    hc_edi_document_id = fields.Many2one(
        "hc.edi.document", string="EDI Invoice", readonly=True, copy=False, index="btree_not_null"
    )
    hc_first_pass_match = fields.Boolean(string="Matched at First Pass", readonly=True, copy=False)
    hc_blocked_since = fields.Datetime(string="Blocked Since", readonly=True, copy=False)
    hc_unblocked_at = fields.Datetime(string="Approved On", readonly=True, copy=False)
    hc_match_note = fields.Text(string="Accepted Differences", readonly=True, copy=False)
    hc_block_alert_at = fields.Datetime(string="Blocked Too Long From", readonly=True, copy=False)
    hc_days_blocked = fields.Float(string="Days Blocked", compute="_compute_hc_days_blocked")

    @api.depends("hc_blocked_since", "hc_unblocked_at")
    def _compute_hc_days_blocked(self):
        now = fields.Datetime.now()
        for move in self:
            if move.hc_blocked_since:
                end = move.hc_unblocked_at or now
                move.hc_days_blocked = round((end - move.hc_blocked_since).total_seconds() / 86400.0, 2)
            else:
                move.hc_days_blocked = 0.0

    def _post(self, soft=True):
        blocked = self.filtered(lambda m: m.hc_match_state == "blocked")
        if blocked:
            raise UserError(
                _(
                    "%(bills)s cannot be posted: the three-way match with the purchase order found differences. "
                    "Accounts payable must approve them first (see the bill's exceptions).",
                    bills=", ".join(blocked.mapped(lambda m: m.ref or m.name or str(m.id))),
                )
            )
        return super()._post(soft)

    # ------------------------------------------------------------------ the bill
    @api.model
    def _hc_bill_from_invoice(self, doc):
        data = doc.document_json or {}
        partner = doc.trading_partner_id
        company = partner.company_id
        names = {
            n for n in [*(data.get("po_numbers") or []), *(ln.get("po_number") for ln in data.get("lines") or [])] if n
        }
        Order = self.env["purchase.order"].sudo()
        orders = Order.search([("name", "in", list(names)), ("company_id", "=", company.id)]) if names else Order
        with trust.attributed(correlation_id=correlation_of(orders[:1]) or f"invoice:{data.get('invoice_number')}"):
            return self._hc_make_bill(doc, partner, data, orders, names)

    def _hc_make_bill(self, doc, partner, data, orders, names):
        Exc = self.env["hc.exception"]
        company = partner.company_id
        supplier = (orders[:1].partner_id or partner.partner_id).commercial_partner_id
        number = str(data.get("invoice_number") or "").strip()[:64]
        Move = self.env["account.move"].sudo().with_company(company)
        if number:
            dup = Move.search(
                [
                    ("move_type", "in", ("in_invoice", "in_refund")),
                    ("commercial_partner_id", "=", supplier.id),
                    ("ref", "=", number),
                    ("state", "!=", "cancel"),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
            if dup:
                Exc._hc_flow_raise(
                    "invoice_duplicate",
                    _(
                        "Invoice %(num)s from %(sup)s was received again; the bill %(bill)s already exists.",
                        num=number,
                        sup=supplier.name,
                        bill=dup.name or dup.ref,
                    ),
                    f"invoice_duplicate:{dup.id}",
                    partner,
                    ("account.move", dup.id),
                    team_xmlid=TEAM_PAYABLE,
                    payload={"invoice_number": number},
                    document=doc,
                )
                return None
        matcher = LineMatcher(orders, supplier) if orders else None
        units = self.env["hc.edi.uom.code"]._hc_converter(
            partner, products=orders.order_line.product_id, uoms=orders.order_line.product_uom
        )
        bill, checks, extra_charges, bad_units, before = self._hc_bill_by_odoo_ubl(
            doc, partner, supplier, data, orders, names, matcher
        )
        if not bill:
            bill, checks, extra_charges, bad_units, before = self._hc_bill_by_mapping(
                doc, partner, supplier, data, orders, names, matcher, units
            )
        problems = {}

        def add(code, text, line_payload):
            problems.setdefault(code, ([], []))
            problems[code][0].append(text)
            problems[code][1].append(line_payload)

        if not orders:
            add(
                "invoice_unknown_po",
                _("the invoice names order(s) %s, which are not ours", ", ".join(sorted(names)) or _("none")),
                {"po_numbers": sorted(names)},
            )
        for pol, code in bad_units:
            add(
                "invoice_quantity_mismatch",
                _(
                    "%(item)s: billed in unit %(theirs)s, ordered in %(ours)s, which does not convert",
                    item=pol.product_id.display_name,
                    theirs=code,
                    ours=pol.product_uom.name,
                ),
                {"line_id": pol.id, "uom": code},
            )
        tol_q, tol_p = partner.quantity_tolerance_percent, partner.price_tolerance_percent
        invoiced_now = {}
        for entry, pol, qty, price in checks:
            if not pol:
                if orders:
                    label = (
                        entry.get("vendor_part")
                        or entry.get("buyer_part")
                        or entry.get("gtin")
                        or entry.get("description")
                        or "?"
                    )
                    add("invoice_quantity_mismatch", _("%s is billed but not on the order", label), {"entry": entry})
                continue
            invoiced_now[pol] = invoiced_now.get(pol, 0.0) + qty
            if pct_diff(price, pol.price_unit) > tol_p + 1e-9:
                add(
                    "invoice_price_mismatch",
                    _(
                        "%(item)s: billed at %(billed)s, ordered at %(ordered)s",
                        item=pol.product_id.display_name,
                        billed=price,
                        ordered=pol.price_unit,
                    ),
                    {"line_id": pol.id, "billed": price, "ordered": pol.price_unit},
                )
        for pol, qty in invoiced_now.items():
            total = before.get(pol.id, 0.0) + qty
            received = pol.qty_received
            if pol.product_id.type != "service" and received <= 0 and qty > 0:
                add(
                    "invoice_not_received",
                    _("%(item)s: %(qty)s billed, nothing received yet", item=pol.product_id.display_name, qty=qty),
                    {"line_id": pol.id, "billed": qty, "received": 0.0},
                )
            elif total > received * (1 + tol_q / 100.0) + 1e-6 or total > pol.product_qty * (1 + tol_q / 100.0) + 1e-6:
                add(
                    "invoice_quantity_mismatch",
                    _(
                        "%(item)s: %(total)s billed in all, %(received)s received, %(ordered)s ordered",
                        item=pol.product_id.display_name,
                        total=total,
                        received=received,
                        ordered=pol.product_qty,
                    ),
                    {"line_id": pol.id, "billed": total, "received": received, "ordered": pol.product_qty},
                )
        for kind, amount in extra_charges:
            add(
                "invoice_price_mismatch",
                _(
                    "%(kind)s charge of %(amount)s is not on the order",
                    kind=_(CHARGE_LABELS.get(kind, "Other charge")),
                    amount=amount,
                ),
                {"charge": kind, "amount": amount},
            )
        tax = dec(data.get("tax_total"))
        if tax and orders and tax > bill.amount_tax + max(0.01, abs(bill.amount_tax) * tol_p / 100.0):
            add(
                "invoice_price_mismatch",
                _(
                    "tax billed %(billed)s, %(expected)s expected from the order's taxes",
                    billed=tax,
                    expected=bill.amount_tax,
                ),
                {"tax_billed": tax, "tax_expected": bill.amount_tax},
            )
        now = fields.Datetime.now()
        for code, (texts, payloads) in problems.items():
            Exc._hc_flow_raise(
                code,
                _(
                    "Bill %(num)s from %(sup)s: %(what)s.",
                    num=number or bill.id,
                    sup=supplier.name,
                    what="; ".join(texts),
                )[:2000],
                f"{code}:{bill.id}",
                partner,
                ("account.move", bill.id),
                team_xmlid=TEAM_PAYABLE,
                payload={"lines": payloads},
                document=doc,
            )
        state = "blocked" if problems else "matched"
        with trust.privileged():
            bill.write(
                {
                    "hc_match_state": state,
                    "hc_first_pass_match": not problems,
                    "hc_blocked_since": now if problems else False,
                    "hc_block_alert_at": now + timedelta(days=partner.bill_blocked_alert_days) if problems else False,
                }
            )
        bill.message_post(
            body=_("Created from %(doc)s: %(state)s.", doc=doc.display_label, state=dict(MATCH_STATES)[state])
            + (" " + "; ".join(t for texts, _p in problems.values() for t in texts) if problems else "")
        )
        if state == "matched" and partner.auto_post_matched_bills:
            try:
                with self.env.cr.savepoint():
                    bill.action_post()
            except UserError as exc:
                bill.message_post(body=_("Matched but not posted automatically: %s", exc.args[0] if exc.args else exc))
        return None

    def _hc_bill_by_mapping(self, doc, partner, supplier, data, orders, names, matcher, units):
        """The draft bill from the canonical invoice (our own mapping, every syntax)."""
        company = partner.company_id
        number = str(data.get("invoice_number") or "").strip()[:64]
        Move = self.env["account.move"].sudo().with_company(company)
        before = {}
        line_cmds, checks = [], []
        bad_units = []
        for entry in data.get("lines") or []:
            pol = matcher.match(entry, entry.get("po_number")) if matcher else self.env["purchase.order.line"]
            qty = dec(entry.get("quantity"), 0.0)
            price = dec(entry.get("price"))
            if price is None:
                amount = dec(entry.get("amount"), 0.0)
                price = amount / qty if qty else amount
            if pol:
                # billed in another unit that converts (2 BX at 50 for 20 EA at 5): matched in the line's unit
                done = units.convert(entry.get("uom"), pol.product_uom, pol.product_id, qty, price)
                if done is None:
                    bad_units.append((pol, entry.get("uom")))
                else:
                    qty, price = done
                if pol.id not in before:
                    before[pol.id] = pol.qty_invoiced
                vals = pol._prepare_account_move_line()
                vals.update({"quantity": qty, "price_unit": price})
            else:
                label = (
                    entry.get("description")
                    or entry.get("vendor_part")
                    or entry.get("buyer_part")
                    or entry.get("gtin")
                    or _("Item")
                )
                vals = {"name": str(label)[:200], "quantity": qty, "price_unit": price}
            line_cmds.append(Command.create(vals))
            checks.append((entry, pol, qty, price))
        extra_charges = []
        for charge in data.get("charges") or []:
            kind = charge.get("type") or "other"
            amount = dec(charge.get("amount"), 0.0)
            if kind == "tax" or not amount:
                continue
            line_cmds.append(
                Command.create(
                    {"name": _(CHARGE_LABELS.get(kind, "Other charge")), "quantity": 1, "price_unit": amount}
                )
            )
            if amount > 0:
                extra_charges.append((kind, amount))
        bill = Move.with_context(default_move_type="in_invoice").create(
            {
                "move_type": "in_invoice",
                "partner_id": supplier.id,
                "ref": number or False,
                "invoice_date": as_date(data.get("date")) or fields.Date.context_today(self),
                "currency_id": (
                    orders[:1].currency_id
                    or self.env["res.currency"].search([("name", "=", data.get("currency") or "")], limit=1)
                    or company.currency_id
                ).id,
                "invoice_origin": ", ".join(orders.mapped("name")) or ", ".join(sorted(names))[:200] or False,
                "invoice_line_ids": line_cmds,
                "hc_edi_document_id": doc.id,
            }
        )
        return bill, checks, extra_charges, bad_units, before

    def _hc_bill_by_odoo_ubl(self, doc, partner, supplier, data, orders, names, matcher):
        """A UBL invoice is read by Odoo's own importer (``account_edi_ubl_cii``: partner, lines,
        taxes, units) into the draft bill; its lines are then linked to the order lines found from
        the canonical document. ``(False, ...)`` when it does not apply or fails: the reason is kept
        on the document and our own mapping makes the bill."""
        none = (False, [], [], [], {})
        if not str(doc.message_type or "").lower().startswith("ubl.") or "account.edi.xml.ubl_bis3" not in self.env:
            return none
        company = partner.company_id
        Move = self.env["account.move"].sudo().with_company(company).with_context(default_move_type="in_invoice")
        try:
            with self.env.cr.savepoint():
                return self._hc_odoo_ubl_import(doc, Move, partner, supplier, data, orders, names, matcher)
        except Exception as exc:  # any failure of the importer falls back to our mapping
            reason = str(exc.args[0] if getattr(exc, "args", None) else exc)[:300]
            doc.sudo().write({"note": _("Odoo's UBL import not used: %s", reason)[:250]})
            return none

    def _hc_odoo_ubl_import(self, doc, Move, partner, supplier, data, orders, names, matcher):
        payload = (doc.inbound_message_id.payload or "").encode()
        if not payload:
            raise UserError(_("the received XML is not stored"))
        tree = etree.fromstring(payload, parser=etree.XMLParser(resolve_entities=False, no_network=True))
        bill = Move.create({"move_type": "in_invoice"})
        builder = bill._get_ubl_cii_builder_from_xml_tree(tree)
        if builder is None:
            raise UserError(_("Odoo does not recognise this UBL customization"))
        if not builder._import_invoice_ubl_cii(
            bill, {"xml_tree": tree, "filename": f"{doc.document_number or 'invoice'}.xml", "type": "xml"}, new=True
        ):
            raise UserError(_("Odoo's importer did not read the invoice"))
        if bill.move_type != "in_invoice":
            raise UserError(_("the document is not an invoice (%s)", bill.move_type))
        imported = bill.invoice_line_ids.filtered(lambda aml: aml.display_type == "product").sorted(
            lambda aml: (aml.sequence, aml.id)
        )
        entries = data.get("lines") or []
        if len(imported) < len(entries):
            raise UserError(_("Odoo read %(n)s lines, the invoice has %(m)s", n=len(imported), m=len(entries)))
        # document-level charges come first, then one line per InvoiceLine in the document's order
        item_lines = imported[len(imported) - len(entries) :]
        vals = {
            "hc_edi_document_id": doc.id,
            "invoice_origin": ", ".join(orders.mapped("name")) or ", ".join(sorted(names))[:200] or False,
        }
        if bill.partner_id.commercial_partner_id != supplier:
            vals["partner_id"] = supplier.id  # the trading partner the document came from is the supplier
        if orders[:1].currency_id and bill.currency_id != orders[:1].currency_id:
            raise UserError(_("billed in %s, ordered in another currency", bill.currency_id.name))
        bill.write(vals)
        before, checks, bad_units = {}, [], []
        for entry, aml in zip(entries, item_lines, strict=True):
            pol = matcher.match(entry, entry.get("po_number")) if matcher else self.env["purchase.order.line"]
            qty, price = aml.quantity, aml.price_unit
            if pol:
                if pol.id not in before:
                    before[pol.id] = pol.qty_invoiced
                theirs = aml.product_uom_id or pol.product_uom
                if theirs.category_id != pol.product_uom.category_id:
                    bad_units.append((pol, theirs.name))
                else:
                    qty = theirs._compute_quantity(qty, pol.product_uom, round=False)
                    price = theirs._compute_price(price, pol.product_uom)
                line_vals = {"is_imported": True, "purchase_line_id": pol.id}
                if aml.product_id != pol.product_id:
                    line_vals["product_id"] = pol.product_id.id
                aml.write(line_vals)
            checks.append((entry, pol, qty, price))
        extra_charges = [
            (charge.get("type") or "other", dec(charge.get("amount"), 0.0))
            for charge in data.get("charges") or []
            if charge.get("type") != "tax" and dec(charge.get("amount"), 0.0) > 0
        ]
        bill.message_post(body=_("Read by Odoo's UBL import; lines linked to the purchase order lines."))
        return bill, checks, extra_charges, bad_units, before


class HcExceptionInvoice(models.Model):
    _inherit = "hc.exception"

    def _hc_flow_decided(self, approved):
        if self.code not in INVOICE_CODES:
            return super()._hc_flow_decided(approved)
        bill = self.env["account.move"].sudo().browse(self.res_id if self.res_model == "account.move" else []).exists()
        if not bill:
            return True
        who = self.env.user.name
        stamp = fields.Datetime.to_string(fields.Datetime.now())
        if self.code == "invoice_duplicate":
            bill.message_post(
                body=_(
                    "Duplicate invoice %(what)s by %(user)s: %(reason)s",
                    what=_("noted") if approved else _("refused"),
                    user=who,
                    reason=self.decision_reason or "",
                )
            )
            return True
        if approved:
            note = _(
                "%(when)s %(user)s accepted %(label)s: %(detail)s (reason: %(reason)s)",
                when=stamp,
                user=who,
                label=self.env["hc.code.catalog"]._label(self.code),
                detail=self.detail or "",
                reason=self.decision_reason or "",
            )
            vals = {"hc_match_note": "\n".join(filter(None, [bill.hc_match_note, note]))}
            still_open = self.sudo().search_count(
                [
                    ("res_model", "=", "account.move"),
                    ("res_id", "=", bill.id),
                    ("code", "in", INVOICE_CODES),
                    ("code", "!=", "invoice_duplicate"),
                    ("state", "in", ("new", "in_progress")),
                ]
            )
            if not still_open and bill.hc_match_state == "blocked":
                vals.update({"hc_match_state": "approved", "hc_unblocked_at": fields.Datetime.now()})
            with trust.privileged():
                bill.write(vals)
            bill.message_post(body=note)
        else:
            if bill.state == "draft":
                bill.button_cancel()
            bill.message_post(
                body=_(
                    "%(label)s refused by %(user)s: %(reason)s. The bill is cancelled; ask the supplier for a corrected invoice.",
                    label=self.env["hc.code.catalog"]._label(self.code),
                    user=who,
                    reason=self.decision_reason or "",
                )
            )
        return True
