"""Requisitions as plain values, from canonical JSON or FHIR R4 SupplyRequest. No Odoo import.

``from_canonical(obj)`` and ``from_supply_request(resource)`` both give a :class:`Requisition`;
what a SupplyRequest lacks for a requisition raises :class:`Unmappable` naming the FHIR path.
``priority_level`` is the engine priority a requisition asks for (stat first).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

PRIORITY_LEVEL = {"routine": 1, "urgent": 2, "stat": 3}
FHIR_PRIORITY = {"routine": "routine", "urgent": "urgent", "asap": "urgent", "stat": "stat"}


class Unmappable(ValueError):
    def __init__(self, path, detail):
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


@dataclass
class Item:
    code: str | None
    gtin: str | None
    quantity: Decimal
    uom: str | None = None
    note: str | None = None


@dataclass
class Requisition:
    ref: str
    requester: str
    department: str | None = None
    deliver_to: str | None = None
    needed_by: date | None = None
    priority: str = "routine"
    reason: str | None = None
    items: list = field(default_factory=list)
    source: str = "json"


def _str(value):
    return value.strip() or None if isinstance(value, str) else None


def _date(value):
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def priority_level(obj):
    """Engine priority (0..3) for a requisition body or SupplyRequest; None when it says nothing."""
    if not isinstance(obj, dict):
        return None
    prio = obj.get("priority")
    if not isinstance(prio, str):
        return None
    if obj.get("resourceType") == "SupplyRequest":
        prio = FHIR_PRIORITY.get(prio)
    return PRIORITY_LEVEL.get(prio)


def from_canonical(obj):
    items = []
    for line in obj.get("items") or []:
        ref = line.get("item") or {}
        items.append(
            Item(
                code=_str(ref.get("code")),
                gtin=_str(ref.get("gtin")),
                quantity=Decimal(str(line["quantity"])),
                uom=_str(line.get("uom")),
                note=_str(line.get("note")),
            )
        )
    return Requisition(
        ref=obj["id"],
        requester=obj["requester"].strip(),
        department=_str(obj.get("department")),
        deliver_to=_str(obj.get("deliver_to")),
        needed_by=_date(obj.get("needed_by")),
        priority=obj.get("priority") or "routine",
        reason=_str(obj.get("reason")),
        items=items,
    )


def _reference_id(ref, kinds):
    """``(kind, id)`` of a FHIR Reference such as ``Practitioner/E1``; its identifier's value otherwise."""
    if not isinstance(ref, dict):
        return None, None
    text = ref.get("reference")
    if isinstance(text, str) and "/" in text:
        parts = text.rstrip("/").split("/")
        kind, rid = parts[-2], parts[-1]
        if kind in kinds and rid:
            return kind, rid
    ident = ref.get("identifier")
    if isinstance(ident, dict) and _str(ident.get("value")):
        return ref.get("type") if ref.get("type") in kinds else None, ident["value"].strip()
    return None, None


def from_supply_request(res):
    """A FHIR R4 SupplyRequest as a requisition (one line: a SupplyRequest asks for one item)."""
    rid = _str(res.get("id"))
    if not rid:
        raise Unmappable("SupplyRequest.id", "a SupplyRequest needs an id: it is the requisition's reference")
    code = gtin = None
    concept = res.get("itemCodeableConcept")
    if isinstance(concept, dict):
        for coding in concept.get("coding") or []:
            if isinstance(coding, dict) and _str(coding.get("code")):
                system = coding.get("system") or ""
                if "gs1" in system.lower() or system.endswith("/gtin"):
                    gtin = coding["code"].strip()
                else:
                    code = code or coding["code"].strip()
    _kind, item_ref = _reference_id(res.get("itemReference"), ("Device", "Medication", "Substance", "DeviceDefinition"))
    code = code or item_ref
    if not (code or gtin):
        raise Unmappable("SupplyRequest.item[x]", "no item code (itemCodeableConcept.coding.code or itemReference)")
    qty = res.get("quantity") or {}
    value = qty.get("value") if isinstance(qty, dict) else None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise Unmappable("SupplyRequest.quantity.value", "a positive quantity is required")
    uom = _str(qty.get("code")) or _str(qty.get("unit"))
    _kind, requester = _reference_id(res.get("requester"), ("Practitioner", "PractitionerRole"))
    if not requester:
        raise Unmappable("SupplyRequest.requester", "the requester must be a Practitioner (the HR external id)")
    kind, deliver = _reference_id(res.get("deliverTo"), ("Location", "Organization"))
    department = deliver if kind == "Organization" else None
    deliver_to = deliver if kind == "Location" else None
    needed = _date(res.get("occurrenceDateTime"))
    period = res.get("occurrencePeriod")
    if not needed and isinstance(period, dict):
        needed = _date(period.get("end")) or _date(period.get("start"))
    reason = None
    for concept in res.get("reasonCode") or []:
        if isinstance(concept, dict):
            reason = _str(concept.get("text")) or next(
                (
                    _str(c.get("display")) or _str(c.get("code"))
                    for c in concept.get("coding") or []
                    if isinstance(c, dict)
                ),
                None,
            )
            if reason:
                break
    return Requisition(
        ref=f"SupplyRequest/{rid}",
        requester=requester,
        department=department,
        deliver_to=deliver_to,
        needed_by=needed,
        priority=FHIR_PRIORITY.get(res.get("priority"), "routine"),
        reason=reason,
        items=[Item(code=code, gtin=gtin, quantity=Decimal(str(value)), uom=uom)],
        source="fhir",
    )
