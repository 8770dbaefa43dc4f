"""Canonical and FHIR inventory events into stock moves, a batch at a time.

Every kind of code in a batch is resolved with one query; the moves of the batch are created
with one ``create([...])`` and done together. Each event still succeeds or fails on its own:
validation failures are per event, and if posting the batch fails the engine re-runs its
events one by one.
"""

import json
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError, HcTechnicalError
from odoo.tools import SQL, float_compare

from ..lib import fhir, gs1
from .stock_move import HcLine

UOM_CODES = {
    "EA": ["Units"],
    "{EACH}": ["Units"],
    "EACH": ["Units"],
    "UNIT": ["Units"],
    "UNITS": ["Units"],
    "PCE": ["Units"],
    "U": ["Units"],
    "1": ["Units"],
    "{TBL}": ["Units"],
    "{CAPS}": ["Units"],
    "BX": ["Box", "Box of 10"],
    "CS": ["Case"],
    "PK": ["Pack"],
    "DZ": ["Dozens"],
    "ML": ["mL", "ml", "Milliliter(s)"],
    "MG": ["mg"],
    "G": ["g"],
    "KG": ["kg"],
    "L": ["L"],
}
MOVING = ("consumption", "waste", "transfer", "receipt", "return")
TAKES_FROM_STOCK = ("consumption", "waste", "transfer")
CHECKS_EXPIRY = ("consumption", "transfer")


class Event:
    """One event being processed: the message, its canonical fields and what they resolve to."""

    __slots__ = (
        "msg",
        "raw",
        "kind",
        "at",
        "facility",
        "item_code",
        "gtin",
        "location",
        "to_location",
        "qty",
        "uom_code",
        "lot",
        "expiry",
        "serial",
        "reverses",
        "product",
        "src",
        "dest",
        "uom",
        "lot_rec",
        "key",
        "endpoint",
    )

    def __init__(self, msg, raw):
        self.msg, self.raw = msg, raw
        self.endpoint = msg.endpoint_id
        self.kind = raw["type"].split(".", 1)[1]
        self.at = msg.occurred_at or fields.Datetime.now()
        self.facility = (raw.get("source") or {}).get("facility") or ""
        item = raw.get("item") or {}
        self.item_code = item.get("code")
        self.gtin = item.get("gtin")
        self.location, self.to_location = raw.get("location"), raw.get("to_location")
        self.qty = float(Decimal(str(raw.get("quantity"))))
        self.uom_code = raw.get("uom")
        self.lot, self.serial = raw.get("lot"), raw.get("serial")
        self.expiry = fields.Date.to_date(raw["expiry"]) if raw.get("expiry") else None
        self.reverses = raw.get("reverses")
        self.product = self.src = self.dest = self.uom = self.lot_rec = None
        self.key = msg.idempotency_key
        if item.get("gs1"):
            self._apply_gs1(item["gs1"])
        if self.gtin:
            self.gtin = gs1.normalise_gtin(self.gtin)

    def _apply_gs1(self, text):
        parsed = gs1.parse_gs1(text)
        if parsed.expiry and self.expiry and parsed.expiry != self.expiry:
            raise HcBusinessError(
                "lot_expiry_mismatch",
                "The expiry in item.gs1 differs from the event's expiry.",
                cause=f"lot_expiry_mismatch:{self.key}",
            )
        self.gtin = self.gtin or parsed.gtin
        self.lot = self.lot or parsed.lot
        self.serial = self.serial or parsed.serial
        self.expiry = self.expiry or parsed.expiry


