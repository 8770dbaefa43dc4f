"""FHIR R4 SupplyDelivery / MedicationDispense -> canonical inventory events (events-v1.md). No ORM.

``fhir_to_events(resource, source_system, facility)`` returns canonical event dicts
(``schema_version`` "1.0"); what cannot be mapped raises ``FhirUnmappable(path, detail)`` where
``path`` is the JSON path of the element the sender must add or fix (``$.destination``,
``$.suppliedItem.quantity.value``, ``$.entry[2].resource.whenHandedOver`` ...).

Mapping, per resource:

SupplyDelivery (``status`` must be ``completed``)
    ``inventory.receipt`` into ``destination``. When ``supplier`` refers to a Location
    (``Location/...``, or a contained Location) the goods came from one of our own places: the
    event is an ``inventory.transfer`` from that location to ``destination``. R4 allows only
    Practitioner/Organization suppliers, so a Location supplier is this suite's convention;
    anything else (an Organization, a display-only vendor) is a receipt.
    ``occurred_at`` from ``occurrenceDateTime``, else ``occurrencePeriod.end``; the item from
    ``suppliedItem.itemCodeableConcept`` or ``suppliedItem.itemReference``; quantity from
    ``suppliedItem.quantity``.
MedicationDispense (``status`` must be ``completed``)
    ``inventory.consumption`` at ``location`` (where the dispense happened: the cabinet or the
    pharmacy). ``occurred_at`` from ``whenHandedOver``, else ``whenPrepared``; the item from
    ``medicationCodeableConcept`` or ``medicationReference``; quantity from ``quantity``;
    ``patient_ref`` from ``subject`` (raw: the HTTP layer pseudonymises it), ``encounter_ref``
    from ``context`` (R4) or ``encounter`` (R5).
Bundle
    one event per ``entry[i].resource`` (each must map; the HTTP layer normally splits Bundles
    before this is called).

Common rules:

- ``id`` is ``"<resourceType>/<id>"`` (the idempotency key the HTTP contract names).
- A CodeableConcept's coding with a GS1 GTIN system (``GTIN_SYSTEMS``) gives ``item.gtin``;
  the first other coding with a code gives ``item.code``. A reference to a contained
  Medication maps its ``code`` and ``batch`` (lot and expiry); a contained Device maps its UDI
  (``udiCarrier.carrierHRF`` -> ``item.gs1``, a GS1 ``deviceIdentifier`` -> ``item.gtin``),
  ``type``, lot, expiry and serial; any other reference gives ``item.code`` = its id.
- Lot, expiry, serial and a GS1 string may also come from extensions on the resource, on
  ``suppliedItem`` or on the contained item: the last segment of the extension ``url`` names
  the field (``lotNumber``, ``expirationDate``, ``serialNumber``, ``gs1``; see ``EXTENSIONS``).
- A place is the id of a Location reference (``Location/ICU-CAB-07`` -> ``ICU-CAB-07``; a
  contained Location gives its identifier, else its name), else ``identifier.value``, else
  ``display``.
- A date without a time (``2016-12-31``) is taken as midnight UTC; a partial date is refused.
  An expiry ``YYYY-MM`` is the last day of that month (as GS1 does).
- The unit is ``quantity.code``, else ``quantity.unit``, else ``EA``: a SimpleQuantity without
  a unit counts items.
- ``source.system`` is the ``source_system`` argument; ``source.facility`` the ``facility``
  argument, else the code of a ``meta.tag`` whose system names a facility
  (``FACILITY_TAG_SYSTEMS``, or any system ending in ``/facility`` or ``:facility``), else
  empty (mappings made for any facility apply).
"""

import calendar
import math
import re
from datetime import date

from .events import EventError, parse_timestamp

