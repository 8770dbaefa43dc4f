"""The JSON Schemas of the API, in one place: validation at the door and the OpenAPI document use them."""

RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
EVENT_TYPES = [
    "inventory.consumption",
    "inventory.return",
    "inventory.waste",
    "inventory.transfer",
    "inventory.receipt",
    "inventory.count",
]
# Every string the door stores or looks up has a bounded length and no NUL character (PostgreSQL
# text cannot hold one); the same limits are published in the OpenAPI document.
NO_NUL = "^[^\\u0000]*$"
MAX_IDENTIFIER = 255
MAX_FREE_TEXT = 2000
MAX_QUANTITY = 1_000_000_000
IDENTIFIER = {"type": "string", "minLength": 1, "maxLength": MAX_IDENTIFIER, "pattern": NO_NUL}
NULLABLE_STRING = {"type": ["string", "null"], "maxLength": MAX_IDENTIFIER, "pattern": NO_NUL}
PROPERTY_NAMES = {"maxLength": MAX_IDENTIFIER, "pattern": NO_NUL}

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

ACCEPTED = {
    "title": "Accepted",
    "type": "object",
    "required": ["message_id", "status", "duplicate", "status_url", "correlation_id"],
    "properties": {
        "message_id": {"type": "integer"},
        "status": {"type": "string"},
        "duplicate": {"type": "boolean"},
        "status_url": {"type": "string"},
        "correlation_id": {"type": "string"},
    },
}

ERROR = {
    "title": "MessageError",
    "type": ["object", "null"],
    "properties": {
        "class": {"type": "string", "enum": ["technical", "business"]},
        "code": {"type": "string"},
        "detail": {"type": "string"},
    },
}

BATCH_ACCEPTED = {
    "title": "BatchAccepted",
    "type": "object",
    "required": ["results"],
    "properties": {
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["index"],
                "properties": {
                    "index": {"type": "integer"},
                    "message_id": {"type": ["integer", "null"]},
                    "status": {"type": "string"},
                    "duplicate": {"type": "boolean"},
                    "error": {"$ref": "#/components/schemas/MessageError"},
                },
            },
        },
        "correlation_id": {"type": "string"},
    },
}

STATUSES = ["received", "processing", "done", "retry", "failed", "dead", "rejected", "cancelled"]

MESSAGE_STATUS = {
    "title": "MessageStatus",
    "type": "object",
    "required": [
        "message_id",
        "endpoint",
        "message_type",
        "status",
        "attempts",
        "received_at",
        "processed_at",
        "error",
        "result",
    ],
    "properties": {
        "message_id": {"type": "integer"},
        "endpoint": {"type": "string"},
        "message_type": {"type": ["string", "null"]},
        "status": {"type": "string", "enum": STATUSES},
        "attempts": {"type": "integer"},
        "received_at": {"type": ["string", "null"]},
        "processed_at": {"type": ["string", "null"]},
        "occurred_at": {"type": ["string", "null"]},
        "correlation_id": {"type": ["string", "null"]},
        "idempotency_key": {"type": ["string", "null"]},
        "next_attempt_at": {"type": ["string", "null"]},
        "error": {"$ref": "#/components/schemas/MessageError"},
        "result": {
            "type": ["object", "null"],
            "properties": {"model": {"type": "string"}, "ids": {"type": "array", "items": {"type": "integer"}}},
        },
    },
}

PROBLEM = {
    "title": "Problem",
    "description": "RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "message_id": {"type": "integer"},
    },
}

HEALTH = {
    "title": "Health",
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "queue_depth": {"type": "integer"},
        "oldest_pending_age_s": {"type": "integer"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
}

COMPONENTS = {
    "InventoryEvent": INVENTORY_EVENT,
    "InventoryEventBatch": EVENT_BATCH,
    "Accepted": ACCEPTED,
    "BatchAccepted": BATCH_ACCEPTED,
    "MessageStatus": MESSAGE_STATUS,
    "MessageError": ERROR,
    "Problem": PROBLEM,
    "Health": HEALTH,
}
