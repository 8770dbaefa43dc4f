"""Ship notices in (856 / DESADV / cXML ShipNoticeRequest / UBL DespatchAdvice).

The notice prefills the order's incoming receipt before anyone scans: per item the quantity,
lot (created with its expiry date), serial numbers and the package named by its SSCC. A UDI on
a line is read as GS1 (GTIN, lot, expiry, serial). Over- and under-shipment beyond the partner's
tolerance, items not on the order, short-dated lots, serials already in stock and missing lot
data are exceptions for procurement, one per cause. When the receipt is validated, what was
received is compared with the notice and the differences are listed on the receipt.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError
from odoo.addons.healthcare_inventory_sync.lib import gs1

from .hc_edi_flow import TEAM_PROCUREMENT, LineMatcher, as_date, correlation_of, dec, norm_gtin

ASN_CODES = ("asn_over", "asn_under", "asn_not_on_po", "asn_short_dated", "asn_serial_duplicate", "asn_lot_missing")


def read_udi(entry):
    """GTIN, lot, expiry and serial from the line's UDI where the line does not give them."""
    udi = (entry.get("udi") or "").strip()
    if not udi:
        return entry
    try:
        found = gs1.parse_gs1(udi)
    except gs1.Gs1Error:
        return entry
    entry = dict(entry)
    if found.gtin and not entry.get("gtin"):
        entry["gtin"] = found.gtin
    if found.lot and not entry.get("lot"):
        entry["lot"] = found.lot
    if found.expiry and not entry.get("expiry"):
        entry["expiry"] = str(found.expiry)[:10]
    if found.serial and not entry.get("serials"):
        entry["serials"] = [found.serial]
    return entry


