"""Issue 9, the door: signatures, sizes, framing, poison input, patient data, the published document.

Every test talks to a running Odoo over HTTP and checks what the database holds afterwards.
"""

import json
import socket
import threading
import time
import uuid
from pathlib import Path

import requests

from .conftest import event as contract_event

SAMPLES = Path(__file__).resolve().parent / "samples"


def event(**overrides):
    """A valid event at a place no stock lives in: processing it (the batch cron may) moves nothing
    that other tests count."""
    return contract_event(**{"location": "DOOR-TEST-NOWHERE", **overrides})


def url_of(endpoint):
    return f"{endpoint.server.url}/hc/v1/endpoints/{endpoint.code}/messages"


def raw_post(endpoint, body, headers, code=None):
    target = f"{endpoint.server.url}/hc/v1/endpoints/{code or endpoint.code}/messages"
    return requests.post(target, data=body, headers=headers, timeout=60)


def problem(resp, status):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json"), resp.headers
    return resp.json()


def marker(prefix="MRN"):
    """A patient identifier no other test uses: it must never be found raw in the database."""
    return f"{prefix}-{uuid.uuid4().hex[:12].upper()}"


def messages(db, endpoint):
    return db.all(
        "SELECT id, state, idempotency_key, message_type, payload, error_code, error_detail "
        "FROM hc_inbound_message WHERE endpoint_id = %s ORDER BY id",
        endpoint.id,
    )


def raw_in_db(db, value):
    """Rows of the inbound queue, the ledger and exceptions where ``value`` appears raw."""
    like = f"%{value}%"
    return db.value(
        "SELECT (SELECT count(*) FROM hc_inbound_message WHERE payload LIKE %s OR error_detail LIKE %s "
        "   OR idempotency_key LIKE %s) "
        "+ (SELECT count(*) FROM hc_idempotency_key WHERE key LIKE %s)",
        like,
        like,
        like,
        like,
    )


# ---------------------------------------------------------------- what the signature covers
def test_replayed_signed_delivery_with_another_idempotency_key_is_the_first_message(endpoint, db):
    body = json.dumps(event()).encode()
    signed = {"Content-Type": "application/json", **endpoint.headers(body)}  # one captured delivery
    first = raw_post(endpoint, body, {**signed, "Idempotency-Key": "order-1"})
    assert first.status_code == 202, first.text
    mid = first.json()["message_id"]
    for replay_headers in ({"Idempotency-Key": "order-2"}, {"Idempotency-Key": "other"}, {}):
        replay = raw_post(endpoint, body, {**signed, **replay_headers})
        assert replay.status_code == 200, replay.text
        assert replay.json()["message_id"] == mid and replay.json()["duplicate"] is True
    assert [row[:3] for row in messages(db, endpoint)] == [(mid, "received", "order-1")]
    assert db.value("SELECT count(*) FROM hc_idempotency_key WHERE endpoint_id = %s", endpoint.id) == 1
    # the contract still holds: a new delivery (new webhook-id) with the same key is a duplicate
    again = endpoint.post(body, headers={"Idempotency-Key": "order-1"})
    assert again.status_code == 200 and again.json()["message_id"] == mid