GTIN_SYSTEMS = {
    "https://www.gs1.org/gtin",
    "http://www.gs1.org/gtin",
    "https://gs1.org/gtin",
    "http://gs1.org/gtin",
    "urn:oid:1.3.160",
}
GS1_DI_SYSTEMS = GTIN_SYSTEMS | {"http://hl7.org/fhir/NamingSystem/gs1-di", "http://hl7.org/fhir/NamingSystem/gs1"}
FACILITY_TAG_SYSTEMS = {"urn:healthcare-integration-suite:facility"}
EXTENSIONS = {
    "lot": {"lotnumber", "lot-number", "lot", "batch"},
    "expiry": {"expirationdate", "expiration-date", "expiry", "expirydate", "expiry-date"},
    "serial": {"serialnumber", "serial-number", "serial"},
    "gs1": {"gs1", "gs1-element-string", "gs1elementstring", "udi", "carrierhrf"},
}
EXTENSION_VALUES = ("valueString", "valueCode", "valueDate", "valueDateTime", "valueId")
DEFAULT_UOM = "EA"
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
HISTORY = re.compile(r"/_history/.*$")
FIELD_ORDER = (
    "id",
    "type",
    "schema_version",
    "occurred_at",
    "source",
    "location",
    "to_location",
    "item",
    "quantity",
    "uom",
    "lot",
    "expiry",
    "serial",
    "patient_ref",
    "encounter_ref",
)


class FhirUnmappable(Exception):
    """A FHIR resource that cannot become an event; ``path`` says what to add or fix."""

    def __init__(self, path, detail):
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


# ---------------------------------------------------------------------------- small readers


def _text(value):
    """``value`` when it is a non-empty string, else None."""
    return value if isinstance(value, str) and value.strip() else None


def _shown(value, limit=60):
    """A short ``repr`` of a sender's value for an error detail."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def _reference_parts(reference):
    """``(type, id)`` of a literal reference: ``Location/X``, an absolute URL, ``urn:uuid:``."""
    ref = HISTORY.sub("", reference.strip()).rstrip("/")
    if ref.startswith(("urn:uuid:", "urn:oid:")):
        return None, ref.rsplit(":", 1)[1]
    parts = ref.rsplit("/", 2)
    return (parts[-2] if len(parts) > 1 else None), parts[-1]


def _contained(resource, reference, path=None):
    """``(index, resource)`` of the contained resource ``#id`` refers to, or ``(None, None)``.

    A local reference to nothing raises ``FhirUnmappable(path)`` when a path is given.
    """
    if not (isinstance(reference, str) and reference.startswith("#")):
        return None, None
    for index, item in enumerate(_list(resource.get("contained"))):
        if isinstance(item, dict) and item.get("id") == reference[1:]:
            return index, item
    if path is not None:
        raise FhirUnmappable(path, f"{_shown(reference)} refers to no contained resource")
    return None, None


def _fhir_date(value, path):
    """An ISO date from a FHIR date/dateTime; ``YYYY-MM`` is the last day of that month."""
    text = _text(value) or ""
    full, month = DATE.match(text), YEAR_MONTH.fullmatch(text)
    try:
        if full:
            return date.fromisoformat(full.group(0)).isoformat()
        if month:
            year, mon = int(month.group(1)), int(month.group(2))
            return date(year, mon, calendar.monthrange(year, mon)[1]).isoformat()
    except (ValueError, calendar.IllegalMonthError):
        pass
    raise FhirUnmappable(path, "must be a date (YYYY-MM-DD or YYYY-MM)")


def _timestamp(value, path):
    """An RFC 3339 date-time from a FHIR dateTime; a full date alone is midnight UTC."""
    text = _text(value)
    if text is None:
        raise FhirUnmappable(path, "is required: when it happened")
    if DATE.fullmatch(text):
        text = f"{text}T00:00:00Z"
    try:
        parse_timestamp(text, path)
    except EventError:
        raise FhirUnmappable(path, "must be a full date, or a date-time with a time zone offset") from None
    return text


# ---------------------------------------------------------------------------- places


def _contained_place(location):
    """A contained Location's code: its first identifier value, else its name, else its id."""
    for ident in _list(location.get("identifier")):
        if _text(_dict(ident).get("value")):
            return ident["value"]
    return _text(location.get("name")) or _text(location.get("id"))


def _place(resource, node, path):
    """The code of a place: Location reference id, identifier value, or display."""
    if not isinstance(node, dict):
        raise FhirUnmappable(path, "is required: a reference to the Location")
    reference = _text(node.get("reference"))
    if reference:
        _index, contained = _contained(resource, reference, f"{path}.reference")
        code = _contained_place(contained) if contained else _reference_parts(reference)[1]
        if code:
            return code
    code = _text(_dict(node.get("identifier")).get("value")) or _text(node.get("display"))
    if code is None:
        raise FhirUnmappable(path, "has no reference, identifier.value or display")
    return code