class HcInboundMessage(models.Model):
    _inherit = "hc.inbound.message"

    hc_reversed_by_id = fields.Many2one("hc.inbound.message", string="Reversed By", readonly=True, index=True)

    @api.model
    def _hc_processors(self):
        return {
            **super()._hc_processors(),
            "inventory.*": "_hc_process_inventory",
            "SupplyDelivery": "_hc_process_inventory",
            "MedicationDispense": "_hc_process_inventory",
        }

    def _record_technical(self, failures, now):
        """A reversal whose original has not arrived waits for the endpoint's reversal window,
        not for the retry budget: it is never 'dead' before the window ends, then it is retried
        once more and becomes the business exception ``reversal_unknown``."""
        super()._record_technical(failures, now)
        pending = [mid for mid, exc in failures if getattr(exc, "code", None) == "reversal_pending"]
        if not pending:
            return
        rows = []
        for msg in self.browse(pending):
            wait = timedelta(minutes=msg.endpoint_id.hc_reversal_wait_minutes or 0)
            deadline = (msg.received_at or now) + wait + timedelta(seconds=1)
            rows.append(SQL("(%s, %s::timestamp)", msg.id, max(min(now + timedelta(minutes=5), deadline), now)))
        self.env.cr.execute(
            SQL(
                "UPDATE hc_inbound_message m SET state = 'retry', next_attempt_at = v.nxt "
                "FROM (VALUES %s) AS v(mid, nxt) WHERE m.id = v.mid",
                SQL(", ").join(rows),
            )
        )
        self.invalidate_model(["state", "next_attempt_at"])

    # ------------------------------------------------------------------ entry point
    def _hc_process_inventory(self):
        outcomes, events = {}, []
        for msg in self:
            try:
                events.append(Event(msg, self._hc_canonical(msg)))
            except HcBusinessError as exc:
                outcomes[msg.id] = exc
            except gs1.Gs1Error as exc:
                code = "gtin_check_digit" if exc.code == "gtin_check_digit" else "item_unknown"
                outcomes[msg.id] = HcBusinessError(code, exc.detail, cause=f"{code}:{msg.endpoint_id.id}")
        self._hc_resolve(events, outcomes)
        ready = [ev for ev in events if ev.msg.id not in outcomes]
        reversals = [ev for ev in ready if ev.reverses]
        counts = [ev for ev in ready if ev.kind == "count" and not ev.reverses]
        moving = [ev for ev in ready if ev.kind in MOVING and not ev.reverses]
        self._hc_check_lots(moving, outcomes)
        moving = [ev for ev in moving if ev.msg.id not in outcomes]
        flagged = self._hc_check_stock(moving, outcomes)
        moving = [ev for ev in moving if ev.msg.id not in outcomes]
        outcomes.update(self._hc_post(moving))
        self._hc_flag_negative(flagged, outcomes)
        outcomes.update(self._hc_record_counts(counts))
        outcomes.update(self._hc_reverse(reversals))
        return outcomes

    def _hc_canonical(self, msg):
        body = json.loads(msg.payload or "{}")
        if msg.message_type in fhir.MAPPERS:
            try:
                return fhir.fhir_to_event(body, source_system=msg.endpoint_id.code)
            except fhir.FhirUnmappable as exc:
                raise HcBusinessError(
                    "fhir_unmappable",
                    f"{exc.path}: {exc.detail}",
                    cause=f"fhir_unmappable:{msg.message_type}:{exc.path}",
                ) from None
        return body

    # ------------------------------------------------------------------ resolution (one query per kind)
    def _hc_resolve(self, events, outcomes):
        env = self.env
        item_pairs = {(ev.endpoint.id, ev.facility, ev.item_code) for ev in events if ev.item_code}
        loc_pairs = {
            (ev.endpoint.id, ev.facility, code) for ev in events for code in (ev.location, ev.to_location) if code
        }
        uom_pairs = {(ev.endpoint.id, ev.facility, ev.uom_code) for ev in events if ev.uom_code}
        item_map = env["hc.item.mapping"]._lookup(item_pairs)
        loc_map = env["hc.location.mapping"]._lookup(loc_pairs)
        uom_map = env["hc.uom.mapping"]._lookup(uom_pairs)
        Product = env["product.product"].with_context(active_test=False)
        gtins = {ev.gtin for ev in events if ev.gtin}
        by_gtin = {p.hc_gtin14: p for p in Product.search([("hc_gtin14", "in", list(gtins))])} if gtins else {}
        codes = {ev.item_code for ev in events if ev.item_code}
        by_code = {p.default_code: p for p in Product.search([("default_code", "in", list(codes))])} if codes else {}
        barcodes = {code for _e, _f, code in loc_pairs}
        by_barcode = {loc.barcode: loc for loc in env["stock.location"].search([("barcode", "in", list(barcodes))])}
        uom_names = {name for ev in events if ev.uom_code for name in UOM_CODES.get(ev.uom_code.upper(), [])}
        uom_names |= {ev.uom_code for ev in events if ev.uom_code}
        uoms = env["uom.uom"].search([("name", "in", list(uom_names))]) if uom_names else env["uom.uom"]
        uom_by_name = {u.name.lower(): u for u in uoms}
        mapped = {
            "product": env["product.product"].browse(set(item_map.values())),
            "location": env["stock.location"].browse(set(loc_map.values())),
            "uom": env["uom.uom"].browse(set(uom_map.values())),
        }
        for recs in mapped.values():
            recs.fetch(["id"])
        for ev in events:
            ep, fac = ev.endpoint.id, ev.facility
            try:
                ev.product = (
                    (
                        env["product.product"].browse(item_map[(ep, fac, ev.item_code)])
                        if (ep, fac, ev.item_code) in item_map
                        else None
                    )
                    or by_gtin.get(ev.gtin)
                    or by_code.get(ev.item_code)
                )
                if not ev.product:
                    what = ev.item_code or ev.gtin
                    raise HcBusinessError(
                        "item_unknown",
                        f"No product for item {what!r} (map it, or set the product's barcode / internal reference).",
                        cause=f"item_unknown:{ep}:{what}",
                        team_xmlid="healthcare_inventory_sync.hc_team_master_data",
                    )
                ev.src = self._hc_location(ev, ev.location, loc_map, by_barcode)
                if ev.kind == "transfer":
                    ev.dest = self._hc_location(ev, ev.to_location, loc_map, by_barcode)
                ev.uom = self._hc_uom(ev, uom_map, uom_by_name)
            except HcBusinessError as exc:
                outcomes[ev.msg.id] = exc

    def _hc_location(self, ev, code, loc_map, by_barcode):
        ep = ev.endpoint.id
        loc = (
            self.env["stock.location"].browse(loc_map[(ep, ev.facility, code)])
            if (ep, ev.facility, code) in loc_map
            else None
        ) or by_barcode.get(code)
        if not loc:
            raise HcBusinessError(
                "location_unknown",
                f"No stock location for code {code!r} (map it, or set the location's barcode).",
                cause=f"location_unknown:{ep}:{code}",
                team_xmlid="healthcare_inventory_sync.hc_team_master_data",
            )
        return loc

    def _hc_uom(self, ev, uom_map, uom_by_name):
        ep, code = ev.endpoint.id, ev.uom_code
        uom = (
            self.env["uom.uom"].browse(uom_map[(ep, ev.facility, code)]) if (ep, ev.facility, code) in uom_map else None
        )
        if not uom:
            for name in [*UOM_CODES.get(code.upper(), []), code]:
                uom = uom_by_name.get(name.lower())
                if uom:
                    break
        if not uom:
            raise HcBusinessError(
                "uom_unknown",
                f"No unit of measure for code {code!r}.",
                cause=f"uom_unknown:{ep}:{code}",
                team_xmlid="healthcare_inventory_sync.hc_team_master_data",
            )
        if uom.category_id != ev.product.uom_id.category_id:
            raise HcBusinessError(
                "uom_incompatible",
                f"Unit {code!r} ({uom.category_id.name}) cannot measure "
                f"{ev.product.display_name} ({ev.product.uom_id.category_id.name}).",
                cause=f"uom_incompatible:{ep}:{code}:{ev.product.id}",
            )
        return uom

    # ------------------------------------------------------------------ lots, serials, expiry
    def _hc_check_lots(self, events, outcomes):
        tracked = [ev for ev in events if ev.product.tracking in ("lot", "serial")]
        names = {(ev.lot or ev.serial) if ev.product.tracking == "lot" else (ev.serial or ev.lot) for ev in tracked}
        names.discard(None)
        lots = (
            self.env["stock.lot"].search(
                [("product_id", "in", list({ev.product.id for ev in tracked})), ("name", "in", list(names))]
            )
            if names
            else self.env["stock.lot"]
        )
        by_key = {(lot.product_id.id, lot.name): lot for lot in lots}
        serial_lots = lots.filtered(lambda lot: lot.product_id.tracking == "serial")
        on_hand = self._hc_on_hand_by_lot(serial_lots)
        to_create = []
        for ev in tracked:
            try:
                self._hc_check_lot(ev, by_key, on_hand, to_create)
            except HcBusinessError as exc:
                outcomes[ev.msg.id] = exc
        if to_create:  # receipts of lots Odoo does not know yet: create them, in one go
            created = self.env["stock.lot"].create([vals for _ev, vals in to_create])
            for (ev, _vals), lot in zip(to_create, created, strict=True):
                ev.lot_rec = lot

    def _hc_check_lot(self, ev, by_key, on_hand, to_create):
        serial = ev.product.tracking == "serial"
        name = (ev.serial or ev.lot) if serial else ev.lot
        code = "serial_required" if serial else "lot_required"
        if not name:
            raise HcBusinessError(
                code,
                f"{ev.product.display_name} is tracked: the event must name its {'serial' if serial else 'lot'}.",
                cause=f"{code}:{ev.endpoint.id}:{ev.product.id}",
            )
        lot = by_key.get((ev.product.id, name))
        if not lot:
            if ev.kind == "receipt":
                vals = {"name": name, "product_id": ev.product.id, "company_id": ev.src.company_id.id or False}
                if ev.expiry:
                    vals["expiration_date"] = datetime.combine(ev.expiry, datetime.min.time())
                to_create.append((ev, vals))
                return
            raise HcBusinessError(
                "lot_unknown",
                f"Lot {name!r} of {ev.product.display_name} is not known.",
                cause=f"lot_unknown:{ev.product.id}:{name}",
                team_xmlid="healthcare_inventory_sync.hc_team_pharmacy",
            )
        ev.lot_rec = lot
        if ev.expiry and lot.expiration_date and lot.expiration_date.date() != ev.expiry:
            raise HcBusinessError(
                "lot_expiry_mismatch",
                f"Lot {name!r} expires on {lot.expiration_date.date()} in Odoo, the event says {ev.expiry}.",
                cause=f"lot_expiry_mismatch:{lot.id}",
                record=("stock.lot", lot.id),
            )
        if ev.kind in CHECKS_EXPIRY:
            if lot.expiration_date and lot.expiration_date <= ev.at and not ev.msg._is_approved("lot_expired"):
                raise HcBusinessError(
                    "lot_expired",
                    f"Lot {name!r} expired on {lot.expiration_date.date()}.",
                    cause=f"lot_expired:{ev.msg.id}",
                    record=("stock.lot", lot.id),
                    severity="high",
                    team_xmlid="healthcare_inventory_sync.hc_team_pharmacy",
                )
            if lot.hc_quarantined and not ev.msg._is_approved("lot_quarantined"):
                raise HcBusinessError(
                    "lot_quarantined",
                    f"Lot {name!r} is quarantined.",
                    cause=f"lot_quarantined:{ev.msg.id}",
                    record=("stock.lot", lot.id),
                    severity="high",
                    team_xmlid="healthcare_inventory_sync.hc_team_pharmacy",
                )
        if serial and ev.kind in TAKES_FROM_STOCK and on_hand.get(lot.id, 0) <= 0:
            raise HcBusinessError(
                "serial_already_consumed",
                f"Serial {name!r} is not in stock: already used?",
                cause=f"serial_already_consumed:{lot.id}",
                record=("stock.lot", lot.id),
                severity="high",
            )
        if serial and ev.kind in TAKES_FROM_STOCK:
            on_hand[lot.id] = on_hand.get(lot.id, 0) - 1  # a second use in the same batch is caught too

    def _hc_on_hand_by_lot(self, lots):
        if not lots:
            return {}
        groups = self.env["stock.quant"]._read_group(
            [("lot_id", "in", lots.ids), ("location_id.usage", "=", "internal")], ["lot_id"], ["quantity:sum"]
        )
        return {lot.id: qty for lot, qty in groups}

    # ------------------------------------------------------------------ insufficient stock
    def _hc_check_stock(self, events, outcomes):
        """Events that take more than is on hand: held (per endpoint policy) or returned to be flagged."""
        takers = [ev for ev in events if ev.kind in TAKES_FROM_STOCK and ev.product.is_storable]
        if not takers:
            return []
        domain = [
            ("product_id", "in", list({ev.product.id for ev in takers})),
            ("location_id", "in", list({ev.src.id for ev in takers})),
        ]
        groups = self.env["stock.quant"]._read_group(domain, ["product_id", "location_id", "lot_id"], ["quantity:sum"])
        available = defaultdict(float)
        for product, location, lot, qty in groups:
            available[(product.id, location.id, lot.id or False)] += qty
        flagged = []
        for ev in sorted(takers, key=lambda e: (e.at, e.msg.id)):
            key = (ev.product.id, ev.src.id, ev.lot_rec.id if ev.lot_rec else False)
            need = ev.uom._compute_quantity(ev.qty, ev.product.uom_id)
            if float_compare(available[key], need, precision_rounding=ev.product.uom_id.rounding) < 0:
                if ev.endpoint.hc_negative_stock_policy == "hold" and not ev.msg._is_approved("negative_stock"):
                    outcomes[ev.msg.id] = HcBusinessError(
                        "negative_stock",
                        f"{ev.product.display_name}: {need} needed at {ev.src.display_name}, {available[key]} on hand.",
                        cause=f"negative_stock:{ev.endpoint.id}:{ev.src.id}:{ev.product.id}",
                        record=("stock.location", ev.src.id),
                    )
                    continue
                flagged.append(ev)
            available[key] -= need
        return flagged

    def _hc_flag_negative(self, flagged, outcomes):
        """Posted although short (the item was used): one open exception per endpoint, location and product."""
        posted = [ev for ev in flagged if isinstance(outcomes.get(ev.msg.id), dict)]
        if not posted:
            return
        Exception_ = self.env["hc.exception"].sudo()
        for (ep_id, loc_id, product_id), evs in _group(
            posted, lambda e: (e.endpoint.id, e.src.id, e.product.id)
        ).items():
            cause = f"negative_stock:{ep_id}:{loc_id}:{product_id}"
            exc = Exception_.search([("cause", "=", cause), ("state", "in", ("new", "in_progress"))], limit=1)
            if not exc:
                ev = evs[0]
                exc = Exception_.create(
                    {
                        "name": f"negative_stock: {ev.product.display_name} at {ev.src.display_name}",
                        "code": "negative_stock",
                        "cause": cause,
                        "endpoint_id": ev.endpoint.id,
                        "company_id": ev.endpoint.company_id.id,
                        "severity": "medium",
                        "detail": "Posted although Odoo had less on hand: reconcile the count.",
                        "res_model": "stock.location",
                        "res_id": loc_id,
                        "raised_by_id": self.env.uid,
                        "team_id": (
                            self.env.ref("healthcare_inventory_sync.hc_team_pharmacy", raise_if_not_found=False)
                            or ev.endpoint.team_id
                        ).id,
                    }
                )
            exc.message_post(body=self.env._("%s more event(s) posted short.", len(evs)))

    # ------------------------------------------------------------------ posting
    def _hc_line(self, ev, virtual):
        """The stock move an event makes: from where to where, in its own unit, dated when it happened."""
        company = ev.src.company_id or ev.endpoint.company_id

        def place(kind):  # one lookup per company and kind in a batch, not one per event
            if (company.id, kind) not in virtual:
                virtual[company.id, kind] = self.env["stock.location"]._hc_virtual(company, kind)
            return virtual[company.id, kind]

        if ev.kind == "consumption":
            src, dest = ev.src, place("consumption")
        elif ev.kind == "waste":
            src, dest = ev.src, place("waste")
        elif ev.kind == "return":
            src, dest = place("consumption"), ev.src
        elif ev.kind == "receipt":
            src, dest = self.env.ref("stock.stock_location_suppliers"), ev.src
        else:
            src, dest = ev.src, ev.dest
        return self._hc_line_for(ev, ev.product, ev.qty, ev.uom, src, dest, ev.lot_rec, company)

    def _hc_line_for(self, ev, product, qty, uom, src, dest, lot, company):
        return HcLine(
            product=product,
            qty=qty,
            uom=uom,
            src=src,
            dest=dest,
            lot=lot or self.env["stock.lot"],
            company=company,
            date=ev.at,
            name=f"{ev.endpoint.code}: {ev.key}"[:200],
            origin=f"{ev.endpoint.code}:{ev.key}"[:200],
            message_id=ev.msg.id,
            correlation_id=ev.msg.correlation_id,
        )

    def _hc_vals(self, ln):
        """Odoo's standard path: the values of a draft move with its (picked) move line."""
        line = {
            "product_id": ln.product.id,
            "quantity": ln.qty,
            "product_uom_id": ln.uom.id,
            "location_id": ln.src.id,
            "location_dest_id": ln.dest.id,
            "company_id": ln.company.id,
            "picked": True,
        }
        if ln.lot:
            line["lot_id"] = ln.lot.id
        return {
            "name": ln.name,
            "product_id": ln.product.id,
            "product_uom_qty": ln.qty,
            "product_uom": ln.uom.id,
            "location_id": ln.src.id,
            "location_dest_id": ln.dest.id,
            "company_id": ln.company.id,
            "origin": ln.origin,
            "picked": True,
            "date": ln.date,
            "move_line_ids": [Command.create(line)],
        }

    def _hc_post(self, events, lines_by_event=None):
        """Post the moves of all events at once, dated when it happened.

        Plain moves are inserted done in bulk (``stock.move._hc_insert_done``); the rest
        (serials, push rules, ...) go through Odoo's confirm/done, one call per day of the batch
        so that the valuation entries carry the day the event happened.
        """
        if not events:
            return {}
        virtual = {}
        lines_by_event = lines_by_event or [[self._hc_line(ev, virtual)] for ev in events]
        Move = self.env["stock.move"].sudo()
        flat = [ln for lines in lines_by_event for ln in lines]
        ok = iter(Move._hc_direct_ok(flat))
        direct = [all(next(ok) for _ln in lines) for lines in lines_by_event]
        direct_lines = [ln for lines, d in zip(lines_by_event, direct, strict=True) if d for ln in lines]
        standard_lines = [ln for lines, d in zip(lines_by_event, direct, strict=True) if not d for ln in lines]
        posted = dict(zip(map(id, direct_lines), Move._hc_insert_done(direct_lines), strict=True))
        posted.update(zip(map(id, standard_lines), self._hc_post_standard(standard_lines), strict=True))
        return {
            ev.msg.id: {"result_model": "stock.move", "result_ids": [posted[id(ln)].id for ln in lines]}
            for ev, lines in zip(events, lines_by_event, strict=True)
        }

    def _hc_post_standard(self, lines):
        """Odoo's own confirm and done, per day of the batch; returns the moves in order of ``lines``."""
        if not lines:
            return self.env["stock.move"]
        Move = self.env["stock.move"].sudo()
        moves = Move.create([self._hc_vals(ln) for ln in lines])
        by_day = defaultdict(lambda: Move)
        for move, ln in zip(moves, lines, strict=True):
            by_day[fields.Date.to_date(ln.date)] |= move
        for day, day_moves in sorted(by_day.items()):
            dated = day_moves.with_context(force_period_date=day)
            dated._action_confirm(merge=False)
            dated._action_done()
        not_done = moves.filtered(lambda m: m.state != "done")
        if not_done:
            raise HcTechnicalError("move_not_done", f"{len(not_done)} stock moves could not be validated.")
        self._hc_date_moves([(m.id, ln.date) for m, ln in zip(moves, lines, strict=True)])
        return moves

    def _hc_date_moves(self, dates):
        """Stock moves carry the time it happened at the source, not the time they were posted."""
        self.env.flush_all()  # _action_done's own "now" must be written before we overwrite it
        rows = SQL(", ").join(SQL("(%s, %s::timestamp)", mid, at) for mid, at in dates)
        self.env.cr.execute(
            SQL("UPDATE stock_move m SET date = v.at FROM (VALUES %s) AS v(id, at) WHERE m.id = v.id", rows)
        )
        self.env.cr.execute(
            SQL("UPDATE stock_move_line l SET date = v.at FROM (VALUES %s) AS v(id, at) WHERE l.move_id = v.id", rows)
        )
        self.env["stock.move"].invalidate_model(["date"])
        self.env["stock.move.line"].invalidate_model(["date"])

    # ------------------------------------------------------------------ counts and reversals
    def _hc_record_counts(self, events):
        if not events:
            return {}
        groups = self.env["stock.quant"]._read_group(
            [
                ("product_id", "in", [ev.product.id for ev in events]),
                ("location_id", "in", [ev.src.id for ev in events]),
            ],
            ["product_id", "location_id", "lot_id"],
            ["quantity:sum"],
        )
        on_hand = defaultdict(float)
        for product, location, lot, qty in groups:
            on_hand[(product.id, location.id, lot.id or False)] += qty
        names = {ev.lot or ev.serial for ev in events} - {None, ""}
        lots = (
            self.env["stock.lot"].search(
                [("product_id", "in", [ev.product.id for ev in events]), ("name", "in", list(names))]
            )
            if names
            else self.env["stock.lot"]
        )
        lot_by_key = {(lot.product_id.id, lot.name): lot for lot in lots}  # one query for the batch
        vals = []
        for ev in events:
            lot = lot_by_key.get((ev.product.id, ev.lot or ev.serial), self.env["stock.lot"])
            odoo_qty = on_hand[(ev.product.id, ev.src.id, lot.id or False)]
            ext = ev.uom._compute_quantity(ev.qty, ev.product.uom_id)
            variance = ext - odoo_qty
            rounding = ev.product.uom_id.rounding
            cls = (
                "match"
                if float_compare(variance, 0, precision_rounding=rounding) == 0
                else ("over" if variance > 0 else "short")
            )
            vals.append(
                {
                    "message_id": ev.msg.id,
                    "endpoint_id": ev.endpoint.id,
                    "company_id": ev.endpoint.company_id.id,
                    "counted_at": ev.at,
                    "location_id": ev.src.id,
                    "product_id": ev.product.id,
                    "lot_id": lot.id or False,
                    "external_qty": ext,
                    "odoo_qty": odoo_qty,
                    "variance_qty": variance,
                    "variance_value": variance * ev.product.standard_price,
                    "classification": cls,
                }
            )
        counts = self.env["hc.stock.count"].sudo().create(vals)
        return {
            ev.msg.id: {"result_model": "hc.stock.count", "result_ids": [c.id]}
            for ev, c in zip(events, counts, strict=True)
        }

    def _hc_reverse(self, events):
        """``reverses``: undo exactly the original's moves, once; wait a while for a late original."""
        if not events:
            return {}
        out = {}
        keys = {(ev.endpoint.id, ev.reverses) for ev in events}
        originals = self.sudo().search(
            [
                ("endpoint_id", "in", [k[0] for k in keys]),
                ("idempotency_key", "in", [k[1] for k in keys]),
                ("state", "=", "done"),
                ("result_model", "=", "stock.move"),
            ]
        )
        by_key = {(m.endpoint_id.id, m.idempotency_key): m for m in originals}
        to_post, post_lines = [], []
        for ev in events:
            original = by_key.get((ev.endpoint.id, ev.reverses))
            if not original:
                waited = fields.Datetime.now() - (ev.msg.received_at or fields.Datetime.now())
                if waited < timedelta(minutes=ev.endpoint.hc_reversal_wait_minutes or 0):
                    out[ev.msg.id] = HcTechnicalError(
                        "reversal_pending", f"The reversed event {ev.reverses!r} has not arrived yet."
                    )
                else:
                    out[ev.msg.id] = HcBusinessError(
                        "reversal_unknown",
                        f"Event {ev.reverses!r} is unknown: there is nothing to reverse.",
                        cause=f"reversal_unknown:{ev.msg.id}",
                    )
                continue
            if original.hc_reversed_by_id:  # reversed already: no second effect
                out[ev.msg.id] = {
                    "result_model": "stock.move",
                    "result_ids": json.loads(original.hc_reversed_by_id.result_ids or "[]"),
                }
                continue
            original.hc_reversed_by_id = ev.msg
            moves = self.env["stock.move"].browse(json.loads(original.result_ids or "[]"))
            lines = [
                self._hc_line_for(
                    ev,
                    move.product_id,
                    line.quantity,
                    line.product_uom_id,
                    line.location_dest_id,
                    line.location_id,
                    line.lot_id,
                    move.company_id,
                )
                for move in moves
                for line in move.move_line_ids
            ]
            to_post.append(ev)
            post_lines.append(lines)
        out.update(self._hc_post(to_post, post_lines))
        return out


def _group(items, key):
    groups = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups
