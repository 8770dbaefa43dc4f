"""FHIR R4 SupplyDelivery / MedicationDispense -> canonical inventory events. No ORM.

What cannot be mapped raises FhirUnmappable with the JSON path of what is missing.
"""

GTIN_SYSTEMS = {
    "https://www.gs1.org/gtin",
    "http://www.gs1.org/gtin",
    "https://gs1.org/gtin",
    "http://gs1.org/gtin",
    "urn:oid:1.3.160",
}


class FhirUnmappable(Exception):
    def __init__(self, path, detail):
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


def _ref_code(node, path):
    """'Location/ICU-CAB-07' -> 'ICU-CAB-07'; identifier value; else display."""
    if not isinstance(node, dict):
        raise FhirUnmappable(path, "missing")
    ref = node.get("reference")
    if isinstance(ref, str) and ref:
        return ref.rsplit("/", 1)[-1].lstrip("#")
    ident = node.get("identifier")
    if isinstance(ident, dict) and isinstance(ident.get("value"), str):
        return ident["value"]
    if isinstance(node.get("display"), str) and node["display"]:
        return node["display"]
    raise FhirUnmappable(path, "no reference, identifier or display")


def _item(concept, path):
    codings = concept.get("coding") if isinstance(concept, dict) else None
    if not isinstance(codings, list) or not codings:
        raise FhirUnmappable(f"{path}.coding", "no coding for the item")
    item = {}
    for coding in codings:
        if not isinstance(coding, dict) or not coding.get("code"):
            continue
        if coding.get("system") in GTIN_SYSTEMS:
            item.setdefault("gtin", str(coding["code"]))
        else:
            item.setdefault("code", str(coding["code"]))
    if not item:
        raise FhirUnmappable(f"{path}.coding[0].code", "no item code")
    return item


def _quantity(node, path):
    if not isinstance(node, dict) or not isinstance(node.get("value"), (int, float)):
        raise FhirUnmappable(f"{path}.value", "no quantity value")
    # a SimpleQuantity without a unit counts items: "each"
    uom = node.get("code") or node.get("unit") or "EA"
    return node["value"], str(uom)


def _contained(resource, ref):
    if isinstance(ref, str) and ref.startswith("#"):
        for item in resource.get("contained") or []:
            if isinstance(item, dict) and item.get("id") == ref[1:]:
                return item
    return None


def _base(resource, event_type, source_system, facility):
    rid = resource.get("id")
    if not isinstance(rid, str) or not rid:
        raise FhirUnmappable("$.id", "the resource has no id")
    return {
        "id": f"{resource['resourceType']}/{rid}",
        "type": event_type,
        "schema_version": "1.0",
        "source": {"system": source_system, "facility": facility},
    }


def supply_delivery(resource, source_system, facility):
    if resource.get("status") != "completed":
        raise FhirUnmappable("$.status", f"status is {resource.get('status')!r}; only completed deliveries move stock")
    event = _base(resource, "inventory.receipt", source_system, facility)
    when = resource.get("occurrenceDateTime") or (resource.get("occurrencePeriod") or {}).get("end")
    if not when:
        raise FhirUnmappable("$.occurrenceDateTime", "no time of delivery")
    event["occurred_at"] = when if "T" in when else f"{when}T00:00:00Z"
    supplied = resource.get("suppliedItem")
    if not isinstance(supplied, dict):
        raise FhirUnmappable("$.suppliedItem", "no supplied item")
    concept = supplied.get("itemCodeableConcept")
    if concept is None:
        ref = (supplied.get("itemReference") or {}).get("reference")
        if not ref:
            raise FhirUnmappable("$.suppliedItem.itemCodeableConcept", "no item")
        event["item"] = {"code": ref.rsplit("/", 1)[-1]}
    else:
        event["item"] = _item(concept, "$.suppliedItem.itemCodeableConcept")
    event["quantity"], event["uom"] = _quantity(supplied.get("quantity"), "$.suppliedItem.quantity")
    event["location"] = _ref_code(resource.get("destination"), "$.destination")
    return event


def medication_dispense(resource, source_system, facility):
    if resource.get("status") != "completed":
        raise FhirUnmappable("$.status", f"status is {resource.get('status')!r}; only completed dispenses move stock")
    event = _base(resource, "inventory.consumption", source_system, facility)
    when = resource.get("whenHandedOver") or resource.get("whenPrepared")
    if not when:
        raise FhirUnmappable("$.whenHandedOver", "no time of dispense")
    event["occurred_at"] = when if "T" in when else f"{when}T00:00:00Z"
    concept = resource.get("medicationCodeableConcept")
    med_ref = (resource.get("medicationReference") or {}).get("reference")
    medication = _contained(resource, med_ref)
    if concept is not None:
        event["item"] = _item(concept, "$.medicationCodeableConcept")
    elif medication is not None:
        event["item"] = _item(medication.get("code"), "$.contained[medication].code")
        batch = medication.get("batch") or {}
        if batch.get("lotNumber"):
            event["lot"] = batch["lotNumber"]
        if batch.get("expirationDate"):
            event["expiry"] = str(batch["expirationDate"])[:10]
    elif med_ref:
        event["item"] = {"code": med_ref.rsplit("/", 1)[-1]}
    else:
        raise FhirUnmappable("$.medicationCodeableConcept", "no medication")
    event["quantity"], event["uom"] = _quantity(resource.get("quantity"), "$.quantity")
    event["location"] = _ref_code(resource.get("location"), "$.location")
    subject = resource.get("subject") or {}
    if isinstance(subject, dict) and subject.get("reference"):
        event["patient_ref"] = subject["reference"]
    context = resource.get("context") or {}
    if isinstance(context, dict) and context.get("reference"):
        event["encounter_ref"] = context["reference"]
    return event


MAPPERS = {"SupplyDelivery": supply_delivery, "MedicationDispense": medication_dispense}


def fhir_to_event(resource, source_system="fhir", facility=""):
    if not isinstance(resource, dict):
        raise FhirUnmappable("$", "not a FHIR resource")
    mapper = MAPPERS.get(resource.get("resourceType"))
    if mapper is None:
        raise FhirUnmappable("$.resourceType", f"{resource.get('resourceType')!r} does not move stock")
    return mapper(resource, source_system, facility)