def _is_location(resource, node):
    """Whether a reference points at a Location (literal, typed, or contained)."""
    node = _dict(node)
    reference = _text(node.get("reference"))
    if node.get("type") == "Location" and (reference or _text(_dict(node.get("identifier")).get("value"))):
        return True
    if reference is None:
        return False
    _index, contained = _contained(resource, reference)
    if contained is not None:
        return contained.get("resourceType") == "Location"
    return _reference_parts(reference)[0] == "Location"


# ---------------------------------------------------------------------------- items


def _concept_item(concept, path):
    """``{"gtin": ..., "code": ...}`` from a CodeableConcept's codings."""
    codings = _list(_dict(concept).get("coding"))
    if not codings:
        raise FhirUnmappable(f"{path}.coding", "is required: a coding with the item's code or GTIN")
    item = {}
    for coding in map(_dict, codings):
        code = _text(coding.get("code"))
        if code is None:
            continue
        key = "gtin" if _text(coding.get("system")) in GTIN_SYSTEMS else "code"
        item.setdefault(key, code.strip())
    if not item:
        raise FhirUnmappable(f"{path}.coding[0].code", "is required: no coding has a code")
    return item


def _extension_fields(nodes):
    """``{field: (value, path)}`` for lot / expiry / serial / gs1 from the extensions of the
    given ``(element, path)`` pairs; the first one found wins."""
    found = {}
    for node, path in nodes:
        for index, ext in enumerate(map(_dict, _list(_dict(node).get("extension")))):
            name = re.split(r"[/#:]", str(ext.get("url") or ""))[-1].lower()
            key = next((k for k in EXTENSION_VALUES if _text(ext.get(k))), None)
            field = next((f for f, names in EXTENSIONS.items() if name in names), None)
            if key and field:
                found.setdefault(field, (ext[key].strip(), f"{path}.extension[{index}].{key}"))
    return found


def _medication_item(medication, path):
    """Item, lot and expiry of a contained Medication."""
    item = _concept_item(medication.get("code"), f"{path}.code")
    batch = _dict(medication.get("batch"))
    extra = {"lot": _text(batch.get("lotNumber")), "expiry": batch.get("expirationDate")}
    return item, extra, f"{path}.batch.expirationDate"


def _device_item(device, path):
    """Item, lot, expiry and serial of a contained Device (its UDI first)."""
    item = {}
    for carrier in map(_dict, _list(device.get("udiCarrier"))):
        if _text(carrier.get("carrierHRF")):
            item.setdefault("gs1", carrier["carrierHRF"].strip())
        if _text(carrier.get("deviceIdentifier")) and _text(carrier.get("issuer")) in GS1_DI_SYSTEMS:
            item.setdefault("gtin", carrier["deviceIdentifier"].strip())
    if not item:
        item = _concept_item(device.get("type"), f"{path}.type")
    extra = {
        "lot": _text(device.get("lotNumber")),
        "expiry": device.get("expirationDate"),
        "serial": _text(device.get("serialNumber")),
    }
    return item, extra, f"{path}.expirationDate"


CONTAINED_ITEMS = {"Medication": _medication_item, "Device": _device_item}


def _referenced_item(resource, node, path):
    """``(item, extra, expiry_path, (contained, path) or None)`` for an item given as a Reference."""
    reference = _text(_dict(node).get("reference"))
    if reference is None:
        raise FhirUnmappable(f"{path}.reference", "is required: a reference to the item")
    index, contained = _contained(resource, reference, f"{path}.reference")
    if contained is None:
        return {"code": _reference_parts(reference)[1]}, {}, None, None
    mapper = CONTAINED_ITEMS.get(_text(contained.get("resourceType")))
    if mapper is None:
        raise FhirUnmappable(f"$.contained[{index}].resourceType", "must be Medication or Device")
    contained_path = f"$.contained[{index}]"
    return (*mapper(contained, contained_path), (contained, contained_path))


