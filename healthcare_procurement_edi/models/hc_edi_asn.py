"""Ship notices in (856 / DESADV / cXML ShipNoticeRequest / UBL DespatchAdvice).

The notice prefills the order's incoming receipt before anyone scans: per item the quantity,
lot (created with its expiry date), serial numbers and the package named by its SSCC. A UDI on
a line is read as GS1 (GTIN, lot, expiry, serial). Over- and under-shipment beyond the partner's
tolerance, items not on the order, short-dated lots, serials already in stock and missing lot
data are exceptions for procurement, one per cause. When the receipt is validated, what was
received is compared with the notice and the differences are listed on the receipt.

The notices of one processing batch are applied together (``_hc_apply_asn_batch``): a few
queries per chunk of notices, not per notice or line (``tests/bench_asn.py`` measures it).
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.addons.healthcare_integration_base.lib import trust
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError
from odoo.addons.healthcare_inventory_sync.lib import gs1
from odoo.osv import expression
from odoo.tools import SQL, float_compare

from .hc_edi_flow import TEAM_PROCUREMENT, LineMatcher, as_date, correlation_of, norm_gtin
from .hc_edi_uom import notified_quantity, shipped_quantity

ASN_PICKING_FIELDS = ("hc_asn_document_id", "hc_asn_received_at", "hc_asn_number", "hc_receipt_due")
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
        """Apply one ship notice: None, or the HcBusinessError that is the message's outcome."""
        return self._hc_apply_asn_batch(doc).get(doc.id)

    @api.model
    def _hc_apply_asn_batch(self, docs):
        """Apply the ship notices ``docs`` (hc.edi.document) together: ``{doc id: None or error}``.

        Everything is read for the whole batch in a few queries (orders, lines, products,
        sellers, moves, lots, packages) and written in a few statements (one create of lots, of
        packages, of move lines, of exceptions); the notices are applied in the order given, with
        the same outcome as applying them one after the other. A rule of Odoo that refuses a
        change raises for the batch: the caller applies the notices one by one then."""
        docs = docs.sudo()
        outcomes = {}
        # 1. read: every notice's orders in one query
        wanted_names = defaultdict(set)  # company id -> order names
        plans = []
        for doc in docs:
            data = doc.document_json or {}
            partner = doc.trading_partner_id
            names = {
                n
                for n in [*(data.get("po_numbers") or []), *(ln.get("po_number") for ln in data.get("lines") or [])]
                if n
            }
            plans.append((doc, data, partner, names))
            wanted_names[partner.company_id.id] |= names
        Order = self.env["purchase.order"].sudo()
        orders_by_key = {}
        domain = expression.OR(
            [[("name", "in", sorted(names)), ("company_id", "=", cid)] for cid, names in wanted_names.items() if names]
        )
        all_orders = Order.search(domain) if domain != expression.FALSE_DOMAIN else Order
        for order in all_orders:
            orders_by_key[(order.company_id.id, order.name)] = order
        # warm the cache for the whole batch: one query per model and field group, not per notice
        lines = all_orders.order_line
        products = lines.product_id
        products.mapped("seller_ids.partner_id.commercial_partner_id")
        products.mapped("tracking")
        lines.mapped("hc_ack_status")
        moves = lines.move_ids
        moves.mapped("picking_id.picking_type_id.code")
        moves.mapped("state")
        applied = []
        for doc, data, partner, names in plans:
            company = partner.company_id
            orders = Order.browse(
                [orders_by_key[(company.id, n)].id for n in sorted(names) if (company.id, n) in orders_by_key]
            )
            # in the order a search returns them (priority desc, id desc): the first names the notice's records
            orders = orders.sorted(lambda o: (o.priority or "", o.id), reverse=True)
            if not orders:
                number = str(data.get("asn_number") or "?")[:40]
                outcomes[doc.id] = HcBusinessError(
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
                continue
            outcomes[doc.id] = None
            applied.append((doc, data, partner, orders))
        if applied:
            self._hc_prefill_batch(applied)
        return outcomes

    def _hc_prefill_batch(self, applied):
        """Prefill the receipts of ``applied``: [(doc, data, partner, orders)]."""
        raises = []  # exceptions to raise, in order: (correlation id, kwargs of _hc_flow_raise)
        planned = []  # (doc, partner, entry, order line)
        moves_of = {}
        pickings_of = {}  # doc id -> its pickings
        corr_of = {}  # doc id -> the correlation id its changes are audited under
        for doc, data, partner, orders in applied:
            correlation = corr_of[doc.id] = correlation_of(orders[:1])
            matcher = LineMatcher(orders, orders[0].partner_id)
            number = str(data.get("asn_number") or "?")[:40]
            pickings = self.browse()
            for raw in data.get("lines") or []:
                entry = read_udi(raw)
                line = matcher.match(entry, entry.get("po_number"))
                if not line:
                    key = next((k for _kind, k in matcher.keys(entry) if k), str(entry.get("line_id") or "?"))
                    raises.append(
                        (
                            correlation,
                            {
                                "code": "asn_not_on_po",
                                "detail": _(
                                    "Ship notice %(asn)s lists item %(item)s, which is not on order %(po)s.",
                                    asn=number,
                                    item=key,
                                    po=", ".join(orders.mapped("name")),
                                ),
                                "cause": f"asn_not_on_po:{orders[0].id}:{key}"[:120],
                                "partner": partner,
                                "record": ("purchase.order", orders[0].id),
                                "payload": {"entry": entry, "asn": number},
                                "document": doc,
                            },
                        )
                    )
                    continue
                planned.append((doc, partner, entry, line))
                if line.id not in moves_of:
                    moves_of[line.id] = line.move_ids.filtered(
                        lambda m: m.state not in ("done", "cancel") and m.picking_id.picking_type_id.code == "incoming"
                    )
                pickings |= moves_of[line.id].picking_id
            pickings_of[doc.id] = pickings
        # lots: one query for the existing ones, one create for the new ones (per company)
        wanted = {}  # (company id, product id, name) -> expiry; the first notice naming a lot sets it
        lot_correlation = {}  # the correlation id each new lot's creation is audited under
        planned_of = defaultdict(list)
        for d, _p, entry, line in planned:
            planned_of[d.id].append((entry, line))
        for doc, _data, partner, _orders in applied:
            mine = {}
            for entry, line in planned_of[doc.id]:
                if line.product_id.tracking == "none":
                    continue
                product = line.product_id
                names = (
                    entry.get("serials")
                    if product.tracking == "serial" and entry.get("serials")
                    else [entry.get("lot")]
                )
                for name in filter(None, names):
                    mine[(partner.company_id.id, product.id, str(name).strip()[:128])] = as_date(entry.get("expiry"))
            for key, expiry in mine.items():
                if key not in wanted:
                    wanted[key] = expiry
                    lot_correlation[key] = corr_of[doc.id]
        Lot = self.env["stock.lot"].sudo().with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
        lots = {}  # (company id, product id, name) -> lot
        for company_id in {c for c, _p, _n in wanted}:
            keys = [k for k in wanted if k[0] == company_id]
            existing = Lot.search(
                [
                    ("product_id", "in", list({p for _c, p, _n in keys})),
                    ("name", "in", list({n for _c, _p, n in keys})),
                    "|",
                    ("company_id", "=", company_id),
                    ("company_id", "=", False),
                ]
            )
            for lot in existing:
                lots.setdefault((company_id, lot.product_id.id, lot.name), lot)
        new = [
            {
                "product_id": pid,
                "name": name,
                "company_id": cid,
                **({"expiration_date": datetime.combine(expiry, time(0, 0))} if expiry else {}),
            }
            for (cid, pid, name), expiry in wanted.items()
            if (cid, pid, name) not in lots
        ]
        keys = [(v["company_id"], v["product_id"], v["name"]) for v in new]
        for lot, key in zip(self._hc_create_lots(Lot, new, [lot_correlation[k] for k in keys]), keys, strict=True):
            lots[key] = lot
        # serials already in stock
        serial_lots = [lot for (_c, pid, _n), lot in lots.items() if lot.product_id.tracking == "serial"]
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
        packages = {}
        sscc_company = {}
        for _doc, partner, entry, _line in planned:
            if entry.get("sscc"):
                sscc_company.setdefault(str(entry.get("sscc")).strip(), partner.company_id.id)
        if sscc_company:
            # only a package of the notice's own company (or of none) is reused: another
            # company's package with the same SSCC stays out of reach of this sudo search
            domain = [("name", "in", list(sscc_company)), ("company_id", "in", [*set(sscc_company.values()), False])]
            for pack in Package.search(domain):
                if pack.company_id.id in (sscc_company[pack.name], False):
                    packages.setdefault(pack.name, pack)
            missing = [{"name": s, "company_id": c} for s, c in sscc_company.items() if s not in packages]
            for pack in Package.create(missing):
                packages[pack.name] = pack
        # move lines, and what each notice ships per order line
        ml_vals = []
        shipped = {}  # doc id -> {order line: quantity}
        data_of = {doc.id: data for doc, data, _p, _o in applied}
        converters = {}  # trading partner id -> unit converter (2 BX ship as 20 EA)
        for doc, partner, entry, line in planned:
            data = data_of[doc.id]
            number = str(data.get("asn_number") or "?")[:40]
            ref_date = as_date(data.get("expected_date")) or fields.Date.context_today(self)
            correlation = corr_of[doc.id]
            cid = partner.company_id.id
            product = line.product_id
            move = moves_of[line.id][:1]
            units = converters.get(partner.id)
            if units is None:
                lines = self.env["purchase.order.line"].union(*(ln for _d, p, _e, ln in planned if p == partner))
                units = converters[partner.id] = self.env["hc.edi.uom.code"]._hc_converter(
                    partner, products=lines.product_id, uoms=lines.product_uom
                )
            qty = shipped_quantity(units, entry, line, move)  # in the move's unit
            per_line = shipped.setdefault(doc.id, defaultdict(float))
            per_line[line] += qty
            expiry = as_date(entry.get("expiry"))
            lot_name = (entry.get("lot") or "").strip()[:128]
            serials = [str(s).strip()[:128] for s in entry.get("serials") or [] if s]
            where = ("stock.picking", move.picking_id.id) if move else ("purchase.order", line.order_id.id)
            if product.tracking != "none" and not lot_name and not serials:
                raises.append(
                    (
                        correlation,
                        {
                            "code": "asn_lot_missing",
                            "detail": _(
                                "Ship notice %(asn)s: %(item)s is lot-tracked but the notice gives no lot.",
                                asn=number,
                                item=product.display_name,
                            ),
                            "cause": f"asn_lot_missing:{line.id}:{number}"[:120],
                            "partner": partner,
                            "record": where,
                            "payload": {"line_id": line.id, "asn": number},
                            "document": doc,
                        },
                    )
                )
            if expiry and (expiry - ref_date).days < partner.min_shelf_life_days:
                raises.append(
                    (
                        correlation,
                        {
                            "code": "asn_short_dated",
                            "detail": _(
                                "Ship notice %(asn)s: lot %(lot)s of %(item)s expires on %(exp)s, less than %(days)s days of shelf life.",  # noqa: E501
                                asn=number,
                                lot=lot_name or ", ".join(serials) or "?",
                                item=product.display_name,
                                exp=expiry,
                                days=partner.min_shelf_life_days,
                            ),
                            "cause": f"asn_short_dated:{line.id}:{lot_name or number}"[:120],
                            "partner": partner,
                            "record": where,
                            "payload": {
                                "line_id": line.id,
                                "lot": lot_name,
                                "expiry": fields.Date.to_string(expiry),
                                "asn": number,
                            },
                            "document": doc,
                            "severity": "high",
                        },
                    )
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
                    lot = lots.get((cid, product.id, serial))
                    if lot and lot.id in in_stock:
                        raises.append(
                            (
                                correlation,
                                {
                                    "code": "asn_serial_duplicate",
                                    "detail": _(
                                        "Ship notice %(asn)s: serial %(sn)s of %(item)s is already in stock.",
                                        asn=number,
                                        sn=serial,
                                        item=product.display_name,
                                    ),
                                    "cause": f"asn_serial_duplicate:{product.id}:{serial}"[:120],
                                    "partner": partner,
                                    "record": ("stock.picking", move.picking_id.id),
                                    "payload": {"line_id": line.id, "serial": serial, "asn": number},
                                    "document": doc,
                                    "severity": "high",
                                },
                            )
                        )
                    ml_vals.append({**base, "quantity": 1.0, "lot_id": lot.id if lot else False, "lot_name": serial})
            elif product.tracking != "none" and lot_name:
                lot = lots.get((cid, product.id, lot_name))
                ml_vals.append({**base, "quantity": qty, "lot_id": lot.id if lot else False, "lot_name": lot_name})
            else:
                ml_vals.append({**base, "quantity": qty})
        # over / under against what is still open on the line (a backordered part comes later)
        for doc, data, partner, _orders in applied:
            number = str(data.get("asn_number") or "?")[:40]
            for line, qty in (shipped.get(doc.id) or {}).items():
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
                raises.append(
                    (
                        corr_of[doc.id],
                        {
                            "code": code,
                            "detail": _(
                                "Ship notice %(asn)s ships %(qty)s of %(item)s, %(what)s than the %(expected)s open on %(po)s (tolerance %(tol)s%%).",  # noqa: E501
                                asn=number,
                                qty=qty,
                                item=line.product_id.display_name,
                                what=what,
                                expected=expected,
                                po=line.order_id.name,
                                tol=tol,
                            ),
                            "cause": f"{code}:{line.id}:{number}"[:120],
                            "partner": partner,
                            "record": ("stock.picking", moves_of[line.id].picking_id[:1].id)
                            if moves_of[line.id]
                            else ("purchase.order", line.order_id.id),
                            "payload": {"line_id": line.id, "shipped": qty, "expected": expected, "asn": number},
                            "document": doc,
                        },
                    )
                )
        self.env["hc.exception"]._hc_flow_raise_many(raises)
        self._hc_replace_move_lines(ml_vals)
        self._hc_mark_prefilled(applied, pickings_of)

    @api.model
    def _hc_create_lots(self, Lot, vals_list, correlations):
        """The lots in one create; the audit trail (when installed) still records each lot's
        creation under the correlation id of the order whose notice named it."""
        if not vals_list:
            return Lot
        if "hc.audit.rule" not in self.env or len(set(correlations)) == 1:
            with trust.attributed(correlation_id=correlations[0]):
                return Lot.create(vals_list)
        with trust.audit_suspended():
            lots = Lot.create(vals_list)
        self.env["hc.audit.rule"]._audit_inserted(
            lots, extra_by_id={lot.id: {"correlation_id": corr} for lot, corr in zip(lots, correlations, strict=True)}
        )
        return lots

    def _hc_audit_rule_for(self, model):
        """The audit trail's rule for ``model`` when the trail is installed and on, else None."""
        if "hc.audit.rule" not in self.env or trust.is_audit_suspended():
            return None
        return self.env["hc.audit.rule"]._rules_by_model().get(model)

    def _hc_audit_extra(self, lines):
        """Per move line: the order's correlation id and the message of the notice that made it."""
        return {
            ml.id: {
                "correlation_id": correlation_of(ml.move_id.purchase_line_id.order_id),
                "message_id": ml.hc_asn_document_id.inbound_message_id.id,
            }
            for ml in lines
        }

    def _hc_audit_created(self, lines):
        rule = self._hc_audit_rule_for("stock.move.line")
        if lines and rule and "create" in rule["actions"]:
            self.env["hc.audit.rule"]._audit_inserted(lines, extra_by_id=self._hc_audit_extra(lines))

    def _hc_audit_unlinked(self, lines):
        rule = self._hc_audit_rule_for("stock.move.line")
        if not lines or not rule or "unlink" not in rule["actions"]:
            return
        from odoo.addons.healthcare_audit.models.hc_audit_rule import _snapshot, _tracked_fields

        lines = lines.sudo().with_context(active_test=False)
        old = _snapshot(lines, _tracked_fields(lines, rule))
        self._hc_audit_log_lines(
            "unlink", lines, lambda line: {f: {"old": v, "new": None} for f, v in old[line.id].items()}
        )

    def _hc_audit_log_lines(self, action, lines, changes_of):
        """One trail entry per move line the batch wrote outside the ORM's hooks, under its
        order's correlation id and the message of its notice."""
        extra = self._hc_audit_extra(lines)
        self.env["hc.audit.event"].sudo()._log(
            [
                {
                    "action": action,
                    "model": "stock.move.line",
                    "res_id": line.id,
                    "res_name": line.display_name,
                    "changes": changes_of(line),
                    **{k: v for k, v in extra[line.id].items() if v},
                }
                for line in lines
            ]
        )

    def _hc_audit_picking_before(self, picking_ids):
        """The receipts' tracked ship-notice fields before the batch's one UPDATE (which the
        trail's write hook does not see); None when the trail does not track them."""
        rule = self._hc_audit_rule_for("stock.picking")
        if not rule or not picking_ids or not ({"write", "state"} & rule["actions"]):
            return None
        from odoo.addons.healthcare_audit.models.hc_audit_rule import _snapshot, _tracked_fields

        pickings = self.sudo().browse(picking_ids)
        fnames = [f for f in _tracked_fields(pickings, rule) if f in ASN_PICKING_FIELDS]
        return (fnames, _snapshot(pickings, fnames)) if fnames else None

    def _hc_audit_picking_after(self, pickings, before):
        if not before:
            return
        from odoo.addons.healthcare_audit.models.hc_audit_rule import _snapshot

        fnames, old = before
        new = _snapshot(pickings, fnames)
        entries = []
        for picking in pickings:
            changes = {
                f: {"old": old[picking.id][f], "new": new[picking.id][f]}
                for f in fnames
                if old[picking.id][f] != new[picking.id][f]
            }
            if changes:
                doc = picking.hc_asn_document_id
                entries.append(
                    {
                        "action": "write",
                        "model": "stock.picking",
                        "res_id": picking.id,
                        "res_name": picking.display_name,
                        "changes": changes,
                        "correlation_id": correlation_of(picking.purchase_id),
                        "message_id": doc.inbound_message_id.id or None,
                    }
                )
        self.env["hc.audit.event"].sudo()._log(entries)

    def _hc_replace_move_lines(self, ml_vals):
        """The reservation Odoo made before the notice is replaced by what the notice says.

        A receipt from a supplier bypasses reservation: creating, changing or deleting its
        not-done move lines touches no quant and leaves its moves' state as it is, and stock /
        stock_account then only recompute the moves' state and their analytic estimate (zero
        while not picked), move by move. So for such moves:

        - the usual case, one line Odoo made for the move and one line from the notice with the
          same quantity, unit and locations: the line is completed in place (lot, package,
          notice) in one UPDATE for the batch, as Odoo's own write of those fields does for a
          not-done line that bypasses reservation (no quant, no state, no quantity changes);
          dependent fields (the line's expiry date) are recomputed by the ORM;
        - otherwise the lines go through the ORM's own create and unlink (computed fields,
          triggers, access and ondelete checks kept) without those per-move loops, and the
          state and analytic estimate are recomputed once for the batch.

        Any other move (reserving, picked, done, with package levels) takes Odoo's full path."""
        MoveLine = self.env["stock.move.line"].sudo()
        moves = self.env["stock.move"].sudo().browse(list(dict.fromkeys(v["move_id"] for v in ml_vals)))
        stale = MoveLine.search(
            [("move_id", "in", moves.ids), ("hc_asn_document_id", "=", False), ("picked", "=", False)]
        )
        fast = moves.filtered(
            lambda m: m.state not in ("done", "cancel") and not m.picked and m._should_bypass_reservation()
        )
        slow_lines = stale.filtered(
            lambda ml: (
                ml.move_id not in fast
                or ml.package_level_id
                or not ml.move_id._should_bypass_reservation(ml.location_id)
            )
        )
        fast -= slow_lines.move_id
        fast_ids = set(fast.ids)
        slow_lines.unlink()
        stale -= slow_lines
        in_place = self._hc_pair_in_place(stale, [v for v in ml_vals if v["move_id"] in fast_ids])
        completed = self._hc_complete_in_place(in_place)
        stale -= completed
        done_vals = {id(vals) for _line, vals in in_place}
        ml_vals = [v for v in ml_vals if id(v) not in done_vals]
        created_for = {v["move_id"] for v in ml_vals}
        emptied = stale.move_id  # moves whose lines of Odoo's are deleted below, fast or not
        changed = emptied | moves.filtered(lambda m: m.id in created_for)
        # the audit trail's own create/unlink hooks sit on the model's class, which the base
        # create/unlink below skip: the trail is fed the same entries in one insert each
        self._hc_audit_unlinked(stale)
        models.Model.unlink(stale)
        fast_vals = [v for v in ml_vals if v["move_id"] in fast_ids]
        for vals in fast_vals:
            vals.setdefault("picked", False)
        created = models.Model.create(MoveLine, fast_vals) if fast_vals else MoveLine
        self._hc_audit_created(created)
        created |= MoveLine.create([v for v in ml_vals if v["move_id"] not in fast_ids])
        # the base unlink skips stock's own, which recomputes the moves of deleted lines: so do
        # it here for all of them (a move that left the fast path for one of its lines included)
        fast = (fast & changed) | emptied
        if fast:
            fast.with_prefetch()._recompute_state()
            analytic = fast.filtered(lambda m: m.analytic_account_line_ids or m._get_analytic_distribution())
            if analytic and hasattr(analytic, "_account_analytic_entry_move"):
                analytic._account_analytic_entry_move()
        return created | completed

    # what the notice sets on a line Odoo made for the move, when the line is completed in place
    IN_PLACE_FIELDS = ("lot_id", "lot_name", "result_package_id", "hc_asn_document_id")

    def _hc_pair_in_place(self, stale, fast_vals):
        """[(line, vals)]: moves with exactly one line of Odoo's and one line of the notice that
        differ only in what the notice adds (lot, package, notice)."""
        lines_of = defaultdict(list)
        for line in stale:
            lines_of[line.move_id.id].append(line)
        vals_of = defaultdict(list)
        for vals in fast_vals:
            vals_of[vals["move_id"]].append(vals)
        pairs = []
        for move_id, given in vals_of.items():
            mine = lines_of.get(move_id) or []
            if len(given) != 1 or len(mine) != 1:
                continue
            line, vals = mine[0], given[0]
            if (
                line.product_id.id == vals["product_id"]
                and line.product_uom_id.id == vals["product_uom_id"]
                and line.location_id.id == vals["location_id"]
                and line.location_dest_id.id == vals["location_dest_id"]
                and line.company_id.id == vals["company_id"]
                and not (line.package_id or line.owner_id or line.package_level_id or line.picked)
                and not vals.get("picked")
                and float_compare(line.quantity, vals["quantity"], precision_rounding=line.product_uom_id.rounding) == 0
            ):
                pairs.append((line, vals))
        return pairs

    def _hc_complete_in_place(self, pairs):
        """Lot, package and notice written on the paired lines in one UPDATE; the ORM is told
        what changed (recomputes, caches) and the audit trail gets one write entry per line."""
        MoveLine = self.env["stock.move.line"].sudo()
        if not pairs:
            return MoveLine
        fnames = list(self.IN_PLACE_FIELDS)
        lines = MoveLine.browse([line.id for line, _v in pairs])
        self.env.flush_all()
        audit = self._hc_audit_rule_for("stock.move.line")
        audit = audit if audit and "write" in audit["actions"] else None
        if audit:
            from odoo.addons.healthcare_audit.models.hc_audit_rule import _snapshot, _tracked_fields

            tracked = [f for f in _tracked_fields(lines, audit) if f in (*fnames, "quantity")]
            audited = lines.filtered(lambda ml: ml.state in audit["states"]) if audit["states"] else lines
            if not tracked or not audited:  # as the trail's write hook: nothing it tracks
                audit = None
            else:
                before = _snapshot(audited, tracked)
        lines.modified(fnames, before=True)
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                "UPDATE stock_move_line l SET lot_id = v.lot, lot_name = v.lot_name, result_package_id = v.pack, "
                "hc_asn_document_id = v.doc, write_date = %s, write_uid = %s "
                "FROM (VALUES %s) AS v(id, lot, lot_name, pack, doc) WHERE l.id = v.id",
                now,
                self.env.uid,
                SQL(", ").join(
                    SQL(
                        "(%s, %s::int, %s::varchar, %s::int, %s::int)",
                        line.id,
                        vals.get("lot_id") or None,
                        vals.get("lot_name") or None,
                        vals.get("result_package_id") or None,
                        vals.get("hc_asn_document_id") or None,
                    )
                    for line, vals in pairs
                ),
            )
        )
        lines.invalidate_recordset([*fnames, "write_date", "write_uid"])
        lines.modified(fnames)
        if audit:
            after = _snapshot(audited, tracked)
            # what the notice set, quantity included (as it confirms Odoo's)
            self._hc_audit_log_lines(
                "write",
                audited,
                lambda line: {
                    f: {"old": before[line.id][f], "new": after[line.id][f]}
                    for f in tracked
                    if before[line.id][f] != after[line.id][f] or f == "quantity"
                },
            )
        return lines

    def _hc_mark_prefilled(self, applied, pickings_of):
        """The receipts say which notice prefilled them, and when they are due; a note each."""
        now = fields.Datetime.now()
        rows, by_date, notes = [], defaultdict(list), {}
        for doc, data, partner, _orders in applied:
            pickings = pickings_of[doc.id]
            if not pickings:
                continue
            hours = partner.ship_notice_sla_hours
            number = str(data.get("asn_number") or "?")[:40]
            due = now + timedelta(hours=hours) if hours else None
            for picking in pickings:
                rows.append((picking.id, doc.id, number, due))
            expected_date = as_date(data.get("expected_date"))
            note = _("Prefilled from %(doc)s.", doc=doc.display_label)
            if expected_date:
                when = datetime.combine(expected_date, time(12, 0))
                for picking in pickings:
                    by_date[when].append(picking.id)
                note = _(
                    "Prefilled from %(doc)s; expected on %(date)s.",
                    doc=doc.display_label,
                    date=fields.Date.to_string(expected_date),
                )
            for picking in pickings:
                notes[picking.id] = notes[picking.id] + " " + note if picking.id in notes else note
        if not rows:
            return
        # our own fields, which nothing computes from: one statement for the batch (a later notice
        # for the same receipt wins, as it would one after the other)
        last = {}
        for row in rows:
            last[row[0]] = row
        self.flush_model(["hc_asn_document_id", "hc_asn_received_at", "hc_asn_number", "hc_receipt_due"])
        audit_before = self._hc_audit_picking_before(list(last))
        self.env.cr.execute(
            SQL(
                "UPDATE stock_picking p SET hc_asn_document_id = v.doc, hc_asn_received_at = %s, "
                "hc_asn_number = v.num, hc_receipt_due = v.due, write_date = %s, write_uid = %s "
                "FROM (VALUES %s) AS v(pid, doc, num, due) WHERE p.id = v.pid",
                now,
                now,
                self.env.uid,
                SQL(", ").join(
                    SQL("(%s, %s, %s, %s::timestamp)", pid, doc_id, num, due) for pid, doc_id, num, due in last.values()
                ),
            )
        )
        pickings = self.sudo().browse(list(last))
        pickings.invalidate_recordset(
            ["hc_asn_document_id", "hc_asn_received_at", "hc_asn_number", "hc_receipt_due", "write_date", "write_uid"]
        )
        self._hc_audit_picking_after(pickings, audit_before)
        # the expected date moves the receipt's moves (one write per date, not per receipt); the
        # note below says so instead of one tracking message per receipt
        final_date = {}
        for when, ids in by_date.items():
            for pid in ids:
                final_date[pid] = when
        grouped = defaultdict(list)
        for pid, when in final_date.items():
            grouped[when].append(pid)
        for when, ids in grouped.items():
            self.sudo().browse(ids).with_context(tracking_disable=True).write({"scheduled_date": when})
        pickings._message_log_batch(bodies=notes)

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
        entries = []
        for doc in docs:
            for raw in (doc.document_json or {}).get("lines") or []:
                entry = read_udi(raw)
                key = (
                    norm_gtin(entry.get("gtin")) or (entry.get("vendor_part") or entry.get("buyer_part") or "").upper(),
                    (entry.get("lot") or "").strip(),
                )
                entries.append((key, entry))
        notified_ids = {key[0] for key, _e in entries}
        matcher_keys = {}
        product_of = {}
        received = defaultdict(float)
        for ml in self.move_line_ids:
            product = ml.product_id
            ids = [norm_gtin(product.barcode), (product.default_code or "").upper()]
            ids += [(s.product_code or "").upper() for s in product.seller_ids if s.product_code]
            key_id = next((k for k in ids if k in notified_ids), ids[0] or product.display_name)
            matcher_keys[key_id] = product.display_name
            product_of[key_id] = product
            # both sides in the product's own unit (a notice may ship 2 BX for 20 EA)
            received[(key_id, (ml.lot_id.name or ml.lot_name or "").strip())] += ml.quantity_product_uom
        units = self.env["hc.edi.uom.code"]._hc_converter(
            docs[:1].trading_partner_id, products=self.env["product.product"].union(*product_of.values())
        )
        for key, entry in entries:
            notified[key] += notified_quantity(units, entry, product_of.get(key[0]))
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

    @api.model
    def _hc_flow_raise_many(self, raises):
        """``_hc_flow_raise`` for many causes at once, with the same result as raising them one after
        the other: ``raises`` is [(correlation id, kwargs of _hc_flow_raise)]. One query finds the
        open exceptions of these causes; the new ones are created in one call per correlation id
        (so the audit trail attributes each to its order)."""
        if not raises:
            return self.sudo().browse()
        Exc = self.sudo()
        causes = list({kw["cause"] for _corr, kw in raises})
        existing = {}
        for exc in Exc.search([("state", "in", ("new", "in_progress")), ("cause", "in", causes)]):
            existing.setdefault(exc.cause, exc)  # "id desc": the one a search with limit=1 finds
        first, last = {}, {}
        for corr, kw in raises:
            first.setdefault(kw["cause"], (corr, kw))
            last[kw["cause"]] = (corr, kw)
        Catalog = self.env["hc.code.catalog"]
        teams = {}
        to_create = defaultdict(list)
        result = Exc.browse()
        for cause, (corr, kw) in first.items():
            latest = last[cause][1]
            document = latest.get("document")
            vals = {
                "detail": latest["detail"],
                "hc_edi_payload": latest.get("payload") or {},
                "hc_edi_document_id": document.id if document else False,
            }
            if cause in existing:
                with trust.attributed(correlation_id=last[cause][0]), trust.privileged():
                    existing[cause].write(vals)
                result |= existing[cause]
                continue
            partner = kw["partner"]
            team_xmlid = kw.get("team_xmlid") or TEAM_PROCUREMENT
            if team_xmlid not in teams:
                teams[team_xmlid] = self.env.ref(team_xmlid, raise_if_not_found=False)
            team = teams[team_xmlid]
            to_create[corr].append(
                {
                    **vals,
                    "name": f"{Catalog._label(kw['code'])}: {kw['detail']}"[:200],
                    "code": kw["code"],
                    "cause": cause,
                    "endpoint_id": partner.endpoint_id.id,
                    "company_id": partner.company_id.id,
                    "team_id": (team or partner.endpoint_id.team_id).id,
                    "severity": kw.get("severity") or "medium",
                    "res_model": kw["record"][0],
                    "res_id": kw["record"][1],
                }
            )
        for corr, vals_list in to_create.items():
            with trust.attributed(correlation_id=corr):
                result |= Exc.create(vals_list)
        return result

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
