"""FHIR R4 -> canonical events without a database: the two HL7 samples, every path a sender
may have to fix, and fuzzing (nothing but FhirUnmappable may come out)."""

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..lib import events, fhir

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "samples" / "fhir"


def sample(name):
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def unmappable(resource, *args):
    with pytest.raises(fhir.FhirUnmappable) as err:
        fhir.fhir_to_events(resource, *args)
    return err.value


DELIVERY = {
    "resourceType": "SupplyDelivery",
    "id": "sd1",
    "status": "completed",
    "occurrenceDateTime": "2026-11-20T08:00:00Z",
    "destination": {"reference": "Location/DOCK-1"},
    "suppliedItem": {
        "quantity": {"value": 6, "code": "BX"},
        "itemCodeableConcept": {"coding": [{"system": "https://www.gs1.org/gtin", "code": "05012345678900"}]},
    },
}
DISPENSE = {
    "resourceType": "MedicationDispense",
    "id": "md1",
    "status": "completed",
    "whenHandedOver": "2026-11-20T09:00:00+01:00",
    "location": {"reference": "Location/ICU-CAB-07"},
    "quantity": {"value": 2, "unit": "EA"},
    "medicationCodeableConcept": {"coding": [{"system": "http://gs1.org/gtin", "code": "04006381333931"}]},
    "subject": {"reference": "Patient/pat1"},
    "context": {"reference": "Encounter/enc9"},
}


def changed(resource, **changes):
    """A deep copy of ``resource`` with ``changes``; a value of ``...`` removes the key."""
    out = copy.deepcopy(resource)
    for key, value in changes.items():
        if value is ...:
            out.pop(key, None)
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------- the HL7 samples


def test_supplydelivery_sample_is_a_receipt_into_location_1():
    assert fhir.fhir_to_events(sample("supplydelivery-example.json"), "dock") == [
        {
            "id": "SupplyDelivery/simpledelivery",
            "type": "inventory.receipt",
            "schema_version": "1.0",
            "occurred_at": "2016-12-31T00:00:00Z",
            "source": {"system": "dock", "facility": ""},
            "location": "Location 1",
            "item": {"code": "BlueTubes"},
            "quantity": 10,
            "uom": "EA",
        }
    ]


def test_supplydelivery_sample_without_destination_names_the_path():
    resource = changed(sample("supplydelivery-example.json"), destination=...)
    assert unmappable(resource).path == "$.destination"
    resource["destination"] = {"extension": []}
    assert unmappable(resource).path == "$.destination"


def test_supplydelivery_sample_without_quantity_names_the_path():
    resource = sample("supplydelivery-example.json")
    del resource["suppliedItem"]["quantity"]
    assert unmappable(resource).path == "$.suppliedItem.quantity.value"


def test_medicationdispense_sample_says_what_is_missing_one_by_one():
    resource = sample("medicationdispenseexample8.json")
    err = unmappable(resource, "ehr")
    assert (err.path, type(err.detail)) == ("$.whenHandedOver", str)
    resource["whenHandedOver"] = "2026-11-23T08:00:00Z"
    assert unmappable(resource, "ehr").path == "$.quantity.value"
    resource["quantity"] = {"value": 1, "code": "{tbl}", "system": "http://unitsofmeasure.org"}
    assert unmappable(resource, "ehr").path == "$.location"
    resource["location"] = {"reference": "Location/PHARM-1"}
    assert fhir.fhir_to_events(resource, "ehr", "GENHOSP") == [
        {
            "id": "MedicationDispense/meddisp008",
            "type": "inventory.consumption",
            "schema_version": "1.0",
            "occurred_at": "2026-11-23T08:00:00Z",
            "source": {"system": "ehr", "facility": "GENHOSP"},
            "location": "PHARM-1",
            "item": {"code": "213293"},
            "quantity": 1,
            "uom": "{tbl}",
            "patient_ref": "Patient/pat1",
        }
    ]