def _item_fields(resource, concept, concept_path, reference, reference_path, extended):
    """``item`` plus lot/expiry/serial for the event, from a concept or a reference."""
    if concept is not None:
        item, extra, expiry_path, contained = _concept_item(concept, concept_path), {}, None, None
    elif reference is not None:
        item, extra, expiry_path, contained = _referenced_item(resource, reference, reference_path)
    else:
        raise FhirUnmappable(concept_path, "is required: the item (a CodeableConcept or a Reference)")
    from_ext = _extension_fields((*extended, contained) if contained else extended)
    if "gs1" in from_ext:
        item.setdefault("gs1", from_ext["gs1"][0])
    fields = {"item": item}
    for name in ("lot", "expiry", "serial"):
        value, path = (extra[name], expiry_path) if extra.get(name) else from_ext.get(name, (None, None))
        if value and name == "expiry":
            value = _fhir_date(value, path)
        if value:
            fields[name] = value
    return fields


# ---------------------------------------------------------------------------- quantity, people, source


def _quantity(node, path):
    """``(value, uom)`` of a (Simple)Quantity; the value must be a positive number."""
    node = _dict(node)
    value = node.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FhirUnmappable(f"{path}.value", "is required: how many")
    if (isinstance(value, float) and not math.isfinite(value)) or not value > 0:
        raise FhirUnmappable(f"{path}.value", "must be a positive number")
    uom = _text(node.get("code")) or _text(node.get("unit")) or DEFAULT_UOM
    return value, uom


def _person_ref(*nodes):
    """The raw reference (or identifier value) of the first given Reference."""
    for node in map(_dict, nodes):
        value = _text(node.get("reference")) or _text(_dict(node.get("identifier")).get("value"))
        if value:
            return value
    return None


def _facility(resource, facility):
    """The facility argument, else a facility ``meta.tag``, else empty."""
    if _text(facility):
        return facility
    for tag in map(_dict, _list(_dict(resource.get("meta")).get("tag"))):
        system = str(tag.get("system") or "")
        if system in FACILITY_TAG_SYSTEMS or system.endswith(("/facility", ":facility")):
            code = _text(tag.get("code"))
            if code:
                return code
    return ""


def _header(resource, root, event_type, source_system, facility):
    """``id``, ``type``, ``schema_version`` and ``source`` of the event."""
    rid = _text(resource.get("id"))
    if rid is None:
        raise FhirUnmappable(f"{root}.id", "is required: the resource id is the event id")
    return {
        "id": f"{resource['resourceType']}/{rid}",
        "type": event_type,
        "schema_version": "1.0",
        "source": {"system": source_system, "facility": _facility(resource, facility)},
    }


def _require_completed(resource, root, what):
    status = resource.get("status")
    if status != "completed":
        raise FhirUnmappable(f"{root}.status", f"is {_shown(status)}; only a completed {what} moves stock")


# ---------------------------------------------------------------------------- resources


def _delivery_time(resource, root):
    if resource.get("occurrenceDateTime") is not None or not isinstance(resource.get("occurrencePeriod"), dict):
        return _timestamp(resource.get("occurrenceDateTime"), f"{root}.occurrenceDateTime")
    return _timestamp(resource["occurrencePeriod"].get("end"), f"{root}.occurrencePeriod.end")


def supply_delivery(resource, source_system="fhir", facility=None, root="$"):
    """A completed SupplyDelivery: a receipt into ``destination`` (transfer from a Location supplier)."""
    _require_completed(resource, root, "SupplyDelivery")
    transfer = _is_location(resource, resource.get("supplier"))
    event = _header(resource, root, "inventory.transfer" if transfer else "inventory.receipt", source_system, facility)
    event["occurred_at"] = _delivery_time(resource, root)
    supplied = resource.get("suppliedItem")
    if not isinstance(supplied, dict):
        raise FhirUnmappable(f"{root}.suppliedItem", "is required: what was delivered")
    path = f"{root}.suppliedItem"
    items = _item_fields(
        resource,
        supplied.get("itemCodeableConcept"),
        f"{path}.itemCodeableConcept",
        supplied.get("itemReference"),
        f"{path}.itemReference",
        ((resource, root), (supplied, path)),
    )
    event["quantity"], event["uom"] = _quantity(supplied.get("quantity"), f"{path}.quantity")
    destination = _place(resource, resource.get("destination"), f"{root}.destination")
    if transfer:
        event["location"] = _place(resource, resource.get("supplier"), f"{root}.supplier")
        event["to_location"] = destination
    else:
        event["location"] = destination
    event.update(items)
    patient = _person_ref(resource.get("patient"))
    if patient:
        event["patient_ref"] = patient
    return event


