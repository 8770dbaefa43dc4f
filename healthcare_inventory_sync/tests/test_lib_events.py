"""Canonical events read into typed values without a database; fuzzed."""

import copy
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..lib import events

EVENT = {
    "id": "cab7-2026-11-23-000123",
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


def event(**changes):
    """The contract's example event with ``changes``; a value of ``...`` removes the key."""
    obj = copy.deepcopy(EVENT)
    for key, value in changes.items():
        if value is ...:
            obj.pop(key, None)
        else:
            obj[key] = value
    return obj


def error(obj):
    with pytest.raises(events.EventError) as err:
        events.normalise_event(obj)
    return err.value


def test_contract_example():
    ev = events.normalise_event(EVENT)
    assert ev == events.NormalisedEvent(
        id="cab7-2026-11-23-000123",
        type="consumption",
        occurred_at=datetime(2026, 11, 23, 7, 41, 39, tzinfo=timezone.utc),
        system="icu-cabinet-7",
        facility="GENHOSP",
        location="ICU-CAB-07",
        to_location=None,
        item_code="NS-1000",
        gtin="05012345678900",
        quantity=Decimal(2),
        uom="EA",
        lot="L2411A",
        expiry=date(2027, 5, 31),
        serial=None,
        patient_ref="MRN-0042",
        encounter_ref="ENC-9",
        reverses=None,
        reason=None,
    )
    assert ev.full_type == "inventory.consumption"


@pytest.mark.parametrize("short", events.EVENT_TYPES)
def test_types_lose_their_prefix(short):
    obj = event(type=f"inventory.{short}", to_location="ICU-CAB-08", quantity=1)
    assert events.normalise_event(obj).type == short


@pytest.mark.parametrize("value", ["consumption", "inventory.sale", "", None, 3])
def test_unknown_type(value):
    err = error(event(type=value))
    assert (err.code, err.field) == ("schema", "type")


# ---------------------------------------------------------------------------- time


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-11-23T07:41:39Z", datetime(2026, 11, 23, 7, 41, 39)),
        ("2026-11-23t07:41:39z", datetime(2026, 11, 23, 7, 41, 39)),
        ("2026-11-23 08:41:39+01:00", datetime(2026, 11, 23, 7, 41, 39)),
        ("2026-11-23T02:41:39.5-05:00", datetime(2026, 11, 23, 7, 41, 39, 500000)),
        ("2026-11-23T07:41:39.123456789Z", datetime(2026, 11, 23, 7, 41, 39, 123456)),
        ("2026-11-23T00:30:00+01:00", datetime(2026, 11, 22, 23, 30)),
    ],
)
def test_occurred_at_is_aware_and_has_a_naive_utc_form(text, utc):
    ev = events.normalise_event(event(occurred_at=text))
    assert ev.occurred_at.tzinfo is not None
    assert ev.occurred_at_utc == utc and ev.occurred_at_utc.tzinfo is None
    assert events.utc_naive(ev.occurred_at) == utc


def test_offset_is_kept():
    ev = events.normalise_event(event(occurred_at="2026-11-23T08:41:39+01:00"))
    assert ev.occurred_at.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23T07:41:39",
        "2026-11-23",
        "2026-13-23T07:41:39Z",
        "2026-11-23T25:00:00Z",
        "yesterday",
        None,
        1700000000,
    ],
)
def test_occurred_at_needs_a_full_date_time_with_offset(text):
    err = error(event(occurred_at=text))
    assert (err.code, err.field) == ("schema", "occurred_at")


# ---------------------------------------------------------------------------- quantity


@pytest.mark.parametrize(("value", "expected"), [(2, Decimal(2)), (0.1, Decimal("0.1")), (2.5, Decimal("2.5"))])
def test_quantity_is_decimal(value, expected):
    assert events.normalise_event(event(quantity=value)).quantity == expected


def test_count_may_be_zero_other_types_not():
    assert events.normalise_event(event(type="inventory.count", quantity=0)).quantity == 0
    assert error(event(quantity=0)).field == "quantity"
    assert error(event(type="inventory.count", quantity=-1)).field == "quantity"


@pytest.mark.parametrize("value", [-1, "2", True, None, float("nan"), float("inf"), [2]])
def test_quantity_must_be_a_positive_number(value):
    err = error(event(quantity=value))
    assert (err.code, err.field) == ("schema", "quantity")


# ---------------------------------------------------------------------------- required fields and types


@pytest.mark.parametrize("field", ["id", "location", "uom"])
def test_required_text(field):
    for value in (..., "", 7):
        err = error(event(**{field: value}))
        assert (err.code, err.field) == ("schema", field)


def test_source_and_schema_version():
    assert error(event(source=...)).field == "source"
    assert error(event(source={"facility": "X"})).field == "source.system"
    assert error(event(source={"system": "x", "facility": 3})).field == "source.facility"
    assert events.normalise_event(event(source={"system": "x", "facility": ""})).facility == ""
    assert error(event(schema_version="2.0")).field == "schema_version"
    assert events.normalise_event(event(schema_version="1.3")).id == EVENT["id"]


def test_transfer_needs_a_destination():
    assert error(event(type="inventory.transfer")).field == "to_location"
    ev = events.normalise_event(event(type="inventory.transfer", to_location="OR-2"))
    assert (ev.location, ev.to_location) == ("ICU-CAB-07", "OR-2")


