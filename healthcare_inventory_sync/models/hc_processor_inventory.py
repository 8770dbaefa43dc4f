"""Canonical and FHIR inventory events into stock moves, a batch at a time.

The processor of the ``inventory.*``, ``SupplyDelivery`` and ``MedicationDispense`` message
types (``data/hc_message_type_data.xml``). Every kind of code in a batch is resolved with one
query; the moves of the batch are created together. Each event still succeeds or fails on its
own: validation failures are per event, and if posting the batch fails the engine re-runs its
events one by one.
"""

import json
from collections import defaultdict
from datetime import datetime, timedelta

from odoo import Command, api, fields, models
from odoo.addons.healthcare_integration_base.lib.errors import HcBusinessError, HcTechnicalError
from odoo.tools import SQL, float_compare

from ..lib import codes, fhir, schema
from ..lib import events as events_lib
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
    """One event being processed: the message, its normalised fields and what they resolve to.

    The fields come from ``lib/events.normalise_event`` (the one normalisation of canonical
    events, FHIR-mapped ones included): exact decimal quantity, verified GTIN, GS1 folded in.
    """

    __slots__ = (
        "msg",
        "kind",
        "at",
        "facility",
        "item_code",
        "gtin",
        "location",
        "to_location",
        "quantity",
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

    def __init__(self, msg, norm):
        self.msg = msg
        self.endpoint = msg.endpoint_id
        self.kind = norm.type
        self.at = norm.occurred_at_utc
        self.facility = norm.facility or ""
        self.item_code, self.gtin = norm.item_code, norm.gtin
        self.location, self.to_location = norm.location, norm.to_location
        self.quantity = norm.quantity  # Decimal, exactly as sent
        self.qty = float(norm.quantity)  # Odoo's quantities are floats: converted once, here
        self.uom_code = norm.uom
        self.lot, self.serial, self.expiry = norm.lot, norm.serial, norm.expiry
        self.reverses = norm.reverses
        self.product = self.src = self.dest = self.uom = self.lot_rec = None
        self.key = msg.idempotency_key


class HcProcessorInventory(models.AbstractModel):
    """Processor of canonical inventory events and their FHIR forms (SupplyDelivery, MedicationDispense)."""

    _name = "hc.processor.inventory"
    _inherit = "hc.message.processor"
    _description = "Processor: inventory events"

    # ------------------------------------------------------------------ the door
    @api.model
    def _validate_document(self, message_type, document, kind):
        if kind in ("event", "batch"):
            return schema.validate_event(document)
        return []

    @api.model
    def _openapi_schemas(self):
        return {
            "schemas": {"InventoryEvent": schema.INVENTORY_EVENT, "InventoryEventBatch": schema.EVENT_BATCH},
            "json_bodies": ["InventoryEvent", "InventoryEventBatch"],
        }

    # ------------------------------------------------------------------ entry point
    @api.model
    def _process(self, messages):
        outcomes, events = {}, []
        for msg in messages:
            try:
                events.append(Event(msg, self._hc_normalise(msg)))
            except HcBusinessError as exc:
                outcomes[msg.id] = exc
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
        self._hc_publish_posted(events, outcomes)
        return outcomes

    def _hc_normalise(self, msg):
        """The message as a normalised canonical event; what cannot be used is a business error."""
        body = json.loads(msg.payload or "{}")
        if msg.message_type in fhir.MAPPERS:
            try:
                body = fhir.fhir_to_event(body, source_system=msg.endpoint_id.code)
            except fhir.FhirUnmappable as exc:
                raise HcBusinessError(
                    codes.FHIR_UNMAPPABLE,
                    f"{exc.path}: {exc.detail}",
                    cause=f"fhir_unmappable:{msg.message_type}:{exc.path}",
                ) from None
        try:
            return events_lib.normalise_event(body)
        except events_lib.EventError as exc:
            code = codes.SCHEMA_VIOLATION if exc.code == "schema" else exc.code
            if code == codes.LOT_EXPIRY_MISMATCH:
                cause = f"{code}:{msg.idempotency_key}"
            else:
                cause = f"{code}:{msg.endpoint_id.id}:{exc.field or ''}"
            raise HcBusinessError(
                code, exc.detail, cause=cause, team_xmlid="healthcare_inventory_sync.hc_team_master_data"
            ) from None

    def _hc_publish_posted(self, events, outcomes):
        """``inventory.posted`` to subscribed systems, one per event that took effect (this transaction)."""
        done = [ev for ev in events if isinstance(outcomes.get(ev.msg.id), dict)]
        if not done:
            return
        self.env["hc.event.subscription"]._publish(
            "inventory.posted",
            [
                {
                    "company_id": ev.endpoint.company_id.id,
                    "correlation_id": ev.msg.correlation_id,
                    "occurred_at": ev.at,
                    "res_model": "hc.inbound.message",
                    "res_id": ev.msg.id,
                    "data": {
                        "message_id": ev.msg.id,
                        "endpoint": ev.endpoint.code,
                        "event_id": ev.key,
                        "type": f"inventory.{ev.kind}",
                        "item": {"code": ev.item_code, "gtin": ev.gtin},
                        "product": (ev.product.default_code or ev.product.display_name) if ev.product else None,
                        "location": ev.location,
                        "to_location": ev.to_location,
                        "quantity": str(ev.quantity),
                        "uom": ev.uom_code,
                        "lot": ev.lot,
                        "serial": ev.serial,
                        "reverses": ev.reverses,
                        "result": {
                            "model": outcomes[ev.msg.id].get("result_model"),
                            "ids": outcomes[ev.msg.id].get("result_ids") or [],
                        },
                    },
                }
                for ev in done
            ],
        )

    # ------------------------------------------------------------------ resolution (one query per kind)
    def _hc_resolve(self, events, outcomes):
        """Resolve every code of the batch, one query per kind.

        Processing runs with elevated rights, so every lookup stays in the endpoint's company
        (products and lots of that company or shared; locations of that company and, when the
        endpoint names allowed facilities, inside their warehouses): a code of another company is
        unknown here, whatever a mapping or a barcode says.
        """
        env = self.env
        loc_pairs = {
            (ev.endpoint.id, ev.facility, code) for ev in events for code in (ev.location, ev.to_location) if code
        }
        tables = self._hc_code_tables(
            item_pairs={(ev.endpoint.id, ev.facility, ev.item_code) for ev in events if ev.item_code},
            loc_pairs=loc_pairs,
            uom_pairs={(ev.endpoint.id, ev.facility, ev.uom_code) for ev in events if ev.uom_code},
            gtins={ev.gtin for ev in events if ev.gtin},
            item_codes={ev.item_code for ev in events if ev.item_code},
            company_ids=list({ev.endpoint.company_id.id for ev in events}),
        )
        uom_names = {name for ev in events if ev.uom_code for name in UOM_CODES.get(ev.uom_code.upper(), [])}
        uom_names |= {ev.uom_code for ev in events if ev.uom_code}
        uoms = env["uom.uom"].search([("name", "in", list(uom_names))]) if uom_names else env["uom.uom"]
        uom_by_name = {u.name.lower(): u for u in uoms}
        for ev in events:
            ep = ev.endpoint.id
            try:
                ev.product = self._hc_find_product(tables, ev.endpoint, ev.facility, ev.item_code, ev.gtin)
                if not ev.product:
                    what = ev.item_code or ev.gtin
                    raise HcBusinessError(
                        codes.ITEM_UNKNOWN,
                        f"No product for item {what!r} (map it, or set the product's barcode / internal reference).",
                        cause=f"item_unknown:{ep}:{what}",
                        team_xmlid="healthcare_inventory_sync.hc_team_master_data",
                    )
                ev.src = self._hc_location(ev, ev.location, tables)
                if ev.kind == "transfer":
                    ev.dest = self._hc_location(ev, ev.to_location, tables)
                ev.uom = self._hc_uom(ev, tables["uom"], uom_by_name)
            except HcBusinessError as exc:
                outcomes[ev.msg.id] = exc

    @api.model
    def _hc_code_tables(self, item_pairs, loc_pairs, uom_pairs, gtins, item_codes, company_ids):
        """What the codes of a batch resolve through, one query per kind: the endpoints' item,
        location and unit mappings (``{(endpoint_id, facility, code): id}``), products by GTIN and
        by internal reference (of ``company_ids`` or shared) and locations by barcode (of
        ``company_ids``). Processing and the messages' display fields read codes through the same
        tables and ``_hc_find_*``, so a message shows what processing would resolve."""
        env = self.env
        Product = env["product.product"].with_context(active_test=False)
        in_companies = [("company_id", "in", [False, *company_ids])]
        barcodes = {code for _e, _f, code in loc_pairs}
        tables = {
            "item": env["hc.item.mapping"]._lookup(item_pairs),
            "location": env["hc.location.mapping"]._lookup(loc_pairs),
            "uom": env["hc.uom.mapping"]._lookup(uom_pairs),
            "by_gtin": _by_company(
                Product.search([("hc_gtin14", "in", list(gtins)), *in_companies]) if gtins else [], "hc_gtin14"
            ),
            "by_code": _by_company(
                Product.search([("default_code", "in", list(item_codes)), *in_companies]) if item_codes else [],
                "default_code",
            ),
            "by_barcode": _by_company(
                env["stock.location"].search([("barcode", "in", list(barcodes)), ("company_id", "in", company_ids)])
                if barcodes
                else [],
                "barcode",
            ),
        }
        mapped_products = env["product.product"].browse(set(tables["item"].values()))
        mapped_locations = env["stock.location"].browse(set(tables["location"].values()))
        mapped_products.fetch(["company_id"])
        mapped_locations.fetch(["company_id", "warehouse_id"])
        return tables

    def _hc_find_product(self, tables, endpoint, facility, item_code, gtin):
        """The product an endpoint means by an item code or GTIN: its mapping, else the GTIN, else
        the internal reference; None when unknown in the endpoint's company."""
        company = endpoint.company_id.id
        key = (endpoint.id, facility, item_code)
        product = self.env["product.product"].browse(tables["item"][key]) if key in tables["item"] else None
        if product and product.company_id.id not in (False, company):
            product = None  # a mapping to another company's product: unknown here
        return product or _pick(tables["by_gtin"], company, gtin) or _pick(tables["by_code"], company, item_code)

    def _hc_find_location(self, tables, endpoint, facility, code):
        """The stock location an endpoint means by ``code``: its mapping, else the barcode; None when
        unknown, another company's, or outside the facilities the endpoint may move stock in."""
        company = endpoint.company_id.id
        key = (endpoint.id, facility, code)
        loc = (
            self.env["stock.location"].browse(tables["location"][key]) if key in tables["location"] else None
        ) or _pick(tables["by_barcode"], company, code, shared=False)
        allowed = endpoint.hc_warehouse_ids
        if loc and (loc.company_id.id != company or (allowed and loc.warehouse_id not in allowed)):
            return None  # another company's, or outside the facilities this endpoint may move
        return loc

    def _hc_location(self, ev, code, tables):
        loc = self._hc_find_location(tables, ev.endpoint, ev.facility, code)
        if not loc:
            raise HcBusinessError(
                codes.LOCATION_UNKNOWN,
                f"No stock location for code {code!r} (map it, or set the location's barcode).",
                cause=f"location_unknown:{ev.endpoint.id}:{code}",
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
                codes.UOM_UNKNOWN,
                f"No unit of measure for code {code!r}.",
                cause=f"uom_unknown:{ep}:{code}",
                team_xmlid="healthcare_inventory_sync.hc_team_master_data",
            )
        if uom.category_id != ev.product.uom_id.category_id:
            raise HcBusinessError(
                codes.UOM_INCOMPATIBLE,
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
        companies = [False, *{ev.endpoint.company_id.id for ev in tracked}]
        lots = (
            self.env["stock.lot"].search(
                [
                    ("product_id", "in", list({ev.product.id for ev in tracked})),
                    ("name", "in", list(names)),
                    ("company_id", "in", companies),
                ]
            )
            if names
            else self.env["stock.lot"]
        )
        by_key = _by_company(lots, "name", extra="product_id")
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
        code = codes.SERIAL_REQUIRED if serial else codes.LOT_REQUIRED
        if not name:
            raise HcBusinessError(
                code,
                f"{ev.product.display_name} is tracked: the event must name its {'serial' if serial else 'lot'}.",
                cause=f"{code}:{ev.endpoint.id}:{ev.product.id}",
            )
        lot = _pick(by_key, ev.endpoint.company_id.id, (ev.product.id, name))
        if not lot:
            if ev.kind == "receipt":
                vals = {"name": name, "product_id": ev.product.id, "company_id": ev.src.company_id.id or False}
                if ev.expiry:
                    vals["expiration_date"] = datetime.combine(ev.expiry, datetime.min.time())
                to_create.append((ev, vals))
                return
            raise HcBusinessError(
                codes.LOT_UNKNOWN,
                f"Lot {name!r} of {ev.product.display_name} is not known.",
                cause=f"lot_unknown:{ev.product.id}:{name}",
                team_xmlid="healthcare_inventory_sync.hc_team_pharmacy",
            )
        ev.lot_rec = lot
        if ev.expiry and lot.expiration_date and lot.expiration_date.date() != ev.expiry:
            raise HcBusinessError(
                codes.LOT_EXPIRY_MISMATCH,
                f"Lot {name!r} expires on {lot.expiration_date.date()} in Odoo, the event says {ev.expiry}.",
                cause=f"lot_expiry_mismatch:{lot.id}",
                record=("stock.lot", lot.id),
            )
        if ev.kind in CHECKS_EXPIRY:
            if lot.expiration_date and lot.expiration_date <= ev.at and not ev.msg._is_approved("lot_expired"):
                raise HcBusinessError(
                    codes.LOT_EXPIRED,
                    f"Lot {name!r} expired on {lot.expiration_date.date()}.",
                    cause=f"lot_expired:{ev.msg.id}",
                    record=("stock.lot", lot.id),
                    severity="high",
                    team_xmlid="healthcare_inventory_sync.hc_team_pharmacy",
                )
            if lot.hc_quarantined and not ev.msg._is_approved("lot_quarantined"):
                raise HcBusinessError(
                    codes.LOT_QUARANTINED,
                    f"Lot {name!r} is quarantined.",
                    cause=f"lot_quarantined:{ev.msg.id}",
                    record=("stock.lot", lot.id),
                    severity="high",
                    team_xmlid="healthcare_inventory_sync.hc_team_pharmacy",
                )
        if serial and ev.kind in TAKES_FROM_STOCK and on_hand.get(lot.id, 0) <= 0:
            raise HcBusinessError(
                codes.SERIAL_ALREADY_CONSUMED,
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
                        codes.NEGATIVE_STOCK,
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
                        "code": codes.NEGATIVE_STOCK,
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
        companies = [False, *{ev.endpoint.company_id.id for ev in events}]
        lots = (
            self.env["stock.lot"].search(
                [
                    ("product_id", "in", [ev.product.id for ev in events]),
                    ("name", "in", list(names)),
                    ("company_id", "in", companies),
                ]
            )
            if names
            else self.env["stock.lot"]
        )
        lot_by_key = _by_company(lots, "name", extra="product_id")  # one query for the batch
        vals = []
        for ev in events:
            key = (ev.product.id, ev.lot or ev.serial)
            lot = _pick(lot_by_key, ev.endpoint.company_id.id, key) or self.env["stock.lot"]
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
        originals = (
            self.env["hc.inbound.message"]
            .sudo()
            .search(
                [
                    ("endpoint_id", "in", [k[0] for k in keys]),
                    ("idempotency_key", "in", [k[1] for k in keys]),
                    ("state", "=", "done"),
                    ("result_model", "=", "stock.move"),
                ]
            )
        )
        by_key = {(m.endpoint_id.id, m.idempotency_key): m for m in originals}
        to_post, post_lines = [], []
        for ev in events:
            original = by_key.get((ev.endpoint.id, ev.reverses))
            if not original:
                waited = fields.Datetime.now() - (ev.msg.received_at or fields.Datetime.now())
                window = timedelta(minutes=ev.endpoint.hc_reversal_wait_minutes or 0)
                if waited < window:
                    # waits for its original within the endpoint's window, not on the retry budget:
                    # never 'dead' before the window ends; then retried once more -> reversal_unknown
                    deadline = (ev.msg.received_at or fields.Datetime.now()) + window + timedelta(seconds=1)
                    out[ev.msg.id] = HcTechnicalError(
                        codes.REVERSAL_PENDING,
                        f"The reversed event {ev.reverses!r} has not arrived yet.",
                        retry_at=min(fields.Datetime.now() + timedelta(minutes=5), deadline),
                        counts=False,
                    )
                else:
                    out[ev.msg.id] = HcBusinessError(
                        codes.REVERSAL_UNKNOWN,
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


def _by_company(records, key_field, extra=None):
    """{(company_id or False, key): record} of records found by a code; with ``extra`` (a
    many2one field), the key is ``(record[extra].id, record[key_field])``."""
    if extra:
        return {(rec.company_id.id or False, (rec[extra].id, rec[key_field])): rec for rec in records}
    return {(rec.company_id.id or False, rec[key_field]): rec for rec in records}


def _pick(found, company_id, key, shared=True):
    """The record of ``key`` in the endpoint's company, else (``shared``) one of no company."""
    if not key:
        return None
    return found.get((company_id, key)) or (found.get((False, key)) if shared else None)


def _group(items, key):
    groups = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return groups
