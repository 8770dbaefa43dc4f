"""The OpenAPI 3.1 document of /hc/v1, built from the schemas the server validates with."""

import copy

from . import schemas

PROBLEM_JSON = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
CORRELATION = {
    "X-Correlation-ID": {"description": "Echoed from the request, or generated.", "schema": {"type": "string"}}
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}, **CORRELATION}


def _problem(description, headers=None):
    return {"description": description, "headers": headers or CORRELATION, "content": PROBLEM_JSON}


def _components(extra=None):
    comps = {}
    for name, source in {**schemas.COMPONENTS, **(extra or {})}.items():
        schema = copy.deepcopy(source)
        schema.pop("$schema", None)
        comps[name] = schema
    return comps


def build_openapi(server_url=None, message_types=(), extra_schemas=None, json_bodies=()):
    """The document; ``message_types`` (``hc.message.type._api_description``), and the JSON Schemas
    the registered processors validate with (``extra_schemas``; ``json_bodies`` names those a
    JSON body may be) come from the running server, so the document is what the server does."""
    security = [{"webhookId": [], "webhookTimestamp": [], "webhookSignature": []}, {"apiKey": []}]
    status_link = {
        "GetMessageStatus": {
            "operationId": "getMessage",
            "parameters": {"id": "$response.body#/message_id"},
            "description": "The status of the message just stored (one message; not a batch).",
        }
    }
    post_responses = {
        "200": {
            "description": "A repeat of an earlier message (same key, same body): its id and current status.",
            "headers": CORRELATION,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}},
            "links": status_link,
        },
        "202": {
            "description": "Stored and committed (one message), or a batch with one result per event.",
            "headers": CORRELATION,
            "links": status_link,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/Accepted"},
                            {"$ref": "#/components/schemas/BatchAccepted"},
                        ]
                    }
                }
            },
        },
        "400": _problem(
            "Structurally unreadable body (recorded as rejected, the body itself is not kept; message_id), "
            "or a webhook-id / Idempotency-Key header longer than 255 characters or not printable "
            "(type ends with invalid-header; nothing stored)."
        ),
        "401": _problem("Unknown or inactive endpoint, bad or missing signature or key, stale timestamp."),
        "403": _problem("Message type not allowed for this endpoint, or client IP outside its networks."),
        "413": _problem(
            "Body above the size limit (above the largest limit of any endpoint: before authentication, "
            "whatever the code; above this endpoint's own limit: after it), or a batch or FHIR Bundle "
            "with more documents than the endpoint's batch limit."
        ),
        "415": _problem("Content type not accepted."),
        "422": _problem(
            "Refused at the door and stored as rejected: breaks the event schema, or holds what cannot be "
            "stored (a NUL character or an unpaired surrogate, an identifier or member name that is too "
            "long, nesting deeper than 32 levels, a number that is not finite); detail names the field, "
            "never its value. Or reuses an idempotency key with a different body (type ends with "
            "idempotency-key-reuse)."
        ),
        "429": _problem("Above the endpoint's rate limit.", RETRY_AFTER),
        "503": _problem("The message could not be committed; send it again.", RETRY_AFTER),
    }
    body_content = {
        "application/json": {
            "schema": {
                "anyOf": [
                    *({"$ref": f"#/components/schemas/{name}"} for name in json_bodies),
                    {"$ref": "#/components/schemas/Batch"},
                ]
            }
        },
        "application/fhir+json": {
            "schema": {
                "type": "object",
                "required": ["resourceType"],
                "propertyNames": schemas.PROPERTY_NAMES,
                "properties": {
                    "resourceType": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": schemas.NO_NUL},
                    "id": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": schemas.NO_NUL},
                    "entry": {
                        "type": "array",
                        "description": "Bundle only: one message per entry.resource; at most the endpoint's "
                        "batch limit.",
                        "items": {"type": "object"},
                    },
                },
                "description": (
                    "FHIR R4 SupplyDelivery, MedicationDispense, SupplyRequest or a Bundle of them. The key is "
                    "resourceType/id. Patient references, persons, notes and narratives are pseudonymised or "
                    "removed on arrival."
                ),
            }
        },
        "application/edi-x12": {"schema": {"type": "string", "description": "One X12 interchange."}},
        "application/edifact": {"schema": {"type": "string", "description": "One UN/EDIFACT interchange."}},
        "application/xml": {"schema": {"type": "string", "description": "cXML or UBL."}},
        "text/xml": {"schema": {"type": "string", "description": "cXML or UBL."}},
    }
    doc = {
        "openapi": "3.1.0",
        "info": {
            "title": "Healthcare integration inbound API",
            "version": "1.0.0",
            "description": "Post messages to the ERP: durable, exactly once, traceable.",
        },
        "paths": {
            "/hc/v1/endpoints/{code}/messages": {
                "post": {
                    "operationId": "postMessages",
                    "summary": "Hand one message or a batch to the ERP",
                    "parameters": [
                        {
                            "name": "code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{1,63}$"},
                        },
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": (
                                "The idempotency key of a single document (not of a batch or Bundle). Not "
                                "covered by the signature: a replay of a signed delivery (same webhook-id) is "
                                "the first delivery's message, whatever this header says."
                            ),
                            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                        },
                        {
                            "name": "X-HC-Message-Type",
                            "in": "header",
                            "required": False,
                            "description": (
                                "Names the message type of every document in the body; it wins over detection "
                                "(an event's type, a FHIR resourceType, X12 ST01 ...). For application/json, a "
                                "body whose type is inventory.* (named or detected) must be an InventoryEvent "
                                "or an InventoryEventBatch; at most 128 printable characters."
                            ),
                            "schema": {"type": "string", "minLength": 1, "maxLength": 128},
                        },
                        {
                            "name": "X-Correlation-ID",
                            "in": "header",
                            "required": False,
                            "description": "Echoed in the answer when printable (at most 128 characters kept).",
                            "schema": {"type": "string"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "description": (
                            "One document or a batch. The content type chooses the parser; X-HC-Message-Type, "
                            "when given, names the message type instead of the body. Other content types "
                            "(application/x-www-form-urlencoded, multipart/form-data ...) answer 415."
                        ),
                        "content": body_content,
                    },
                    "responses": post_responses,
                    "security": security,
                }
            },
            "/hc/v1/messages/{id}": {
                "get": {
                    "operationId": "getMessage",
                    "summary": "Status of a message sent by the same endpoint",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The message",
                            "headers": CORRELATION,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MessageStatus"}}},
                        },
                        "401": _problem("Missing or invalid credentials."),
                        "404": _problem("No such message for this endpoint."),
                    },
                    "security": security,
                }
            },
            "/hc/v1/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Liveness; with credentials, the endpoint's queue",
                    "responses": {
                        "200": {
                            "description": "Up",
                            "headers": CORRELATION,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
                        },
                        "503": {
                            "description": "Database unavailable",
                            "headers": RETRY_AFTER,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
                        },
                    },
                    "security": [{}, *security],
                }
            },
            "/hc/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "headers": CORRELATION,
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": _components(extra_schemas),
            "securitySchemes": {
                "webhookId": {"type": "apiKey", "in": "header", "name": "webhook-id"},
                "webhookTimestamp": {"type": "apiKey", "in": "header", "name": "webhook-timestamp"},
                "webhookSignature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "webhook-signature",
                    "description": "Standard Webhooks: v1,<base64 HMAC-SHA256>",
                },
                "apiKey": {"type": "http", "scheme": "bearer"},
            },
        },
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    types = list(message_types)
    doc["info"]["x-message-types"] = types
    if types:
        listing = "\n".join(f"- `{t['code']}`{' (pattern)' if t['pattern'] else ''}: {t['description']}" for t in types)
        doc["info"]["description"] += f"\n\nRegistered message types:\n{listing}"
    return doc


def path_methods():
    """``[(compiled path pattern, {methods})]`` of the document: the catch-all route answers 405/404 by it."""
    import re

    out = []
    for path, operations in build_openapi()["paths"].items():
        pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)))
        methods = {method.upper() for method in operations}
        if "GET" in methods:
            methods.add("HEAD")
        out.append((pattern, methods))
    return out


PATH_METHODS = path_methods()