def test_empty_optional_strings_are_none_and_optional_fields_pass_through():
    ev = events.normalise_event(event(lot="", serial="", reason="dropped", reverses="cab7-1", patient_ref=None))
    assert (ev.lot, ev.serial, ev.reason, ev.reverses, ev.patient_ref) == (None, None, "dropped", "cab7-1", None)


def test_wrong_types_never_echo_patient_data():
    err = error(event(patient_ref={"mrn": "MRN-SECRET"}))
    assert (err.code, err.field) == ("schema", "patient_ref")
    assert "SECRET" not in str(err)


@pytest.mark.parametrize("value", ["2027-5-31", "2027-02-30", "31.05.2027", 20270531])
def test_expiry_is_a_date(value):
    err = error(event(expiry=value))
    assert (err.code, err.field) == ("schema", "expiry")


def test_not_an_object():
    assert error(["not", "an", "event"]).code == "schema"


# ---------------------------------------------------------------------------- item, GTIN, GS1


def test_gtin_is_normalised_and_verified():
    assert events.normalise_event(event(item={"gtin": "5012345678900"})).gtin == "05012345678900"
    assert events.normalise_event(event(item={"gtin": "96385074"})).gtin == "00000096385074"
    err = error(event(item={"gtin": "05012345678901"}))
    assert (err.code, err.field) == ("gtin_check_digit", "item.gtin")
    assert error(event(item={"gtin": "ABC"})).code == "gtin_invalid"


def test_item_needs_an_identity():
    assert error(event(item={})).field == "item"
    assert error(event(item={"code": None, "gtin": ""})).field == "item"
    assert error(event(item="NS-1000")).field == "item"
    # a GS1 string without a GTIN does not identify the item
    assert error(event(item={"gs1": "(10)L2411A"})).field == "item"


def test_gs1_fills_the_missing_fields():
    obj = event(item={"gs1": "(01)05012345678900(17)270500(10)L2411A(21)SN-1"}, lot=..., expiry=None)
    ev = events.normalise_event(obj)
    assert (ev.gtin, ev.lot, ev.expiry, ev.serial, ev.item_code) == (
        "05012345678900",
        "L2411A",
        date(2027, 5, 31),
        "SN-1",
        None,
    )


def test_gs1_agreeing_with_explicit_fields_is_fine():
    obj = event(item={"gtin": "5012345678900", "gs1": "]d20105012345678900\x1d10L2411A\x1d17270531"})
    ev = events.normalise_event(obj)
    assert (ev.gtin, ev.lot, ev.expiry) == ("05012345678900", "L2411A", date(2027, 5, 31))


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"expiry": "2027-06-30"}, "lot_expiry_mismatch", "expiry"),
        ({"lot": "OTHER"}, "gs1_conflict", "lot"),
        ({"serial": "SN-2"}, "gs1_conflict", "serial"),
        (
            {"item": {"gtin": "04006381333931", "gs1": "(01)05012345678900(17)270531(10)L2411A(21)SN-1"}},
            "gs1_conflict",
            "item.gtin",
        ),
    ],
)
def test_gs1_conflicts(changes, code, field):
    base = {"item": {"code": "NS-1000", "gs1": "(01)05012345678900(17)270531(10)L2411A(21)SN-1"}}
    err = error(event(**{**base, **changes}))
    assert (err.code, err.field) == (code, field)


@pytest.mark.parametrize(
    ("gs1_text", "code"),
    [
        ("(01)05012345678901(10)X", "gtin_check_digit"),
        ("not gs1", "gs1_unparseable"),
        ("(17)271399", "gs1_unparseable"),
    ],
)
def test_bad_gs1(gs1_text, code):
    err = error(event(item={"code": "NS-1000", "gs1": gs1_text}))
    assert (err.code, err.field) == (code, "item.gs1")


# ---------------------------------------------------------------------------- fuzzing

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
FIELDS = [*EVENT, "to_location", "reverses"]
CODES = {"schema", "gtin_check_digit", "gtin_invalid", "gs1_unparseable", "gs1_conflict", "lot_expiry_mismatch"}


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON, st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=12)))
def test_fuzz_arbitrary_values_raise_only_event_error(obj):
    try:
        events.normalise_event(obj)
    except events.EventError as exc:
        assert exc.code in CODES


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*FIELDS, "item.code", "item.gtin", "item.gs1", "source.system", "source.facility"]),
        st.one_of(JSON, st.just(...)),
        max_size=4,
    )
)
def test_fuzz_one_valid_event_with_broken_fields(changes):
    obj = copy.deepcopy(EVENT)
    obj["item"]["gs1"] = "(01)05012345678900(17)270531(10)L2411A"
    for key, value in changes.items():
        holder, _dot, name = key.rpartition(".")
        target = obj[holder] if holder and isinstance(obj.get(holder), dict) else obj
        if value is ...:
            target.pop(name or key, None)
        else:
            target[name or key] = value
    try:
        ev = events.normalise_event(obj)
    except events.EventError as exc:
        assert exc.code in CODES and isinstance(exc.detail, str)
    else:
        assert ev.occurred_at.tzinfo is not None and isinstance(ev.quantity, Decimal)
