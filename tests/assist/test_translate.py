"""`POST …/llm_analytics/translate/` against a local OpenAI-compatible stub."""

import time

import pytest

from tests.api import bearer, missing_scope, not_authenticated, permission_denied, validation
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

TRANSLATION_ERROR = {
    "type": "server_error",
    "code": "translation_error",
    "detail": "Translation failed due to an internal error.",
    "attr": None,
}


@pytest.fixture
def stub(settings):
    with running_stub() as server:
        use_stub(settings, server)
        yield server


@pytest.fixture
def approved(world):
    approve(world.org_a)
    return world


def url(world, prefix: str = "environments", slash: str = "/") -> str:
    return f"/api/{prefix}/{world.t}/llm_analytics/translate{slash}"


def post(client, world, body, key=None, **kwargs):
    return client.post(url(world, **kwargs), body, format="json", **bearer(key or world.k_all))


def test_without_credentials_401(client, world):
    response = client.post(url(world), {"text": "hi"}, format="json")
    assert response.status_code == 401
    assert response.json() == not_authenticated()


def test_not_approved_403_before_validation(client, world, stub):
    response = post(client, world, {})
    assert response.status_code == 403
    body = response.json()
    assert body["type"] == "authentication_error"
    assert body["detail"].startswith(
        "AI data processing must be approved by your organization before using translation"
    )
    assert "PATCH /api/organizations/@current/" in body["detail"]
    assert stub.requests == []


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({}, "text", "required"),
        ({"text": ""}, "text", "blank"),
        ({"text": "   \n"}, "text", "blank"),
        ({"text": None}, "text", "null"),
        ({"text": "x" * 10_001}, "text", "max_length"),
        ({"text": "hi", "target_language": "x" * 11}, "target_language", "max_length"),
    ],
)
def test_body_errors_400(client, approved, stub, body, attr, code):
    response = post(client, approved, body)
    assert response.status_code == 400
    assert response.json()["attr"] == attr
    assert response.json()["code"] == code
    assert stub.requests == []


def test_too_long_text_detail(client, approved, stub):
    response = post(client, approved, {"text": "x" * 10_001})
    assert response.json() == validation(
        "text", "max_length", "Ensure this field has no more than 10000 characters."
    )


def test_longest_text_accepted(client, approved, stub):
    assert post(client, approved, {"text": "x" * 10_000}).status_code == 200


def test_unconfigured_503_after_validation(client, approved, settings):
    unconfigure_llm(settings)
    assert post(client, approved, {}).status_code == 400
    response = post(client, approved, {"text": "hello"})
    assert response.status_code == 503
    body = response.json()
    assert body["type"] == "server_error"
    assert body["code"] == "llm_not_configured"
    assert body["attr"] is None
    for variable in ("LLM_API_BASE_URL", "LLM_API_KEY", "LLM_MODEL"):
        assert variable in body["detail"]


def test_configured_by_key_alone(settings):
    from llm_server import llm

    unconfigure_llm(settings)
    assert not llm.is_configured()
    settings.LLM_API_KEY = "sk-x"
    assert llm.is_configured()


def test_translates_with_the_stub(client, approved, stub):
    stub.default = completion("  Hola mundo  ")
    response = post(client, approved, {"text": "Hello world", "target_language": "es"})
    assert response.status_code == 200
    assert response.json() == {"translation": "Hola mundo", "detected_language": None, "provider": "openai"}
    assert len(stub.requests) == 1
    sent = stub.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer sk-test-key"
    assert sent["json"]["model"] == "gpt-4.1-mini"
    assert "response_format" not in sent["json"]
    system, user = sent["json"]["messages"]
    assert system["role"] == "system"
    assert "Spanish" in system["content"]
    assert "formatting" in system["content"]
    assert "line breaks" in system["content"]
    assert user == {"role": "user", "content": "Hello world"}


