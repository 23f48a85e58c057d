"""Properties derived from an AI event at ingestion: its costs and the tools its output called.

Costs (`$ai_generation` and `$ai_embedding` only), first rule that applies:

1. A numeric `$ai_total_cost_usd` sent by the client is kept, and nothing is derived.
2. Numeric `$ai_input_cost_usd` and `$ai_output_cost_usd` without a total: the total is their sum
   plus `$ai_request_cost_usd` and `$ai_web_search_cost_usd` when numeric (source `client_costs`).
3. `$ai_input_token_price` / `$ai_output_token_price` (USD per token): cost = tokens * price
   (source `custom_token_price`).
4. Otherwise `$ai_model` (with `$ai_provider` when the package knows it) is priced by the
   `genai-prices` package at the event's timestamp (source `genai-prices`). Input tokens, cache
   reads and writes, reasoning tokens and web searches are passed as the package's usage; Anthropic
   reports `$ai_input_tokens` without its cache tokens, every other provider with them, and Gemini
   reports reasoning tokens outside `$ai_output_tokens`. An unknown model leaves the cost unset, and so
   does arithmetic that overflows (a number beyond any float counts as not numeric).

A client-sent numeric input or output cost always wins over a derived one. A derived cost records
where it came from:

- `$ai_cost_model_source`: `genai-prices`, `custom_token_price` or `client_costs`;
- `$ai_cost_model_matched` / `$ai_cost_model_provider`: the package's model and provider ids;
- `$ai_cost_model_price`: the package's price of that model, as text;
- `$ai_cost_prices_version`: the `genai-prices` version that priced it.

Tools (`$ai_generation` only, when the client sent no `$ai_tools_called`): `$ai_tools_called` is
the comma-joined names of the tool calls in `$ai_output_choices` (or `$ai_output`), in call order,
and `$ai_tool_call_count` their number; both stay unset when the output called no tool.
"""

import json
import math
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import genai_prices
from genai_prices import Usage, data_snapshot

COST_EVENTS = frozenset({"$ai_generation", "$ai_embedding"})
TOOL_EVENTS = frozenset({"$ai_generation"})
SOURCE_PACKAGE = "genai-prices"
SOURCE_TOKEN_PRICE = "custom_token_price"
SOURCE_CLIENT_COSTS = "client_costs"
# Providers whose `$ai_input_tokens` leaves out the cache reads and writes.
CACHE_EXCLUSIVE_PROVIDERS = frozenset({"anthropic"})
# Providers whose `$ai_output_tokens` leaves out the reasoning ("thinking") tokens.
REASONING_EXCLUSIVE_PROVIDERS = frozenset({"gemini", "google", "vertex", "google-vertex", "google_vertex"})


