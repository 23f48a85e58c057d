"""Properties derived at ingestion: costs from genai-prices (or the client) and the tools called."""

from datetime import UTC, datetime

import genai_prices
import pytest
from genai_prices import Usage

from events import ai_properties
from tests.events.helpers import capture, generation, only_event, sdk_event

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 1, 15, tzinfo=UTC)


def package_price(model: str, provider: str | None = None, **usage):
    return genai_prices.calc_price(Usage(**usage), model, provider_id=provider, genai_request_timestamp=WHEN)


def derive(event: str = "$ai_generation", **properties):
    return ai_properties.derive(event, properties, WHEN)


# ---- costs -------------------------------------------------------------------------------------


def test_known_model_is_priced_by_the_package(client, world):
    capture(client, world.team, [generation(**{"$ai_model": "gpt-4o-mini", "$ai_provider": "openai"})])
    stored = only_event(world.team).properties
    price = genai_prices.calc_price(
        Usage(input_tokens=1000, output_tokens=500), "gpt-4o-mini", provider_id="openai"
    )
    assert stored["$ai_input_cost_usd"] == pytest.approx(float(price.input_price))
    assert stored["$ai_output_cost_usd"] == pytest.approx(float(price.output_price))
    assert stored["$ai_total_cost_usd"] == pytest.approx(float(price.total_price))
    assert stored["$ai_total_cost_usd"] > 0
    assert stored["$ai_cost_model_source"] == "genai-prices"
    assert stored["$ai_cost_model_matched"] == "gpt-4o-mini"
    assert stored["$ai_cost_model_provider"] == "openai"
    assert stored["$ai_cost_model_price"] == str(price.model_price)
    assert stored["$ai_cost_prices_version"] == genai_prices.__version__


def test_model_version_suffix_matches_the_base_model():
    derived = derive(
        **{"$ai_model": "gpt-4o-mini-2024-07-18", "$ai_input_tokens": 10, "$ai_output_tokens": 5}
    )
    assert derived["$ai_cost_model_matched"] == "gpt-4o-mini"


def test_client_sent_total_is_kept(client, world):
    capture(client, world.team, [generation(**{"$ai_total_cost_usd": 2.0})])
    stored = only_event(world.team).properties
    assert stored["$ai_total_cost_usd"] == 2.0
    assert "$ai_input_cost_usd" not in stored and "$ai_cost_model_source" not in stored


def test_client_sent_total_as_numeric_string_is_kept():
    assert derive(**{"$ai_total_cost_usd": "1.5", "$ai_model": "gpt-4o", "$ai_input_tokens": 10}) == {}


def test_non_numeric_total_is_replaced():
    derived = derive(**{"$ai_total_cost_usd": "n/a", "$ai_model": "gpt-4o", "$ai_input_tokens": 10})
    assert derived["$ai_total_cost_usd"] > 0


def test_input_and_output_without_total_sum_up():
    derived = derive(**{"$ai_input_cost_usd": 1.25, "$ai_output_cost_usd": "0.75", "$ai_model": "gpt-4o"})
    assert derived == {"$ai_total_cost_usd": 2.0, "$ai_cost_model_source": "client_costs"}
    with_extras = derive(
        **{
            "$ai_input_cost_usd": 1,
            "$ai_output_cost_usd": 1,
            "$ai_request_cost_usd": 0.5,
            "$ai_web_search_cost_usd": 0.25,
        }
    )
    assert with_extras["$ai_total_cost_usd"] == 2.75


def test_one_client_cost_is_kept_and_the_other_derived():
    derived = derive(
        **{
            "$ai_input_cost_usd": 3.0,
            "$ai_model": "gpt-4o",
            "$ai_input_tokens": 1000,
            "$ai_output_tokens": 500,
        }
    )
    price = package_price("gpt-4o", input_tokens=1000, output_tokens=500)
    assert derived["$ai_input_cost_usd"] == 3.0
    assert derived["$ai_output_cost_usd"] == pytest.approx(float(price.output_price))
    assert derived["$ai_total_cost_usd"] == pytest.approx(3.0 + float(price.output_price))


def test_token_prices_multiply_tokens():
    derived = derive(
        **{
            "$ai_model": "my-finetune",
            "$ai_input_tokens": 1000,
            "$ai_output_tokens": 200,
            "$ai_input_token_price": 0.000002,
            "$ai_output_token_price": "0.00001",
        }
    )
    assert derived["$ai_input_cost_usd"] == pytest.approx(0.002)
    assert derived["$ai_output_cost_usd"] == pytest.approx(0.002)
    assert derived["$ai_total_cost_usd"] == pytest.approx(0.004)
    assert derived["$ai_cost_model_source"] == "custom_token_price"