def test_configured_model_is_used(client, approved, stub, settings):
    settings.LLM_MODEL = "llama3.1:8b"
    post(client, approved, {"text": "Hello"})
    assert stub.last["model"] == "llama3.1:8b"


def test_without_key_a_placeholder_is_sent(client, approved, stub, settings):
    settings.LLM_API_KEY = ""
    assert post(client, approved, {"text": "Hello"}).status_code == 200
    assert stub.requests[0]["headers"]["Authorization"].startswith("Bearer ")


def test_text_is_sent_verbatim(client, approved, stub):
    text = "  # Title\n\n- one\n- two\n"
    post(client, approved, {"text": text, "target_language": "fr"})
    assert stub.last["messages"][1]["content"] == text
    assert "French" in stub.last["messages"][0]["content"]


def test_default_target_is_english(client, approved, stub):
    post(client, approved, {"text": "Hola"})
    assert "English" in stub.last["messages"][0]["content"]


@pytest.mark.parametrize(
    ("code", "name"), [("de", "German"), ("pt-br", "Brazilian Portuguese"), ("ZH-CN", "Simplified Chinese")]
)
def test_language_names(client, approved, stub, code, name):
    post(client, approved, {"text": "Hello", "target_language": code})
    assert name in stub.last["messages"][0]["content"]


def test_unknown_code_used_literally(client, approved, stub):
    post(client, approved, {"text": "Hello", "target_language": "xx-klingon"[:10]})
    assert "xx-klingon" in stub.last["messages"][0]["content"]


def test_extra_keys_ignored(client, approved, stub):
    response = post(client, approved, {"text": "Hi", "source_language": "de", "source": "x"})
    assert response.status_code == 200
    assert "de" not in stub.last["messages"][0]["content"].split()


def test_null_content_is_empty_translation(client, approved, stub):
    stub.default = completion(None)
    response = post(client, approved, {"text": "Hello"})
    assert response.status_code == 200
    assert response.json()["translation"] == ""


@pytest.mark.parametrize(
    "answer",
    [
        error(500),
        error(400, "bad request"),
        error(401, "invalid key"),
        DROP,
        raw(200, "this is not json"),
        (200, {"unexpected": True}),
    ],
    ids=["http-500", "http-400", "http-401", "dropped", "not-json", "no-choices"],
)
def test_provider_failures_500(client, approved, stub, settings, answer):
    settings.LLM_MAX_RETRIES = 1
    stub.default = answer
    response = post(client, approved, {"text": "Hello"})
    assert response.status_code == 500
    assert response.json() == TRANSLATION_ERROR
    assert "Traceback" not in response.content.decode()


def test_server_errors_are_retried(client, approved, stub, settings):
    settings.LLM_MAX_RETRIES = 2
    stub.default = error(503)
    assert post(client, approved, {"text": "Hello"}).status_code == 500
    assert len(stub.requests) == 3


def test_client_errors_are_not_retried(client, approved, stub):
    stub.default = error(400)
    post(client, approved, {"text": "Hello"})
    assert len(stub.requests) == 1


def test_retry_recovers(client, approved, stub):
    stub.script = [error(500), DROP]
    stub.default = completion("Bonjour")
    response = post(client, approved, {"text": "Hello", "target_language": "fr"})
    assert response.status_code == 200
    assert response.json()["translation"] == "Bonjour"
    assert len(stub.requests) == 3


def test_hang_is_bounded_by_the_timeout(client, approved, stub, settings):
    settings.LLM_TRANSLATE_TIMEOUT_SECONDS = 1
    stub.default = HANG
    started = time.monotonic()
    response = post(client, approved, {"text": "Hello"})
    elapsed = time.monotonic() - started
    assert response.status_code == 500
    assert response.json() == TRANSLATION_ERROR
    # Retries never extend the call past its timeout.
    assert elapsed < 2.5
    assert len(stub.requests) == 1


