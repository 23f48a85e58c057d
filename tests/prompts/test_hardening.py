"""Inputs beyond the spec's examples must give a 4xx with the envelope, never a 500."""

import json

import pytest

from prompts.models import LLMPrompt
from tests.api import bearer, method_not_allowed, validation


def nested(depth: int):
    value: object = "leaf"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "prompt",
    ["\ud800", {"\udfff": 1}, {"k": ["ok", "\udc00"]}],
    ids=["string", "object-key", "nested-string"],
)
def test_lone_surrogates_are_rejected_on_create_publish_and_legacy_patch(client, world, P, prompt):
    auth = {**bearer(world.k_rw), "content_type": "application/json"}

    def raw(body: dict) -> str:
        return json.dumps(body)  # ASCII escapes, as a client would send a lone surrogate

    response = client.post(f"{P}/", raw({"name": "sur", "prompt": prompt}), **auth)
    assert response.status_code == 400
    assert response.json() == validation(
        "prompt", "invalid_input", "Prompt payload cannot contain unpaired surrogate characters."
    )
    row = client.post(f"{P}/", raw({"name": "ok", "prompt": "v1"}), **auth).json()
    response = client.patch(f"{P}/name/ok/", raw({"prompt": prompt, "base_version": 1}), **auth)
    assert response.status_code == 400 and response.json()["attr"] == "prompt"
    response = client.patch(f"{P}/{row['id']}/", raw({"prompt": prompt}), **auth)
    assert response.status_code == 400 and response.json()["attr"] == "prompt"
    assert LLMPrompt.objects.filter(team=world.team).count() == 1


def test_lone_surrogate_body_key_is_an_invalid_key(client, world, P):
    response = client.post(
        f"{P}/",
        data=json.dumps({"personal_api_key": "\ud800", "name": "x", "prompt": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Personal API key found in request body is invalid."


def test_deeply_nested_prompt_is_a_400(client, world, P):
    response = client.post(
        f"{P}/", {"name": "deep", "prompt": nested(400)}, format="json", **bearer(world.k_rw)
    )
    assert response.status_code == 400
    assert response.json() == validation(
        "prompt", "invalid_input", "Prompt payload cannot be nested more than 200 levels deep."
    )
    response = client.post(
        f"{P}/", {"name": "deep", "prompt": nested(150)}, format="json", **bearer(world.k_rw)
    )
    assert response.status_code == 201


def test_absurdly_deep_body_is_a_parse_error_or_401_never_a_500(client, world, P):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(f"{P}/", data=body, content_type="application/json")
    assert response.status_code == 401
    response = client.post(f"{P}/", data=body, content_type="application/json", **bearer(world.k_rw))
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["detail"].startswith("JSON parse error - ")


@pytest.mark.parametrize("order_by", ["--name", "---created_at", "-", "", "name,version"])
def test_malformed_order_by_falls_back_to_default(client, world, P, order_by):
    auth = bearer(world.k_rw)
    for name in ("a", "b"):
        client.post(f"{P}/", {"name": name, "prompt": name}, format="json", **auth)
    response = client.get(f"{P}/", {"order_by": order_by}, **auth)
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["b", "a"]


def test_methods_a_route_does_not_serve_are_405_after_the_write_scope(client, world, P):
    for method in ("delete", "put"):
        response = getattr(client, method)(f"{P}/", **bearer(world.k_rw))
        assert response.status_code == 405
        assert response.json() == method_not_allowed(method)
        response = getattr(client, method)(f"{P}/", **bearer(world.k_ro))
        assert response.status_code == 403
        assert response.json()["detail"] == "API key missing required scope 'llm_prompt:write'"


def test_head_honours_the_project_token_like_get(client, world):
    auth = bearer(world.k_rw)
    url = f"/api/environments/{world.missing_id}/llm_prompts/?token={world.team.api_token}"
    assert client.get(url, **auth).status_code == 200
    assert client.head(url, **auth).status_code == 200
    url = "/api/environments/@current/llm_prompts/?token=phc_bogus"
    assert client.get(url, **auth).status_code == 401
    assert client.head(url, **auth).status_code == 401


def test_form_encoded_null_prompt_is_a_null_error_everywhere(client, world, P):
    auth = {**bearer(world.k_rw), "content_type": "application/x-www-form-urlencoded"}
    expected = validation("prompt", "null", "This field may not be null.")
    response = client.post(f"{P}/", "name=fnull&prompt=null", **auth)
    assert response.status_code == 400 and response.json() == expected
    row = client.post(f"{P}/", {"name": "fnull", "prompt": "v1"}, format="json", **bearer(world.k_rw)).json()
    response = client.patch(f"{P}/name/fnull/", "prompt=null&base_version=1", **auth)
    assert response.status_code == 400 and response.json() == expected
    response = client.patch(f"{P}/{row['id']}/", "prompt=null", **auth)
    assert response.status_code == 400 and response.json() == expected
    assert LLMPrompt.objects.filter(team=world.team, name="fnull").count() == 1