def number(value: Any) -> float | None:
    """A finite number from a JSON number or numeric string; None otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = float(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):  # not a number, or an integer beyond any float
        return None
    return result if math.isfinite(result) else None


def token_count(value: Any) -> int | None:
    result = number(value)
    if result is None or result < 0:
        return None
    return int(result)


def _text(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def derive(event: str, properties: dict[str, Any], timestamp: datetime) -> dict[str, Any]:
    """The properties to add to an event; never raises on odd input."""
    derived: dict[str, Any] = {}
    if event in COST_EVENTS:
        derived.update(_finite(costs(properties, timestamp)))
    if event in TOOL_EVENTS and "$ai_tools_called" not in properties:
        names = tools_called(properties)
        if names:
            derived["$ai_tools_called"] = ",".join(names)
            derived["$ai_tool_call_count"] = len(names)
    return derived


def _finite(derived: dict[str, Any]) -> dict[str, Any]:
    """Costs whose arithmetic overflowed to infinity are left unset (JSON cannot store them)."""
    numbers = [value for value in derived.values() if isinstance(value, float)]
    return derived if all(math.isfinite(value) for value in numbers) else {}


def costs(properties: dict[str, Any], timestamp: datetime) -> dict[str, Any]:
    if number(properties.get("$ai_total_cost_usd")) is not None:
        return {}
    client_input = number(properties.get("$ai_input_cost_usd"))
    client_output = number(properties.get("$ai_output_cost_usd"))
    extras = sum(
        number(properties.get(key)) or 0.0 for key in ("$ai_request_cost_usd", "$ai_web_search_cost_usd")
    )
    if client_input is not None and client_output is not None:
        return {
            "$ai_total_cost_usd": client_input + client_output + extras,
            "$ai_cost_model_source": SOURCE_CLIENT_COSTS,
        }
    derived = _token_price_costs(properties)
    if derived is None:
        try:
            derived = _package_costs(properties, timestamp)
        except Exception:  # the package's lookup or usage checks: unpriced, never a failed capture
            derived = None
    if derived is None:
        return {}
    input_cost = client_input if client_input is not None else derived.pop("$ai_input_cost_usd")
    output_cost = client_output if client_output is not None else derived.pop("$ai_output_cost_usd")
    derived.pop("$ai_input_cost_usd", None)
    derived.pop("$ai_output_cost_usd", None)
    other = derived.pop("other", 0.0)
    return {
        "$ai_input_cost_usd": input_cost,
        "$ai_output_cost_usd": output_cost,
        "$ai_total_cost_usd": input_cost + output_cost + other,
        **derived,
    }


def _token_price_costs(properties: dict[str, Any]) -> dict[str, Any] | None:
    input_price = number(properties.get("$ai_input_token_price"))
    output_price = number(properties.get("$ai_output_token_price"))
    if input_price is None and output_price is None:
        return None
    input_tokens = token_count(properties.get("$ai_input_tokens")) or 0
    output_tokens = token_count(properties.get("$ai_output_tokens")) or 0
    return {
        "$ai_input_cost_usd": input_tokens * (input_price or 0.0),
        "$ai_output_cost_usd": output_tokens * (output_price or 0.0),
        "$ai_cost_model_source": SOURCE_TOKEN_PRICE,
    }


# Usage as (input, output, cache read, cache write, reasoning, web searches): hashable, so a
# price can be memoized by it.
UsageKey = tuple[int, int, int, int, int, int]


def _usage(properties: dict[str, Any], provider: str, model: str) -> UsageKey | None:
    input_tokens = token_count(properties.get("$ai_input_tokens"))
    output_tokens = token_count(properties.get("$ai_output_tokens"))
    if input_tokens is None and output_tokens is None:
        return None
    input_tokens = input_tokens or 0
    output_tokens = output_tokens or 0
    cache_read = token_count(properties.get("$ai_cache_read_input_tokens")) or 0
    cache_write = token_count(properties.get("$ai_cache_creation_input_tokens")) or 0
    reasoning = token_count(properties.get("$ai_reasoning_tokens")) or 0
    web_searches = token_count(properties.get("$ai_web_search_count")) or 0
    cache_exclusive = provider in CACHE_EXCLUSIVE_PROVIDERS or (not provider and model.startswith("claude"))
    if cache_exclusive or cache_read + cache_write > input_tokens:
        # The package counts cache tokens inside the input tokens.
        input_tokens += cache_read + cache_write
    if reasoning and (provider in REASONING_EXCLUSIVE_PROVIDERS or model.startswith("gemini")):
        output_tokens += reasoning
    return (input_tokens, output_tokens, cache_read, cache_write, min(reasoning, output_tokens), web_searches)


def _package_usage(key: UsageKey) -> Usage:
    input_tokens, output_tokens, cache_read, cache_write, reasoning, web_searches = key
    usage = Usage(input_tokens=input_tokens, output_tokens=output_tokens)
    if cache_read:
        usage.cache_read_tokens = cache_read
    if cache_write:
        usage.cache_write_tokens = cache_write
    if reasoning:
        usage.output_reasoning_tokens = reasoning
    if web_searches:
        usage.web_searches = web_searches
    return usage


def _package_costs(properties: dict[str, Any], timestamp: datetime) -> dict[str, Any] | None:
    model_ref = properties.get("$ai_model")
    if not isinstance(model_ref, str) or not model_ref.strip():
        return None
    model_ref = model_ref.strip()
    provider = _text(properties.get("$ai_provider"))
    usage = _usage(properties, provider, model_ref.lower())
    if usage is None:
        return None
    return _memoized_price(provider, model_ref, usage, timestamp)


# ---- the price memo ----------------------------------------------------------------------------
#
# Pricing one event with the package costs ~0.3 ms, about half of capturing it. Its answer depends
# only on the provider, the model reference, the usage and the price in force at the timestamp (a
# model's price is chosen by date, and for some models by time of day): memoized under the first
# three, an entry is reused only while the model's price at the event's timestamp is the very object
# it was computed with, so the stored price, model and text stay exactly the package's.

PRICE_MEMO_MAX = 5_000
_NO_MODEL = object()
_price_memo: dict[tuple[str, str, UsageKey], tuple[Any, Any, dict[str, Any] | None]] = {}
_price_memo_owner: tuple[Any, Any] | None = None


def _memoized_price(
    provider: str, model_ref: str, usage: UsageKey, timestamp: datetime
) -> dict[str, Any] | None:
    global _price_memo_owner
    # A new price snapshot (the package's auto-update) or a replaced function (tests) starts afresh.
    owner = (genai_prices.calc_price, data_snapshot.get_snapshot())
    if owner != _price_memo_owner or len(_price_memo) >= PRICE_MEMO_MAX:
        _price_memo.clear()
        _price_memo_owner = owner
    key = (provider, model_ref, usage)
    entry = _price_memo.get(key)
    if entry is not None:
        model, model_price, derived = entry
        if model is _NO_MODEL:
            return None
        if model.get_prices(timestamp) is model_price:
            return dict(derived) if derived is not None else None
    try:
        price = _package_price(provider, model_ref, _package_usage(usage), timestamp)
    except LookupError as exc:
        if type(exc) is not LookupError:  # a KeyError or the like: a failure, not an unknown model
            raise
        # The package knows no such model (for this provider, nor alone): that never changes.
        _price_memo[key] = (_NO_MODEL, None, None)
        return None
    derived = _price_properties(price)
    _price_memo[key] = (price.model, price.model_price, derived)
    return dict(derived)


def _package_price(provider: str, model_ref: str, usage: Usage, timestamp: datetime) -> Any:
    try:
        return genai_prices.calc_price(
            usage, model_ref, provider_id=provider or None, genai_request_timestamp=timestamp
        )
    except LookupError:
        if not provider:
            raise
        # A provider the package does not know (a gateway, a self-hosted proxy): match the model alone.
        return genai_prices.calc_price(usage, model_ref, genai_request_timestamp=timestamp)


def _price_properties(price: Any) -> dict[str, Any]:
    input_cost = _float(price.input_price)
    output_cost = _float(price.output_price)
    return {
        "$ai_input_cost_usd": input_cost,
        "$ai_output_cost_usd": output_cost,
        "other": _float(price.total_price) - input_cost - output_cost,
        "$ai_cost_model_source": SOURCE_PACKAGE,
        "$ai_cost_model_matched": price.model.id,
        "$ai_cost_model_provider": price.provider.id,
        "$ai_cost_model_price": _price_text(price.model_price),
        "$ai_cost_prices_version": genai_prices.__version__,
    }


# ---- spend columns -----------------------------------------------------------------------------
#
# Typed copies of what spend aggregates, for the event's columns. They read the stored properties
# as PostgreSQL read them from the JSON before these columns existed (and as the backfill in
# migration 0002 still does): text is a string as it is and any other value as its JSON text; a
# number is a JSON number or a string holding one (bounded, as the old statement's pattern), exact.

SPEND_COLUMN_EVENTS = COST_EVENTS
NUMERIC_TEXT = re.compile(
    r"[ \t\n\r\f\v]*[+-]?([0-9]{1,250}(\.[0-9]{0,250})?|\.[0-9]{1,250})([eE][+-]?[0-9]{1,3})?[ \t\n\r\f\v]*"
)


def spend_columns(event: str, properties: dict[str, Any]) -> dict[str, Any]:
    """The event's spend columns (all null for events spend does not count)."""
    if event not in SPEND_COLUMN_EVENTS:
        return {}
    return {
        "ai_product": json_text(properties.get("ai_product")),
        "ai_model": json_text(properties.get("$ai_model")),
        "ai_tools_called": json_text(properties.get("$ai_tools_called")),
        "ai_cost_usd": json_number(properties.get("$ai_total_cost_usd")),
        "ai_input_tokens": json_number(properties.get("$ai_input_tokens")),
        "ai_output_tokens": json_number(properties.get("$ai_output_tokens")),
    }


