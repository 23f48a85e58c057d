"""End to end with the real `posthog` SDK: a user's LLM calls are captured on a live server, then
that user reads their spend over HTTP with a personal API key."""

import genai_prices
import pytest
import requests
from genai_prices import Usage
from posthog import Posthog
from posthog import request as posthog_request

from tests.spend.helpers import PRODUCT, SPEND_URL

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

TOOL_CALLS = [
    {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "On it"},
            {"type": "function", "id": "c1", "function": {"name": "Bash", "arguments": '{"cmd": "ls"}'}},
            {"type": "function", "id": "c2", "function": {"name": "Read", "arguments": '{"path": "a"}'}},
        ],
    }
]


@pytest.fixture(autouse=True)
def _close_sdk_connections():
    """The SDK pools keep-alive connections; close them so no server thread outlives the test."""
    yield
    posthog_request.reset_sessions()


def generation(
    client: Posthog,
    distinct_id: str,
    model: str,
    *,
    product: str = PRODUCT,
    tokens: tuple[int, int] | None = None,
    cost: float | None = None,
    event: str = "$ai_generation",
    **extra,
) -> None:
    """One LLM call as the SDK's AI wrappers report it (only what is given is sent)."""
    properties = {"ai_product": product, "$ai_provider": "openai", "$ai_model": model, **extra}
    if tokens:
        properties["$ai_input_tokens"], properties["$ai_output_tokens"] = tokens
    if cost is not None:
        properties["$ai_total_cost_usd"] = cost
    client.capture(event, distinct_id=distinct_id, properties=properties)


def computed_cost(model: str, input_tokens: int, output_tokens: int) -> float:
    price = genai_prices.calc_price(
        Usage(input_tokens=input_tokens, output_tokens=output_tokens), model, provider_id="openai"
    )
    return float(price.total_price)


@pytest.mark.parametrize("gzip", [False, True], ids=["json", "gzip"])
def test_sdk_capture_then_personal_spend(live_server, world, live_session, gzip):
    sdk = Posthog(world.team.api_token, host=live_server.url, sync_mode=True, gzip=gzip)
    # A call made before the user signed in, then the sign-in and the email.
    generation(sdk, "anon-1", "gpt-4o", tokens=(1000, 100), cost=0.5, **{"$ai_tools_called": "Bash"})
    sdk.capture("$identify", distinct_id="user-1", properties={"$anon_distinct_id": "anon-1"})
    sdk.set(distinct_id="user-1", properties={"email": world.user.email})
    # No cost sent: priced at ingestion; the tools come from the output's calls.
    generation(sdk, "user-1", "gpt-4o-mini", tokens=(100_000, 500), **{"$ai_output_choices": TOOL_CALLS})
    generation(sdk, "user-1", "gpt-4o", tokens=(3000, 200), cost=0.25)
    generation(sdk, "user-1", "gpt-4o", product="background_agents", cost=2.0)
    generation(
        sdk, "user-1", "text-embedding-3-small", event="$ai_embedding", cost=0.001, **{"$ai_input_tokens": 50}
    )
    # Never the user's: a span, someone else's call, a call without a person.
    generation(sdk, "user-1", "gpt-4o", event="$ai_span", cost=100.0)
    sdk.set(distinct_id="user-2", properties={"email": "someone@example.com"})
    generation(sdk, "user-2", "gpt-4o", cost=300.0)
    generation(sdk, "trace-9", "gpt-4o", cost=900.0, **{"$process_person_profile": False})
    sdk.shutdown()

    mini = computed_cost("gpt-4o-mini", 100_000, 500)
    assert mini > 0
    scoped = round(0.5 + mini + 0.25 + 0.001, 6)
    response = live_session(world.k_all).get(
        f"{live_server.url}{SPEND_URL}", params={"product": PRODUCT}, timeout=10
    )
    assert response.status_code == 200, response.text
    body = response.json()
    summary = body["summary"]
    assert summary["product"] == PRODUCT
    assert (summary["event_count"], summary["scoped_event_count"]) == (5, 4)
    assert summary["scoped_cost_usd"] == scoped
    assert summary["total_cost_usd"] == round(scoped + 2.0, 6)
    assert body["by_product"] == {
        "items": [
            {"product": "background_agents", "event_count": 1, "cost_usd": 2.0},
            {"product": PRODUCT, "event_count": 4, "cost_usd": scoped},
        ],
        "truncated": False,
    }
    mini_cost = round(mini, 6)
    assert body["by_model"] == {
        "items": [
            {
                "model": "gpt-4o",
                "generation_count": 2,
                "cost_usd": 0.75,
                "input_tokens": 4000,
                "output_tokens": 300,
            },
            {
                "model": "gpt-4o-mini",
                "generation_count": 1,
                "cost_usd": mini_cost,
                "input_tokens": 100_000,
                "output_tokens": 500,
            },
            {
                "model": "text-embedding-3-small",
                "generation_count": 1,
                "cost_usd": 0.001,
                "input_tokens": 50,
                "output_tokens": 0,
            },
        ],
        "truncated": False,
    }
    by_tool = {row["tool"]: row for row in body["by_tool"]["items"]}
    assert by_tool == {
        "Bash": {
            "tool": "Bash",
            "generation_count": 2,
            "cost_usd": round(0.5 + mini, 6),
            "share_of_scoped": round(0.5 + mini, 6) / scoped,
            "avg_input_tokens": 50500.0,
        },
        "Read": {
            "tool": "Read",
            "generation_count": 1,
            "cost_usd": mini_cost,
            "share_of_scoped": mini_cost / scoped,
            "avg_input_tokens": 100000.0,
        },
        None: {
            "tool": None,
            "generation_count": 1,
            "cost_usd": 0.25,
            "share_of_scoped": 0.25 / scoped,
            "avg_input_tokens": 3000.0,
        },
    }
    assert body["top_traces"] == {"items": [], "truncated": False}

    # Without the scope, or without credentials, nothing is answered.
    response = requests.get(f"{live_server.url}{SPEND_URL}", params={"product": PRODUCT}, timeout=10)
    assert response.status_code == 401