def test_contained_medication_batch_gives_lot_and_expiry():
    resource = changed(
        sample("medicationdispenseexample8.json"),
        whenHandedOver="2026-11-23T08:00:00Z",
        quantity={"value": 1},
        location={"reference": "Location/PHARM-1"},
    )
    resource["contained"][0]["batch"] = {"lotNumber": "B-7", "expirationDate": "2027-05"}
    [event] = fhir.fhir_to_events(resource)
    assert (event["lot"], event["expiry"]) == ("B-7", "2027-05-31")
    resource["contained"][0]["batch"]["expirationDate"] = "soon"
    assert unmappable(resource).path == "$.contained[0].batch.expirationDate"


# ---------------------------------------------------------------------------- SupplyDelivery


def test_delivery_with_gtin_coding():
    [event] = fhir.fhir_to_events(DELIVERY, "dock", "GENHOSP")
    assert (event["type"], event["item"], event["quantity"], event["uom"], event["location"]) == (
        "inventory.receipt",
        {"gtin": "05012345678900"},
        6,
        "BX",
        "DOCK-1",
    )
    assert event["id"] == "SupplyDelivery/sd1"


@pytest.mark.parametrize("system", sorted(fhir.GTIN_SYSTEMS))
def test_every_gtin_system_and_a_code_next_to_it(system):
    concept = {
        "coding": [{"system": "http://vendor/items", "code": "GAUZE-10"}, {"system": system, "code": "96385074"}]
    }
    resource = changed(DELIVERY, suppliedItem={"quantity": {"value": 1}, "itemCodeableConcept": concept})
    assert fhir.fhir_to_events(resource)[0]["item"] == {"code": "GAUZE-10", "gtin": "96385074"}


def test_delivery_from_one_of_our_locations_is_a_transfer():
    resource = changed(DELIVERY, supplier={"reference": "Location/CENTRAL-STORE"})
    [event] = fhir.fhir_to_events(resource)
    assert (event["type"], event["location"], event["to_location"]) == (
        "inventory.transfer",
        "CENTRAL-STORE",
        "DOCK-1",
    )
    for supplier in ({"reference": "Organization/vendor1"}, {"display": "Vendor1"}, "Vendor1"):
        assert fhir.fhir_to_events(changed(DELIVERY, supplier=supplier))[0]["type"] == "inventory.receipt"


def test_delivery_time_from_the_period_end():
    resource = changed(DELIVERY, occurrenceDateTime=..., occurrencePeriod={"start": "2026-11-19", "end": "2026-11-20"})
    assert fhir.fhir_to_events(resource)[0]["occurred_at"] == "2026-11-20T00:00:00Z"
    resource["occurrencePeriod"] = {"start": "2026-11-19"}
    assert unmappable(resource).path == "$.occurrencePeriod.end"


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"status": "in-progress"}, "$.status"),
        ({"status": ...}, "$.status"),
        ({"id": ...}, "$.id"),
        ({"occurrenceDateTime": ...}, "$.occurrenceDateTime"),
        ({"occurrenceDateTime": "2016-12"}, "$.occurrenceDateTime"),
        ({"occurrenceDateTime": "2016-12-31T10:00:00"}, "$.occurrenceDateTime"),
        ({"suppliedItem": ...}, "$.suppliedItem"),
        ({"suppliedItem": {"quantity": {"value": 1}}}, "$.suppliedItem.itemCodeableConcept"),
        (
            {"suppliedItem": {"quantity": {"value": 1}, "itemCodeableConcept": {"text": "gauze"}}},
            "$.suppliedItem.itemCodeableConcept.coding",
        ),
        (
            {"suppliedItem": {"quantity": {"value": 1}, "itemReference": {"display": "gauze"}}},
            "$.suppliedItem.itemReference.reference",
        ),
        (
            {"suppliedItem": {"quantity": {"value": 0}, "itemCodeableConcept": {"coding": [{"code": "G"}]}}},
            "$.suppliedItem.quantity.value",
        ),
        ({"destination": {"reference": "#nowhere"}}, "$.destination.reference"),
    ],
)
def test_delivery_paths(changes, path):
    assert unmappable(changed(DELIVERY, **changes)).path == path


