"""The published OpenAPI document is valid 3.1 and names every contract response."""

from jsonschema import Draft202012Validator

from ..lib import openapi

SAMPLE = {"title": "Sample", "type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}}


def test_openapi_document():
    doc = openapi.build_openapi(
        "http://localhost:8069",
        message_types=[
            {
                "code": "sample.*",
                "pattern": True,
                "sequence": 10,
                "priority": "normal",
                "content_types": ["application/json"],
                "description": "A sample",
            }
        ],
        extra_schemas={"Sample": SAMPLE},
        json_bodies=["Sample"],
    )
    assert doc["openapi"] == "3.1.0"
    post = doc["paths"]["/hc/v1/endpoints/{code}/messages"]["post"]
    assert set(post["responses"]) == {"200", "202", "400", "401", "403", "413", "415", "422", "429", "503"}
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    refs = post["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert {"$ref": "#/components/schemas/Sample"} in refs
    assert doc["info"]["x-message-types"][0]["code"] == "sample.*"
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return
    validate(doc)


def test_registered_schemas_are_published_as_given():
    doc = openapi.build_openapi(extra_schemas={"Sample": SAMPLE}, json_bodies=["Sample"])
    assert doc["components"]["schemas"]["Sample"]["properties"] == SAMPLE["properties"]
