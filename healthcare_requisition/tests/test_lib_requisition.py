"""Requisitions from canonical JSON and FHIR SupplyRequest without a database: the sample,
what a sender may have to fix, priorities, and fuzzing (nothing but Unmappable may come out)."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..lib import requisition as lib
from ..lib import schema

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "tests"
    / "samples"
    / "fhir"
    / ("SupplyRequest-dmi-supplyrequest-entete-commande-example.json")
)


def sample():
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def test_the_sample_maps_to_a_one_line_requisition():
    req = lib.from_supply_request(sample())
    assert req.ref == "SupplyRequest/dmi-supplyrequest-entete-commande-example"
    assert req.requester == "dmi-practitioner-example"
    assert (req.department, req.deliver_to) == ("dmi-organization-interne-example", None)
    assert [(i.code, i.quantity) for i in req.items] == [("CDM", Decimal("2"))]
    assert req.priority == "routine" and req.source == "fhir"
    assert schema.validate_fhir(sample()) == []


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda r: r.pop("itemCodeableConcept"), "SupplyRequest.item[x]"),
        (lambda r: r.__setitem__("quantity", {"value": 0}), "SupplyRequest.quantity.value"),
        (lambda r: r.pop("requester"), "SupplyRequest.requester"),
        (lambda r: r.__setitem__("requester", {"reference": "Patient/1"}), "SupplyRequest.requester"),
        (lambda r: r.pop("id"), "SupplyRequest.id"),
    ],
)
def test_what_a_sender_must_fix_is_named(change, path):
    res = sample()
    change(res)
    with pytest.raises(lib.Unmappable) as err:
        lib.from_supply_request(res)
    assert err.value.path == path


def test_location_item_reference_priority_and_dates():
    res = sample()
    res.pop("itemCodeableConcept")
    res.update(
        itemReference={"reference": "Device/PUMP-1"},
        deliverTo={"reference": "Location/ICU-CAB-07"},
        priority="asap",
        occurrenceDateTime="2026-12-03T08:00:00Z",
        reasonCode=[{"text": "Restock"}],
        quantity={"value": 3, "code": "BX"},
    )
    req = lib.from_supply_request(res)
    assert (req.items[0].code, req.items[0].uom, req.deliver_to, req.priority) == (
        "PUMP-1",
        "BX",
        "ICU-CAB-07",
        "urgent",
    )
    assert str(req.needed_by) == "2026-12-03" and req.reason == "Restock"


def test_canonical_and_priorities():
    body = {
        "id": "r-1",
        "type": "requisition",
        "requester": "E1",
        "priority": "stat",
        "items": [{"item": {"code": "NS-1000"}, "quantity": 2.5, "uom": "EA"}],
    }
    assert schema.validate(body) == []
    req = lib.from_canonical(body)
    assert req.items[0].quantity == Decimal("2.5") and req.priority == "stat"
    assert lib.priority_level(body) == 3
    assert lib.priority_level({"priority": "routine"}) == 1
    assert lib.priority_level({"resourceType": "SupplyRequest", "priority": "asap"}) == 2
    assert lib.priority_level({"priority": 7}) is None
    bad = copy.deepcopy(body)
    bad["items"][0]["quantity"] = -1
    bad["priority"] = "whenever"
    violations = schema.validate(bad)
    assert any("$.items[0].quantity" in v for v in violations) and any("$.priority" in v for v in violations)
    assert schema.validate({**body, "items": [{"item": {}, "quantity": 1}]})


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {"resourceType": st.just("SupplyRequest")},
        optional={
            "id": JSONISH,
            "itemCodeableConcept": JSONISH,
            "itemReference": JSONISH,
            "quantity": JSONISH,
            "requester": JSONISH,
            "deliverTo": JSONISH,
            "priority": JSONISH,
            "occurrenceDateTime": JSONISH,
            "occurrencePeriod": JSONISH,
            "reasonCode": JSONISH,
        },
    )
)
def test_fuzzed_supply_requests_map_or_say_why(res):
    try:
        req = lib.from_supply_request(res)
    except lib.Unmappable as exc:
        assert exc.path.startswith("SupplyRequest.")
        return
    assert req.items and req.items[0].quantity > 0 and req.requester
