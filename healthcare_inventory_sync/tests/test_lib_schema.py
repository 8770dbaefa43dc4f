"""The inventory event's JSON Schema, as the inventory processor checks it at the door. No database."""

import pytest

from ..lib.schema import INVENTORY_EVENT, validate_event

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
}


def test_schema_rules():
    assert validate_event(EVENT) == []
    assert validate_event({**EVENT, "quantity": 0})
    assert validate_event({**EVENT, "type": "inventory.count", "quantity": 0}) == []
    assert validate_event({**EVENT, "type": "inventory.transfer"})
    assert validate_event({**EVENT, "type": "inventory.transfer", "to_location": "OR-STORE-1"}) == []
    assert validate_event({**EVENT, "item": {}})
    assert validate_event({**EVENT, "occurred_at": "2026-11-23 07:41"})
    assert validate_event({**EVENT, "new_optional_field": 1}) == [], "minor versions only add fields"
    assert validate_event([]) and validate_event("x")


def test_the_published_schema_is_the_checked_one():
    from odoo.addons.healthcare_integration_base.lib import openapi

    from ..models.hc_processor_inventory import HcProcessorInventory

    published = HcProcessorInventory._openapi_schemas(None)
    doc = openapi.build_openapi(extra_schemas=published["schemas"], json_bodies=published["json_bodies"])
    assert doc["components"]["schemas"]["InventoryEvent"]["properties"] == INVENTORY_EVENT["properties"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("expiry", "6168-06-72", "$.expiry: is not a real date"),
        ("expiry", "2027-02-29", "$.expiry: is not a real date"),
        ("occurred_at", "0001-01-01T00:00:00+01:00", "$.occurred_at: is not a real date-time"),
        ("occurred_at", "9999-12-31T23:59:60Z", "$.occurred_at: is not a real date-time"),
        ("occurred_at", "2026-02-30T00:00:00Z", "$.occurred_at: is not a real date-time"),
        ("lot", "L\x001", "$.lot: contains a NUL"),
        ("to_location", "x" * 256, "$.to_location: is longer than 255"),
        ("quantity", float("inf"), "$.quantity"),
        ("quantity", float("nan"), "$.quantity: must be a finite number"),
    ],
)
def test_validate_event_refuses_what_processing_could_not_use(field, value, message):
    errors = validate_event({**EVENT, field: value})
    assert any(e.startswith(message) for e in errors), errors


def test_schema_errors_never_quote_the_value():
    secret = "MRN-SECRET-4711"
    bad = {**EVENT, "patient_ref": {"mrn": secret}, "uom": [secret], "type": secret, "item": secret}
    bad["source"] = secret
    errors = validate_event(bad)
    assert errors and not any(secret in e for e in errors), errors
    assert any(e.startswith("$.patient_ref") for e in errors)
    assert validate_event(secret) == ["$: must be of type object"]
