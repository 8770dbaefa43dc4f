"""The JSON Schema of a canonical inventory event (events-v1.md), and the check at the door. No ORM.

The inventory processor checks every JSON body of an ``inventory.*`` type with it before the
message is stored as ``received``; the OpenAPI document publishes the same dicts. String limits
(length, no NUL) are the door's, shared by every type (``healthcare_integration_base.lib.schemas``).
"""

from odoo.addons.healthcare_integration_base.lib.payload import schema_violations
from odoo.addons.healthcare_integration_base.lib.schemas import (
    IDENTIFIER,
    MAX_FREE_TEXT,
    MAX_IDENTIFIER,
    MAX_QUANTITY,
    NO_NUL,
    NULLABLE_STRING,
    PROPERTY_NAMES,
    RFC3339,
)

EVENT_TYPES = [
    "inventory.consumption",
    "inventory.return",
    "inventory.waste",
    "inventory.transfer",
    "inventory.receipt",
    "inventory.count",
]
INVENTORY_EVENT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "InventoryEvent",
    "description": (
        "A canonical inventory event, version 1 (events-v1.md). Minor versions only add fields. "
        "Anywhere in the body, strings and member names must not contain NUL characters or unpaired "
        "surrogates, numbers must be finite, and nesting is limited to 32 levels."
    ),
    "type": "object",
    "required": ["id", "type", "schema_version", "occurred_at", "source", "location", "item", "quantity", "uom"],
    "propertyNames": PROPERTY_NAMES,
    "properties": {
        "id": IDENTIFIER,
        "type": {"type": "string", "enum": EVENT_TYPES},
        "schema_version": {"type": "string", "pattern": r"^1\.\d+$"},
        "occurred_at": {
            "type": "string",
            "format": "date-time",
            "pattern": RFC3339,
            "description": "RFC 3339 with an offset; a real instant between the years 1900 and 9999 (UTC).",
        },
        "source": {
            "type": "object",
            "required": ["system", "facility"],
            "propertyNames": PROPERTY_NAMES,
            "properties": {
                "system": IDENTIFIER,
                "facility": {"type": "string", "maxLength": MAX_IDENTIFIER, "pattern": NO_NUL},
            },
        },
        "location": IDENTIFIER,
        "to_location": NULLABLE_STRING,
        "item": {
            "type": "object",
            "propertyNames": PROPERTY_NAMES,
            "properties": {"code": NULLABLE_STRING, "gtin": NULLABLE_STRING, "gs1": NULLABLE_STRING},
            "anyOf": [
                {"required": ["code"], "properties": {"code": {"type": "string", "minLength": 1}}},
                {"required": ["gtin"], "properties": {"gtin": {"type": "string", "minLength": 1}}},
                {"required": ["gs1"], "properties": {"gs1": {"type": "string", "minLength": 1}}},
            ],
        },
        "quantity": {"type": "number", "maximum": MAX_QUANTITY},
        "uom": IDENTIFIER,
        "lot": NULLABLE_STRING,
        "expiry": {
            "type": ["string", "null"],
            "format": "date",
            "pattern": r"^\d{4}-\d{2}-\d{2}$",
            "description": "A real calendar date YYYY-MM-DD.",
        },
        "serial": NULLABLE_STRING,
        "patient_ref": {**NULLABLE_STRING, "description": "Pseudonymised on arrival (keyed hash)."},
        "encounter_ref": {**NULLABLE_STRING, "description": "Pseudonymised on arrival (keyed hash)."},
        "reverses": NULLABLE_STRING,
        "reason": {"type": ["string", "null"], "maxLength": MAX_FREE_TEXT, "pattern": NO_NUL},
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"const": "inventory.count"}}, "required": ["type"]},
            "then": {"properties": {"quantity": {"minimum": 0}}},
            "else": {"properties": {"quantity": {"exclusiveMinimum": 0}}},
        },
        {
            "if": {"properties": {"type": {"const": "inventory.transfer"}}, "required": ["type"]},
            "then": {"required": ["to_location"], "properties": {"to_location": {"type": "string", "minLength": 1}}},
        },
    ],
}

EVENT_BATCH = {
    "title": "InventoryEventBatch",
    "description": (
        "One message per event. Each item is checked on its own: an item that is not a valid "
        "InventoryEvent is rejected alone (its result carries the error) and the batch is still "
        "answered 202. At most the endpoint's batch limit of items (413 above it)."
    ),
    "type": "object",
    "required": ["events"],
    "properties": {
        "events": {
            "type": "array",
            "items": {
                "anyOf": [
                    {"$ref": "#/components/schemas/InventoryEvent"},
                    {"description": "Anything else: rejected on its own, in the batch's 202 answer."},
                ]
            },
        }
    },
}


def validate_event(obj):
    """Human-readable schema violations of a canonical event (empty when valid); each names the
    field, never its value."""
    return schema_violations("InventoryEvent", INVENTORY_EVENT, obj)
