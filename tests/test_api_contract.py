"""http-api-v1.md, rule by rule, over real HTTP against a running Odoo, checking the database."""

import json
import threading
import time
import uuid
from pathlib import Path

import requests

from .conftest import event

SAMPLES = Path(__file__).resolve().parent / "samples"


def problem_ok(resp, status, type_suffix=None):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body = resp.json()
    for key in ("type", "title", "status", "detail"):
        assert key in body, body
    assert body["status"] == status
    if type_suffix:
        assert body["type"].endswith(type_suffix), body["type"]
    return body


# ---------------------------------------------------------------- accepted, stored, committed
def test_signed_event_is_stored_before_202(endpoint, db):
    ev = event()
    resp = endpoint.post(ev, headers={"X-Correlation-ID": "corr-abc"})
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert body["status"] == "received" and body["duplicate"] is False
    assert body["status_url"] == f"/hc/v1/messages/{body['message_id']}"
    assert resp.headers["X-Correlation-ID"] == "corr-abc" == body["correlation_id"]
    row = db.one(
        "SELECT state, message_type, idempotency_key, correlation_id, occurred_at, payload "
        "FROM hc_inbound_message WHERE id = %s",
        body["message_id"],
    )
    assert row[:4] == ("received", "inventory.consumption", ev["id"], "corr-abc")
    assert row[4].isoformat() == "2026-11-23T07:41:39"
    ledger = db.one(
        "SELECT message_id FROM hc_idempotency_key WHERE endpoint_id = %s AND key = %s", endpoint.id, ev["id"]
    )
    assert ledger == (body["message_id"],)
    # patient references are pseudonymised before anything is stored
    assert "MRN-0042" not in row[5] and "ENC-9" not in row[5]
    assert db.value("SELECT count(*) FROM hc_inbound_message WHERE payload LIKE '%%MRN-0042%%'") == 0


def test_correlation_id_generated_when_absent(endpoint):
    resp = endpoint.post(event())
    assert len(resp.headers["X-Correlation-ID"]) >= 16


# ---------------------------------------------------------------- idempotency
def test_repeat_in_new_delivery_same_json_value_is_a_duplicate(endpoint, db):
    ev = event()
    first = endpoint.post(ev).json()
    reordered = json.dumps(dict(reversed(list(ev.items()))), indent=3)
    again = endpoint.post(reordered)  # new webhook-id, other key order and white space
    assert again.status_code == 200
    assert again.json()["message_id"] == first["message_id"]
    assert again.json()["duplicate"] is True
    assert db.value("SELECT count(*) FROM hc_inbound_message WHERE endpoint_id = %s", endpoint.id) == 1
    assert db.value("SELECT duplicate_count FROM hc_idempotency_key WHERE endpoint_id = %s", endpoint.id) == 1


def test_same_key_different_body_is_422_and_recorded(endpoint, db):
    ev = event()
    first = endpoint.post(ev).json()
    resp = endpoint.post({**ev, "quantity": 3})
    body = problem_ok(resp, 422, "idempotency-key-reuse")
    assert body["message_id"] != first["message_id"]
    assert db.one("SELECT state, error_code FROM hc_inbound_message WHERE id = %s", body["message_id"]) == (
        "rejected",
        "idempotency_key_reuse",
    )
    assert (
        db.value(
            "SELECT count(*) FROM hc_idempotency_conflict c JOIN hc_idempotency_key l ON l.id = c.ledger_id "
            "WHERE l.endpoint_id = %s",
            endpoint.id,
        )
        == 1
    )


def test_idempotency_key_header_wins_over_event_id(endpoint, db):
    a = endpoint.post(event(), headers={"Idempotency-Key": "order-77"})
    b = endpoint.post(event(), headers={"Idempotency-Key": "order-77"})  # other event id, other body
    assert a.status_code == 202
    problem_ok(b, 422, "idempotency-key-reuse")
    assert db.value("SELECT key FROM hc_idempotency_key WHERE endpoint_id = %s", endpoint.id) == "order-77"


def test_webhook_id_is_the_key_of_last_resort(endpoint, db):
    xml = (
        (SAMPLES / "no_identity.xml").read_bytes()
        if (SAMPLES / "no_identity.xml").exists()
        else b"<Note><to>stores</to></Note>"
    )
    r1 = endpoint.post(xml, content_type="application/xml", webhook_id="msg_fixed_1")
    r2 = endpoint.post(xml, content_type="application/xml", webhook_id="msg_fixed_1")
    assert r1.status_code == 202 and r2.status_code == 200
    assert r2.json()["message_id"] == r1.json()["message_id"]


