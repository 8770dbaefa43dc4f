"""The JSON Schema of a canonical requisition (message type ``requisition``). No ORM.

Published in the OpenAPI document; checked at the door before a message is stored.
"""

from odoo.addons.healthcare_integration_base.lib.payload import schema_violations
from odoo.addons.healthcare_integration_base.lib.schemas import (
    IDENTIFIER,
    MAX_FREE_TEXT,
    MAX_QUANTITY,
    NO_NUL,
    NULLABLE_STRING,
    PROPERTY_NAMES,
)

PRIORITIES = ["routine", "urgent", "stat"]
ITEM_REF = {
    "type": "object",
    "propertyNames": PROPERTY_NAMES,
    "properties": {"code": NULLABLE_STRING, "gtin": NULLABLE_STRING},
    "anyOf": [
        {"required": ["code"], "properties": {"code": IDENTIFIER}},
        {"required": ["gtin"], "properties": {"gtin": IDENTIFIER}},
    ],
}
REQUISITION_ITEM = {
    "type": "object",
    "required": ["item", "quantity"],
    "propertyNames": PROPERTY_NAMES,
    "properties": {
        "item": ITEM_REF,
        "quantity": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_QUANTITY},
        "uom": NULLABLE_STRING,
        "note": {"type": ["string", "null"], "maxLength": MAX_FREE_TEXT, "pattern": NO_NUL},
    },
}
REQUISITION = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Requisition",
    "description": (
        "A department's requisition, version 1: who asks (the requester's HR external id), for which "
        "department and delivery location, which items in which quantities and units, by when, how "
        "urgently (stat requisitions are processed first) and why. `id` is the idempotency key and the "
        "requisition's reference in the status events sent back."
    ),
    "type": "object",
    "required": ["id", "type", "requester", "items"],
    "propertyNames": PROPERTY_NAMES,
    "properties": {
        "id": IDENTIFIER,
        "type": {"const": "requisition"},
        "schema_version": {"type": "string", "pattern": "^1\\.[0-9]+$"},
        "occurred_at": {"type": "string", "format": "date-time"},
        "requester": IDENTIFIER,
        "department": NULLABLE_STRING,
        "deliver_to": NULLABLE_STRING,
        "needed_by": {"type": ["string", "null"], "format": "date"},
        "priority": {"enum": PRIORITIES},
        "reason": {"type": ["string", "null"], "maxLength": MAX_FREE_TEXT, "pattern": NO_NUL},
        "items": {"type": "array", "minItems": 1, "maxItems": 500, "items": REQUISITION_ITEM},
    },
}

FHIR_SUPPLY_REQUEST = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "FhirSupplyRequest",
    "description": (
        "FHIR R4 SupplyRequest as read here: item (itemCodeableConcept coding code, or itemReference), "
        "quantity (value, unit/code), requester (Practitioner/<HR external id> or identifier), deliverTo "
        "(Location/<code> or Organization/<department code>), priority, occurrence[x], reasonCode."
    ),
    "type": "object",
    "required": ["resourceType", "quantity"],
    "properties": {
        "resourceType": {"const": "SupplyRequest"},
        "id": {"type": "string", "maxLength": 64},
        "quantity": {
            "type": "object",
            "properties": {"value": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_QUANTITY}},
        },
        "priority": {"enum": ["routine", "urgent", "asap", "stat"]},
    },
}


def validate(obj):
    if not isinstance(obj, dict):
        return ["$: must be a JSON object"]
    return schema_violations("Requisition", REQUISITION, obj)


def validate_fhir(obj):
    if not isinstance(obj, dict):
        return ["$: must be a JSON object"]
    return schema_violations("FhirSupplyRequest", FHIR_SUPPLY_REQUEST, obj)
