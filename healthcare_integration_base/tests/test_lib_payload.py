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
    assert payload.schema_violations("t", schema, {"id": "abcd"}) == ["$.id: fails 'maxLength'"]


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