class StockPicking(models.Model):
    _inherit = "stock.picking"

    hc_asn_document_id = fields.Many2one("hc.edi.document", string="Ship Notice", readonly=True, copy=False, index=True)
    hc_asn_received_at = fields.Datetime(string="Ship Notice Received", readonly=True, copy=False, index=True)
    hc_asn_number = fields.Char(string="Ship Notice No.", readonly=True, copy=False)
    hc_asn_differences = fields.Text(string="Differences from the Ship Notice", readonly=True, copy=False)
    hc_receipt_due = fields.Datetime(
        string="Receipt Due",
        readonly=True,
        copy=False,
        help="Ship notice received: the receipt is due to be validated by then.",
    )
    hc_asn_accurate = fields.Boolean(string="Received as Notified", readonly=True, copy=False)

    @api.model
    def _hc_apply_asn(self, doc):
        data = doc.document_json or {}
        partner = doc.trading_partner_id
        company = partner.company_id
        names = {
            n for n in [*(data.get("po_numbers") or []), *(ln.get("po_number") for ln in data.get("lines") or [])] if n
        }
        Order = self.env["purchase.order"].sudo()
        orders = Order.search([("name", "in", list(names)), ("company_id", "=", company.id)]) if names else Order
        number = str(data.get("asn_number") or "?")[:40]
        if not orders:
            return HcBusinessError(
                "asn_not_on_po",
                _(
                    "Ship notice %(asn)s is for order(s) %(po)s, which we did not send to this supplier.",
                    asn=number,
                    po=", ".join(sorted(names))[:200] or "?",
                ),
                cause=f"asn_not_on_po:{partner.id}:{number}",
                record=("hc.edi.document", doc.id),
                team_xmlid=TEAM_PROCUREMENT,
            )
        with trust.attributed(correlation_id=correlation_of(orders[:1])):
            return self._hc_prefill(doc, partner, data, orders)

    def _hc_prefill(self, doc, partner, data, orders):
        Exc = self.env["hc.exception"]
        matcher = LineMatcher(orders, orders[0].partner_id)
        number = str(data.get("asn_number") or "?")[:40]
        ref_date = as_date(data.get("expected_date")) or fields.Date.context_today(self)
        planned = []  # (entry, order line)
        for raw in data.get("lines") or []:
            entry = read_udi(raw)
            line = matcher.match(entry, entry.get("po_number"))
            if not line:
                key = next((k for _kind, k in matcher.keys(entry) if k), str(entry.get("line_id") or "?"))
                Exc._hc_flow_raise(
                    "asn_not_on_po",
                    _(
                        "Ship notice %(asn)s lists item %(item)s, which is not on order %(po)s.",
                        asn=number,
                        item=key,
                        po=", ".join(orders.mapped("name")),
                    ),
                    f"asn_not_on_po:{orders[0].id}:{key}"[:120],
                    partner,
                    ("purchase.order", orders[0].id),
                    payload={"entry": entry, "asn": number},
                    document=doc,
                )
                continue
            planned.append((entry, line))
        pickings = self.browse()
        moves_of = {}
        for _entry, line in planned:
            if line.id not in moves_of:
                moves = line.move_ids.filtered(
                    lambda m: m.state not in ("done", "cancel") and m.picking_id.picking_type_id.code == "incoming"
                )
                moves_of[line.id] = moves
                pickings |= moves.picking_id
        # lots: one query for the existing ones, one create for the new ones
        wanted = {}
        for entry, line in planned:
            product = line.product_id
            if product.tracking == "none":
                continue
            names = (
                entry.get("serials") if product.tracking == "serial" and entry.get("serials") else [entry.get("lot")]
            )
            for name in filter(None, names):
                wanted[(product.id, str(name).strip()[:128])] = as_date(entry.get("expiry"))
        Lot = self.env["stock.lot"].sudo()
        lots = {}
        company = partner.company_id
        if wanted:
            existing = Lot.search(
                [
                    ("product_id", "in", list({p for p, _n in wanted})),
                    ("name", "in", list({n for _p, n in wanted})),
                    "|",
                    ("company_id", "=", company.id),
                    ("company_id", "=", False),
                ]
            )
            lots = {(lot.product_id.id, lot.name): lot for lot in existing}
            new = [
                {
                    "product_id": pid,
                    "name": name,
                    "company_id": company.id,
                    **({"expiration_date": datetime.combine(expiry, time(0, 0))} if expiry else {}),
                }
                for (pid, name), expiry in wanted.items()
                if (pid, name) not in lots
            ]
            for lot in Lot.create(new):
                lots[(lot.product_id.id, lot.name)] = lot
        # serials already in stock
        serial_lots = [
            lot for (pid, _n), lot in lots.items() if self.env["product.product"].browse(pid).tracking == "serial"
        ]
        in_stock = set()
        if serial_lots:
            quants = (
                self.env["stock.quant"]
                .sudo()
                ._read_group(
                    [
                        ("lot_id", "in", [lot.id for lot in serial_lots]),
                        ("location_id.usage", "=", "internal"),
                        ("quantity", ">", 0),
                    ],
                    ["lot_id"],
                )
            )
            in_stock = {lot.id for (lot,) in quants}
        # packages by SSCC
        Package = self.env["stock.quant.package"].sudo()
        ssccs = {str(e.get("sscc")).strip() for e, _ln in planned if e.get("sscc")}
        packages = {}
        if ssccs:
            packages = {
                p.name: p
                for p in Package.search([("name", "in", list(ssccs)), ("company_id", "in", [company.id, False])])
            }
            missing = [{"name": s, "company_id": company.id} for s in ssccs if s not in packages]
            for pack in Package.create(missing):
                packages[pack.name] = pack
        # move lines
        shipped = defaultdict(float)
        ml_vals = []
        for entry, line in planned:
            product = line.product_id
            qty = dec(entry.get("quantity"), 0.0)
            shipped[line] += qty
            moves = moves_of[line.id]
            move = moves[:1]
            expiry = as_date(entry.get("expiry"))
            lot_name = (entry.get("lot") or "").strip()[:128]
            serials = [str(s).strip()[:128] for s in entry.get("serials") or [] if s]
            if product.tracking != "none" and not lot_name and not serials:
                Exc._hc_flow_raise(
                    "asn_lot_missing",
                    _(
                        "Ship notice %(asn)s: %(item)s is lot-tracked but the notice gives no lot.",
                        asn=number,
                        item=product.display_name,
                    ),
                    f"asn_lot_missing:{line.id}:{number}"[:120],
                    partner,
                    ("stock.picking", move.picking_id.id) if move else ("purchase.order", line.order_id.id),
                    payload={"line_id": line.id, "asn": number},
                    document=doc,
                )
            if expiry and (expiry - ref_date).days < partner.min_shelf_life_days:
                Exc._hc_flow_raise(
                    "asn_short_dated",
                    _(
                        "Ship notice %(asn)s: lot %(lot)s of %(item)s expires on %(exp)s, less than %(days)s days of shelf life.",
                        asn=number,
                        lot=lot_name or ", ".join(serials) or "?",
                        item=product.display_name,
                        exp=expiry,
                        days=partner.min_shelf_life_days,
                    ),
                    f"asn_short_dated:{line.id}:{lot_name or number}"[:120],
                    partner,
                    ("stock.picking", move.picking_id.id) if move else ("purchase.order", line.order_id.id),
                    payload={
                        "line_id": line.id,
                        "lot": lot_name,
                        "expiry": fields.Date.to_string(expiry),
                        "asn": number,
                    },
                    document=doc,
                    severity="high",
                )
            if not move:
                continue
            package = packages.get(str(entry.get("sscc") or "").strip())
            base = {
                "move_id": move.id,
                "picking_id": move.picking_id.id,
                "product_id": product.id,
                "product_uom_id": move.product_uom.id,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
                "company_id": move.company_id.id,
                "result_package_id": package.id if package else False,
                "hc_asn_document_id": doc.id,
            }
            if product.tracking == "serial" and serials:
                for serial in serials:
                    lot = lots.get((product.id, serial))
                    if lot and lot.id in in_stock:
                        Exc._hc_flow_raise(
                            "asn_serial_duplicate",
                            _(
                                "Ship notice %(asn)s: serial %(sn)s of %(item)s is already in stock.",
                                asn=number,
                                sn=serial,
                                item=product.display_name,
                            ),
                            f"asn_serial_duplicate:{product.id}:{serial}"[:120],
                            partner,
                            ("stock.picking", move.picking_id.id),
                            payload={"line_id": line.id, "serial": serial, "asn": number},
                            document=doc,
                            severity="high",
                        )
                    ml_vals.append({**base, "quantity": 1.0, "lot_id": lot.id if lot else False, "lot_name": serial})
            elif product.tracking != "none" and lot_name:
                lot = lots.get((product.id, lot_name))
                ml_vals.append({**base, "quantity": qty, "lot_id": lot.id if lot else False, "lot_name": lot_name})
            else:
                ml_vals.append({**base, "quantity": qty})
        # over / under against what is still open on the line (a backordered part comes later)
        for line, qty in shipped.items():
            expected = sum(moves_of[line.id].mapped("product_uom_qty"))
            tol = partner.quantity_tolerance_percent
            margin = expected * tol / 100.0
            later = line.hc_ack_backorder_qty if line.hc_ack_status == "backordered" else 0.0
            if qty > expected + margin + 1e-6:
                code, what = "asn_over", _("more")
            elif qty < expected - later - margin - 1e-6:
                code, what = "asn_under", _("less")
            else:
                continue
            Exc._hc_flow_raise(
                code,
                _(
                    "Ship notice %(asn)s ships %(qty)s of %(item)s, %(what)s than the %(expected)s open on %(po)s (tolerance %(tol)s%%).",
                    asn=number,
                    qty=qty,
                    item=line.product_id.display_name,
                    what=what,
                    expected=expected,
                    po=line.order_id.name,
                    tol=tol,
                ),
                f"{code}:{line.id}:{number}"[:120],
                partner,
                ("stock.picking", moves_of[line.id].picking_id[:1].id)
                if moves_of[line.id]
                else ("purchase.order", line.order_id.id),
                payload={"line_id": line.id, "shipped": qty, "expected": expected, "asn": number},
                document=doc,
            )
        MoveLine = self.env["stock.move.line"].sudo()
        prefilled_moves = self.env["stock.move"].sudo().browse({v["move_id"] for v in ml_vals})
        # the reservation Odoo made before the notice is replaced by what the notice says
        MoveLine.search(
            [("move_id", "in", prefilled_moves.ids), ("hc_asn_document_id", "=", False), ("picked", "=", False)]
        ).unlink()
        MoveLine.create(ml_vals)
        now = fields.Datetime.now()
        expected_date = as_date(data.get("expected_date"))
        hours = partner.ship_notice_sla_hours
        vals = {
            "hc_asn_document_id": doc.id,
            "hc_asn_received_at": now,
            "hc_asn_number": number,
            "hc_receipt_due": now + timedelta(hours=hours) if hours else False,
        }
        if expected_date:
            vals["scheduled_date"] = datetime.combine(expected_date, time(12, 0))
        pickings.sudo().write(vals)
        for picking in pickings:
            picking.message_post(body=_("Prefilled from %(doc)s.", doc=doc.display_label))

    # ------------------------------------------------------------------ receipt vs notice
    def button_validate(self):
        """A receipt prefilled from a notice may hold lines Odoo reserved for the rest of the demand
        (the part the notice does not ship): without a lot, a tracked item's line cannot be
        validated; it is dropped, and the rest of the demand goes to the backorder as usual."""
        stale = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("picking_id", "in", self.filtered("hc_asn_document_id").ids),
                    ("hc_asn_document_id", "=", False),
                    ("lot_id", "=", False),
                    ("lot_name", "in", (False, "")),
                    ("product_id.tracking", "!=", "none"),
                    ("state", "not in", ("done", "cancel")),
                ]
            )
        )
        stale.unlink()
        return super().button_validate()

    def _action_done(self):
        result = super()._action_done()
        for picking in self.filtered(lambda p: p.hc_asn_document_id and p.state == "done"):
            picking._hc_compare_with_asn()
        return result

    def _hc_compare_with_asn(self):
        """What was received vs what the notices said, per item and lot: listed on the receipt."""
        self.ensure_one()
        notified = defaultdict(float)
        MoveLine = self.env["stock.move.line"].sudo()
        docs = (
            MoveLine.search([("picking_id", "in", (self | self.backorder_ids).ids)]).hc_asn_document_id
            | self.hc_asn_document_id
        )
        for doc in docs:
            for raw in (doc.document_json or {}).get("lines") or []:
                entry = read_udi(raw)
                key = (
                    norm_gtin(entry.get("gtin")) or (entry.get("vendor_part") or entry.get("buyer_part") or "").upper(),
                    (entry.get("lot") or "").strip(),
                )
                notified[key] += dec(entry.get("quantity"), 0.0)
        matcher_keys = {}
        received = defaultdict(float)
        for ml in self.move_line_ids:
            product = ml.product_id
            ids = [norm_gtin(product.barcode), (product.default_code or "").upper()]
            ids += [(s.product_code or "").upper() for s in product.seller_ids if s.product_code]
            key_id = next((k for k in ids if any(k == n[0] for n in notified)), ids[0] or product.display_name)
            matcher_keys[key_id] = product.display_name
            received[(key_id, (ml.lot_id.name or ml.lot_name or "").strip())] += ml.quantity
        differences = []
        for key in sorted(set(notified) | set(received)):
            n, r = notified.get(key, 0.0), received.get(key, 0.0)
            if abs(n - r) > 1e-6:
                item = matcher_keys.get(key[0], key[0])
                differences.append(
                    _(
                        "%(item)s%(lot)s: notified %(n)s, received %(r)s",
                        item=item,
                        lot=f" lot {key[1]}" if key[1] else "",
                        n=n,
                        r=r,
                    )
                )
        self.sudo().write({"hc_asn_differences": "\n".join(differences) or False, "hc_asn_accurate": not differences})
        if differences:
            self.message_post(body=_("Received differently from the ship notice: %s", "; ".join(differences)))


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    hc_asn_document_id = fields.Many2one(
        "hc.edi.document", string="Ship Notice", readonly=True, copy=False, index="btree_not_null"
    )


class HcExceptionAsn(models.Model):
    _inherit = "hc.exception"

    def _hc_flow_decided(self, approved):
        if self.code not in ASN_CODES:
            return super()._hc_flow_decided(approved)
        record = (
            self.env[self.res_model].sudo().browse(self.res_id).exists()
            if self.res_model in ("stock.picking", "purchase.order")
            else None
        )
        if record:
            record.message_post(
                body=_(
                    "%(exc)s %(what)s by %(user)s: %(reason)s",
                    exc=self.name,
                    what=_("accepted") if approved else _("refused"),
                    user=self.env.user.name,
                    reason=self.decision_reason or "",
                )
            )
        return True
