"""RFC 9457 problem details."""

BASE = "https://hc-integration.example/problems/"
UNAUTHORIZED = "unauthorized"
FORBIDDEN = "forbidden"
PAYLOAD_TOO_LARGE = "payload-too-large"
BATCH_TOO_LARGE = "batch-too-large"
UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type"
UNREADABLE_BODY = "unreadable-body"
SCHEMA_VIOLATION = "schema-violation"
IDEMPOTENCY_KEY_REUSE = "idempotency-key-reuse"
RATE_LIMITED = "rate-limited"
UNAVAILABLE = "unavailable"
NOT_FOUND = "not-found"
INVALID_HEADER = "invalid-header"
METHOD_NOT_ALLOWED = "method-not-allowed"


def problem(status, title, detail, type_suffix, **extra):
    body = {"type": BASE + type_suffix, "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return body
