"""The OpenAPI schema says what the API really answers and takes: blank and null values
where they occur, every error as problem+json, JSON bodies (the one file upload aside)."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def props(schema, component):
    return schema["components"]["schemas"][component]["properties"]


def admits_blank(schema, prop) -> bool:
    options = prop.get("oneOf") or prop.get("anyOf") or [prop]
    for option in options:
        if "$ref" in option:
            option = schema["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]
        if "" in option.get("enum", []) or option.get("maxLength") == 0:
            return True
    return False


def test_blank_and_null_answers_are_in_the_schema(schema):
    assert admits_blank(schema, props(schema, "Entity")["pec"])
    assert props(schema, "Entity")["covering_arca"].get("nullable") is True
    assert admits_blank(schema, props(schema, "Entity")["province"])
    assert admits_blank(schema, props(schema, "Membership")["area"])


def test_every_operation_documents_its_errors_as_problem_json(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = {"400", "401", "403", "404"}
            if operation.get("requestBody"):
                codes |= {"413", "415"}
            assert codes <= set(operation["responses"]), (method, path)
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (method, path, code)


def test_refusals_on_a_submissions_state_are_documented_as_409(schema):
    submissions = schema["paths"]["/api/v1/submissions/{id}"]
    assert "409" in submissions["patch"]["responses"]
    assert "409" in schema["paths"]["/api/v1/submissions/{id}/submit"]["post"]["responses"]


# Bodies are JSON; only what carries files is also (or only) multipart.
FILE_BODIES = {
    "/api/v1/submissions/{id}/applicants": ["multipart/form-data"],
    "/api/v1/circulars/{id}/reply": ["multipart/form-data", "application/json"],
}


def test_bodies_are_json_except_those_carrying_files(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            expected = FILE_BODIES.get(path, ["application/json"])
            assert list(operation["requestBody"]["content"]) == expected, (method, path)


def test_a_patch_body_keeps_its_required_fields(schema):
    body = schema["paths"]["/api/v1/submissions/{id}"]["patch"]["requestBody"]["content"]["application/json"]
    component = schema["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[1]]
    assert component["required"] == ["co_financing"]
