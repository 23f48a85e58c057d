"""The real `posthog` Python SDK fetching prompts by label against a live server: release by
pointing a label at a version, roll back by pointing it back, with no code deploy."""

import pytest
from posthog import request as posthog_request
from posthog.ai.prompts import PromptResult, Prompts

from prompts import services
from tests.prompts.helpers import seed_history

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_sdk_connections():
    """The SDK pools keep-alive connections; close them so no server thread outlives the test."""
    yield
    posthog_request.reset_sessions()


def sdk(world, live_server) -> Prompts:
    return Prompts(personal_api_key=world.k_ro, project_api_key=world.team.api_token, host=live_server.url)


def label(world, name: str, label_name: str, version: int) -> None:
    services.set_label(team=world.team, prompt_name=name, label=label_name, version=version, user=world.user)


def test_case_86_get_by_label_and_the_next_fetch_after_a_move(live_server, world):
    services.create_prompt(
        team=world.team, name="support", prompt="v1 text", config={"model": "gpt-4o"}, created_by=world.user
    )
    services.publish_prompt(
        team=world.team, name="support", prompt="v2 text", base_version=1, created_by=world.user
    )
    label(world, "support", "production", 1)

    prompts = sdk(world, live_server)
    result = prompts.get("support", label="production", with_metadata=True)
    assert result == PromptResult(
        source="api",
        prompt="v1 text",
        name="support",
        version=1,
        label="production",
        config={"model": "gpt-4o"},
    )
    assert prompts.get("support", with_metadata=True).version == 2  # latest is a separate cache entry

    # Release v2: the SDK's cache still holds v1; past it, the very next fetch sees the move.
    label(world, "support", "production", 2)
    assert prompts.get("support", label="production", with_metadata=True).source == "cache"
    prompts.clear_cache("support")
    released = prompts.get("support", label="production", with_metadata=True)
    assert (released.source, released.prompt, released.version, released.label) == (
        "api",
        "v2 text",
        2,
        "production",
    )

    # Roll back: a fresh client (another process of the app) gets v1's content again.
    label(world, "support", "production", 1)
    rolled_back = sdk(world, live_server).get("support", label="production", with_metadata=True)
    assert (rolled_back.prompt, rolled_back.version) == ("v1 text", 1)

    # A label that does not exist is the SDK's failure, not a fallback to latest.
    with pytest.raises(Exception, match="not found"):
        sdk(world, live_server).get("support", label="staging", with_metadata=True)


def test_case_87_get_all_by_label(live_server, world):
    seed_history(world.team, "alpha", ["alpha v1", "alpha v2"], world.user)
    seed_history(world.team, "beta", ["beta v1"], world.user)
    seed_history(world.team, "gamma", ["gamma v1", "gamma v2"], world.user)
    services.publish_prompt(
        team=world.team,
        name="beta",
        base_version=1,
        config={"temperature": 0.2},
        created_by=world.user,
    )
    label(world, "alpha", "production", 1)
    label(world, "beta", "production", 2)
    label(world, "gamma", "staging", 2)

    results = sdk(world, live_server).get_all(label="production")
    assert results == {
        "alpha": PromptResult(
            source="api", prompt="alpha v1", name="alpha", version=1, label="production", config=None
        ),
        "beta": PromptResult(
            source="api",
            prompt="beta v1",
            name="beta",
            version=2,
            label="production",
            config={"temperature": 0.2},
        ),
    }
    # Without a label: every prompt at its latest version.
    latest = sdk(world, live_server).get_all()
    assert {name: result.version for name, result in latest.items()} == {"alpha": 2, "beta": 2, "gamma": 2}
