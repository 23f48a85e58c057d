"""OpenAPI: every scorer operation on both prefixes, with its scope, request and response shapes,
the 409 body and the error responses."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from llm_server.routers import project_routes
from scores.urls import router
from tests.scores.helpers import SCORE_DEFINITION_KEYS


@pytest.fixture(scope="module")
def schema() -> dict:
    GENERATOR_STATS.reset()
    generated = SchemaGenerator(patterns=project_routes(router)).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))
    validate_schema(generated)
    return generated


def ref_of(prop: dict) -> str:
    """The component a property points at (directly, or wrapped to carry readOnly/nullable)."""
    return prop.get("$ref") or prop["allOf"][0]["$ref"]


def component(schema: dict, ref_holder: dict) -> dict:
    ref = ref_holder["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


@pytest.mark.parametrize("prefix", ["projects", "environments"])
def test_operations_methods_and_scopes(schema, prefix):
    base = f"/api/{prefix}/{{project_id}}/llm_analytics/score_definitions"
    collection, detail = schema["paths"][f"{base}/"], schema["paths"][f"{base}/{{id}}/"]
    new_version = schema["paths"][f"{base}/{{id}}/new_version/"]
    assert set(collection) - {"parameters"} == {"get", "post"}
    assert set(detail) - {"parameters"} == {"get", "patch"}
    assert set(new_version) - {"parameters"} == {"post"}
    assert collection["get"]["x-required-scopes"] == ["llm_analytics:read"]
    assert detail["get"]["x-required-scopes"] == ["llm_analytics:read"]
    for operation in (collection["post"], detail["patch"], new_version["post"]):
        assert operation["x-required-scopes"] == ["llm_analytics:write"]


def test_error_responses_are_documented(schema):
    base = "/api/environments/{project_id}/llm_analytics/score_definitions"
    operations = {
        "list": schema["paths"][f"{base}/"]["get"],
        "create": schema["paths"][f"{base}/"]["post"],
        "retrieve": schema["paths"][f"{base}/{{id}}/"]["get"],
        "update": schema["paths"][f"{base}/{{id}}/"]["patch"],
        "new_version": schema["paths"][f"{base}/{{id}}/new_version/"]["post"],
    }
    for name, operation in operations.items():
        assert {"401", "403", "404"} <= set(operation["responses"]), name
    for name in ("list", "create", "update", "new_version"):
        assert "400" in operations[name]["responses"], name
    assert set(operations["create"]["responses"]) >= {"201"}
    assert "409" in operations["new_version"]["responses"]
    conflict = component(schema, operations["new_version"]["responses"]["409"])
    assert set(conflict["properties"]) == {"detail", "current_version"}


def test_representation_and_request_shapes(schema):
    base = "/api/environments/{project_id}/llm_analytics/score_definitions"
    retrieve = schema["paths"][f"{base}/{{id}}/"]["get"]
    representation = component(schema, retrieve["responses"]["200"])
    assert list(representation["properties"]) == SCORE_DEFINITION_KEYS
    assert representation["properties"]["created_by"]["nullable"] is True
    kind = schema["components"]["schemas"][ref_of(representation["properties"]["kind"]).rsplit("/", 1)[-1]]
    assert set(kind["enum"]) == {"categorical", "numeric", "boolean"}
    assert ref_of(representation["properties"]["config"]).endswith("/ScoreDefinitionConfig")

    create = schema["paths"][f"{base}/"]["post"]
    assert component(schema, create["responses"]["201"]) == representation
    create_body = schema["components"]["schemas"][
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    ]
    assert list(create_body["properties"]) == ["name", "description", "kind", "archived", "config"]
    assert sorted(create_body["required"]) == ["config", "kind", "name"]
    assert ref_of(create_body["properties"]["config"]).endswith("/ScoreDefinitionConfigRequest")
    for name in ("ScoreDefinitionConfig", "ScoreDefinitionConfigRequest"):
        variants = schema["components"]["schemas"][name]["anyOf"]
        shapes = [schema["components"]["schemas"][variant["$ref"].rsplit("/", 1)[-1]] for variant in variants]
        assert [sorted(shape["properties"]) for shape in shapes] == [
            ["max_selections", "min_selections", "options", "passing_rule", "selection_mode"],
            ["max", "min", "passing_rule", "step"],
            ["false_label", "true_is_failure", "true_label"],
        ]

    patch = schema["paths"][f"{base}/{{id}}/"]["patch"]
    patch_body = schema["components"]["schemas"][
        patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    ]
    assert list(patch_body["properties"]) == ["name", "description", "archived"]
    assert "required" not in patch_body

    new_version = schema["paths"][f"{base}/{{id}}/new_version/"]["post"]
    body = schema["components"]["schemas"][
        new_version["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    ]
    assert list(body["properties"]) == ["config", "base_version"]
    assert body["required"] == ["config"]
    assert body["properties"]["base_version"]["minimum"] == 1
    assert component(schema, new_version["responses"]["200"]) == representation


def test_list_parameters(schema):
    listing = schema["paths"]["/api/environments/{project_id}/llm_analytics/score_definitions/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in listing["parameters"]}
    assert set(parameters) >= {"search", "kind", "archived", "order_by", "limit", "offset"}
    assert parameters["archived"]["schema"]["type"] == "boolean"
    assert set(parameters["kind"]["schema"]["enum"]) == {"categorical", "numeric", "boolean"}