def test_twenty_concurrent_identical_posts_make_one_message(endpoint, db):
    ev = event()
    body = json.dumps(ev).encode()
    barrier = threading.Barrier(20)
    responses = []

    def send():
        headers = {"Content-Type": "application/json", **endpoint.headers(body)}
        barrier.wait()
        responses.append(
            requests.post(
                f"{endpoint.server.url}/hc/v1/endpoints/{endpoint.code}/messages",
                data=body,
                headers=headers,
                timeout=60,
            )
        )

    threads = [threading.Thread(target=send) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 19 + [202], codes
    assert len({r.json()["message_id"] for r in responses}) == 1
    assert db.value("SELECT count(*) FROM hc_inbound_message WHERE endpoint_id = %s", endpoint.id) == 1
    assert db.value("SELECT duplicate_count FROM hc_idempotency_key WHERE endpoint_id = %s", endpoint.id) == 19


# ---------------------------------------------------------------- batch
def test_batch_one_message_per_event_in_order(endpoint, db):
    evs = [event() for _ in range(3)]
    bad = {"id": "broken-1", "type": "inventory.consumption"}  # breaks the schema
    resp = endpoint.post({"events": [*evs, evs[0], bad]})
    assert resp.status_code == 202, resp.text
    results = resp.json()["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert [r.get("duplicate") for r in results[:4]] == [False, False, False, True]
    assert results[3]["message_id"] == results[0]["message_id"]
    assert results[4]["error"]["code"] == "schema_violation"
    keys = db.all(
        "SELECT idempotency_key FROM hc_inbound_message WHERE endpoint_id = %s AND state = 'received' ORDER BY id",
        endpoint.id,
    )
    assert [k for (k,) in keys] == [e["id"] for e in evs]
    assert db.value("SELECT state FROM hc_inbound_message WHERE id = %s", results[4]["message_id"]) == "rejected"


def test_batch_above_endpoint_limit_is_refused(odoo_server):
    ep = odoo_server.make_endpoint(sync_mode="batch", max_batch_events=2)
    resp = ep.post({"events": [event() for _ in range(3)]})
    problem_ok(resp, 413)


# ---------------------------------------------------------------- bad input: stored, marked, told
def test_unreadable_body_is_stored_rejected_and_400(endpoint, db):
    resp = endpoint.post(b'{"id": "x", "type": ', content_type="application/json")
    body = problem_ok(resp, 400)
    assert db.one("SELECT state, error_code FROM hc_inbound_message WHERE id = %s", body["message_id"]) == (
        "rejected",
        "unreadable_body",
    )


def test_schema_violation_is_stored_rejected_and_422(endpoint, db):
    resp = endpoint.post(event(quantity=-1))
    body = problem_ok(resp, 422)
    assert db.one("SELECT state, error_class FROM hc_inbound_message WHERE id = %s", body["message_id"]) == (
        "rejected",
        "business",
    )


def test_unsupported_content_type_is_415(endpoint):
    problem_ok(endpoint.post(b"hello", content_type="text/plain"), 415)


def test_body_above_size_limit_is_413(odoo_server):
    ep = odoo_server.make_endpoint(sync_mode="batch", max_body_bytes=1000)
    problem_ok(ep.post(event(reason="x" * 2000)), 413)


# ---------------------------------------------------------------- authentication
def test_every_authentication_failure_looks_the_same(endpoint, odoo_server):
    body = json.dumps(event()).encode()
    url = f"{odoo_server.url}/hc/v1/endpoints/{endpoint.code}/messages"
    good = endpoint.headers(body)
    cases = {
        "unknown endpoint": (f"{odoo_server.url}/hc/v1/endpoints/no-such-system/messages", good),
        "bad signature": (url, {**good, "webhook-signature": "v1,AAAA"}),
        "missing signature": (url, {k: v for k, v in good.items() if k != "webhook-signature"}),
        "stale timestamp": (url, endpoint.headers(body, timestamp=time.time() - 301)),
        "future timestamp": (url, endpoint.headers(body, timestamp=time.time() + 400)),
        "wrong secret": (url, endpoint.headers(body, secret="whsec_" + "QUJD" * 8)),
    }
    bodies = set()
    for name, (target, headers) in cases.items():
        resp = requests.post(target, data=body, headers={"Content-Type": "application/json", **headers}, timeout=30)
        assert resp.status_code == 401, name
        data = resp.json()
        bodies.add(json.dumps({k: v for k, v in data.items() if k != "correlation_id"}, sort_keys=True))
    assert len(bodies) == 1, bodies
    odoo_server.rpc("hc.endpoint", "write", [endpoint.id], {"active": False})
    resp = requests.post(
        url, data=body, headers={"Content-Type": "application/json", **endpoint.headers(body)}, timeout=30
    )
    assert resp.status_code == 401


def test_any_of_several_signatures_and_rotation_grace(odoo_server, db):
    ep = odoo_server.make_endpoint(sync_mode="batch")
    old = ep.secret
    new = odoo_server.rpc("hc.endpoint", "generate_secret", [ep.id])
    body = json.dumps(event()).encode()
    h_old = ep.headers(body, secret=old)
    h_new = ep.headers(body, webhook_id=h_old["webhook-id"], timestamp=int(h_old["webhook-timestamp"]), secret=new)
    both = {**h_old, "webhook-signature": f"v1,bm9wZQ== {h_new['webhook-signature']}"}
    resp = requests.post(
        f"{odoo_server.url}/hc/v1/endpoints/{ep.code}/messages",
        data=body,
        headers={"Content-Type": "application/json", **both},
        timeout=30,
    )
    assert resp.status_code == 202
    assert ep.post(event(), secret=old).status_code == 202, "the previous secret works during the grace period"
    # no secret is readable again, not even by the admin over RPC
    assert "secret_ids" not in odoo_server.rpc("hc.endpoint", "read", [ep.id], ["name"])[0]
    assert db.value("SELECT count(*) FROM hc_endpoint_secret WHERE secret_encrypted LIKE %s", f"%{new}%") == 0


def test_api_key_endpoint(odoo_server, db):
    ep = odoo_server.make_endpoint(auth_method="api_key", sync_mode="batch")
    assert ep.post(event()).status_code == 202
    assert ep.post(event(), secret="wrong-key").status_code == 401
    assert (
        db.value(
            "SELECT count(*) FROM hc_endpoint_secret WHERE key_hash = %s OR secret_encrypted = %s", ep.secret, ep.secret
        )
        == 0
    )


def test_forbidden_message_type_and_network(odoo_server, db):
    ep = odoo_server.make_endpoint(sync_mode="batch", allowed_message_types="inventory.receipt")
    problem_ok(ep.post(event(type="inventory.consumption")), 403)
    assert ep.post(event(type="inventory.receipt")).status_code == 202
    ep2 = odoo_server.make_endpoint(sync_mode="batch", allowed_networks="10.99.0.0/16")
    problem_ok(ep2.post(event()), 403)
    assert db.value("SELECT count(*) FROM hc_inbound_message WHERE endpoint_id = %s", ep2.id) == 0


def test_rate_limit_429_with_retry_after(odoo_server):
    ep = odoo_server.make_endpoint(sync_mode="batch", rate_limit_per_minute=3)
    codes = [ep.post(event()).status_code for _ in range(3)]
    assert codes == [202, 202, 202]
    resp = ep.post(event())
    problem_ok(resp, 429)
    assert int(resp.headers["Retry-After"]) >= 1


# ---------------------------------------------------------------- status, health, openapi
def test_get_message_status_own_other_and_anonymous(endpoint, odoo_server):
    mid = endpoint.post(event()).json()["message_id"]
    resp = endpoint.get_message(mid)
    assert resp.status_code == 200
    body = resp.json()
    assert body["message_id"] == mid and body["endpoint"] == endpoint.code
    assert body["status"] == "received" and body["message_type"] == "inventory.consumption"
    assert set(body) >= {"attempts", "received_at", "processed_at", "error", "result"}
    other = odoo_server.make_endpoint(sync_mode="batch")
    assert other.get_message(mid).status_code == 404
    assert requests.get(f"{odoo_server.url}/hc/v1/messages/{mid}", timeout=30).status_code == 401


def test_health_with_credentials_shows_the_queue(endpoint, odoo_server):
    endpoint.post(event())
    anonymous = requests.get(f"{odoo_server.url}/hc/v1/health", timeout=30).json()
    assert anonymous == {"status": "ok"}
    resp = requests.get(f"{odoo_server.url}/hc/v1/health", headers=endpoint.headers(b""), timeout=30)
    body = resp.json()
    assert body["status"] == "ok"
    assert body["queue_depth"] == 1
    assert body["counts"]["received"] == 1
    assert body["oldest_pending_age_s"] >= 0


def test_openapi_document_is_valid_31(odoo_server):
    doc = requests.get(f"{odoo_server.url}/hc/v1/openapi.json", timeout=30).json()
    assert doc["openapi"].startswith("3.1")
    assert "/hc/v1/endpoints/{code}/messages" in doc["paths"]
    post = doc["paths"]["/hc/v1/endpoints/{code}/messages"]["post"]
    assert {"200", "202", "400", "401", "403", "413", "415", "422", "429", "503"} <= set(post["responses"])
    assert "InventoryEvent" in doc["components"]["schemas"]
    try:
        from openapi_spec_validator import validate
    except ImportError:
        from jsonschema import Draft202012Validator

        Draft202012Validator.check_schema(doc["components"]["schemas"]["InventoryEvent"])
    else:
        validate(doc)


def test_database_failure_answers_503_with_retry_after(endpoint, db):
    marker = f"FAIL-{uuid.uuid4().hex[:8]}"
    db.execute(f"""
        CREATE OR REPLACE FUNCTION hc_test_fail() RETURNS trigger AS $$
        BEGIN IF NEW.payload LIKE '%{marker}%' THEN RAISE EXCEPTION 'disk full (test)'; END IF; RETURN NEW; END
        $$ LANGUAGE plpgsql""")
    db.execute(
        "CREATE TRIGGER hc_test_fail BEFORE INSERT ON hc_inbound_message FOR EACH ROW EXECUTE FUNCTION hc_test_fail()"
    )
    try:
        resp = endpoint.post(event(reason=marker))
        problem_ok(resp, 503)
        assert int(resp.headers["Retry-After"]) > 0
        assert db.value("SELECT count(*) FROM hc_idempotency_key WHERE endpoint_id = %s", endpoint.id) == 0, (
            "nothing half-stored: the ledger row rolled back with the message"
        )
    finally:
        db.execute("DROP TRIGGER IF EXISTS hc_test_fail ON hc_inbound_message")
    assert endpoint.post(event(reason=marker)).status_code == 202, "the sender's retry succeeds"


def test_unregistered_type_fails_with_no_handler(odoo_server, db):
    ep = odoo_server.make_endpoint(sync_mode="realtime")
    resp = ep.post(
        b"<Note><to>stores</to></Note>", content_type="application/xml", headers={"X-HC-Message-Type": "acme.note"}
    )
    assert resp.status_code == 202
    mid = resp.json()["message_id"]
    status = odoo_server.wait_for(lambda: (s := ep.get_message(mid).json())["status"] != "received" and s)
    assert status["status"] == "failed"
    assert status["error"] == {"class": "business", "code": "no_handler", "detail": status["error"]["detail"]}
    assert (
        db.value(
            "SELECT code FROM hc_exception e JOIN hc_inbound_message m ON m.exception_id = e.id WHERE m.id = %s", mid
        )
        == "no_handler"
    )


# ---------------------------------------------------------------- other content types and their keys
def test_x12_edifact_cxml_keys_and_types(endpoint, db):
    cases = [
        ("x12_850.txt", "application/edi-x12", "x12.850", "828513080:000000245"),
        ("edifact_orders.edi", "application/edifact", "edifact.ORDERS", "5400110000009:2722166169492"),
        ("cxml_order_request.xml", "text/xml", "cxml.OrderRequest", "1625586002.193314.7293@dev"),
    ]
    for name, ctype, mtype, key in cases:
        raw = (SAMPLES / name).read_bytes()
        first = endpoint.post(raw, content_type=ctype)
        assert first.status_code == 202, (name, first.text)
        again = endpoint.post(raw, content_type=ctype)  # a new delivery of the same interchange
        assert again.status_code == 200 and again.json()["message_id"] == first.json()["message_id"], name
        assert db.one(
            "SELECT message_type, idempotency_key FROM hc_inbound_message WHERE id = %s", first.json()["message_id"]
        ) == (mtype, key)


def test_fhir_bundle_is_one_message_per_entry_with_resource_keys(endpoint, db):
    delivery = json.loads((SAMPLES / "fhir" / "supplydelivery-example.json").read_text())
    dispense = json.loads((SAMPLES / "fhir" / "medicationdispenseexample8.json").read_text())
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": delivery}, {"resource": dispense}]}
    resp = endpoint.post(bundle, content_type="application/fhir+json")
    assert resp.status_code == 202, resp.text
    results = resp.json()["results"]
    rows = db.all(
        "SELECT message_type, idempotency_key, payload FROM hc_inbound_message WHERE id = ANY(%s) ORDER BY id",
        [r["message_id"] for r in results],
    )
    assert [(t, k) for t, k, _p in rows] == [
        ("SupplyDelivery", "SupplyDelivery/simpledelivery"),
        ("MedicationDispense", "MedicationDispense/meddisp008"),
    ]
    patient = dispense["subject"]["reference"]
    assert all(patient not in payload for _t, _k, payload in rows), "patient references are pseudonymised"
    single = endpoint.post(dispense, content_type="application/fhir+json")
    assert single.status_code == 200 and single.json()["duplicate"] is True
