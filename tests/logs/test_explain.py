"""`POST …/logs/explainLogWithAI/` against a local OpenAI-compatible stub."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from logs.explain_serializers import EXPLANATION_JSON_SCHEMA
from logs.models import LogRecord
from tests.api import UNKNOWN_UUID, bearer, missing_scope, not_authenticated, permission_denied
from tests.assist.helpers import (
    DROP,
    HANG,
    approve,
    completion,
    error,
    raw,
    running_stub,
    unconfigure_llm,
    use_stub,
)
from tests.factories import make_key

LOG_TIME = datetime(2026, 1, 15, 12, 30, 45, 123456, tzinfo=UTC)
TOP_LEVEL_KEYS = {
    "headline",
    "severity_assessment",
    "impact_summary",
    "probable_causes",
    "immediate_actions",
    "technical_explanation",
    "key_fields",
}
EXPLANATION = {
    "headline": "Database connection pool exhausted",
    "severity_assessment": "error",
    "impact_summary": "Checkout requests fail while the pool is empty.",
    "probable_causes": [
        {"hypothesis": "Leaked connections", "confidence": "high", "reasoning": "Pool size 0 of 20."},
        {"hypothesis": "Traffic spike", "confidence": "low", "reasoning": "No load data in the log."},
    ],
    "immediate_actions": [{"action": "Restart the pods", "priority": "now", "why": "Frees the pool."}],
    "technical_explanation": "The ORM could not check out a connection within 30 s.",
    "key_fields": [
        {"field": "db.pool.size", "value": "20", "significance": "The limit hit.", "attribute_type": "log"},
        {
            "field": "k8s.pod.name",
            "value": "checkout-1",
            "significance": "Where.",
            "attribute_type": "resource",
        },
    ],
}
CALL_FAILED = {
    "type": "server_error",
    "code": "error",
    "detail": "Failed to generate log explanation",
    "attr": None,
}
UNREADABLE = {
    "error": "Failed to generate explanation",
    "detail": "An error occurred while generating the explanation",
}


@pytest.fixture
def stub(settings):
    with running_stub() as server:
        use_stub(settings, server)
        server.default = completion(json.dumps(EXPLANATION))
        yield server


@pytest.fixture
def approved(world):
    approve(world.org_a)
    return world


def make_log(team, **fields) -> LogRecord:
    values = {
        "team": team,
        "timestamp": LOG_TIME,
        "body": "could not obtain connection from pool",
        "severity_text": "ERROR",
        "severity_number": 17,
        "service_name": "checkout",
        "resource_attributes": {"k8s.pod.name": "checkout-1", "service.name": "checkout"},
        "attributes": {"db.pool.size": "20", "k8s.pod.name": "checkout-1"},
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "span_id": "00f067aa0ba902b7",
        **fields,
    }
    return LogRecord.objects.create(**values)


@pytest.fixture
def log(approved) -> LogRecord:
    return make_log(approved.team)


def url(team_id, prefix: str = "environments", slash: str = "/") -> str:
    return f"/api/{prefix}/{team_id}/logs/explainLogWithAI{slash}"


def body_for(log: LogRecord, **extra) -> dict:
    return {"uuid": str(log.uuid), "timestamp": log.timestamp.isoformat(), **extra}


def post(client, world, body, key=None, team_id=None, **kwargs):
    return client.post(url(team_id or world.t, **kwargs), body, format="json", **bearer(key or world.k_all))


def test_without_credentials_401(client, world):
    response = client.post(url(world.t), {}, format="json")
    assert response.status_code == 401
    assert response.json() == not_authenticated()


def test_not_approved_403_before_validation(client, world, stub):
    response = post(client, world, {})
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert detail.startswith(
        "AI data processing must be approved by your organization before using log explanation"
    )
    assert stub.requests == []


def test_empty_body_raw_errors(client, approved, stub):
    response = post(client, approved, {})
    assert response.status_code == 400
    assert response.json() == {
        "uuid": ["This field is required."],
        "timestamp": ["This field is required."],
    }


def test_bad_timestamp(client, approved, stub):
    response = post(client, approved, {"uuid": UNKNOWN_UUID, "timestamp": "yesterday"})
    assert response.status_code == 400
    assert response.json()["timestamp"][0].startswith("Datetime has wrong format.")


def test_bad_force_refresh(client, approved, log, stub):
    response = post(client, approved, body_for(log, force_refresh="maybe"))
    assert response.status_code == 400
    assert response.json() == {"force_refresh": ["Must be a valid boolean."]}


@pytest.mark.parametrize("log_uuid", [UNKNOWN_UUID, "not-a-uuid"])
def test_unknown_log_404(client, approved, log, stub, log_uuid):
    response = post(client, approved, {"uuid": log_uuid, "timestamp": LOG_TIME.isoformat()})
    assert response.status_code == 404
    assert response.json() == {"error": "Log not found"}
    assert stub.requests == []


def test_blank_uuid_400(client, approved, stub):
    response = post(client, approved, {"uuid": " ", "timestamp": LOG_TIME.isoformat()})
    assert response.status_code == 400
    assert response.json() == {"uuid": ["This field may not be blank."]}


def test_timestamp_within_a_second(client, approved, log, stub):
    near = {"uuid": str(log.uuid), "timestamp": (LOG_TIME + timedelta(milliseconds=900)).isoformat()}
    assert post(client, approved, near).status_code == 200
    far = {"uuid": str(log.uuid), "timestamp": (LOG_TIME + timedelta(seconds=2)).isoformat()}
    response = post(client, approved, far)
    assert response.status_code == 404
    assert response.json() == {"error": "Log not found"}


def test_another_projects_log_is_404(client, approved, stub):
    other = make_log(approved.team2)
    response = post(client, approved, body_for(other))
    assert response.status_code == 404
    assert response.json() == {"error": "Log not found"}
    assert stub.requests == []
    # Through its own project it is found.
    assert post(client, approved, body_for(other), team_id=approved.team2.id).status_code == 200


def test_explains_with_the_stub(client, approved, log, stub):
    response = post(client, approved, body_for(log))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == TOP_LEVEL_KEYS
    assert body == EXPLANATION
    sent = stub.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["json"]["model"] == "gpt-4.1-mini"
    assert sent["json"]["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "log_explanation", "strict": True, "schema": EXPLANATION_JSON_SCHEMA},
    }
    system, user = sent["json"]["messages"]
    assert system["role"] == "system"
    assert "site reliability" in system["content"]
    assert user["role"] == "user"
    prompt = user["content"]
    for text in (
        "could not obtain connection from pool",
        "ERROR",
        "checkout",
        "db.pool.size",
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7",
    ):
        assert text in prompt
    # Log attributes that copy a resource key are listed once, under the resource attributes.
    log_part, resource_part = prompt.split("Resource attributes:")
    assert "k8s.pod.name" not in log_part
    assert "k8s.pod.name" in resource_part


def test_strict_schema_requires_every_key():
    def check(schema):
        if schema.get("type") == "object":
            assert schema["additionalProperties"] is False
            assert sorted(schema["required"]) == sorted(schema["properties"])
            for child in schema["properties"].values():
                check(child)
        if schema.get("type") == "array":
            check(schema["items"])

    check(EXPLANATION_JSON_SCHEMA)
    assert set(EXPLANATION_JSON_SCHEMA["properties"]) == TOP_LEVEL_KEYS


def test_second_call_is_cached_and_force_refresh_asks_again(client, approved, log, stub):
    assert post(client, approved, body_for(log)).status_code == 200
    assert post(client, approved, body_for(log)).json() == EXPLANATION
    assert len(stub.requests) == 1
    refreshed = {**EXPLANATION, "headline": "Refreshed"}
    stub.default = completion(json.dumps(refreshed))
    response = post(client, approved, body_for(log, force_refresh=True))
    assert response.json()["headline"] == "Refreshed"
    assert len(stub.requests) == 2
    # The refreshed answer replaces the cached one.
    assert post(client, approved, body_for(log)).json()["headline"] == "Refreshed"
    assert len(stub.requests) == 2


def test_cache_expires(client, approved, log, stub, settings):
    settings.LOG_EXPLANATION_CACHE_SECONDS = 1
    post(client, approved, body_for(log))
    time.sleep(1.1)
    post(client, approved, body_for(log))
    assert len(stub.requests) == 2


def test_cache_is_per_project(client, approved, stub):
    log_t = make_log(approved.team)
    post(client, approved, body_for(log_t))
    # Same uuid and time asked in another project: not served from the first project's cache.
    response = post(client, approved, body_for(log_t), team_id=approved.team2.id)
    assert response.status_code == 404


def test_long_lists_are_cut(client, approved, log, stub):
    cause = EXPLANATION["probable_causes"][0]
    action = EXPLANATION["immediate_actions"][0]
    stub.default = completion(
        json.dumps({**EXPLANATION, "probable_causes": [cause] * 5, "immediate_actions": [action] * 7})
    )
    body = post(client, approved, body_for(log)).json()
    assert len(body["probable_causes"]) == 3
    assert len(body["immediate_actions"]) == 5


@pytest.mark.parametrize("content", [None, "", "   "])
def test_empty_content_400(client, approved, log, stub, content):
    stub.default = completion(content)
    response = post(client, approved, body_for(log))
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": "OpenAI returned empty response",
        "attr": None,
    }


@pytest.mark.parametrize(
    "content",
    [
        "not json at all",
        json.dumps([1, 2]),
        json.dumps({"headline": "only this"}),
        json.dumps({**EXPLANATION, "severity_assessment": "catastrophic"}),
        json.dumps({**EXPLANATION, "probable_causes": []}),
    ],
    ids=["not-json", "a-list", "missing-keys", "bad-enum", "no-causes"],
)
def test_unreadable_output_500(client, approved, log, stub, content):
    stub.default = completion(content)
    response = post(client, approved, body_for(log))
    assert response.status_code == 500
    assert response.json() == UNREADABLE
    # A failure is not cached.
    stub.default = completion(json.dumps(EXPLANATION))
    assert post(client, approved, body_for(log)).status_code == 200


@pytest.mark.parametrize(
    "answer",
    [error(500), error(429, "rate limited"), error(400, "schema unsupported"), DROP, raw(200, "<html>")],
    ids=["http-500", "http-429", "http-400", "dropped", "not-json-body"],
)
def test_provider_failures_500(client, approved, log, stub, settings, answer):
    settings.LLM_MAX_RETRIES = 1
    stub.default = answer
    response = post(client, approved, body_for(log))
    assert response.status_code == 500
    assert response.json() == CALL_FAILED
    assert "Traceback" not in response.content.decode()


def test_hang_is_bounded_by_the_timeout(client, approved, log, stub, settings):
    settings.LLM_EXPLAIN_TIMEOUT_SECONDS = 1
    stub.default = HANG
    started = time.monotonic()
    response = post(client, approved, body_for(log))
    assert time.monotonic() - started < 2.5
    assert response.status_code == 500
    assert response.json() == CALL_FAILED


def test_unconfigured_503(client, approved, log, settings):
    unconfigure_llm(settings)
    assert post(client, approved, {}).status_code == 400
    response = post(client, approved, body_for(log))
    assert response.status_code == 503
    assert response.json()["code"] == "llm_not_configured"
    for variable in ("LLM_API_BASE_URL", "LLM_API_KEY", "LLM_MODEL"):
        assert variable in response.json()["detail"]


def test_unconfigured_unknown_log_is_404(client, approved, settings):
    unconfigure_llm(settings)
    response = post(client, approved, {"uuid": UNKNOWN_UUID, "timestamp": LOG_TIME.isoformat()})
    assert response.status_code == 404


def test_scope_logs_write(client, approved, log, stub):
    writer = make_key(approved.user, ["logs:write"])
    assert post(client, approved, body_for(log), key=writer).status_code == 200
    reader = make_key(approved.user, ["logs:read"])
    response = post(client, approved, body_for(log), key=reader)
    assert response.status_code == 403
    assert response.json() == missing_scope("logs:write")
    response = post(client, approved, body_for(log), key=approved.k_rw)
    assert response.json() == missing_scope("logs:write")


@pytest.mark.parametrize("prefix", ["projects", "environments"])
@pytest.mark.parametrize("slash", ["/", ""])
def test_both_prefixes_and_optional_slash(client, approved, log, stub, prefix, slash):
    assert post(client, approved, body_for(log), prefix=prefix, slash=slash).status_code == 200


def test_other_organizations_project_403(client, approved, stub):
    approve(approved.org_b)
    other = make_log(approved.team_b)
    response = post(client, approved, body_for(other), team_id=approved.team_b.id)
    assert response.status_code == 403
    assert response.json() == permission_denied("You don't have access to the project.")
    assert stub.requests == []


def test_get_is_405(client, approved):
    assert client.get(url(approved.t), **bearer(approved.k_all)).status_code == 405


class TestThrottle:
    def test_keys_are_throttled_with_retry_after(self, client, approved, log, stub, settings):
        settings.RATE_LIMIT_ENABLED = True
        settings.RATE_LIMIT_LOG_EXPLAIN_BURST = "2/minute"
        for _ in range(2):
            assert post(client, approved, body_for(log)).status_code == 200
        response = post(client, approved, body_for(log))
        assert response.status_code == 429
        assert response.json()["type"] == "throttled_error"
        assert int(response["Retry-After"]) > 0

    def test_sessions_are_throttled_too(self, client, approved, log, stub, settings):
        settings.RATE_LIMIT_ENABLED = True
        settings.RATE_LIMIT_LOG_EXPLAIN_DAILY = "1/day"
        client.force_login(approved.user)
        assert client.post(url(approved.t), body_for(log), format="json").status_code == 200
        response = client.post(url(approved.t), body_for(log), format="json")
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
