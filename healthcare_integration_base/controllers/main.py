"""HTTP API v1 (``/hc/v1``): authenticate, check, hand over to the queue, answer after commit.

The controller only translates HTTP to model calls: parsing and signatures live in ``lib/``,
storage and idempotency in ``hc.inbound.message._ingest``.
"""

import json
import logging
import time
import uuid

import psycopg2
from psycopg2.extensions import ISOLATION_LEVEL_READ_COMMITTED

from odoo import fields, http
from odoo.http import request

from ..lib import crypto, payload, problem, ratelimit, signature
from ..lib.openapi import PATH_METHODS, build_openapi
from ..models.hc_endpoint import DEFAULT_MAX_BODY, server_secret_key

_logger = logging.getLogger(__name__)
_limiter = ratelimit.RateLimiter()
API = "/hc/v1"
READ_CHUNK = 64 * 1024
MAX_PG_INT = 2**31 - 1


class HcRawBodyDispatcher(http.HttpDispatcher):
    """``type="hc_raw"`` routes: like ``http``, but nothing parses the body before the controller.

    Odoo's ``http`` dispatcher reads form bodies (urlencoded, multipart) into ``request.params``
    before the controller runs, so the controller could no longer verify a signature over the
    raw bytes; and it reads them whatever their size. Here the controller reads the raw stream
    itself, in bounded chunks.
    """

    routing_type = "hc_raw"

    def dispatch(self, endpoint, args):
        self.request.params = dict(args)
        return self.request.registry["ir.http"]._dispatch(endpoint)


def _json(status, body, correlation_id, content_type="application/json", headers=None):
    hdrs = [("Content-Type", content_type), ("X-Correlation-ID", correlation_id), ("Cache-Control", "no-store")]
    hdrs += list((headers or {}).items())
    return request.make_response(json.dumps(body, ensure_ascii=False), headers=hdrs, status=status)


def _problem(status, suffix, title, detail, correlation_id, headers=None, **extra):
    body = problem.problem(status, title, detail, suffix, **extra)
    return _json(status, body, correlation_id, "application/problem+json", headers)


# lib/signature.py's reasons, as counted by hc.endpoint.auth.failure
SIGNATURE_REASONS = {
    "missing_headers": "missing_credentials",
    "bad_timestamp": "bad_timestamp",
    "stale_timestamp": "stale_timestamp",
    "no_match": "bad_signature",
}


def _unauthorized(correlation_id):
    # one body for every authentication failure, so endpoint codes cannot be probed
    return _problem(401, problem.UNAUTHORIZED, "Unauthorized", "Missing or invalid credentials.", correlation_id)