@pytest.mark.parametrize("prefix", ["projects", "environments"])
@pytest.mark.parametrize("slash", ["/", ""])
def test_both_prefixes_and_optional_slash(client, approved, stub, prefix, slash):
    stub.default = completion("Hallo")
    response = post(client, approved, {"text": "Hello"}, prefix=prefix, slash=slash)
    assert response.status_code == 200


def test_current_project(client, approved, stub):
    response = client.post(
        "/api/environments/@current/llm_analytics/translate/",
        {"text": "Hello"},
        format="json",
        **bearer(approved.k_all),
    )
    assert response.status_code == 200


def test_scope_llm_analytics_write(client, approved, stub):
    assert post(client, approved, {"text": "Hi"}, key=approved.k_rw).status_code == 200
    response = post(client, approved, {"text": "Hi"}, key=approved.k_ro)
    assert response.status_code == 403
    assert response.json() == missing_scope("llm_analytics:write")
    logs_key = make_key(approved.user, ["logs:write"])
    assert post(client, approved, {"text": "Hi"}, key=logs_key).json() == missing_scope("llm_analytics:write")


def test_session_user(client, approved, stub):
    client.force_login(approved.user)
    response = client.post(url(approved), {"text": "Hello"}, format="json")
    assert response.status_code == 200


def test_get_is_405(client, approved):
    response = client.get(url(approved), **bearer(approved.k_all))
    assert response.status_code == 405


def test_other_organizations_project_403(client, approved, stub):
    approve(approved.org_b)
    response = client.post(
        f"/api/environments/{approved.team_b.id}/llm_analytics/translate/",
        {"text": "Hello"},
        format="json",
        **bearer(approved.k_all),
    )
    assert response.status_code == 403
    assert response.json() == permission_denied("You don't have access to the project.")
    assert stub.requests == []


def test_unknown_project_404(client, approved):
    response = client.post(
        f"/api/environments/{approved.missing_id}/llm_analytics/translate/",
        {"text": "Hello"},
        format="json",
        **bearer(approved.k_all),
    )
    assert response.status_code == 404


def test_malformed_json_400(client, approved, stub):
    response = client.post(url(approved), "{nope", content_type="application/json", **bearer(approved.k_all))
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


class TestThrottle:
    def test_personal_key_is_throttled_with_retry_after(self, client, approved, stub, settings):
        settings.RATE_LIMIT_ENABLED = True
        settings.RATE_LIMIT_TRANSLATE_BURST = "2/minute"
        for _ in range(2):
            assert post(client, approved, {"text": "Hi"}).status_code == 200
        response = post(client, approved, {"text": "Hi"})
        assert response.status_code == 429
        assert response.json()["code"] == "throttled"
        assert response.json()["type"] == "throttled_error"
        assert int(response["Retry-After"]) > 0
        # Each key has its own budget.
        other = make_key(approved.user, ["llm_analytics:write"])
        assert post(client, approved, {"text": "Hi"}, key=other).status_code == 200

    def test_daily_limit(self, client, approved, stub, settings):
        settings.RATE_LIMIT_ENABLED = True
        settings.RATE_LIMIT_TRANSLATE_DAILY = "1/day"
        assert post(client, approved, {"text": "Hi"}).status_code == 200
        assert post(client, approved, {"text": "Hi"}).status_code == 429

    def test_sessions_are_not_throttled(self, client, approved, stub, settings):
        settings.RATE_LIMIT_ENABLED = True
        settings.RATE_LIMIT_TRANSLATE_BURST = "1/minute"
        client.force_login(approved.user)
        for _ in range(3):
            assert client.post(url(approved), {"text": "Hi"}, format="json").status_code == 200

    def test_off_by_default(self, client, approved, stub, settings):
        settings.RATE_LIMIT_TRANSLATE_BURST = "1/minute"
        for _ in range(3):
            assert post(client, approved, {"text": "Hi"}).status_code == 200
