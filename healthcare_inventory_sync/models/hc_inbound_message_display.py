"""What an inventory message is about, in Odoo's terms: product, lot, quantity and unit, from
and to which location, when, and which system sent it.

Stored so that the message list can show, filter and group by them. They are computed from
the payload when the message is stored (the ingestion inserts rows in bulk SQL: the fields are
then queued for computation and filled, for the whole batch at once, before the commit) and
never change afterwards. Reading them never blocks processing: a payload that cannot be read
leaves them empty.
"""

import json
import logging
import math

from odoo import api, fields, models

from ..lib import fhir, gs1

_logger = logging.getLogger(__name__)

EACH_CODES = {"EA", "{EACH}", "EACH", "UNIT", "UNITS", "PCE", "U", "1"}
EVENT_DISPLAY_FIELDS = (
    "hc_event_kind",
    "hc_item_code",
    "hc_product_id",
    "hc_lot_name",
    "hc_lot_id",
    "hc_expiry_date",
    "hc_quantity",
    "hc_uom_code",
    "hc_uom_id",
    "hc_location_code",
    "hc_location_id",
    "hc_location_dest_code",
    "hc_location_dest_id",
    "hc_source_system",
)


def _canonical(msg):
    """The canonical event of a message (FHIR resources mapped), or None."""
    if not msg.payload:
        return None
    try:
        body = json.loads(msg.payload)
        if msg.message_type in fhir.MAPPERS:
            body = fhir.fhir_to_event(body, source_system=msg.endpoint_id.code)
    except Exception:  # a display must never fail: the processor reports what is wrong
        return None
    if not isinstance(body, dict):
        return None
    body = _clean(body)
    item = body.get("item")
    if isinstance(item, dict) and item.get("gs1"):
        try:
            parsed = gs1.parse_gs1(item["gs1"])
        except Exception:
            parsed = None
        if parsed:
            body = {**body, "item": {**item, "gtin": item.get("gtin") or parsed.gtin}}
            for name in ("lot", "serial"):
                body[name] = body.get(name) or getattr(parsed, name, None)
            if not body.get("expiry") and getattr(parsed, "expiry", None):
                body["expiry"] = str(parsed.expiry)
    return body


TEXT_KEYS = ("type", "lot", "serial", "expiry", "uom", "location", "to_location")


def _text(value):
    return value if isinstance(value, str) and value and "\x00" not in value and len(value) <= 255 else None


def _clean(body):
    """Only what a display may use: strings where strings belong, a number where the quantity is
    (the payload of a rejected message can hold anything: lists, objects, NUL characters)."""
    item = body.get("item") if isinstance(body.get("item"), dict) else {}
    source = body.get("source") if isinstance(body.get("source"), dict) else {}
    return {
        **{key: _text(body.get(key)) for key in TEXT_KEYS},
        "quantity": _number(body.get("quantity")),
        "item": {key: _text(item.get(key)) for key in ("code", "gtin", "gs1")},
        "source": {key: _text(source.get(key)) for key in ("system", "facility")},
    }