def test_token_prices_win_over_the_package():
    derived = derive(**{"$ai_model": "gpt-4o", "$ai_input_tokens": 10, "$ai_input_token_price": 1})
    assert (derived["$ai_total_cost_usd"], derived["$ai_cost_model_source"]) == (10, "custom_token_price")


@pytest.mark.parametrize(
    "properties",
    [
        {"$ai_model": "no-such-model-xyz", "$ai_input_tokens": 10, "$ai_output_tokens": 5},
        {"$ai_model": "no-such-model-xyz", "$ai_provider": "openai", "$ai_input_tokens": 10},
        {"$ai_input_tokens": 10, "$ai_output_tokens": 5},
        {"$ai_model": "", "$ai_input_tokens": 10},
        {"$ai_model": ["gpt-4o"], "$ai_input_tokens": 10},
        {"$ai_model": "gpt-4o"},
        {"$ai_model": "gpt-4o", "$ai_input_tokens": "many", "$ai_output_tokens": None},
        {"$ai_model": "gpt-4o", "$ai_input_tokens": -5},
    ],
)
def test_unpriced_events_have_no_cost(client, world, properties):
    capture(client, world.team, [sdk_event("$ai_generation", properties=properties)])
    stored = only_event(world.team).properties
    assert not [key for key in stored if "cost" in key]


def test_unknown_provider_falls_back_to_the_model():
    derived = derive(**{"$ai_model": "gpt-4o", "$ai_provider": "my-gateway", "$ai_input_tokens": 100})
    assert (derived["$ai_cost_model_matched"], derived["$ai_cost_model_provider"]) == ("gpt-4o", "openai")


def test_numeric_string_tokens_are_counted():
    as_text = derive(**{"$ai_model": "gpt-4o", "$ai_input_tokens": "1000", "$ai_output_tokens": "500.0"})
    as_numbers = derive(**{"$ai_model": "gpt-4o", "$ai_input_tokens": 1000, "$ai_output_tokens": 500})
    assert as_text == as_numbers


def test_openai_cached_tokens_are_inside_input_tokens():
    derived = derive(
        **{
            "$ai_provider": "openai",
            "$ai_model": "gpt-4o",
            "$ai_input_tokens": 1000,
            "$ai_output_tokens": 100,
            "$ai_cache_read_input_tokens": 800,
        }
    )
    price = package_price("gpt-4o", "openai", input_tokens=1000, output_tokens=100, cache_read_tokens=800)
    assert derived["$ai_input_cost_usd"] == pytest.approx(float(price.input_price))
    uncached = package_price("gpt-4o", "openai", input_tokens=1000, output_tokens=100)
    assert derived["$ai_input_cost_usd"] < float(uncached.input_price)


def test_anthropic_cache_tokens_are_outside_input_tokens():
    derived = derive(
        **{
            "$ai_provider": "anthropic",
            "$ai_model": "claude-sonnet-4-5",
            "$ai_input_tokens": 100,
            "$ai_output_tokens": 50,
            "$ai_cache_read_input_tokens": 2000,
            "$ai_cache_creation_input_tokens": 300,
        }
    )
    price = package_price(
        "claude-sonnet-4-5",
        "anthropic",
        input_tokens=2400,
        output_tokens=50,
        cache_read_tokens=2000,
        cache_write_tokens=300,
    )
    assert derived["$ai_input_cost_usd"] == pytest.approx(float(price.input_price))
    assert derived["$ai_total_cost_usd"] == pytest.approx(float(price.total_price))
    assert derived["$ai_cost_model_provider"] == "anthropic"


def test_gemini_reasoning_tokens_are_billed_as_output():
    derived = derive(
        **{
            "$ai_provider": "gemini",
            "$ai_model": "gemini-2.5-pro",
            "$ai_input_tokens": 100,
            "$ai_output_tokens": 50,
            "$ai_reasoning_tokens": 400,
        }
    )
    price = package_price("gemini-2.5-pro", input_tokens=100, output_tokens=450, output_reasoning_tokens=400)
    assert derived["$ai_output_cost_usd"] == pytest.approx(float(price.output_price))