@pytest.mark.parametrize(
    ("quantity", "expected"),
    [
        ({"value": 2.5, "unit": "mL"}, (2.5, "mL")),
        ({"value": 10**30, "code": "{EACH}", "unit": "each"}, (10**30, "{EACH}")),
        ({"value": 3}, (3, "EA")),
        ({"value": float("nan")}, None),
        ({"value": float("inf")}, None),
        ({"value": -1}, None),
        ({"value": True}, None),
        ({"value": "2"}, None),
        ({"unit": "EA"}, None),
    ],
)
def test_quantity_values(quantity, expected):
    resource = changed(DISPENSE, quantity=quantity)
    if expected is None:
        assert unmappable(resource).path == "$.quantity.value"
    else:
        event = fhir.fhir_to_event(resource)
        assert (event["quantity"], event["uom"]) == expected


def test_coding_without_a_code_points_at_the_first_code():
    item = {"itemCodeableConcept": {"coding": [{"display": "Blue tubes"}]}, "quantity": {"value": 1}}
    assert unmappable(changed(DELIVERY, suppliedItem=item)).path == "$.suppliedItem.itemCodeableConcept.coding[0].code"


def test_contained_device_with_udi_and_extensions():
    resource = changed(
        DELIVERY,
        contained=[
            {
                "resourceType": "Device",
                "id": "dev1",
                "udiCarrier": [
                    {
                        "deviceIdentifier": "05012345678900",
                        "issuer": "http://hl7.org/fhir/NamingSystem/gs1-di",
                        "carrierHRF": "(01)05012345678900(17)270500(10)L2411A(21)SN-1",
                    }
                ],
                "lotNumber": "L2411A",
            }
        ],
        suppliedItem={"quantity": {"value": 1}, "itemReference": {"reference": "#dev1"}},
    )
    [event] = fhir.fhir_to_events(resource)
    assert event["item"] == {"gs1": "(01)05012345678900(17)270500(10)L2411A(21)SN-1", "gtin": "05012345678900"}
    assert event["lot"] == "L2411A"
    ev = events.normalise_event(event)
    assert (ev.gtin, ev.lot, ev.expiry.isoformat(), ev.serial) == ("05012345678900", "L2411A", "2027-05-31", "SN-1")


def test_item_reference_outside_the_resource_is_a_code():
    supplied = {
        "quantity": {"value": 1},
        "itemReference": {"reference": "https://fhir.example/Device/pump-7/_history/2"},
    }
    assert fhir.fhir_to_events(changed(DELIVERY, suppliedItem=supplied))[0]["item"] == {"code": "pump-7"}
    supplied["itemReference"] = {"reference": "#missing"}
    assert unmappable(changed(DELIVERY, suppliedItem=supplied)).path == "$.suppliedItem.itemReference.reference"
    resource = changed(DELIVERY, contained=[{"resourceType": "Substance", "id": "s"}])
    resource["suppliedItem"] = {"quantity": {"value": 1}, "itemReference": {"reference": "#s"}}
    assert unmappable(resource).path == "$.contained[0].resourceType"


def test_lot_expiry_serial_from_extensions():
    resource = copy.deepcopy(DELIVERY)
    resource["suppliedItem"]["extension"] = [
        {"url": "https://hc.example/fhir/StructureDefinition/lotNumber", "valueString": "L9"},
        {"url": "https://hc.example/fhir/StructureDefinition/expirationDate", "valueDate": "2027-01-31"},
        {"url": "http://example.org/serialNumber", "valueString": "S1"},
        {"url": "http://example.org/unrelated", "valueString": "x"},
    ]
    [event] = fhir.fhir_to_events(resource)
    assert (event["lot"], event["expiry"], event["serial"]) == ("L9", "2027-01-31", "S1")
    resource["suppliedItem"]["extension"][1]["valueDate"] = "31/01/2027"
    assert unmappable(resource).path == "$.suppliedItem.extension[1].valueDate"


# ---------------------------------------------------------------------------- MedicationDispense


