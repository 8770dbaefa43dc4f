"""Parsing at the door: documents, types, keys, hashes, pseudonymisation. No database."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..lib import crypto, payload, schemas

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "samples"
EVENT = {
    "id": "cab7-1",
    "type": "inventory.consumption",
    "schema_version": "1.0",
    "occurred_at": "2026-11-23T07:41:39Z",
    "source": {"system": "icu-cabinet-7", "facility": "GENHOSP"},
    "location": "ICU-CAB-07",
    "item": {"code": "NS-1000", "gtin": "05012345678900"},
    "quantity": 2,
    "uom": "EA",
    "lot": "L2411A",
    "expiry": "2027-05-31",
    "serial": None,
    "patient_ref": "MRN-0042",
    "encounter_ref": "ENC-9",
    "reason": None,
}


def test_event_and_batch():
    single = payload.parse_document(json.dumps(EVENT).encode(), "application/json; charset=utf-8")
    assert single.kind == "event"
    assert (single.documents[0].message_type, single.documents[0].idempotency_key) == (
        "inventory.consumption",
        "cab7-1",
    )
    batch = payload.parse_document(
        json.dumps({"events": [EVENT, {**EVENT, "id": "cab7-2"}, 7]}).encode(), "application/json"
    )
    assert batch.kind == "batch"
    assert [d.idempotency_key for d in batch.documents] == ["cab7-1", "cab7-2", None]


def test_type_header_wins():
    parsed = payload.parse_document(json.dumps(EVENT).encode(), "application/json", "hc.ping")
    assert parsed.documents[0].message_type == "hc.ping"


def test_canonical_hash_ignores_key_order_and_white_space():
    reordered = json.dumps(dict(reversed(list(EVENT.items()))), indent=4)
    assert payload.body_hash(reordered.encode(), "application/json") == payload.canonical_json_hash(EVENT)
    assert payload.canonical_json_hash({**EVENT, "quantity": 3}) != payload.canonical_json_hash(EVENT)


def test_schema_violations_name_the_path_and_rule():
    schema = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "maxLength": 3}}}
    assert payload.schema_violations("t", schema, {"id": "abc"}) == []
    assert payload.schema_violations("t", schema, {}) == ["$: 'id' is a required property"]
    assert payload.schema_violations("t", schema, {"id": "abcd"}) == ["$.id: is longer than 3 characters"]


@pytest.mark.parametrize(
    ("name", "ctype", "mtype", "key"),
    [
        ("x12_850.txt", "application/edi-x12", "x12.850", "828513080:000000245"),
        ("edifact_orders.edi", "application/edifact", "edifact.ORDERS", "5400110000009:2722166169492"),
        ("cxml_order_request.xml", "application/xml", "cxml.OrderRequest", "1625586002.193314.7293@dev"),
    ],
)
def test_samples(name, ctype, mtype, key):
    doc = payload.parse_document((SAMPLES / name).read_bytes(), ctype).documents[0]
    assert (doc.message_type, doc.idempotency_key) == (mtype, key)


def test_xml_entities_are_not_resolved():
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><cXML payloadID="p">&e;</cXML>'
    parsed = payload.parse_document(evil, "application/xml")
    assert "root:" not in parsed.documents[0].payload


def test_pseudonymisation_is_keyed_stable_and_irreversible():
    key = crypto.derive_fernet_key("server-secret")
    out = payload.pseudonymise_event(EVENT, key)
    assert out["patient_ref"].startswith("ph_") and "MRN-0042" not in json.dumps(out)
    assert payload.pseudonymise_event(EVENT, key) == out
    assert payload.pseudonymise_event(EVENT, crypto.derive_fernet_key("other"))["patient_ref"] != out["patient_ref"]
    dispense = json.loads((SAMPLES / "fhir" / "medicationdispenseexample8.json").read_text())
    cleaned = json.dumps(payload.pseudonymise_fhir(dispense, key))
    assert "Patient/pat1" not in cleaned and "Donald" not in cleaned


def test_errors():
    with pytest.raises(payload.UnsupportedMediaType):
        payload.parse_document(b"x", "text/plain")
    for body, ctype in [
        (b"{", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"<a>", "text/xml"),
        (b"GS*PO", "application/edi-x12"),
        (b"UNH+1", "application/edifact"),
        (b"[]", "application/fhir+json"),
    ]:
        with pytest.raises(payload.UnreadableBody):
            payload.parse_document(body, ctype)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(sorted(payload.ACCEPTED_TYPES)))
def test_fuzz_parse_never_raises_anything_else(body, ctype):
    try:
        parsed = payload.parse_document(body, ctype)
    except payload.UnreadableBody:
        return
    for doc in parsed.documents:
        if isinstance(doc.payload, dict):
            payload.schema_violations("batch", schemas.BATCH, doc.payload)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
        max_leaves=20,
    )
)
def test_fuzz_validate_any_json_value(value):
    assert isinstance(payload.schema_violations("batch", schemas.BATCH, value), list)


# ---------------------------------------------------------------------------- issue 9: the door
def _single(body, ctype="application/json"):
    return payload.parse_document(body if isinstance(body, bytes) else body.encode(), ctype).documents[0]


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"id": "a\\u0000b", "type": "inventory.consumption"}', "$.id: contains a NUL"),
        ('{"id": "a", "type": "inventory\\u0000"}', "$.type: contains a NUL"),
        ('{"id": "a", "lot": "\\ud800"}', "$.lot: contains an unpaired surrogate"),
        ('{"id": "a", "item": {"c\\u0000": 1}}', "$.item: a member name contains a NUL"),
        ('{"id": "a", "quantity": NaN}', "$.quantity: must be a finite number"),
        ('{"id": "' + "i" * 256 + '"}', "$.id: longer than 255"),
        ('{"type": "' + "t" * 129 + '"}', "$.type: longer than 128"),
        ('{"' + "k" * 256 + '": 1}', "$: a member name is longer than 255"),
        ('{"a": ' + "[" * 40 + "]" * 40 + "}", "nested more than 32 levels"),
    ],
)
def test_door_problems_name_the_place_and_make_the_document_storable(text, path):
    doc = _single(text)
    assert doc.problem and path in doc.problem
    stored = json.dumps(doc.payload, ensure_ascii=False)
    stored.encode("utf-8")  # no unpaired surrogate is left
    assert "\x00" not in stored and "\\u0000" not in stored
    assert len(doc.idempotency_key or "") <= payload.MAX_KEY and len(doc.message_type or "") <= payload.MAX_TYPE
    payload.canonical_json_hash(doc.payload)


def test_unreadable_bodies_with_nul_and_depth():
    for body, ctype in [
        (b'{"id": "x\x00"}', "application/json"),
        (b"ISA*00*\x00" + b" " * 120, "application/edi-x12"),
        (b"[" * 100000, "application/json"),
    ]:
        with pytest.raises(payload.UnreadableBody):
            payload.parse_document(body, ctype)


def test_fhir_ids_and_bundles():
    doc = _single(json.dumps({"resourceType": "SupplyDelivery", "id": "x" * 65}), "application/fhir+json")
    assert doc.problem.startswith("$.id: longer than 64")
    deep = {"resourceType": "SupplyDelivery", "id": "d", "x": json.loads("[" * 500 + "]" * 500)}
    parsed = payload.parse_document(
        json.dumps({"resourceType": "Bundle", "entry": [{"resource": deep}, {"resource": {**deep, "x": 1}}]}).encode(),
        "application/fhir+json",
    )
    assert [bool(d.problem) for d in parsed.documents] == [True, False]


def test_type_header_is_bounded():
    doc = payload.parse_document(json.dumps(EVENT).encode(), "application/json", "x" * 200).documents[0]
    assert doc.problem.startswith("X-HC-Message-Type") and len(doc.message_type) == payload.MAX_TYPE


def test_event_refs_of_any_shape_are_pseudonymised():
    key = crypto.derive_fernet_key("server-secret")
    for value in (4711, 47.11, {"mrn": "MRN-1"}, ["MRN-1"], "ph_MRN-1", True):
        out = payload.pseudonymise_event({**EVENT, "patient_ref": value, "encounter_ref": value}, key)
        assert out["patient_ref"].startswith("ph_") and out["patient_ref"] != value
        assert "MRN-1" not in json.dumps(out) and "4711" not in json.dumps(out)
    assert payload.pseudonymise_event({**EVENT, "patient_ref": None}, key)["patient_ref"] is None


def test_fhir_every_patient_path_is_pseudonymised():
    key = crypto.derive_fernet_key("server-secret")
    mrn = "MRN-77-SECRET"
    dispense = json.loads((SAMPLES / "fhir" / "medicationdispenseexample8.json").read_text())
    dispense["contained"].append({"resourceType": "Patient", "id": "p", "identifier": [{"value": mrn}], "name": mrn})
    dispense["subject"] = {"identifier": [{"system": "urn:mrn", "value": mrn}]}
    dispense["performer"] = [{"actor": {"reference": f"Patient/{mrn}", "display": mrn}}]
    dispense["receiver"] = [{"identifier": {"value": mrn}}]
    dispense["note"] = [{"text": mrn, "authorString": mrn}]
    dispense["extension"] = [{"url": "u", "valueReference": {"reference": f"Patient/{mrn}"}}]
    dispense["location"] = {"reference": "Location/ICU-CAB-07", "display": "ICU cabinet 7"}
    out = payload.pseudonymise_fhir(dispense, key)
    assert mrn not in json.dumps(out)
    assert out["location"] == dispense["location"], "places are not patient data"
    patient = payload.pseudonymise_fhir({"resourceType": "Patient", "id": mrn, "name": [{"family": mrn}]}, key)
    assert set(patient) == {"resourceType", "id"} and mrn not in json.dumps(patient)
    assert payload.fhir_key(patient).startswith("Patient/ph_")


HOSTILE_CHARS = st.characters() | st.sampled_from(["\ud800", "\udfff", "\x00"])
JSON_ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(alphabet=HOSTILE_CHARS),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(JSON_ANY, st.sampled_from(["application/json", "application/fhir+json"]))
def test_fuzz_every_document_is_either_refused_or_storable(value, ctype):
    body = json.dumps({"resourceType": "Bundle", "entry": [{"resource": value}]} if "fhir" in ctype else value)
    try:
        parsed = payload.parse_document(body.encode("utf-8", "surrogatepass"), ctype)
    except payload.UnreadableBody:
        return
    key = crypto.derive_fernet_key("k")
    for doc in parsed.documents:
        obj = doc.payload
        if doc.problem is None and isinstance(obj, dict):
            payload.schema_violations("batch", schemas.BATCH, obj)
        if isinstance(obj, dict):
            obj = payload.pseudonymise_fhir(obj, key) if "fhir" in ctype else payload.pseudonymise_event(obj, key)
        text = json.dumps(obj, ensure_ascii=False)
        text.encode("utf-8")
        assert "\x00" not in text
        payload.canonical_json_hash(obj)
