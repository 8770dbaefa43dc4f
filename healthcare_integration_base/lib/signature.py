"""Standard Webhooks signatures and API keys (no ORM; unit-tested and fuzzed in isolation)."""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook

PREFIX = "whsec_"


class SignatureError(Exception):
    """Verification failed; ``reason`` is one of missing_headers, bad_timestamp, stale_timestamp, no_match."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def generate_secret():
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def generate_api_key():
    return "hck_" + secrets.token_urlsafe(32)


def hash_api_key(key):
    """API keys are long random values: a plain SHA-256 is the right hash (no brute force possible)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _key_bytes(secret):
    value = secret[len(PREFIX) :] if secret.startswith(PREFIX) else secret
    return base64.b64decode(value + "==")


def sign(secret, msg_id, timestamp, body):
    """``v1,<base64 HMAC-SHA256>`` over ``{id}.{timestamp}.{body}``."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return Webhook(secret).sign(msg_id, datetime.fromtimestamp(int(timestamp), tz=timezone.utc), body)


def _header(headers, name):
    if hasattr(headers, "get"):
        value = headers.get(name)
        if value is None and isinstance(headers, Mapping):
            lowered = {str(k).lower(): v for k, v in headers.items()}
            value = lowered.get(name)
        return value
    return None


def verify(secrets_, headers, body, now, tolerance):
    """Raise SignatureError unless one of the signatures matches one of ``secrets_``.

    Every comparison is constant-time; malformed entries are skipped, never raised.
    """
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    sig_header = _header(headers, "webhook-signature")
    if not (msg_id and timestamp and sig_header):
        raise SignatureError("missing_headers")
    try:
        ts = int(str(timestamp).strip())
    except ValueError:
        raise SignatureError("bad_timestamp") from None
    if abs(now - ts) > tolerance:
        raise SignatureError("stale_timestamp")
    if isinstance(body, str):
        body = body.encode()
    signed = f"{msg_id}.{ts}.".encode() + body
    candidates = []
    for entry in str(sig_header).split(" "):
        version, _, value = entry.partition(",")
        if version != "v1" or not value:
            continue
        try:
            candidates.append(base64.b64decode(value, validate=True))
        except (ValueError, TypeError):
            continue
    matched = False
    for secret in secrets_:
        try:
            key = _key_bytes(secret)
        except (ValueError, TypeError):
            continue
        expected = hmac.new(key, signed, hashlib.sha256).digest()
        for candidate in candidates:
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureError("no_match")


def verify_api_key(presented, stored_hashes):
    digest = hash_api_key(presented or "")
    matched = False
    for stored in stored_hashes:
        matched |= hmac.compare_digest(digest, stored or "")
    return matched
