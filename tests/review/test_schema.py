"""OpenAPI: every review route on both prefixes, with its scope, real request and response shapes,
list parameters and error responses; no generator warnings."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from llm_server.routers import project_routes
from review.urls import router
from tests.review.helpers import ITEM_KEYS, QUEUE_KEYS, REVIEW_KEYS, SCORE_KEYS

RESOURCES = ["review_queues", "review_queue_items", "trace_reviews"]


@pytest.fixture(scope="module")
def schema() -> dict:
    GENERATOR_STATS.reset()
    generated = SchemaGenerator(patterns=project_routes(router)).get_schema(request=None, public=True)
    assert not GENERATOR_STATS, (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache))
    validate_schema(generated)
    return generated


def component(schema: dict, ref_holder: dict) -> dict:
    ref = ref_holder["content"]["application/json"]["schema"]
    if "items" in ref:
        ref = ref["items"]
    return schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]


def request_component(schema: dict, operation: dict) -> dict:
    return component(schema, operation["requestBody"])


@pytest.mark.parametrize("prefix", ["projects", "environments"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_routes_methods_and_scopes(schema, prefix, resource):
    base = f"/api/{prefix}/{{project_id}}/llm_analytics/{resource}"
    collection, detail = schema["paths"][f"{base}/"], schema["paths"][f"{base}/{{id}}/"]
    assert set(collection) == {"get", "post"}
    assert set(detail) == {"get", "patch", "delete"}
    assert collection["get"]["x-required-scopes"] == ["llm_analytics:read"]
    assert detail["get"]["x-required-scopes"] == ["llm_analytics:read"]
    for operation in (collection["post"], detail["patch"], detail["delete"]):
        assert operation["x-required-scopes"] == ["llm_analytics:write"]
        assert {"401", "403", "404"} <= set(operation["responses"])
    assert {"400", "401", "403", "404"} <= set(collection["get"]["responses"])
    assert "201" in collection["post"]["responses"]
    assert "200" in detail["patch"]["responses"] and "400" in detail["patch"]["responses"]
    assert set(detail["delete"]["responses"]) >= {"204"}
    assert "content" not in detail["delete"]["responses"]["204"]
    for operation in (
        collection["get"],
        collection["post"],
        detail["get"],
        detail["patch"],
        detail["delete"],
    ):
        assert operation["description"], (resource, operation["operationId"])


def test_list_parameters(schema):
    def parameters(resource: str) -> set[str]:
        path = f"/api/environments/{{project_id}}/llm_analytics/{resource}/"
        return {p["name"] for p in schema["paths"][path]["get"]["parameters"]}

    assert parameters("review_queues") >= {"name", "search", "order_by", "limit", "offset"}
    assert parameters("review_queue_items") >= {"queue_id", "trace_id", "trace_id__in", "search", "order_by"}
    assert parameters("trace_reviews") >= {
        "trace_id",
        "trace_id__in",
        "definition_id",
        "definition_id__in",
        "search",
        "order_by",
    }


def test_shapes_follow_the_documented_order(schema):
    base = "/api/environments/{project_id}/llm_analytics"
    queue = component(schema, schema["paths"][f"{base}/review_queues/{{id}}/"]["get"]["responses"]["200"])
    assert list(queue["properties"]) == QUEUE_KEYS
    item = component(schema, schema["paths"][f"{base}/review_queue_items/{{id}}/"]["get"]["responses"]["200"])
    assert list(item["properties"]) == ITEM_KEYS
    review = component(schema, schema["paths"][f"{base}/trace_reviews/{{id}}/"]["get"]["responses"]["200"])
    assert list(review["properties"]) == REVIEW_KEYS
    score = schema["components"]["schemas"][
        review["properties"]["scores"]["items"]["$ref"].rsplit("/", 1)[-1]
    ]
    assert list(score["properties"]) == SCORE_KEYS
    assert score["properties"]["numeric_value"]["type"] == "string"
    assert item["properties"]["queue_id"]["format"] == "uuid"
    assert queue["properties"]["created_by"]["nullable"] is True


def test_request_bodies_are_the_real_inputs(schema):
    base = "/api/environments/{project_id}/llm_analytics"
    queue_create = request_component(schema, schema["paths"][f"{base}/review_queues/"]["post"])
    assert set(queue_create["properties"]) == {"name"} and queue_create["required"] == ["name"]

    item_create = request_component(schema, schema["paths"][f"{base}/review_queue_items/"]["post"])
    assert set(item_create["properties"]) == {"queue_id", "trace_id"}
    assert sorted(item_create["required"]) == ["queue_id", "trace_id"]
    move = request_component(schema, schema["paths"][f"{base}/review_queue_items/{{id}}/"]["patch"])
    assert set(move["properties"]) == {"queue_id"} and move["required"] == ["queue_id"]

    review_create = request_component(schema, schema["paths"][f"{base}/trace_reviews/"]["post"])
    assert set(review_create["properties"]) == {"trace_id", "comment", "scores", "queue_id"}
    score = schema["components"]["schemas"][
        review_create["properties"]["scores"]["items"]["$ref"].rsplit("/", 1)[-1]
    ]
    assert set(score["properties"]) == {
        "definition_id",
        "definition_version_id",
        "categorical_values",
        "numeric_value",
        "boolean_value",
    }
    assert score["required"] == ["definition_id"]
    rename = request_component(schema, schema["paths"][f"{base}/review_queues/{{id}}/"]["patch"])
    assert set(rename["properties"]) == {"name"} and "required" not in rename
    review_patch = schema["paths"][f"{base}/trace_reviews/{{id}}/"]["patch"]
    edit = request_component(schema, review_patch)
    assert set(edit["properties"]) == {"trace_id", "comment", "scores", "queue_id"} and "required" not in edit
    assert review_patch["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/TraceReview"
    )
    assert "scores[0]" in schema["paths"][f"{base}/trace_reviews/"]["post"]["description"]


def test_the_served_schema_includes_the_review_routes(served_schema):
    served = served_schema
    assert "/api/projects/{project_id}/llm_analytics/trace_reviews/{id}/" in served["paths"]
