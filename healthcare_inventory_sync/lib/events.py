"""Canonical inventory events (events-v1.md) read into typed values. No ORM.

The JSON Schema of the event is checked at the door; ``normalise_event`` still refuses wrong
types itself (``EventError('schema', ...)``), so it is safe on any dict, for example on an
event mapped from FHIR, which never met the schema.

What it does beyond types:

- ``type`` loses its ``inventory.`` prefix (``consumption``, ``return``, ``waste``,
  ``transfer``, ``receipt``, ``count``);
- ``occurred_at`` becomes an aware ``datetime`` (``occurred_at_utc`` gives the naive UTC value
  that Odoo stores);
- ``quantity`` becomes a ``Decimal`` (a JSON float through its shortest text, so ``0.1`` stays
  ``0.1``); positive, or zero for ``count``;
- ``item.gtin`` is verified and becomes 14 digits; ``item.gs1`` is parsed and its GTIN, lot,
  expiry and serial fill the fields the event leaves empty. When both say something they must
  agree: a different expiry is ``lot_expiry_mismatch``, a different GTIN, lot or serial is
  ``gs1_conflict``;
- optional strings that are empty become ``None``.

``source.facility`` must be a string but may be empty: an event mapped from FHIR may not know
its facility, and an empty facility matches mappings made for any facility.

Error codes (``EventError.code``): ``schema``, ``gtin_check_digit``, ``gtin_invalid``,
``gs1_unparseable``, ``gs1_conflict``, ``lot_expiry_mismatch``. Details never repeat the
value of ``patient_ref`` or ``encounter_ref``.
"""

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from .gs1 import Gs1Error, normalise_gtin, parse_gs1

TYPE_PREFIX = "inventory."
EVENT_TYPES = ("consumption", "return", "waste", "transfer", "receipt", "count")
RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SCHEMA_VERSION = re.compile(r"1\.\d+")
OPTIONAL_TEXT = ("lot", "serial", "patient_ref", "encounter_ref", "reverses", "reason")


class EventError(Exception):
    """An event that cannot be used; ``code`` is machine-readable, ``field`` the JSON field."""

    def __init__(self, code, detail, field=None):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.field = field


@dataclass(slots=True)
class NormalisedEvent:
    """One canonical event with typed values (see the module docstring)."""

    id: str
    type: str
    occurred_at: datetime
    system: str
    facility: str
    location: str
    to_location: str | None
    item_code: str | None
    gtin: str | None
    quantity: Decimal
    uom: str
    lot: str | None = None
    expiry: date | None = None
    serial: str | None = None
    patient_ref: str | None = None
    encounter_ref: str | None = None
    reverses: str | None = None
    reason: str | None = None

    @property
    def occurred_at_utc(self):
        """``occurred_at`` as a naive UTC ``datetime``, the way Odoo stores a Datetime."""
        return utc_naive(self.occurred_at)

    @property
    def full_type(self):
        """The contract's type name, e.g. ``inventory.consumption``."""
        return TYPE_PREFIX + self.type