class HcApiController(http.Controller):
    # ------------------------------------------------------------------ helpers
    def _correlation_id(self):
        given = request.httprequest.headers.get("X-Correlation-ID", "")
        return given[:128] if given and given.isprintable() else uuid.uuid4().hex

    def _credentials_ok(self, ctx, headers, body):
        return self._credentials_failure(ctx, headers, body) is None

    def _credentials_failure(self, ctx, headers, body):
        """Why these credentials do not authenticate ``ctx``'s endpoint (a reason code of
        ``hc.endpoint.auth.failure``), or None when they do."""
        now = time.time()
        valid = [value for value, expires in ctx["credentials"] if not expires or expires > fields.Datetime.now()]
        if not valid:
            return "no_valid_credential"
        if ctx["auth_method"] == "api_key":
            auth = headers.get("Authorization", "")
            if not auth.startswith("Bearer ") or not auth[7:].strip():
                return "missing_credentials"
            return None if signature.verify_api_key(auth[7:].strip(), valid) else "bad_api_key"
        try:
            signature.verify(valid, headers, body, now=now, tolerance=ctx["tolerance"])
        except signature.SignatureError as exc:
            return SIGNATURE_REASONS.get(exc.reason, "bad_signature")
        return None

    def _record_auth_failure(self, ctx, reason):
        """Count this 401 (endpoint, minute, reason: nothing the caller sent) in a transaction of
        its own, committed whatever becomes of the request's; never fails the answer."""
        try:
            with request.env.registry.cursor() as cr:
                cr._cnx.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)  # concurrent upserts of one row
                self._env(cr)["hc.endpoint.auth.failure"]._record(
                    ctx["id"] if ctx else None, ctx["company_id"] if ctx else None, reason
                )
                cr.commit()
        except Exception as exc:  # the answer stays the contract's 401
            _logger.warning("Could not count an authentication failure: %s", type(exc).__name__)

    def _client_ip(self):
        """The client's address: the socket peer, or, only when Odoo runs with ``proxy_mode``, the
        address the (one, trusted) reverse proxy appended to ``X-Forwarded-For``.

        Odoo applies its proxy fix only when the proxy also sends ``X-Forwarded-Host``; without
        it the peer would be the proxy for every request, which an allowlist containing the
        proxy's network would then let through. So in proxy mode the last ``X-Forwarded-For``
        entry is taken here too (the one the proxy added; earlier ones are the client's say).
        Without ``proxy_mode`` the header is ignored: any client can send it.
        """
        from odoo.tools import config

        hreq = request.httprequest
        addr = hreq.remote_addr or ""
        if config.get("proxy_mode") and "werkzeug.proxy_fix.orig" not in hreq.environ:
            forwarded = [p.strip() for p in hreq.headers.get("X-Forwarded-For", "").split(",") if p.strip()]
            if forwarded:
                addr = forwarded[-1]
        return addr

    def _ip_allowed(self, ctx):
        if not ctx["networks"]:
            return True
        import ipaddress

        try:
            addr = ipaddress.ip_address(self._client_ip().split("%", 1)[0])
        except ValueError:
            return False
        # a dual-stack socket reports IPv4 clients as IPv4-mapped IPv6 (::ffff:10.0.0.5): that
        # client matches 10.0.0.0/8 (and a network written in the mapped form still matches)
        candidates = [addr]
        if addr.version == 6 and addr.ipv4_mapped:
            candidates.append(addr.ipv4_mapped)
        return any(a in net for a in candidates for net in ctx["networks"])

    def _env(self, cr=None):
        return request.env(cr=cr or request.env.cr, user=1, su=True)

    def _body_ceiling(self):
        """The largest body any endpoint accepts: what is read before we know who is asking.

        It does not depend on the code in the URL, so an oversized body gets the same answer for
        a known and an unknown endpoint (codes cannot be probed with sizes).
        """
        self._env().cr.execute("SELECT max(max_body_bytes) FROM hc_endpoint WHERE active")
        largest = self._env().cr.fetchone()[0] or 0
        return max(DEFAULT_MAX_BODY, largest)

    def _read_body(self, ceiling):
        """The raw body, or None when it is larger than ``ceiling``; never reads much more.

        Read from the WSGI input stream in bounded chunks whatever the framing (Content-Length or
        ``Transfer-Encoding: chunked``); kept on the request, so a retried transaction reuses it.
        """
        cached = getattr(request, "_hc_raw_body", False)
        if cached is not False:
            return cached
        hreq = request.httprequest
        body = None
        declared = hreq.content_length
        if declared is None or declared <= ceiling:
            stream = hreq._HTTPRequest__wrapped.stream
            chunks, total = [], 0
            while True:
                chunk = stream.read(min(READ_CHUNK, ceiling + 1 - total))
                if not chunk:
                    body = b"".join(chunks)
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > ceiling:
                    break
        request._hc_raw_body = body
        return body

    def _too_large(self, limit, cid):
        return _problem(
            413,
            problem.PAYLOAD_TOO_LARGE,
            "Payload Too Large",
            f"The body exceeds the limit of {limit} bytes.",
            cid,
            headers={"Connection": "close"},
        )

    # ------------------------------------------------------------------ POST messages
    @http.route(
        f"{API}/endpoints/<string:code>/messages",
        type="hc_raw",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def post_messages(self, code, **_kw):
        cid = self._correlation_id()
        hreq = request.httprequest
        ceiling = self._body_ceiling()
        body = self._read_body(ceiling)  # before anything else: the framework must not parse it
        if body is None:
            return self._too_large(ceiling, cid)
        ctx = self._env()["hc.endpoint"]._auth_context(code)
        failure = self._credentials_failure(ctx, hreq.headers, body) if ctx else "unknown_endpoint"
        if failure:
            self._record_auth_failure(ctx, failure)
            return _unauthorized(cid)
        if len(body) > ctx["max_body"]:
            return self._too_large(ctx["max_body"], cid)
        if not self._ip_allowed(ctx):
            return _problem(403, problem.FORBIDDEN, "Forbidden", "This client address may not post here.", cid)
        if ctx["rate_limit"]:
            allowed, retry_after = _limiter.allow(ctx["id"], ctx["rate_limit"], time.time())
            if not allowed:
                return _problem(
                    429,
                    problem.RATE_LIMITED,
                    "Too Many Requests",
                    "Rate limit exceeded.",
                    cid,
                    headers={"Retry-After": str(max(1, int(retry_after + 0.999)))},
                )
        bad_header = self._bad_header(hreq.headers)
        if bad_header:
            return _problem(400, problem.INVALID_HEADER, "Invalid Header", bad_header, cid)
        content_type = payload.normalise_content_type(hreq.headers.get("Content-Type", ""))
        meta = {
            "correlation_id": cid,
            "content_type": content_type[:128],
            "webhook_id": hreq.headers.get("webhook-id"),
            "client_ip": self._client_ip(),
        }
        if ctx["auth_method"] == "signature":
            # the webhook-id is signed: a replay of this delivery is the same message (see _ingest)
            meta["signed_webhook_id"] = meta["webhook_id"]
        try:
            parsed = payload.parse_document(body, content_type, hreq.headers.get("X-HC-Message-Type"))
        except payload.UnsupportedMediaType:
            return _problem(
                415,
                problem.UNSUPPORTED_MEDIA_TYPE,
                "Unsupported Media Type",
                "This content type is not accepted.",
                cid,
            )
        except payload.UnreadableBody as exc:
            # not stored: an unreadable body cannot be pseudonymised, and may hold patient data
            type_header = (hreq.headers.get("X-HC-Message-Type") or "").strip() or None
            doc = {
                "key": f"unreadable:{uuid.uuid4().hex}",
                "body_hash": payload.body_hash(body, "application/octet-stream"),
                "message_type": type_header[: payload.MAX_TYPE] if type_header and type_header.isprintable() else None,
                "payload": None,
                "state": "rejected",
                "error_code": "unreadable_body",
                "error_detail": f"{exc.detail} ({len(body)} bytes, not kept)",
            }
            return self._store_and_answer(ctx, [doc], meta, cid, single_status=400, detail=exc.detail)
        if len(parsed.documents) > ctx["max_batch"]:  # before any event is validated
            return _problem(
                413,
                problem.BATCH_TOO_LARGE,
                "Batch Too Large",
                f"A batch (or a FHIR Bundle) may hold at most {ctx['max_batch']} documents.",
                cid,
            )
        docs = self._prepare_docs(ctx, parsed, meta, hreq.headers)
        if parsed.kind == "batch":
            return self._store_and_answer(ctx, docs, meta, cid, batch=True)
        if docs and docs[0].get("forbidden"):
            return _problem(
                403,
                problem.FORBIDDEN,
                "Forbidden",
                f"This endpoint may not send messages of type '{docs[0]['message_type']}'.",
                cid,
            )
        if len(docs) > 1:  # e.g. a FHIR Bundle: one message per entry, answered like a batch
            return self._store_and_answer(ctx, docs, meta, cid, batch=True)
        return self._store_and_answer(ctx, docs, meta, cid)

    @staticmethod
    def _bad_header(headers):
        """Why a header we would store cannot be, naming it (never its value); or None."""
        for name in ("webhook-id", "Idempotency-Key"):
            value = headers.get(name)
            if value is not None and not (0 < len(value.strip()) <= payload.MAX_KEY and value.isprintable()):
                return f"{name}: 1 to {payload.MAX_KEY} printable characters"
        return None

    def _pseudonym_key(self):
        return crypto.derive_fernet_key(server_secret_key(self._env()) + ":pseudonym")

    def _prepare_docs(self, ctx, parsed, meta, headers):
        """One storable dict per document: key, hash, type, payload text, state."""
        from ..models.hc_inbound_message import parse_rfc3339

        endpoint_model = self._env()["hc.endpoint"]
        Type = self._env()["hc.message.type"]
        key_header = headers.get("Idempotency-Key")
        type_header = (headers.get("X-HC-Message-Type") or "").strip()
        pkey = None
        docs = []
        for index, doc in enumerate(parsed.documents):
            obj = doc.payload
            # refused at the door whatever the type (NUL, lengths, depth), then by the type's processor
            error = doc.problem or self._door_error(Type, parsed.kind, doc, obj, type_header)
            if isinstance(obj, (dict, list)):
                pkey = pkey or self._pseudonym_key()
                if parsed.kind == "fhir":
                    obj = payload.pseudonymise_fhir(obj, pkey)
                else:
                    obj = payload.pseudonymise_event(obj, pkey)
                text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
                body_hash = payload.canonical_json_hash(obj)
            else:
                text = obj if isinstance(obj, str) else str(obj)
                body_hash = payload.body_hash(text.encode(), meta["content_type"])
            key = doc.idempotency_key
            if parsed.kind == "fhir" and isinstance(obj, dict):
                key = payload.fhir_key(obj) or key  # a Patient's id is pseudonymised: so is its key
            if key_header and parsed.kind != "batch" and len(parsed.documents) == 1:
                key = key_header
            key = key or meta.get("webhook_id") or f"auto:{uuid.uuid4().hex}"
            item = {
                "key": str(key)[: payload.MAX_KEY],
                "body_hash": body_hash,
                "message_type": doc.message_type,
                "payload": text,
                "batch_index": index,
                "occurred_at": parse_rfc3339(
                    doc.occurred_at or (obj.get("occurred_at") if isinstance(obj, dict) else None)
                ),
            }
            if error:
                item.update(state="rejected", error_code="schema_violation", error_detail=error)
            elif not endpoint_model._type_allowed(ctx["types"], doc.message_type):
                item.update(
                    state="rejected",
                    error_code="message_type_forbidden",
                    forbidden=True,
                    error_detail=f"This endpoint may not send messages of type '{doc.message_type}'.",
                )
            if not error:
                item["priority"] = Type._document_priority(doc.message_type, obj)
            docs.append(item)
        return docs

    @staticmethod
    def _door_error(Type, kind, doc, obj, type_header):
        """Why a document is refused at the door (``schema_violation``), or None.

        The type that is processed is the one that is checked: for a JSON event that is the
        body's (signed) ``type``; an unsigned ``X-HC-Message-Type`` header may name the type of a
        body that has none, but never a different one. Every body is then checked by its
        type's processor, whatever the header says.
        """
        if kind in ("event", "batch"):
            if not isinstance(obj, dict):
                return "An event must be a JSON object."
            body_type = obj.get("type")
            if body_type is not None and not isinstance(body_type, str):
                return "$.type: must be a string"
            if type_header and body_type and body_type != type_header:
                return "X-HC-Message-Type names a different type than the body's 'type'."
            if body_type:
                doc.message_type = body_type[:128]
            if not doc.message_type:
                return "$.type: is a required property"
        violations = Type._validate_at_door(doc.message_type, obj, kind)
        return "; ".join(violations[:5]) if violations else None

    def _store_and_answer(self, ctx, docs, meta, cid, batch=False, single_status=None, detail=None):
        if not batch and docs and docs[0].get("forbidden"):
            docs = []  # a forbidden single message is refused, not stored
        try:
            results = self._ingest(ctx, docs, meta)
        except psycopg2.Error as exc:
            # the class and code only: a database message may quote the values of the statement
            _logger.error(
                "Could not commit an inbound message (endpoint id %s): %s %s",
                ctx["id"],
                type(exc).__name__,
                exc.pgcode or "",
            )
            return _problem(
                503,
                problem.UNAVAILABLE,
                "Service Unavailable",
                "The message could not be stored; send it again later.",
                cid,
                headers={"Retry-After": "5"},
            )
        if batch:
            out = []
            for index, res in enumerate(results):
                item = {
                    "index": index,
                    "message_id": res["message_id"],
                    "status": res["status"],
                    "duplicate": res["duplicate"],
                }
                if res.get("error"):
                    item["error"] = res["error"]
                out.append(item)
            return _json(202, {"results": out, "correlation_id": cid}, cid)
        res = results[0]
        mid = res["message_id"]
        if single_status == 400:
            return _problem(
                400,
                problem.UNREADABLE_BODY,
                "Unreadable Body",
                detail or "The body could not be read.",
                cid,
                message_id=mid,
            )
        if res.get("conflict"):
            return _problem(
                422,
                problem.IDEMPOTENCY_KEY_REUSE,
                "Idempotency Key Reused",
                "This idempotency key was already used with a different body.",
                cid,
                message_id=mid,
            )
        if res["status"] == "rejected":
            return _problem(
                422, problem.SCHEMA_VIOLATION, "Schema Violation", res["error"]["detail"], cid, message_id=mid
            )
        body = {
            "message_id": mid,
            "status": res["status"],
            "duplicate": res["duplicate"],
            "status_url": f"{API}/messages/{mid}",
            "correlation_id": cid,
        }
        return _json(200 if res["duplicate"] else 202, body, cid)

    def _ingest(self, ctx, docs, meta):
        """Store in our own READ COMMITTED transaction and commit before answering."""
        if not docs:
            return []
        registry = request.env.registry
        with registry.cursor() as cr:
            cr._cnx.set_isolation_level(ISOLATION_LEVEL_READ_COMMITTED)
            env = request.env(cr=cr, user=ctx["user_id"], su=True)
            results = env["hc.inbound.message"]._ingest(ctx, docs, meta)
            notify = False
            if ctx["sync_mode"] == "realtime" and any(
                r["status"] == "received" and not r["duplicate"] for r in results
            ):
                notify = env["hc.inbound.message"]._trigger_realtime()
            cr.commit()
        if notify:
            try:
                request.env["ir.cron"].sudo()._notifydb()
            except psycopg2.Error:  # the cron still runs on its schedule
                _logger.warning("Could not notify the cron runners")
        return results

    # ------------------------------------------------------------------ GET message
    def _authenticate_any(self, headers, body=b""):
        """The auth context of the endpoint whose credentials these are, or None."""
        Endpoint = self._env()["hc.endpoint"]
        for code in Endpoint._active_codes():
            ctx = Endpoint._auth_context(code)
            if ctx and self._credentials_ok(ctx, headers, body):
                return ctx
        return None

    @http.route(
        f"{API}/messages/<int:message_id>", type="http", auth="none", methods=["GET"], csrf=False, save_session=False
    )
    def get_message(self, message_id, **_kw):
        cid = self._correlation_id()
        ctx = self._authenticate_any(request.httprequest.headers)
        if not ctx:
            self._record_auth_failure(None, "no_endpoint_matched")
            return _unauthorized(cid)
        if not 0 < message_id <= MAX_PG_INT:
            return _problem(404, problem.NOT_FOUND, "Not Found", "No such message for this endpoint.", cid)
        msg = self._env()["hc.inbound.message"].browse(message_id).exists()
        if not msg or msg.endpoint_id.id != ctx["id"]:
            return _problem(404, problem.NOT_FOUND, "Not Found", "No such message for this endpoint.", cid)
        return _json(200, msg._api_status(), cid)

    @http.route(
        [API, f"{API}/", f"{API}/<path:rest>"],
        type="hc_raw",
        auth="none",
        csrf=False,
        save_session=False,
    )
    def not_found(self, rest="", **_kw):
        """Anything else under /hc/v1 answers problem+json, never Odoo's HTML pages.

        A path of the API with a method it does not serve is 405 (with ``Allow``); any other path,
        or a path parameter that is not what the API expects (``/messages/abc``), is 404.
        """
        cid = self._correlation_id()
        path = f"{API}/{rest}"
        method = request.httprequest.method
        allowed = set()
        for pattern, methods in PATH_METHODS:
            if pattern.fullmatch(path):
                allowed |= methods
        if allowed and method not in allowed:
            return _problem(
                405,
                problem.METHOD_NOT_ALLOWED,
                "Method Not Allowed",
                f"This path answers {', '.join(sorted(allowed))}.",
                cid,
                headers={"Allow": ", ".join(sorted(allowed))},
            )
        return _problem(404, problem.NOT_FOUND, "Not Found", "No such resource.", cid)

    # ------------------------------------------------------------------ health, openapi
    @http.route(f"{API}/health", type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def health(self, **_kw):
        cid = self._correlation_id()
        try:
            env = self._env()
            env.cr.execute("SELECT 1")
        except psycopg2.Error:
            return _json(503, {"status": "unavailable"}, cid, headers={"Retry-After": "5"})
        body = {"status": "ok"}
        headers = request.httprequest.headers
        if headers.get("Authorization") or headers.get("webhook-signature"):
            ctx = self._authenticate_any(headers)
            if ctx:
                body.update(env["hc.inbound.message"]._health_for_endpoint(ctx["id"]))
        return _json(200, body, cid)

    @http.route(f"{API}/openapi.json", type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def openapi(self, **_kw):
        env = self._env()
        extra, bodies = {}, []
        for model in sorted({row[4] for row in env["hc.message.type"]._rows() if row[4] in env}):
            published = env[model]._openapi_schemas() or {}
            extra.update(published.get("schemas") or {})
            bodies += [name for name in published.get("json_bodies") or () if name not in bodies]
        doc = build_openapi(
            request.httprequest.host_url.rstrip("/"),
            message_types=env["hc.message.type"]._api_description(),
            extra_schemas=extra,
            json_bodies=bodies,
        )
        return _json(200, doc, self._correlation_id())