def test_dispense_maps_patient_and_encounter_raw():
    [event] = fhir.fhir_to_events(DISPENSE, "cab7", "GENHOSP")
    assert event == {
        "id": "MedicationDispense/md1",
        "type": "inventory.consumption",
        "schema_version": "1.0",
        "occurred_at": "2026-11-20T09:00:00+01:00",
        "source": {"system": "cab7", "facility": "GENHOSP"},
        "location": "ICU-CAB-07",
        "item": {"gtin": "04006381333931"},
        "quantity": 2,
        "uom": "EA",
        "patient_ref": "Patient/pat1",
        "encounter_ref": "Encounter/enc9",
    }


def test_dispense_time_falls_back_to_when_prepared():
    resource = changed(DISPENSE, whenHandedOver=..., whenPrepared="2026-11-20")
    assert fhir.fhir_to_events(resource)[0]["occurred_at"] == "2026-11-20T00:00:00Z"
    assert unmappable(changed(resource, whenPrepared="2026-11-20T09:00")).path == "$.whenPrepared"


def test_dispense_medication_reference():
    resource = changed(DISPENSE, medicationCodeableConcept=..., medicationReference={"reference": "Medication/med-42"})
    assert fhir.fhir_to_events(resource)[0]["item"] == {"code": "med-42"}
    assert unmappable(changed(resource, medicationReference=...)).path == "$.medicationCodeableConcept"
    resource["medicationReference"] = {"reference": "#nope"}
    assert unmappable(resource).path == "$.medicationReference.reference"


@pytest.mark.parametrize(
    ("node", "code"),
    [
        ({"reference": "Location/ICU-CAB-07"}, "ICU-CAB-07"),
        ({"reference": "https://fhir.example/r4/Location/ICU-CAB-07/_history/3"}, "ICU-CAB-07"),
        ({"identifier": {"system": "urn:hc:cabinet", "value": "CAB-7"}}, "CAB-7"),
        ({"display": "ICU cabinet 7"}, "ICU cabinet 7"),
        ({"reference": "#loc", "display": "ignored"}, "LOC-ID"),
    ],
)
def test_location_forms(node, code):
    resource = changed(
        DISPENSE,
        location=node,
        contained=[{"resourceType": "Location", "id": "loc", "identifier": [{"value": "LOC-ID"}], "name": "n"}],
    )
    assert fhir.fhir_to_events(resource)[0]["location"] == code


def test_facility_from_argument_or_meta_tag():
    tagged = changed(DISPENSE, meta={"tag": [{"system": "https://hc.example/facility", "code": "GENHOSP"}]})
    assert fhir.fhir_to_events(tagged)[0]["source"] == {"system": "fhir", "facility": "GENHOSP"}
    assert fhir.fhir_to_events(tagged, "ehr", "CLINIC-2")[0]["source"] == {"system": "ehr", "facility": "CLINIC-2"}
    assert fhir.fhir_to_events(DISPENSE, "ehr")[0]["source"]["facility"] == ""


@pytest.mark.parametrize("resource", [DELIVERY, DISPENSE])
def test_mapped_events_are_valid_canonical_events(resource):
    for event in fhir.fhir_to_events(resource, "src", "GENHOSP"):
        assert events.normalise_event(event).id == event["id"]


# ---------------------------------------------------------------------------- Bundle, types, one resource


def test_bundle_gives_one_event_per_entry():
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": DELIVERY}, {"resource": DISPENSE}]}
    assert [e["id"] for e in fhir.fhir_to_events(bundle)] == ["SupplyDelivery/sd1", "MedicationDispense/md1"]
    bundle["entry"][1] = {"resource": changed(DISPENSE, quantity=...)}
    assert unmappable(bundle).path == "$.entry[1].resource.quantity.value"
    bundle["entry"][1] = {"fullUrl": "urn:uuid:x"}
    assert unmappable(bundle).path == "$.entry[1].resource"
    bundle["entry"][1] = {"resource": {"resourceType": "Patient", "id": "p"}}
    assert unmappable(bundle).path == "$.entry[1].resource.resourceType"
    assert unmappable({"resourceType": "Bundle", "entry": []}).path == "$.entry"


