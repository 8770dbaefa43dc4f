"""The JSON Schemas of the API, in one place: validation at the door and the OpenAPI document use them."""

RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
# Every string the door stores or looks up has a bounded length and no NUL character (PostgreSQL
# text cannot hold one); the same limits are published in the OpenAPI document.
NO_NUL = "^[^\\u0000]*$"
MAX_IDENTIFIER = 255
MAX_FREE_TEXT = 2000
MAX_QUANTITY = 1_000_000_000
IDENTIFIER = {"type": "string", "minLength": 1, "maxLength": MAX_IDENTIFIER, "pattern": NO_NUL}
NULLABLE_STRING = {"type": ["string", "null"], "maxLength": MAX_IDENTIFIER, "pattern": NO_NUL}
PROPERTY_NAMES = {"maxLength": MAX_IDENTIFIER, "pattern": NO_NUL}

BATCH = {
    "title": "Batch",
    "description": "Several JSON documents in one request: one message per element of `events`, each with "
    "its own idempotency key (its `id`). The message types' schemas say what each element holds.",
    "type": "object",
    "required": ["events"],
    "properties": {"events": {"type": "array", "items": {"type": "object"}}},
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
    "Batch": BATCH,
    "Accepted": ACCEPTED,
    "BatchAccepted": BATCH_ACCEPTED,
    "MessageStatus": MESSAGE_STATUS,
    "MessageError": ERROR,
    "Problem": PROBLEM,
    "Health": HEALTH,
}