def test_openai_reasoning_tokens_are_inside_output_tokens():
    derived = derive(
        **{
            "$ai_provider": "openai",
            "$ai_model": "o3-mini",
            "$ai_input_tokens": 100,
            "$ai_output_tokens": 500,
            "$ai_reasoning_tokens": 400,
        }
    )
    price = package_price(
        "o3-mini", "openai", input_tokens=100, output_tokens=500, output_reasoning_tokens=400
    )
    assert derived["$ai_output_cost_usd"] == pytest.approx(float(price.output_price))


def test_web_searches_count_in_the_total():
    derived = derive(
        **{"$ai_model": "gpt-4o", "$ai_input_tokens": 100, "$ai_output_tokens": 10, "$ai_web_search_count": 2}
    )
    price = package_price("gpt-4o", input_tokens=100, output_tokens=10, web_searches=2)
    assert derived["$ai_total_cost_usd"] == pytest.approx(float(price.total_price))
    assert derived["$ai_total_cost_usd"] > derived["$ai_input_cost_usd"] + derived["$ai_output_cost_usd"]


def test_embeddings_are_priced(client, world):
    event = sdk_event(
        "$ai_embedding",
        properties={
            "$ai_provider": "openai",
            "$ai_model": "text-embedding-3-small",
            "$ai_input_tokens": 1000,
        },
    )
    capture(client, world.team, [event])
    stored = only_event(world.team).properties
    price = package_price("text-embedding-3-small", "openai", input_tokens=1000)
    assert stored["$ai_total_cost_usd"] == pytest.approx(float(price.total_price))
    assert "$ai_tools_called" not in stored


@pytest.mark.parametrize("event", ["$ai_span", "$ai_trace", "custom"])
def test_other_events_are_not_priced(event):
    assert derive(event, **{"$ai_model": "gpt-4o", "$ai_input_tokens": 100, "$ai_output_tokens": 10}) == {}


def test_prices_follow_the_event_time():
    early = ai_properties.derive(
        "$ai_generation",
        {"$ai_model": "gpt-4o", "$ai_input_tokens": 1000, "$ai_output_tokens": 10},
        datetime(2024, 6, 1, tzinfo=UTC),
    )
    price = genai_prices.calc_price(
        Usage(input_tokens=1000, output_tokens=10),
        "gpt-4o",
        genai_request_timestamp=datetime(2024, 6, 1, tzinfo=UTC),
    )
    assert early["$ai_total_cost_usd"] == pytest.approx(float(price.total_price))


def test_a_package_failure_leaves_the_cost_unset(monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError("bad usage")

    monkeypatch.setattr(genai_prices, "calc_price", boom)
    assert derive(**{"$ai_model": "gpt-4o", "$ai_input_tokens": 10}) == {}


# ---- tools called ------------------------------------------------------------------------------

OPENAI_MESSAGE = [
    {
        "message": {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "1", "type": "function", "function": {"name": "Bash", "arguments": "{}"}},
                {"id": "2", "type": "function", "function": {"name": "Read", "arguments": "{}"}},
            ],
        }
    }
]
OPENAI_CHOICE = [
    {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "get_weather"}}]}
]
ANTHROPIC_BLOCKS = [
    {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "I'll help"},
            {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Dublin"}},
            {"type": "tool_use", "id": "t2", "name": "Bash", "input": {}},
        ],
    }
]
POSTHOG_BLOCKS = [
    {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "ok"},
            {"type": "function", "id": "c1", "function": {"name": "Edit", "arguments": "{}"}},
        ],
    }
]
RESPONSES_ITEMS = [
    {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "hi"}]},
    {"type": "function_call", "name": "search", "arguments": "{}"},
]
GEMINI_PARTS = [{"role": "model", "parts": [{"text": "x"}, {"functionCall": {"name": "lookup", "args": {}}}]}]


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (OPENAI_MESSAGE, "Bash,Read"),
        (OPENAI_CHOICE, "get_weather"),
        (ANTHROPIC_BLOCKS, "get_weather,Bash"),
        (POSTHOG_BLOCKS, "Edit"),
        (RESPONSES_ITEMS, "search"),
        (GEMINI_PARTS, "lookup"),
        ({"choices": OPENAI_MESSAGE}, "Bash,Read"),
        (
            [
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "name": "Bash"}, {"type": "tool_use", "name": "Bash"}],
                }
            ],
            "Bash,Bash",
        ),
        ([{"role": "assistant", "function_call": {"name": "legacy_fn", "arguments": "{}"}}], "legacy_fn"),
    ],
)
def test_tools_called_shapes(output, expected):
    derived = derive(**{"$ai_output_choices": output})
    assert derived["$ai_tools_called"] == expected
    assert derived["$ai_tool_call_count"] == len(expected.split(","))


