"""OpenAPI: dataset routes on both prefixes, scopes, and the documented bulk import."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from datasets.urls import router
from llm_server.routers import project_routes


@pytest.fixture(scope="module")
def schema() -> dict:
    GENERATOR_STATS.reset()
    generated = SchemaGenerator(patterns=project_routes(router)).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))
    validate_schema(generated)
    return generated


def test_paths_on_both_prefixes_with_scopes(schema):
    for prefix in ("projects", "environments"):
        base = f"/api/{prefix}/{{project_id}}"
        datasets = schema["paths"][f"{base}/datasets/"]
        assert datasets["get"]["x-required-scopes"] == ["dataset:read"]
        assert datasets["post"]["x-required-scopes"] == ["dataset:write"]
        detail = schema["paths"][f"{base}/dataset_items/{{id}}/"]
        assert set(detail) >= {"get", "put", "patch", "delete"}
        assert "Hard delete of this model is not allowed" in detail["delete"]["description"]
        assert schema["paths"][f"{base}/dataset_items/bulk/"]["post"]["x-required-scopes"] == [
            "dataset:write"
        ]


def test_list_parameters(schema):
    listing = schema["paths"]["/api/projects/{project_id}/datasets/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"search", "id__in", "order_by", "limit", "offset"}
    items = schema["paths"]["/api/projects/{project_id}/dataset_items/"]["get"]
    assert {p["name"] for p in items["parameters"]} >= {"dataset", "limit", "offset"}


def test_bulk_is_documented_with_request_and_response(schema):
    bulk = schema["paths"]["/api/projects/{project_id}/dataset_items/bulk/"]["post"]
    assert "single transaction" in bulk["description"]
    request_ref = bulk["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    response_ref = bulk["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    components = schema["components"]["schemas"]
    request = components[request_ref.rsplit("/", 1)[-1]]
    assert request["required"] == ["dataset", "items"]
    assert request["properties"]["dataset"]["format"] == "uuid"
    entry = components[request["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]]
    assert set(entry["properties"]) == {
        "input",
        "output",
        "metadata",
        "ref_trace_id",
        "ref_timestamp",
        "ref_source_id",
    }
    response = components[response_ref.rsplit("/", 1)[-1]]
    assert set(response["properties"]) == {"count", "results"}
    assert "400" in bulk["responses"]


def test_shapes_follow_the_spec_order(schema):
    components = schema["components"]["schemas"]
    assert list(components["Dataset"]["properties"]) == [
        "id",
        "name",
        "description",
        "metadata",
        "created_at",
        "updated_at",
        "deleted",
        "created_by",
        "team",
    ]
    assert list(components["DatasetItem"]["properties"]) == [
        "id",
        "dataset",
        "input",
        "output",
        "metadata",
        "ref_trace_id",
        "ref_timestamp",
        "ref_source_id",
        "deleted",
        "created_at",
        "updated_at",
        "created_by",
        "team",
    ]
    assert components["Dataset"]["properties"]["deleted"]["nullable"] is True