def utc_naive(moment):
    """A naive UTC ``datetime`` from an aware one."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


# ---------------------------------------------------------------------------- field readers


def _schema(field, detail):
    return EventError("schema", f"{field}: {detail}", field)


def _required_text(obj, field):
    """A non-empty string at ``obj[field]``."""
    value = obj.get(field)
    if not isinstance(value, str) or not value:
        raise _schema(field, "a non-empty string is required")
    return value


def _optional_text(obj, field, path=None):
    """A string or None at ``obj[field]``; an empty string is None."""
    value = obj.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        shown = path or field
        raise _schema(shown, "must be a string or null")
    return value


def _object(obj, field):
    value = obj.get(field)
    if not isinstance(value, dict):
        raise _schema(field, "an object is required")
    return value


def _event_type(obj):
    value = obj.get("type")
    short = value[len(TYPE_PREFIX) :] if isinstance(value, str) and value.startswith(TYPE_PREFIX) else None
    if short not in EVENT_TYPES:
        raise _schema("type", f"must be one of {', '.join(TYPE_PREFIX + t for t in EVENT_TYPES)}")
    return short


def _schema_version(obj):
    value = obj.get("schema_version")
    if not isinstance(value, str) or not SCHEMA_VERSION.fullmatch(value):
        raise _schema("schema_version", "must be '1.x'")


def parse_timestamp(value, field="occurred_at"):
    """An aware ``datetime`` from an RFC 3339 string with an offset."""
    match = RFC3339.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise _schema(field, "must be an RFC 3339 date-time with an offset, e.g. 2026-11-23T07:41:39Z")
    day, clock, fraction, offset = match.groups()
    # spelled out for datetime.fromisoformat of Python 3.10 (no "Z", at most 6 fraction digits)
    micro = (fraction or "0")[:6].ljust(6, "0")
    offset = "+00:00" if offset in "Zz" else offset
    try:
        return datetime.fromisoformat(f"{day}T{clock}.{micro}{offset}")
    except ValueError:
        raise _schema(field, "is not a valid date-time") from None


def parse_date(value, field="expiry"):
    """A ``date`` from ``YYYY-MM-DD``, or None for null/empty."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not DATE.fullmatch(value):
        raise _schema(field, "must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _schema(field, "is not a valid date") from None


def parse_quantity(value, event_type):
    """A ``Decimal`` quantity: positive, or zero or more for ``count``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _schema("quantity", "must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise _schema("quantity", "must be a finite number")
    try:
        quantity = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        raise _schema("quantity", "must be a number") from None
    if quantity < 0 or (quantity == 0 and event_type != "count"):
        raise _schema("quantity", "must be positive (zero or more for inventory.count)")
    return quantity


# ---------------------------------------------------------------------------- item and GS1


def _gtin(value):
    """The 14-digit GTIN of ``item.gtin``, or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _schema("item.gtin", "must be a string or null")
    try:
        return normalise_gtin(value)
    except Gs1Error as exc:
        raise EventError(exc.code, f"item.gtin: {exc.detail}", "item.gtin") from None


def _gs1(item):
    """The parsed ``item.gs1``, or None."""
    text = _optional_text(item, "gs1", "item.gs1")
    if text is None:
        return None
    try:
        return parse_gs1(text)
    except Gs1Error as exc:
        raise EventError(exc.code, f"item.gs1: {exc.detail}", "item.gs1") from None


def _merge(field, explicit, from_gs1):
    """The explicit value, else the GS1 one; both given and different is an error."""
    if explicit is None or from_gs1 is None or explicit == from_gs1:
        return from_gs1 if explicit is None else explicit
    if field == "expiry":
        raise EventError(
            "lot_expiry_mismatch",
            f"expiry {explicit.isoformat()} differs from the expiry in item.gs1 ({from_gs1.isoformat()}).",
            "expiry",
        )
    path = "item.gtin" if field == "gtin" else field
    raise EventError("gs1_conflict", f"{path} {explicit!r} differs from item.gs1 ({from_gs1!r}).", path)


def _item_fields(obj):
    """``item_code``, ``gtin``, ``lot``, ``expiry``, ``serial`` with item.gs1 folded in."""
    item = _object(obj, "item")
    fields = {
        "item_code": _optional_text(item, "code", "item.code"),
        "gtin": _gtin(item.get("gtin")),
        "lot": _optional_text(obj, "lot"),
        "expiry": parse_date(obj.get("expiry")),
        "serial": _optional_text(obj, "serial"),
    }
    parsed = _gs1(item)
    if parsed is not None:
        for name in ("gtin", "lot", "expiry", "serial"):
            fields[name] = _merge(name, fields[name], getattr(parsed, name))
    if not (fields["item_code"] or fields["gtin"]):
        raise _schema("item", "needs a code, a gtin, or a gs1 string that carries a GTIN")
    return fields


# ---------------------------------------------------------------------------- entry point


def _source(obj):
    source = _object(obj, "source")
    system = source.get("system")
    facility = source.get("facility")
    if not isinstance(system, str) or not system:
        raise _schema("source.system", "a non-empty string is required")
    if not isinstance(facility, str):
        raise _schema("source.facility", "a string is required")
    return system, facility


def _to_location(obj, event_type):
    to_location = _optional_text(obj, "to_location")
    if event_type == "transfer" and not to_location:
        raise _schema("to_location", "is required for inventory.transfer")
    return to_location


def _optional(obj):
    """The optional free-text fields but lot and serial (read with the item)."""
    return {name: _optional_text(obj, name) for name in OPTIONAL_TEXT if name not in ("lot", "serial")}


def normalise_event(obj):
    """A ``NormalisedEvent`` from one canonical event dict; raises ``EventError``."""
    if not isinstance(obj, dict):
        raise _schema("$", "an event is a JSON object")
    event_type = _event_type(obj)
    _schema_version(obj)
    system, facility = _source(obj)
    return NormalisedEvent(
        id=_required_text(obj, "id"),
        type=event_type,
        occurred_at=parse_timestamp(obj.get("occurred_at")),
        system=system,
        facility=facility,
        location=_required_text(obj, "location"),
        to_location=_to_location(obj, event_type),
        quantity=parse_quantity(obj.get("quantity"), event_type),
        uom=_required_text(obj, "uom"),
        **_item_fields(obj),
        **_optional(obj),
    )
