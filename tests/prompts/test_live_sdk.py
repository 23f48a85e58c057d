"""The real `posthog` Python SDK (and the JS SDK's path) against a live server (prompts spec §5.3, §6.3)."""

import urllib.parse

import pytest
import requests
from posthog import request as posthog_request
from posthog.ai.prompts import PromptResult, Prompts

from prompts import services
from tests.factories import make_key
from tests.prompts.helpers import history_state, seed_history

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_sdk_connections():
    """The SDK pools keep-alive connections; close them so no server thread outlives the test."""
    yield
    posthog_request.reset_sessions()


def sdk(world, live_server, key: str | None = None, token: str | None = None) -> Prompts:
    return Prompts(
        personal_api_key=world.k_ro if key is None else key,
        project_api_key=token or world.team.api_token,
        host=live_server.url,
    )


def test_sdk_reads_latest_and_versions(live_server, world, live_session):
    # v1 through the services, v2 over HTTP on the live server.
    services.create_prompt(
        team=world.team, name="support", prompt="You are v1, {{company}}.", created_by=world.user
    )
    response = live_session(world.k_rw).patch(
        f"{live_server.url}/api/environments/{world.t}/llm_prompts/name/support/",
        json={"prompt": "You are v2, {{company}}.", "base_version": 1},
        timeout=10,
    )
    assert response.status_code == 200, response.text

    prompts = sdk(world, live_server)
    latest = prompts.get("support", with_metadata=True)
    assert isinstance(latest, PromptResult)
    assert latest == PromptResult(source="api", prompt="You are v2, {{company}}.", name="support", version=2)
    assert prompts.compile(latest.prompt, {"company": "Acme"}) == "You are v2, Acme."

    first = sdk(world, live_server).get("support", with_metadata=True, version=1)
    assert (first.source, first.prompt, first.version, first.name) == (
        "api",
        "You are v1, {{company}}.",
        1,
        "support",
    )

    # The instance caches; a publish is only seen after clearing the cache (or by a fresh instance).
    services.publish_prompt(
        team=world.team, name="support", prompt="v3", base_version=2, created_by=world.user
    )
    cached = prompts.get("support", with_metadata=True)
    assert (cached.source, cached.version) == ("cache", 2)
    prompts.clear_cache("support")
    fresh = prompts.get("support", with_metadata=True)
    assert (fresh.source, fresh.prompt, fresh.version) == ("api", "v3", 3)
    assert (
        sdk(world, live_server).get("support", with_metadata=True, version=1).prompt
        == "You are v1, {{company}}."
    )
    assert history_state(world.team, "support") == [(1, False, False), (2, False, False), (3, True, False)]


def test_sdk_token_picks_the_project(live_server, world):
    seed_history(world.team, "per-project", ["in T"])
    seed_history(world.team2, "per-project", ["in T2"])
    assert sdk(world, live_server).get("per-project", with_metadata=True).prompt == "in T"
    # Same user, same key: the project key selects T2 although T is the user's current project.
    result = sdk(world, live_server, token=world.team2.api_token).get("per-project", with_metadata=True)
    assert (result.prompt, result.version) == ("in T2", 1)


def test_sdk_missing_prompt_raises(live_server, world):
    prompts = sdk(world, live_server)
    with pytest.raises(Exception, match=r'Prompt "missing" not found'):
        prompts.get("missing", with_metadata=True)
    seed_history(world.team, "only-v1", ["v1"])
    with pytest.raises(Exception, match=r'Prompt "only-v1" version 7 not found'):
        prompts.get("only-v1", with_metadata=True, version=7)
    # With a fallback the SDK serves it instead of raising.
    result = prompts.get("missing", with_metadata=True, fallback="default text")
    assert result == PromptResult(source="code_fallback", prompt="default text")


def test_sdk_archived_prompt_is_not_found(live_server, world):
    seed_history(world.team, "gone", ["v1"])
    services.archive_prompt(team=world.team, name="gone")
    with pytest.raises(Exception, match="not found"):
        sdk(world, live_server).get("gone", with_metadata=True)


def test_sdk_key_without_read_scope_is_access_denied(live_server, world):
    seed_history(world.team, "secret", ["v1"])
    key = make_key(world.user, ["dataset:read"])
    with pytest.raises(Exception, match=r"Access denied for prompt \"secret\"") as excinfo:
        sdk(world, live_server, key=key).get("secret", with_metadata=True)
    assert "LLM prompts feature is enabled" in str(excinfo.value)


def test_sdk_bad_credentials(live_server, world):
    seed_history(world.team, "secret", ["v1"])
    with pytest.raises(Exception, match="Authentication failed"):
        sdk(world, live_server, key="phx_not_a_real_key").get("secret", with_metadata=True)
    with pytest.raises(Exception, match="Authentication failed"):
        sdk(world, live_server, token="phc_unknown").get("secret", with_metadata=True)


def test_sdk_get_all_reads_the_list(live_server, world):
    seed_history(world.team, "alpha", ["a1", "a2"])
    seed_history(world.team, "beta", ["b1"])
    results = sdk(world, live_server).get_all()
    assert {name: (r.prompt, r.version) for name, r in results.items()} == {
        "alpha": ("a2", 2),
        "beta": ("b1", 1),
    }


def test_js_sdk_path(live_server, world, live_session):
    seed_history(world.team, "js-prompt", ["v1", "v2"])
    session = live_session(world.k_ro)
    base = f"{live_server.url}/api/projects/@current/llm_prompts/name/"

    response = session.get(f"{base}js-prompt/", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["prompt"], body["version"], body["is_latest"]) == ("js-prompt", "v2", 2, True)
    assert "created_by" not in body

    response = session.get(
        f"{base}js-prompt/", params={"token": world.team.api_token, "version": 1}, timeout=10
    )
    assert (response.status_code, response.json()["prompt"], response.json()["is_latest"]) == (
        200,
        "v1",
        False,
    )

    response = session.get(f"{base}{urllib.parse.quote('no such', safe='')}/", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"detail": "Prompt with name 'no such' not found."}

    response = requests.get(f"{base}js-prompt/", timeout=10)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