def _exact(value: int | float) -> Decimal:
    # A float is stored in the JSON as its shortest repr, which PostgreSQL reads as that decimal.
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def json_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _exact(value)
    if isinstance(value, str) and NUMERIC_TEXT.fullmatch(value):
        return Decimal(value.strip(" \t\n\r\f\v"))
    return None


def _numeric_text(value: Decimal) -> str:
    # PostgreSQL prints a numeric in positional notation, keeping its scale, and never as -0.
    return format(abs(value) if value.is_zero() else value, "f")


def _jsonb_text(value: Any) -> str:
    """A JSON value as PostgreSQL's jsonb prints it: keys shortest first, then bytewise."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        items = (f"{json.dumps(key, ensure_ascii=False)}: {_jsonb_text(value[key])}" for key in keys)
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_jsonb_text(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return _scalar_text(value)


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _numeric_text(_exact(value))
    return json.dumps(value, ensure_ascii=False)


def json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return _jsonb_text(value)
    return _scalar_text(value)


def _float(value: Decimal) -> float:
    return float(value)


# The package's price objects live as long as its price data; rendering one costs as much as a
# price calculation, so each is rendered once (keyed by identity, the object kept alongside).
_PRICE_TEXT: dict[int, tuple[Any, str]] = {}


def _price_text(model_price: Any) -> str:
    cached = _PRICE_TEXT.get(id(model_price))
    if cached is not None and cached[0] is model_price:
        return cached[1]
    text = str(model_price)
    if len(_PRICE_TEXT) < 10_000:
        _PRICE_TEXT[id(model_price)] = (model_price, text)
    return text


# ---- tool calls --------------------------------------------------------------------------------


def _name(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _function_name(block: dict[str, Any]) -> str | None:
    function = block.get("function")
    if isinstance(function, dict):
        return _name(function.get("name"))
    return _name(block.get("name"))


def _block_tool(block: Any) -> str | None:
    """One content block or output item that is a tool call, in any provider's shape."""
    if not isinstance(block, dict):
        return None
    kind = block.get("type")
    if kind in ("tool_use", "server_tool_use", "function_call", "tool_call"):
        return _name(block.get("name")) or _function_name(block)
    if kind == "function":
        return _function_name(block)
    call = block.get("functionCall") or block.get("function_call")
    if isinstance(call, dict):
        return _name(call.get("name"))
    return None