def medication_dispense(resource, source_system="fhir", facility=None, root="$"):
    """A completed MedicationDispense: a consumption at ``location``."""
    _require_completed(resource, root, "MedicationDispense")
    event = _header(resource, root, "inventory.consumption", source_system, facility)
    when = resource.get("whenHandedOver")
    if when is None and resource.get("whenPrepared") is not None:
        event["occurred_at"] = _timestamp(resource.get("whenPrepared"), f"{root}.whenPrepared")
    else:
        event["occurred_at"] = _timestamp(when, f"{root}.whenHandedOver")
    items = _item_fields(
        resource,
        resource.get("medicationCodeableConcept"),
        f"{root}.medicationCodeableConcept",
        resource.get("medicationReference"),
        f"{root}.medicationReference",
        ((resource, root),),
    )
    event["quantity"], event["uom"] = _quantity(resource.get("quantity"), f"{root}.quantity")
    event["location"] = _place(resource, resource.get("location"), f"{root}.location")
    event.update(items)
    patient = _person_ref(resource.get("subject"), resource.get("patient"))
    encounter = _person_ref(resource.get("context"), resource.get("encounter"))
    if patient:
        event["patient_ref"] = patient
    if encounter:
        event["encounter_ref"] = encounter
    return event


MAPPERS = {"SupplyDelivery": supply_delivery, "MedicationDispense": medication_dispense}
"""resourceType -> mapper(resource, source_system, facility, root) for the resources that move stock."""


def _map_resource(resource, source_system, facility, root):
    if not isinstance(resource, dict):
        raise FhirUnmappable(root, "is required: a FHIR resource (a JSON object)")
    rtype = resource.get("resourceType")
    mapper = MAPPERS.get(rtype) if isinstance(rtype, str) else None
    if mapper is None:
        supported = ", ".join(sorted(MAPPERS))
        raise FhirUnmappable(f"{root}.resourceType", f"{_shown(rtype)} does not move stock (supported: {supported})")
    try:
        event = mapper(resource, source_system, facility, root)
    except FhirUnmappable:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError, RecursionError):
        # a shape no rule above foresaw: it will not read better on a retry, a person must look
        raise FhirUnmappable(root, "cannot be read as this resource type") from None
    _check_bounds(event, root)
    return {key: event[key] for key in FIELD_ORDER if key in event}


MAX_TEXT = 255  # as the canonical event's schema: what is stored or looked up has a bounded size
BOUNDED = ("location", "to_location", "uom", "lot", "serial", "expiry")


def _check_bounds(event, root):
    """The mapped event never met the event schema: hold it to the same limits here."""
    values = [(name, event.get(name)) for name in BOUNDED]
    values += [(f"item.{name}", value) for name, value in _dict(event.get("item")).items()]
    for name, value in values:
        if isinstance(value, str) and (len(value) > MAX_TEXT or "\x00" in value):
            raise FhirUnmappable(root, f"the {name} it gives is longer than {MAX_TEXT} characters or holds NUL")


def _map_bundle(bundle, source_system, facility):
    entries = _list(bundle.get("entry"))
    if not entries:
        raise FhirUnmappable("$.entry", "is required: the Bundle has no entries")
    events = []
    for index, entry in enumerate(entries):
        root = f"$.entry[{index}].resource"
        events.append(_map_resource(_dict(entry).get("resource"), source_system, facility, root))
    return events


def fhir_to_events(resource, source_system="fhir", facility=None):
    """Canonical event dicts for a FHIR resource, or for every entry of a Bundle.

    Raises ``FhirUnmappable(path, detail)`` naming the JSON path of what is missing or wrong.
    """
    if isinstance(resource, dict) and resource.get("resourceType") == "Bundle":
        return _map_bundle(resource, source_system, facility)
    return [_map_resource(resource, source_system, facility, "$")]


def fhir_to_event(resource, source_system="fhir", facility=None):
    """The one canonical event dict of a single (non-Bundle) resource; see ``fhir_to_events``."""
    return _map_resource(resource, source_system, facility, "$")
