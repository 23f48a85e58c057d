"""The real `posthog` Python SDK against a live server: capture, gzip, the AI lane, identity."""

import genai_prices
import pytest
import requests
from genai_prices import Usage
from posthog import Posthog
from posthog import request as posthog_request

from events import wire
from events.models import Event
from tests.events.helpers import INVALID_API_KEY, MISSING_API_KEY, events_of, person_of

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

BASH_CALL = [
    {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Running it"},
            {"type": "function", "id": "c1", "function": {"name": "Bash", "arguments": "{}"}},
            {"type": "function", "id": "c2", "function": {"name": "Read", "arguments": "{}"}},
        ],
    }
]


@pytest.fixture(autouse=True)
def _close_sdk_connections():
    """The SDK pools keep-alive connections; close them so no server thread outlives the test."""
    yield
    posthog_request.reset_sessions()


@pytest.fixture
def paths(monkeypatch) -> list[str]:
    """The request path of every capture the server reads."""
    seen: list[str] = []
    original = wire.read_payload

    def spy(request):
        seen.append(request.path)
        return original(request)

    monkeypatch.setattr(wire, "read_payload", spy)
    return seen


def sdk_client(live_server, token: str, **options) -> Posthog:
    return Posthog(token, host=live_server.url, sync_mode=True, **options)


def test_case_64_sdk_capture_is_stored(live_server, world, paths):
    client = sdk_client(live_server, world.team.api_token)
    sent_uuid = client.capture("e", distinct_id="d", properties={"plan": "pro"})
    stored = Event.objects.get(team=world.team)
    assert (stored.event, stored.distinct_id, str(stored.uuid)) == ("e", "d", sent_uuid)
    assert stored.properties["plan"] == "pro"
    assert stored.properties["$lib"] == "posthog-python"
    assert paths == ["/batch/"]


def test_case_65_sdk_capture_with_gzip(live_server, world):
    client = sdk_client(live_server, world.team.api_token, gzip=True)
    client.capture("zipped", distinct_id="d")
    assert [e.event for e in events_of(world.team)] == ["zipped"]


def test_batched_mode_flushes_one_request(live_server, world, paths):
    client = Posthog(world.team.api_token, host=live_server.url, gzip=True, flush_at=100)
    for n in range(25):
        client.capture(f"e{n}", distinct_id="d")
    client.flush()
    client.shutdown()
    assert sorted(e.event for e in events_of(world.team)) == sorted(f"e{n}" for n in range(25))
    assert paths == ["/batch/"]


def test_case_67_full_ai_capture_uses_the_ai_endpoint(live_server, world, paths):
    client = sdk_client(live_server, world.team.api_token, enable_full_ai_capture=True)
    client.capture_ai(
        "$ai_generation",
        distinct_id="d",
        properties={"$ai_model": "gpt-4o-mini", "$ai_provider": "openai", "$ai_input_tokens": 10},
    )
    assert paths == ["/i/v0/ai/batch/"]
    stored = Event.objects.get(team=world.team)
    assert stored.event == "$ai_generation"
    assert stored.properties["$ai_total_cost_usd"] > 0


def test_case_66_bad_tokens_get_the_sdk_errors(live_server, world):
    with pytest.raises(posthog_request.APIError) as error:
        posthog_request.batch_post(
            "phc_unknown", host=live_server.url, batch=[{"event": "e", "distinct_id": "d"}]
        )
    assert (error.value.status, error.value.message) == (401, INVALID_API_KEY["detail"])
    response = requests.post(f"{live_server.url}/batch/", json={"batch": []}, timeout=10)
    assert (response.status_code, response.json()) == (401, MISSING_API_KEY)
    response = requests.post(f"{live_server.url}/batch/", json={"batch": [], "api_key": "phc_x"}, timeout=10)
    assert (response.status_code, response.json()) == (401, INVALID_API_KEY)
    assert not Event.objects.exists()


def test_oversized_body_is_refused(live_server, world, settings):
    settings.CAPTURE_MAX_BODY_BYTES = 10_000
    response = requests.post(
        f"{live_server.url}/batch/",
        json={
            "api_key": world.team.api_token,
            "batch": [{"event": "e", "distinct_id": "d", "x": "y" * 20_000}],
        },
        timeout=10,
    )
    assert response.status_code == 413
    assert not Event.objects.exists()


@pytest.mark.parametrize("gzip", [False, True])
def test_identified_user_and_generations(live_server, world, gzip):
    """What spend reads: a user identified with an email, and their generations, costs and tools."""
    client = sdk_client(live_server, world.team.api_token, gzip=gzip)
    anon = "anon-device-1"
    # An anonymous generation first; the email arrives later, with the identify.
    client.capture(
        "$ai_generation",
        distinct_id=anon,
        properties={
            "ai_product": "posthog_code",
            "$ai_model": "gpt-4o",
            "$ai_provider": "openai",
            "$ai_input_tokens": 2000,
            "$ai_output_tokens": 100,
            "$ai_total_cost_usd": 0.5,
        },
    )
    client.capture("$identify", distinct_id="user-42", properties={"$anon_distinct_id": anon})
    client.set(distinct_id="user-42", properties={"email": world.user.email, "name": "Ada"})
    client.capture(
        "$ai_generation",
        distinct_id="user-42",
        properties={
            "ai_product": "posthog_code",
            "$ai_model": "gpt-4o-mini",
            "$ai_provider": "openai",
            "$ai_input_tokens": 100_000,
            "$ai_output_tokens": 500,
            "$ai_output_choices": BASH_CALL,
            "$ai_trace_id": "trace-1",
        },
    )
    client.capture(
        "$ai_generation",
        distinct_id="user-42",
        properties={
            "ai_product": "background_agents",
            "$ai_model": "claude-sonnet-4-5",
            "$ai_provider": "anthropic",
            "$ai_input_tokens": 10,
            "$ai_output_tokens": 20,
            "$ai_total_cost_usd": 1.25,
            "$ai_tools_called": "Edit",
        },
    )
    # Personless (no user id): never the user's.
    client.capture(
        "$ai_generation",
        distinct_id="trace-xyz",
        properties={"$process_person_profile": False, "$ai_model": "gpt-4o", "$ai_total_cost_usd": 9.0},
    )

    person = person_of(world.team, "user-42")
    assert person == person_of(world.team, anon)
    assert person.email == world.user.email and person.is_identified
    mine = Event.objects.filter(
        team=world.team, person__email=world.user.email, event__in=["$ai_generation", "$ai_embedding"]
    ).order_by("id")
    assert [e.properties["ai_product"] for e in mine] == ["posthog_code", "posthog_code", "background_agents"]
    assert [e.properties["$ai_model"] for e in mine] == ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5"]

    first, computed, sent = mine
    assert first.properties["$ai_total_cost_usd"] == 0.5
    price = genai_prices.calc_price(
        Usage(input_tokens=100_000, output_tokens=500), "gpt-4o-mini", provider_id="openai"
    )
    assert computed.properties["$ai_total_cost_usd"] == pytest.approx(float(price.total_price))
    assert computed.properties["$ai_cost_model_matched"] == "gpt-4o-mini"
    assert (computed.properties["$ai_tools_called"], computed.properties["$ai_tool_call_count"]) == (
        "Bash,Read",
        2,
    )
    assert computed.ai_trace_id == "trace-1"
    assert sent.properties["$ai_total_cost_usd"] == 1.25 and sent.properties["$ai_tools_called"] == "Edit"

    personless = Event.objects.get(team=world.team, distinct_id="trace-xyz")
    assert personless.person_id is None
    assert not events_of(world.team_b)
