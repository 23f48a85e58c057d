"""Spend test helpers: AI events captured through the real ingestion, and the spend request."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from events.services import capture_events
from tests.api import bearer

SPEND_URL = "/api/llm_analytics/@me/spend/"
PRODUCT = "posthog_code"
EMPTY = {"items": [], "truncated": False}
NO_EMAIL = "User has no email on record; cannot scope spend analysis."


def ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def ai_event(
    distinct_id: str = "u-device",
    *,
    event: str = "$ai_generation",
    product: str | None = PRODUCT,
    cost: Any = None,
    tools: str | None = None,
    model: str | None = None,
    input_tokens: Any = None,
    output_tokens: Any = None,
    at: datetime | None = None,
    **properties: Any,
) -> dict:
    """One event as the `posthog` SDK sends it (only the properties given are set)."""
    props = dict(properties)
    for key, value in (
        ("ai_product", product),
        ("$ai_total_cost_usd", cost),
        ("$ai_tools_called", tools),
        ("$ai_model", model),
        ("$ai_input_tokens", input_tokens),
        ("$ai_output_tokens", output_tokens),
    ):
        if value is not None:
            props[key] = value
    return {
        "event": event,
        "distinct_id": distinct_id,
        "properties": props,
        "timestamp": (at or ago(minutes=5)).isoformat(),
        "uuid": str(uuid.uuid4()),
    }


def identify(distinct_id: str, email: str, *, at: datetime | None = None) -> dict:
    """The SDK's `set(distinct_id, {"email": ...})`: a `$set` event with top-level `$set`."""
    return {
        "event": "$set",
        "distinct_id": distinct_id,
        "properties": {},
        "$set": {"email": email},
        "timestamp": (at or ago(minutes=10)).isoformat(),
        "uuid": str(uuid.uuid4()),
    }


def capture(team, *events: dict) -> None:
    result = capture_events(team_id=team.id, events=list(events))
    assert result.accepted == len(events), result


def capture_for(team, email: str, *events: dict, distinct_id: str = "u-device") -> None:
    """Events of the person with `email` (identified first, as an SDK would)."""
    capture(team, identify(distinct_id, email), *events)


def get_spend(client, key: str | None, **params: Any):
    """GET as `key` ("" or None: no credentials); `product` defaults to the supported one, and
    `product=None` leaves it out."""
    headers = bearer(key) if key else {}
    query = {"product": PRODUCT, **params}
    return client.get(
        SPEND_URL, {name: value for name, value in query.items() if value is not None}, **headers
    )


def window(days: int = 10) -> tuple[dict[str, str], dict[str, str]]:
    """Absolute `date_from`/`date_to` ending a minute from now (whole seconds), and the summary's
    rendering of them."""
    end = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(days=days)
    params = {"date_from": start.strftime("%Y-%m-%dT%H:%M:%S"), "date_to": end.strftime("%Y-%m-%dT%H:%M:%S")}
    rendered = {
        "date_from": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date_to": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return params, rendered


def body(
    dates: dict[str, str],
    *,
    total: float = 0.0,
    events: int = 0,
    scoped: float = 0.0,
    scoped_events: int = 0,
    products: list | None = None,
    tools: list | None = None,
    models: list | None = None,
    truncated: tuple[bool, bool, bool] = (False, False, False),
) -> dict:
    """A whole 200 body; rows are tuples in the order of the API's keys."""
    return {
        "summary": {
            **dates,
            "product": PRODUCT,
            "total_cost_usd": total,
            "event_count": events,
            "scoped_cost_usd": scoped,
            "scoped_event_count": scoped_events,
        },
        "by_product": {
            "items": [
                dict(zip(("product", "event_count", "cost_usd"), row, strict=True)) for row in products or []
            ],
            "truncated": truncated[0],
        },
        "by_tool": {
            "items": [
                dict(
                    zip(
                        ("tool", "generation_count", "cost_usd", "share_of_scoped", "avg_input_tokens"),
                        row,
                        strict=True,
                    )
                )
                for row in tools or []
            ],
            "truncated": truncated[1],
        },
        "by_model": {
            "items": [
                dict(
                    zip(
                        ("model", "generation_count", "cost_usd", "input_tokens", "output_tokens"),
                        row,
                        strict=True,
                    )
                )
                for row in models or []
            ],
            "truncated": truncated[2],
        },
        "top_traces": EMPTY,
    }
