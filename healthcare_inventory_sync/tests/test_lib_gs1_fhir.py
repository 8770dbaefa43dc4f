"""GS1 and FHIR mapping without a database (fast, fuzzed)."""

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..lib import fhir, gs1

SAMPLES = Path(__file__).resolve().parents[2] / "tests" / "samples" / "fhir"


@pytest.mark.parametrize(
    "text",
    [
        "(01)05012345678900(17)270531(10)L2411A",
        "01050123456789001727053110L2411A",
        "]C101050123456789001727053110L2411A",
        "]d20105012345678900172705311" + "0L2411A",
        "https://id.gs1.org/01/05012345678900/10/L2411A?17=270531",
    ],
)
def test_gs1_forms(text):
    result = gs1.parse_gs1(text)
    assert (result.gtin, result.lot, result.expiry) == ("05012345678900", "L2411A", date(2027, 5, 31))


def test_gs1_day_zero_is_end_of_month_and_serials():
    result = gs1.parse_gs1("(01)05012345678900(17)270200(21)SN-9")
    assert result.expiry == date(2027, 2, 28) and result.serial == "SN-9"


def test_gtin_forms_compare_by_value_and_check_digit_is_verified():
    assert gs1.normalise_gtin("5012345678900") == gs1.normalise_gtin("05012345678900") == "05012345678900"
    assert gs1.normalise_gtin("96385074") == "00000096385074"
    with pytest.raises(gs1.Gs1Error) as err:
        gs1.normalise_gtin("05012345678901")
    assert err.value.code == "gtin_check_digit"
    with pytest.raises(gs1.Gs1Error) as err:
        gs1.parse_gs1("(01)05012345678901(10)X")
    assert err.value.code == "gtin_check_digit"
    assert gs1.gtin_key("not-a-gtin") is None


def test_fhir_samples_say_what_is_missing():
    delivery = json.loads((SAMPLES / "supplydelivery-example.json").read_text())
    event = fhir.fhir_to_event(delivery, "dock")
    assert (event["type"], event["item"], event["quantity"], event["location"]) == (
        "inventory.receipt",
        {"code": "BlueTubes"},
        10,
        "Location 1",
    )
    dispense = json.loads((SAMPLES / "medicationdispenseexample8.json").read_text())
    with pytest.raises(fhir.FhirUnmappable) as err:
        fhir.fhir_to_event(dispense, "ehr")
    assert err.value.path == "$.whenHandedOver"
    dispense.update(whenHandedOver="2026-11-23T08:00:00Z")
    with pytest.raises(fhir.FhirUnmappable) as err:
        fhir.fhir_to_event(dispense, "ehr")
    assert err.value.path == "$.quantity.value"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_gs1(text):
    try:
        gs1.parse_gs1(text)
    except gs1.Gs1Error:
        pass


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "resourceType",
                "id",
                "status",
                "quantity",
                "location",
                "whenHandedOver",
                "destination",
                "suppliedItem",
                "occurrenceDateTime",
                "contained",
            ]
        ),
        st.one_of(
            st.none(),
            st.text(max_size=10),
            st.integers(),
            st.just("completed"),
            st.sampled_from(["SupplyDelivery", "MedicationDispense"]),
            st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
        ),
    )
)
def test_fuzz_fhir(resource):
    try:
        fhir.fhir_to_event(resource)
    except fhir.FhirUnmappable:
        pass
