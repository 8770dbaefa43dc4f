"""The published OpenAPI document is valid 3.1 and names every contract response."""

from jsonschema import Draft202012Validator

from ..lib import openapi, schemas


def test_openapi_document():
    doc = openapi.build_openapi("http://localhost:8069")
    assert doc["openapi"] == "3.1.0"
    post = doc["paths"]["/hc/v1/endpoints/{code}/messages"]["post"]
    assert set(post["responses"]) == {"200", "202", "400", "401", "403", "413", "415", "422", "429", "503"}
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return
    validate(doc)


def test_schemas_are_the_ones_the_server_validates_with():
    doc = openapi.build_openapi()
    assert doc["components"]["schemas"]["InventoryEvent"]["properties"] == schemas.INVENTORY_EVENT["properties"]