def test_tools_called_from_json_text_and_from_ai_output():
    import json

    assert (
        derive(**{"$ai_output_choices": json.dumps(ANTHROPIC_BLOCKS)})["$ai_tools_called"]
        == "get_weather,Bash"
    )
    assert derive(**{"$ai_output": {"choices": OPENAI_MESSAGE}})["$ai_tools_called"] == "Bash,Read"


@pytest.mark.parametrize(
    "output",
    [
        None,
        [],
        [{"role": "assistant", "content": "plain text"}],
        [{"role": "assistant", "content": [{"type": "text", "text": "x"}]}],
        "not json",
        42,
        [{"role": "assistant", "tool_calls": [{"function": {"name": ""}}, "junk", {"function": "x"}]}],
    ],
)
def test_no_tool_calls_leave_the_properties_unset(output):
    derived = derive(**{"$ai_output_choices": output})
    assert "$ai_tools_called" not in derived and "$ai_tool_call_count" not in derived


def test_client_sent_tools_called_is_kept():
    assert "$ai_tools_called" not in derive(
        **{"$ai_tools_called": "Mine", "$ai_output_choices": OPENAI_MESSAGE}
    )


def test_tools_only_for_generations():
    assert derive("$ai_embedding", **{"$ai_output_choices": OPENAI_MESSAGE}) == {}
    assert derive("$ai_span", **{"$ai_output_choices": OPENAI_MESSAGE}) == {}


def test_case_68_stored_generation_gets_its_tools(client, world):
    capture(client, world.team, [generation(**{"$ai_output_choices": ANTHROPIC_BLOCKS})])
    stored = only_event(world.team).properties
    assert (stored["$ai_tools_called"], stored["$ai_tool_call_count"]) == ("get_weather,Bash", 2)


# ---- the price memo ----------------------------------------------------------------------------


@pytest.fixture
def package_calls(monkeypatch) -> list[tuple]:
    """Calls reaching the package (replacing its function also empties the memo)."""
    calls: list[tuple] = []
    real = genai_prices.calc_price

    def counting(usage, model_ref, **kwargs):
        calls.append((model_ref, kwargs.get("provider_id")))
        return real(usage, model_ref, **kwargs)

    monkeypatch.setattr(genai_prices, "calc_price", counting)
    return calls


def test_a_repeated_price_is_memoized_and_unchanged(package_calls):
    properties = {"$ai_model": "gpt-4o-mini", "$ai_provider": "openai", "$ai_input_tokens": 1000}
    first = derive(**properties)
    assert derive(**properties) == first
    assert derive(**{**properties, "$ai_input_tokens": 1001}) != first
    assert len(package_calls) == 2
    price = package_price("gpt-4o-mini", "openai", input_tokens=1000)
    assert first["$ai_total_cost_usd"] == float(price.total_price)
    assert first["$ai_cost_model_price"] == str(price.model_price)


@pytest.mark.parametrize(
    ("model", "provider", "times"),
    [
        # A price that starts on a date.
        (
            "claude-sonnet-4-6",
            "anthropic",
            [datetime(2026, 3, 12, 12, tzinfo=UTC), datetime(2026, 3, 14, tzinfo=UTC)],
        ),
        # Off-peak prices within one day: a memo per day would be wrong.
        (
            "deepseek-chat",
            "deepseek",
            [datetime(2026, 1, 15, 20, tzinfo=UTC), datetime(2026, 1, 15, 12, tzinfo=UTC)],
        ),
    ],
)
def test_a_memoized_price_follows_the_event_time(package_calls, model, provider, times):
    properties = {"$ai_model": model, "$ai_provider": provider, "$ai_input_tokens": 300_000}
    usage = Usage(input_tokens=300_000)
    totals = []
    for when in [*times, *times]:
        derived = ai_properties.derive("$ai_generation", dict(properties), when)
        price = genai_prices.calc_price(usage, model, provider_id=provider, genai_request_timestamp=when)
        assert derived["$ai_total_cost_usd"] == float(price.total_price)
        assert derived["$ai_cost_model_price"] == str(price.model_price)
        totals.append(derived["$ai_total_cost_usd"])
    assert totals[0] != totals[1]


def test_an_unknown_model_is_remembered(package_calls):
    properties = {"$ai_model": "no-such-model-xyz", "$ai_provider": "openai", "$ai_input_tokens": 10}
    assert derive(**properties) == {}
    assert derive(**properties) == {}
    # With the provider, then the model alone; not again.
    assert package_calls == [("no-such-model-xyz", "openai"), ("no-such-model-xyz", None)]