def test_concurrent_replays_with_new_idempotency_keys_make_one_message(endpoint, db):
    body = json.dumps(event()).encode()
    signed = {"Content-Type": "application/json", **endpoint.headers(body)}
    barrier = threading.Barrier(8)
    answers = []

    def replay(n):
        barrier.wait()
        answers.append(raw_post(endpoint, body, {**signed, "Idempotency-Key": f"forged-{n}"}))

    threads = [threading.Thread(target=replay, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [200] * 7 + [202]
    assert len({a.json()["message_id"] for a in answers}) == 1
    assert len(messages(db, endpoint)) == 1


# ---------------------------------------------------------------- the door: sizes and framing
def test_oversized_body_answers_the_same_for_a_known_and_an_unknown_code(odoo_server, db):
    ep = odoo_server.make_endpoint(sync_mode="batch", max_body_bytes=1000)
    body = json.dumps(event(reason="x" * 3000)).encode()
    forged = {"Content-Type": "application/json", **ep.headers(body, secret="whsec_" + "QUJD" * 8)}
    known = raw_post(ep, body, forged)
    unknown = raw_post(ep, body, forged, code=f"no-such-{uuid.uuid4().hex[:6]}")
    assert known.status_code == unknown.status_code == 401
    strip = lambda r: {k: v for k, v in r.json().items() if k != "correlation_id"}  # noqa: E731
    assert strip(known) == strip(unknown)
    # the endpoint's own limit is told to the sender who proved who it is
    problem(ep.post(body), 413)
    assert db.value("SELECT count(*) FROM hc_inbound_message WHERE endpoint_id = %s", ep.id) == 0


def _declared_length_answer(server, code, length):
    """Status line and body of a POST announcing ``length`` bytes and sending none."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            (
                f"POST /hc/v1/endpoints/{code}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
            ).encode()
        )
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < 20:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], rest


def test_body_above_every_limit_is_413_before_reading_known_or_unknown(endpoint, odoo_server):
    huge = 10**9
    known_status, known_body = _declared_length_answer(odoo_server, endpoint.code, huge)
    unknown_status, _ = _declared_length_answer(odoo_server, f"nobody-{uuid.uuid4().hex[:6]}", huge)
    assert b" 413 " in known_status and b" 413 " in unknown_status, (known_status, unknown_status)
    assert b"payload-too-large" in known_body


def test_chunked_body_is_limited_while_it_is_read(endpoint):
    sent = [0]
    block = b" " * 65536

    def endless():  # 64 MiB of white space, chunked: far above any endpoint's limit
        while sent[0] < 64 * 1024 * 1024:
            sent[0] += len(block)
            yield block

    headers = {"Content-Type": "application/json", "webhook-id": "msg_x", "webhook-timestamp": str(int(time.time()))}
    headers["webhook-signature"] = "v1,AAAA"
    try:
        resp = requests.post(url_of(endpoint), data=endless(), headers=headers, timeout=120)
    except requests.ConnectionError:
        resp = None  # the server answered and closed while the client was still sending
    if resp is not None:
        problem(resp, 413)
    assert sent[0] < 40 * 1024 * 1024, f"the server read {sent[0]} bytes of a body it had to refuse"


def test_signed_chunked_body_over_the_endpoint_limit_is_413(odoo_server):
    ep = odoo_server.make_endpoint(sync_mode="batch", max_body_bytes=1000)
    body = json.dumps(event(reason="y" * 4000)).encode()
    headers = {"Content-Type": "application/json", **ep.headers(body)}
    problem(requests.post(url_of(ep), data=iter([body[:2000], body[2000:]]), headers=headers, timeout=60), 413)
    small = json.dumps(event()).encode()
    headers = {"Content-Type": "application/json", **ep.headers(small)}
    resp = requests.post(url_of(ep), data=iter([small[:100], small[100:]]), headers=headers, timeout=60)
    assert resp.status_code == 202, resp.text


def test_signed_form_bodies_are_415_not_401(endpoint, db):
    form = b"id=evt-1&type=inventory.consumption&patient_ref=MRN-1"
    resp = endpoint.post(form, content_type="application/x-www-form-urlencoded")
    problem(resp, 415)
    boundary = "hcboundary"
    multipart = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="event"\r\n\r\n{json.dumps(event())}\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    problem(endpoint.post(multipart, content_type=f"multipart/form-data; boundary={boundary}"), 415)
    assert messages(db, endpoint) == []


def test_fhir_bundle_obeys_the_batch_limit(odoo_server, db):
    ep = odoo_server.make_endpoint(sync_mode="batch", max_batch_events=2)
    delivery = json.loads((SAMPLES / "fhir" / "supplydelivery-example.json").read_text())
    entries = [{"resource": {**delivery, "id": f"sd-{n}"}} for n in range(3)]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    body = problem(ep.post(bundle, content_type="application/fhir+json"), 413)
    assert body["type"].endswith("batch-too-large")
    assert db.value("SELECT count(*) FROM hc_inbound_message WHERE endpoint_id = %s", ep.id) == 0
    assert ep.post({**bundle, "entry": entries[:2]}, content_type="application/fhir+json").status_code == 202


def test_batch_size_is_checked_before_any_event_is_read(odoo_server):
    ep = odoo_server.make_endpoint(sync_mode="batch", max_batch_events=2)
    poison = json.dumps(event(id="p-1")).replace('"p-1"', '"\\ud800"')
    body = '{"events": [' + ", ".join([json.dumps(event()), json.dumps(event()), poison]) + "]}"
    problem(ep.post(body), 413)


# ---------------------------------------------------------------- poison input: 400/422, never 5xx
POISON = {
    "NUL in id": ("id", "evt-\u0000-1", "$.id"),
    "NUL in type": ("type", "inventory.consumption\u0000", "$.type"),
    "NUL in lot": ("lot", "L\u00001", "$.lot"),
    "NUL in to_location": ("to_location", "OR\u0000", "$.to_location"),
    "year 0001": ("occurred_at", "0001-01-01T00:00:00+01:00", "$.occurred_at"),
    "leap second": ("occurred_at", "9999-12-31T23:59:60Z", "$.occurred_at"),
    "no such date": ("expiry", "6168-06-72", "$.expiry"),
    "long type": ("type", "inventory." + "x" * 3000, "$.type"),
    "long id": ("id", "i" * 300, "$.id"),
    "long lot": ("lot", "L" * 5000, "$.lot"),
    "long member name": ("k" * 300, 1, "$"),
}


def _poisoned(field, value):
    ev = event(type="inventory.transfer", to_location="OR-STORE-1")
    ev[field] = value
    return ev


def test_poison_single_documents_are_refused_with_422_naming_the_field(endpoint, db):
    for name, (field, value, path) in POISON.items():
        resp = endpoint.post(json.dumps(_poisoned(field, value)))
        body = problem(resp, 422)
        assert body["detail"].startswith(path), (name, body["detail"])
        state, detail = db.one("SELECT state, error_detail FROM hc_inbound_message WHERE id = %s", body["message_id"])
        assert state == "rejected", name
        assert "x" * 100 not in detail and "L" * 100 not in detail, "the value is not quoted"
    surrogate = json.dumps(event()).replace('"DOOR-TEST-NOWHERE"', '"ICU\\ud800"')
    body = problem(endpoint.post(surrogate), 422)
    assert body["detail"].startswith("$.location") and "surrogate" in body["detail"]


def test_poison_events_in_a_batch_are_rejected_one_by_one(endpoint, db):
    good = [event(), event()]
    poisoned = [_poisoned(field, value) for field, value, _path in POISON.values()]
    text = json.dumps({"events": [good[0], *poisoned, good[1]]})
    text = text[:-2] + ', {"id": "s-1", "lot": "\\udfff"}]}'
    resp = endpoint.post(text)
    assert resp.status_code == 202, resp.text
    results = resp.json()["results"]
    assert len(results) == len(poisoned) + 3
    assert results[0]["status"] == results[-2]["status"] == "received"
    for res, (_field, _value, path) in zip(results[1:-2], POISON.values(), strict=True):
        assert res["status"] == "rejected" and res["error"]["detail"].startswith(path), res
    assert results[-1]["error"]["detail"].startswith("$.lot")
    states = dict(db.all("SELECT idempotency_key, state FROM hc_inbound_message WHERE endpoint_id = %s", endpoint.id))
    assert states[good[0]["id"]] == states[good[1]["id"]] == "received"


def test_unreadable_bodies_with_nul_bytes_are_400_and_not_kept(odoo_server, db):
    endpoint = odoo_server.make_endpoint(auth_method="api_key", sync_mode="batch")  # signs no bytes
    mrn = marker()
    for body, ctype in [
        (b'{"id": "x\x00", "patient_ref": "' + mrn.encode() + b'"', "application/json"),
        (b"ISA*00*\x00" + mrn.encode(), "application/edi-x12"),
        (b"\xff\xfe" + mrn.encode(), "application/fhir+json"),
        (b"UNB+\x00" + mrn.encode(), "application/edifact"),
    ]:
        body_json = problem(endpoint.post(body, content_type=ctype), 400)
        row = db.one(
            "SELECT state, payload, payload_hash FROM hc_inbound_message WHERE id = %s", body_json["message_id"]
        )
        assert row[0] == "rejected" and row[1] is None and row[2], "recorded, hashed, the body not kept"
    assert raw_in_db(db, mrn) == 0


def test_deeply_nested_fhir_is_422_and_bundles_reject_per_entry(endpoint, db):
    deep = {"resourceType": "SupplyDelivery", "id": "deep-1", "extension": json.loads("[" * 400 + "]" * 400)}
    body = problem(endpoint.post(deep, content_type="application/fhir+json"), 422)
    assert "nested" in body["detail"]
    delivery = json.loads((SAMPLES / "fhir" / "supplydelivery-example.json").read_text())
    bundle = {"resourceType": "Bundle", "entry": [{"resource": deep}, {"resource": {**delivery, "id": "ok-1"}}]}
    resp = endpoint.post(bundle, content_type="application/fhir+json")
    assert resp.status_code == 202, resp.text
    assert [r["status"] for r in resp.json()["results"]] == ["rejected", "received"]


def test_webhook_id_and_idempotency_key_headers_are_bounded(endpoint, db):
    body = json.dumps(event()).encode()
    long_id = "msg_" + "w" * 300
    problem(
        raw_post(endpoint, body, {"Content-Type": "application/json", **endpoint.headers(body, webhook_id=long_id)}),
        400,
    )
    problem(endpoint.post(body, headers={"Idempotency-Key": "k" * 300}), 400)
    assert messages(db, endpoint) == []


# ---------------------------------------------------------------- the published document and the server agree
def test_status_of_a_message_without_type_says_null(endpoint):
    mid = problem(endpoint.post(b"{", content_type="application/json"), 400)["message_id"]
    status = endpoint.get_message(mid).json()
    assert status["message_type"] is None and status["status"] == "rejected"


def test_unknown_paths_and_methods_answer_problem_json(endpoint, odoo_server):
    base = f"{odoo_server.url}/hc/v1"
    for path in ("/messages/abc", "/messages/-1", "/messages/99999999999999999", "/nothing/here", ""):
        resp = requests.get(base + path, headers=endpoint.headers(b""), timeout=30)
        problem(resp, 404)
    resp = requests.put(f"{base}/health", timeout=30)
    problem(resp, 405)
    assert resp.headers["Allow"] == "GET, HEAD"
    problem(requests.get(url_of(endpoint), timeout=30), 405)


def test_openapi_types_fhir_and_describes_the_type_header(odoo_server):
    doc = requests.get(f"{odoo_server.url}/hc/v1/openapi.json", timeout=30).json()
    post = doc["paths"]["/hc/v1/endpoints/{code}/messages"]["post"]
    fhir = post["requestBody"]["content"]["application/fhir+json"]["schema"]
    assert fhir["properties"]["resourceType"]["type"] == "string"
    header = next(p for p in post["parameters"] if p["name"] == "X-HC-Message-Type")
    assert "wins over detection" in header["description"]
    event_schema = doc["components"]["schemas"]["InventoryEvent"]
    assert event_schema["properties"]["expiry"]["format"] == "date"
    assert event_schema["properties"]["lot"]["maxLength"] == 255


# ---------------------------------------------------------------- patient data
def test_patient_refs_of_any_shape_are_pseudonymised(endpoint, db):
    mrn = marker()
    shapes = [mrn, f"ph_{mrn}", {"mrn": mrn}, [mrn], 10**11 + uuid.uuid4().int % (9 * 10**11)]
    for shape in shapes:
        resp = endpoint.post(event(patient_ref=shape, encounter_ref=shape))
        assert resp.status_code in (202, 422), resp.text
        assert mrn not in resp.text and str(shapes[-1]) not in resp.text
    assert raw_in_db(db, mrn) == 0
    assert raw_in_db(db, str(shapes[-1])) == 0


def test_schema_errors_name_the_field_never_the_value(endpoint, db):
    mrn = marker()
    resp = endpoint.post(event(patient_ref={"mrn": mrn}, location=mrn * 30, uom=["x", mrn]))
    body = problem(resp, 422)
    assert mrn not in body["detail"] and "$.patient_ref" in body["detail"]
    assert "$.location" in body["detail"] and "$.uom" in body["detail"]
    detail = db.value("SELECT error_detail FROM hc_inbound_message WHERE id = %s", body["message_id"])
    assert "$.patient_ref" in detail and mrn not in detail


def test_fhir_patient_identifiers_are_pseudonymised_on_every_path(endpoint, db):
    mrn = marker()
    dispense = json.loads((SAMPLES / "fhir" / "medicationdispenseexample8.json").read_text())
    dispense["id"] = f"md-{uuid.uuid4().hex[:8]}"
    dispense["contained"] = [
        *dispense.get("contained", []),
        {"resourceType": "Patient", "id": "p1", "identifier": [{"value": mrn}], "name": [{"family": mrn}]},
    ]
    dispense["subject"] = {"reference": "#p1", "identifier": [{"system": "urn:mrn", "value": mrn}]}
    dispense["performer"] = [{"actor": {"reference": f"Patient/{mrn}", "display": mrn}}]
    dispense["receiver"] = [{"identifier": {"value": mrn}}]
    dispense["note"] = [{"text": f"given to {mrn}"}]
    dispense["extension"] = [{"url": "urn:x", "valueReference": {"reference": f"Patient/{mrn}"}}]
    patient = {"resourceType": "Patient", "id": mrn, "identifier": [{"value": mrn}]}
    bundle = {"resourceType": "Bundle", "entry": [{"resource": dispense}, {"resource": patient}]}
    resp = endpoint.post(bundle, content_type="application/fhir+json")
    assert resp.status_code == 202, resp.text
    assert mrn not in resp.text
    assert raw_in_db(db, mrn) == 0
    status = endpoint.get_message(resp.json()["results"][1]["message_id"]).json()
    assert mrn not in json.dumps(status)


def test_a_failed_insert_does_not_log_the_statement(endpoint, db, odoo_server):
    secret = marker("SECRET")
    db.execute("""
        CREATE OR REPLACE FUNCTION hc_test_fail_9b() RETURNS trigger AS $$
        BEGIN IF NEW.payload LIKE '%%FAIL-9B%%' THEN RAISE EXCEPTION 'disk full (test)'; END IF; RETURN NEW; END
        $$ LANGUAGE plpgsql""")
    db.execute(
        "CREATE TRIGGER hc_test_fail_9b BEFORE INSERT ON hc_inbound_message FOR EACH ROW "
        "EXECUTE FUNCTION hc_test_fail_9b()"
    )
    try:
        problem(endpoint.post(event(reason=f"FAIL-9B {secret}")), 503)
    finally:
        db.execute("DROP TRIGGER IF EXISTS hc_test_fail_9b ON hc_inbound_message")
    time.sleep(0.5)
    log = odoo_server.log.read_text(errors="replace")
    assert "Could not commit an inbound message" in log
    assert secret not in log