def _message_tools(message: dict[str, Any]) -> list[str]:
    names: list[str] = []
    tool_calls = message.get("tool_calls")
    if isinstance(tool_calls, list):
        names += [name for call in tool_calls if isinstance(call, dict) and (name := _function_name(call))]
    legacy = message.get("function_call")
    if isinstance(legacy, dict) and (name := _name(legacy.get("name"))):
        names.append(name)
    for key in ("content", "parts"):
        blocks = message.get(key)
        if isinstance(blocks, list):
            names += [name for block in blocks if (name := _block_tool(block))]
    return names


def tools_called(properties: dict[str, Any]) -> list[str]:
    """Tool names in call order from the output: OpenAI `tool_calls` (on the choice or its
    `message`), content blocks (`tool_use`, `function`, `function_call`, Gemini `functionCall`)
    and Responses-API output items."""
    output = properties.get("$ai_output_choices")
    if output is None:
        output = properties.get("$ai_output")
    if isinstance(output, str):
        try:
            output = json.loads(output)
        except (ValueError, RecursionError):
            return []
    if isinstance(output, dict):
        inner = output.get("choices") or output.get("output")
        output = inner if isinstance(inner, list) else [output]
    if not isinstance(output, list):
        return []
    names: list[str] = []
    for choice in output:
        if not isinstance(choice, dict):
            continue
        if name := _block_tool(choice):
            names.append(name)
            continue
        message = choice.get("message")
        names += _message_tools(message if isinstance(message, dict) else choice)
    return names
