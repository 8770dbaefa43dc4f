"""Plain helpers of the audit trail: interface detection, masking, canonical hashing."""

import datetime
import hashlib
import json
import re
import threading

from odoo.addons.healthcare_integration_base.lib import trust

MASK = "***"
# field names whose values never enter the trail (secrets, credentials, patient data, raw payloads)
SENSITIVE_RE = re.compile(r"(secret|password|passwd|token|key|payload|patient|credential|hint)", re.IGNORECASE)
# models whose every field but these is a credential
CREDENTIAL_MODELS = {"hc.endpoint.secret": {"id", "endpoint_id", "kind", "expires_at", "create_date", "create_uid"}}
RPC_PREFIXES = ("/xmlrpc", "/jsonrpc")
WEBHOOK_RE = re.compile(r"^/hc/v\d+/endpoints/([^/]+)/")
# the columns that make an event's content, in hash order, per version of the hash: an event's
# stored hash says its version ("$<n>$<hex>"; version 1 has no prefix), and verification uses that
# version's columns, so adding a column to a later version never breaks the events hashed before
HASHED_COLUMNS_V1 = (
    "event_time",
    "action",
    "model",
    "res_id",
    "res_name",
    "interface",
    "user_id",
    "endpoint_id",
    "correlation_id",
    "message_id",
    "reason",
    "changes",
    "client_ip",
)
HASH_VERSIONS = {1: HASHED_COLUMNS_V1}
CURRENT_HASH_VERSION = 1
HASHED_COLUMNS = HASH_VERSIONS[CURRENT_HASH_VERSION]


def is_sensitive(field_name, model_name=None):
    if model_name == "hc.inbound.message" and field_name in ("payload", "payload_pretty"):
        return True
    if model_name in CREDENTIAL_MODELS and field_name not in CREDENTIAL_MODELS[model_name]:
        return True
    return bool(SENSITIVE_RE.search(field_name or ""))


def _canonical_value(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return value


def all_hashed_columns():
    """Every column some version hashes (what verification must read)."""
    seen = []
    for version in sorted(HASH_VERSIONS):
        seen += [col for col in HASH_VERSIONS[version] if col not in seen]
    return tuple(seen)


def hash_version(stored_hash):
    """The version a stored hash was made with: ``$<n>$<hex>``, or 1 for a bare hex digest."""
    if stored_hash and stored_hash.startswith("$"):
        try:
            return int(stored_hash.split("$")[1])
        except (IndexError, ValueError):
            return None
    return 1


def content_hash(row, version=None):
    """sha256 of an event's canonical content with the columns of ``version`` (default: current)."""
    version = version or CURRENT_HASH_VERSION
    canonical = json.dumps(
        [_canonical_value(row.get(col)) for col in HASH_VERSIONS[version]],
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return digest if version == 1 else f"${version}${digest}"


def hash_matches(row):
    """True when ``row["hash"]`` is the content hash of ``row`` in the version it names."""
    version = hash_version(row.get("hash"))
    if version not in HASH_VERSIONS:
        return False
    return content_hash(row, version) == row.get("hash")


def seal_hash(previous_hash, event_hashes):
    digest = hashlib.sha256((previous_hash or "").encode())
    for value in event_hashes:
        digest.update((value or "").encode())
    return digest.hexdigest()


def current_cron_name():
    return getattr(threading.current_thread(), "hc_audit_cron_name", None)


def current_rpc():
    """{"protocol", "ip"} while an XML-RPC / JSON-RPC call runs (set by this module's controller)."""
    return getattr(threading.current_thread(), "hc_audit_rpc", None)


def rpc_safe(value):
    """XML-RPC cannot marshal None: answer False instead while an XML-RPC call runs."""
    rpc = current_rpc()
    if not rpc or rpc.get("protocol") != "xmlrpc":
        return value
    return _none_to_false(value)


def _none_to_false(value):
    if value is None:
        return False
    if isinstance(value, dict):
        return {k: _none_to_false(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_none_to_false(v) for v in value]
    return value


def detect_interface(env):
    """Through which interface the current change arrives, and the client IP when known.

    Rules, first match wins:

    1. server code says so (``lib/trust.attributed``, never the Odoo context, which any RPC
       caller sets): the base module sets ``webhook:<endpoint code>`` while processors run;
       this module sets ``cron:<name>`` around every scheduled action;
    2. a scheduled action runs in this thread (``cron:<name>``, also for "Run Manually");
    3. an XML-RPC / JSON-RPC call runs (``odoo.http.dispatch_rpc`` hides its request; this
       module's RPC controller marks the thread) -> ``rpc``, with the client IP;
    4. an HTTP request is being served: ``/xmlrpc``, ``/jsonrpc`` -> ``rpc``; the webhook
       controller's ``/hc/v1/endpoints/<code>/`` -> ``webhook:<code>``; a request with a
       logged-in web session (the web client, including ``/web/dataset/call_kw``) -> ``ui``;
       any other request -> ``rpc``;
    5. no request and no cron (odoo shell, scripts, server-side jobs, tests) -> ``rpc``.
    """
    iface = trust.attribution().get("interface")
    ip = None
    request = _request()
    if request is not None:
        try:
            ip = request.httprequest.remote_addr
        except Exception:
            ip = None
    rpc = current_rpc()
    if rpc and ip is None:
        ip = rpc.get("ip")
    if iface:
        return iface, ip
    name = current_cron_name()
    if name:
        return f"cron:{name}", ip
    if request is not None:
        try:
            path = request.httprequest.path or ""
        except Exception:
            path = ""
        if path.startswith(RPC_PREFIXES):
            return "rpc", ip
        match = WEBHOOK_RE.match(path)
        if match:
            return f"webhook:{match.group(1)}", ip
        session = getattr(request, "session", None)
        if session is not None and getattr(session, "uid", None):
            return "ui", ip
        return "rpc", ip
    if rpc:
        return "rpc", ip
    return "rpc", ip


def _request():
    try:
        from odoo.http import request

        return request if request else None
    except Exception:
        return None