def _number(value):
    """A finite quantity a float field can hold, or None (NaN, infinity, 10**400 ...)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) and abs(number) <= 1e12 else None


class HcInboundMessage(models.Model):
    _inherit = "hc.inbound.message"

    hc_event_kind = fields.Char(
        string="Event", compute="_compute_hc_event_display", store=True, help="consumption, waste, receipt, ..."
    )
    hc_item_code = fields.Char(string="Item Code", compute="_compute_hc_event_display", store=True)
    hc_product_id = fields.Many2one(
        "product.product", string="Product", compute="_compute_hc_event_display", store=True, index="btree_not_null"
    )
    hc_lot_name = fields.Char(string="Lot/Serial (as sent)", compute="_compute_hc_event_display", store=True)
    hc_lot_id = fields.Many2one(
        "stock.lot", string="Lot/Serial", compute="_compute_hc_event_display", store=True, index="btree_not_null"
    )
    hc_expiry_date = fields.Date(string="Expiry (as sent)", compute="_compute_hc_event_display", store=True)
    hc_quantity = fields.Float(
        string="Quantity", digits="Product Unit of Measure", compute="_compute_hc_event_display", store=True
    )
    hc_uom_code = fields.Char(string="Unit (as sent)", compute="_compute_hc_event_display", store=True)
    hc_uom_id = fields.Many2one("uom.uom", string="Unit", compute="_compute_hc_event_display", store=True)
    hc_location_code = fields.Char(string="Location Code", compute="_compute_hc_event_display", store=True)
    hc_location_id = fields.Many2one(
        "stock.location", string="From", compute="_compute_hc_event_display", store=True, index="btree_not_null"
    )
    hc_location_dest_code = fields.Char(string="To Location Code", compute="_compute_hc_event_display", store=True)
    hc_location_dest_id = fields.Many2one(
        "stock.location", string="To", compute="_compute_hc_event_display", store=True
    )
    hc_source_system = fields.Char(string="Sending System", compute="_compute_hc_event_display", store=True)
    hc_quantity_display = fields.Char(string="Quantity and Unit", compute="_compute_hc_quantity_display")

    @api.model
    def _insert_messages(self, ctx, docs, indexes, meta, now):
        ids = super()._insert_messages(ctx, docs, indexes, meta, now)
        records = self.browse(ids)
        for name in EVENT_DISPLAY_FIELDS:
            self.env.add_to_compute(self._fields[name], records)
        return ids

    @api.depends("payload", "message_type", "endpoint_id")
    def _compute_hc_event_display(self):
        events = {}
        for msg in self:
            body = (
                _canonical(msg)
                if (msg.message_type or "").startswith("inventory.") or (msg.message_type in fhir.MAPPERS)
                else None
            )
            events[msg.id] = body
        resolved = self._hc_display_resolve(events)
        for msg in self:
            ev = events.get(msg.id) or {}
            item = ev.get("item") if isinstance(ev.get("item"), dict) else {}
            source = ev.get("source") if isinstance(ev.get("source"), dict) else {}
            res = resolved.get(msg.id, {})
            qty = ev.get("quantity")
            msg.hc_event_kind = (ev.get("type") or "").split(".", 1)[-1] or False
            msg.hc_item_code = item.get("code") or item.get("gtin") or item.get("gs1") or False
            msg.hc_product_id = res.get("product")
            msg.hc_lot_name = ev.get("lot") or ev.get("serial") or False
            msg.hc_lot_id = res.get("lot")
            msg.hc_expiry_date = _date(ev.get("expiry"))
            msg.hc_quantity = qty if isinstance(qty, int | float) and not isinstance(qty, bool) else 0.0
            msg.hc_uom_code = ev.get("uom") or False
            msg.hc_uom_id = res.get("uom")
            msg.hc_location_code = ev.get("location") or False
            msg.hc_location_id = res.get("location")
            msg.hc_location_dest_code = ev.get("to_location") or False
            msg.hc_location_dest_id = res.get("location_dest")
            msg.hc_source_system = source.get("system") or False

    def _hc_display_resolve(self, events):
        """{message_id: {"product", "lot", "uom", "location", "location_dest"}}, a few queries per batch."""
        env = self.env
        todo = {mid: ev for mid, ev in events.items() if ev}
        if not todo:
            return {}
        msgs = {m.id: m for m in self.browse(list(todo))}

        def key(mid, code):
            ev = todo[mid]
            facility = (ev.get("source") or {}).get("facility") if isinstance(ev.get("source"), dict) else ""
            return (msgs[mid].endpoint_id.id, facility or "", code)

        items = {mid: (ev.get("item") or {}) if isinstance(ev.get("item"), dict) else {} for mid, ev in todo.items()}
        loc_pairs = {
            key(mid, code) for mid, ev in todo.items() for code in (ev.get("location"), ev.get("to_location")) if code
        }
        companies = list({m.endpoint_id.company_id.id for m in msgs.values()})
        # the processor's own lookups, so a message shows what processing resolves (or refuses)
        Processor = env["hc.processor.inventory"].sudo()
        tables = Processor._hc_code_tables(
            item_pairs={key(mid, it.get("code")) for mid, it in items.items() if it.get("code")},
            loc_pairs=loc_pairs,
            uom_pairs={key(mid, ev.get("uom")) for mid, ev in todo.items() if ev.get("uom")},
            gtins={_gtin14(it.get("gtin")) for it in items.values() if it.get("gtin")} - {None},
            item_codes={it.get("code") for it in items.values() if it.get("code")},
            company_ids=companies,
        )
        out = {}
        for mid, ev in todo.items():
            it = items[mid]
            endpoint = msgs[mid].endpoint_id.sudo()
            facility = key(mid, None)[1]
            product = Processor._hc_find_product(
                tables, endpoint, facility, it.get("code"), _gtin14(it.get("gtin")) if it.get("gtin") else None
            )

            def location(code, endpoint=endpoint, facility=facility):
                return Processor._hc_find_location(tables, endpoint, facility, code) if code else None

            uom = None
            if ev.get("uom"):
                hit = tables["uom"].get(key(mid, ev["uom"]))
                if hit:
                    uom = env["uom.uom"].browse(hit)
                elif (
                    product
                    and str(ev["uom"]).upper() in EACH_CODES
                    and product.uom_id.category_id == env.ref("uom.product_uom_categ_unit")
                ):
                    uom = product.uom_id
            elif product:
                uom = product.uom_id
            out[mid] = {
                "product": product,
                "uom": uom,
                "location": location(ev.get("location")),
                "location_dest": location(ev.get("to_location")),
            }
        lot_names = {
            (out[mid]["product"].id, ev.get("lot") or ev.get("serial"))
            for mid, ev in todo.items()
            if out[mid]["product"] and (ev.get("lot") or ev.get("serial"))
        }
        if lot_names:
            lots = (
                env["stock.lot"]
                .sudo()
                .search(
                    [
                        ("product_id", "in", list({p for p, _n in lot_names})),
                        ("name", "in", list({n for _p, n in lot_names})),
                        ("company_id", "in", [False, *companies]),
                    ]
                )
            )
            by_lot = {(lot.product_id.id, lot.name): lot for lot in lots}
            for mid, ev in todo.items():
                product = out[mid]["product"]
                if product:
                    out[mid]["lot"] = by_lot.get((product.id, ev.get("lot") or ev.get("serial")))
        return out

    @api.depends("hc_quantity", "hc_uom_id", "hc_uom_code", "hc_event_kind")
    def _compute_hc_quantity_display(self):
        for msg in self:
            if not msg.hc_event_kind:
                msg.hc_quantity_display = False
                continue
            unit = msg.hc_uom_id.name or msg.hc_uom_code or ""
            msg.hc_quantity_display = f"{msg.hc_quantity:g} {unit}".strip()


def _date(value):
    try:
        return fields.Date.to_date(value) if isinstance(value, str) else False
    except ValueError:
        return False


def _gtin14(value):
    return gs1.gtin_lookup_keys(value) if value else None