@pytest.mark.parametrize("resource", [{"resourceType": "SupplyRequest", "id": "x"}, {"id": "x"}, {"resourceType": 7}])
def test_unsupported_resource_type(resource):
    assert unmappable(resource).path == "$.resourceType"


def test_not_a_resource():
    assert unmappable(["SupplyDelivery"]).path == "$"


def test_single_resource_helper_and_mappers():
    assert fhir.fhir_to_event(DELIVERY, "dock") == fhir.fhir_to_events(DELIVERY, "dock")[0]
    assert set(fhir.MAPPERS) == {"SupplyDelivery", "MedicationDispense"}
    with pytest.raises(fhir.FhirUnmappable) as err:
        fhir.fhir_to_event({"resourceType": "Bundle", "entry": [{"resource": DELIVERY}]})
    assert err.value.path == "$.resourceType"


# ---------------------------------------------------------------------------- fuzzing

KEYS = [
    "resourceType",
    "id",
    "status",
    "occurrenceDateTime",
    "occurrencePeriod",
    "suppliedItem",
    "destination",
    "supplier",
    "whenHandedOver",
    "whenPrepared",
    "medicationCodeableConcept",
    "medicationReference",
    "quantity",
    "location",
    "subject",
    "context",
    "contained",
    "meta",
    "entry",
    "extension",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(["completed", "SupplyDelivery", "MedicationDispense", "Bundle", "Location/X", "#m", "2026-11-20"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.one_of(st.sampled_from([*KEYS, "reference", "value", "coding", "code"]), st.text(max_size=4)),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


def _paths(node, prefix=()):
    """Every path inside a JSON document, as tuples of keys and indexes."""
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield from _paths(value, (*prefix, key))


def _replace(doc, path, value):
    doc = copy.deepcopy(doc)
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return doc


BASES = [
    DELIVERY,
    DISPENSE,
    {"resourceType": "Bundle", "entry": [{"resource": DELIVERY}, {"resource": DISPENSE}]},
    sample("supplydelivery-example.json"),
    sample("medicationdispenseexample8.json"),
]


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON, st.dictionaries(st.sampled_from(KEYS), JSON, max_size=10)))
def test_fuzz_arbitrary_dicts_raise_only_fhir_unmappable(resource):
    try:
        result = fhir.fhir_to_events(resource, "fuzz")
    except fhir.FhirUnmappable as exc:
        assert exc.path.startswith("$") and isinstance(exc.detail, str)
    else:
        assert all(isinstance(event, dict) for event in result)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_fuzz_valid_resources_with_one_part_replaced(data):
    base = data.draw(st.sampled_from(BASES))
    path = data.draw(st.sampled_from(list(_paths(base))))
    resource = _replace(base, path, data.draw(JSON))
    try:
        result = fhir.fhir_to_events(resource, "fuzz", "F")
    except fhir.FhirUnmappable as exc:
        assert exc.path.startswith("$")
    else:
        for event in result:
            try:
                events.normalise_event(event)
            except events.EventError as exc:
                # what FHIR cannot check (a GTIN's check digit, a GS1 string) is left to the event rules
                assert exc.code != "schema" or exc.field == "item", exc


# ---------------------------------------------------------------------------- issue 9: bounds at mapping
def test_mapped_values_are_held_to_the_event_limits():
    long_place = changed(DISPENSE, location={"reference": "Location/" + "L" * 300})
    assert "longer than 255" in unmappable(long_place).detail
    nul_lot = changed(DISPENSE, extension=[{"url": "urn:x/lotNumber", "valueString": "L\x001"}])
    assert "NUL" in unmappable(nul_lot).detail


def test_unforeseen_shapes_are_unmappable_not_crashes():
    odd = changed(DISPENSE, medicationCodeableConcept={"coding": [{"system": {"x": 1}, "code": ["a"]}]})
    try:
        fhir.fhir_to_events(odd)
    except fhir.FhirUnmappable as exc:
        assert exc.path.startswith("$")
