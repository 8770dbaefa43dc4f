"""The JSON Schema of a canonical inventory event (events-v1.md), and the check at the door. No ORM.

The inventory processor checks every JSON body of an ``inventory.*`` type with it before the
message is stored as ``received``; the OpenAPI document publishes the same dicts.
"""

from odoo.addons.healthcare_integration_base.lib.payload import schema_violations

RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
EVENT_TYPES = [
    "inventory.consumption",
    "inventory.return",
    "inventory.waste",
    "inventory.transfer",
    "inventory.receipt",
    "inventory.count",
]
NULLABLE_STRING = {"type": ["string", "null"]}

INVENTORY_EVENT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "InventoryEvent",
    "description": "A canonical inventory event, version 1 (events-v1.md). Minor versions only add fields.",
    "type": "object",
    "required": ["id", "type", "schema_version", "occurred_at", "source", "location", "item", "quantity", "uom"],
    "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 255},
        "type": {"type": "string", "enum": EVENT_TYPES},
        "schema_version": {"type": "string", "pattern": r"^1\.\d+$"},
        "occurred_at": {"type": "string", "pattern": RFC3339},
        "source": {
            "type": "object",
            "required": ["system", "facility"],
            "properties": {
                "system": {"type": "string", "minLength": 1},
                "facility": {"type": "string", "minLength": 1},
            },
        },
        "location": {"type": "string", "minLength": 1},
        "to_location": NULLABLE_STRING,
        "item": {
            "type": "object",
            "properties": {"code": NULLABLE_STRING, "gtin": NULLABLE_STRING, "gs1": NULLABLE_STRING},
            "anyOf": [
                {"required": ["code"], "properties": {"code": {"type": "string", "minLength": 1}}},
                {"required": ["gtin"], "properties": {"gtin": {"type": "string", "minLength": 1}}},
                {"required": ["gs1"], "properties": {"gs1": {"type": "string", "minLength": 1}}},
            ],
        },
        "quantity": {"type": "number"},
        "uom": {"type": "string", "minLength": 1},
        "lot": NULLABLE_STRING,
        "expiry": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "serial": NULLABLE_STRING,
        "patient_ref": NULLABLE_STRING,
        "encounter_ref": NULLABLE_STRING,
        "reverses": NULLABLE_STRING,
        "reason": NULLABLE_STRING,
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
    "type": "object",
    "required": ["events"],
    "properties": {"events": {"type": "array", "items": {"$ref": "#/components/schemas/InventoryEvent"}}},
}


def validate_event(obj):
    """Human-readable schema violations of a canonical event (empty when valid)."""
    return schema_violations("InventoryEvent", INVENTORY_EVENT, obj)
