"""The inventory event's JSON Schema, as the inventory processor checks it at the door. No database."""

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
