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
    refs = post["requestBody"]["content"]["application/json"]["schema"]["anyOf"]
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


def test_document_says_what_the_door_does():
    doc = openapi.build_openapi()
    post = doc["paths"]["/hc/v1/endpoints/{code}/messages"]["post"]
    fhir = post["requestBody"]["content"]["application/fhir+json"]["schema"]
    assert fhir["properties"]["resourceType"]["type"] == "string"
    header = next(p for p in post["parameters"] if p["name"] == "X-HC-Message-Type")
    assert header["schema"]["maxLength"] == 128 and "wins over detection" in header["description"]
    status = doc["components"]["schemas"]["MessageStatus"]["properties"]
    assert status["message_type"]["type"] == ["string", "null"]
    assert post["responses"]["202"]["links"]["GetMessageStatus"]["operationId"] == "getMessage"


def test_path_methods_of_the_catch_all_route():
    methods = {pattern.pattern: allowed for pattern, allowed in openapi.PATH_METHODS}
    assert methods["/hc/v1/endpoints/[^/]+/messages"] == {"POST"}
    assert methods["/hc/v1/messages/[^/]+"] == {"GET", "HEAD"}
