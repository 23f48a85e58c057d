"""Capture helpers: SDK-shaped bodies, raw (optionally gzip) posts, and the stored rows."""

import gzip
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from events.models import Event, Person, PersonDistinctId
from tests.api import envelope

CAPTURE_PATHS = ["/batch/", "/e/", "/i/v0/e/", "/capture/", "/track/", "/i/v0/ai/batch/"]

MISSING_API_KEY = envelope(
    "authentication_error",
    "missing_api_key",
    "API key not provided. You can find your project API key in PostHog project settings.",
)
INVALID_API_KEY = envelope(
    "authentication_error",
    "invalid_api_key",
    "Project API key invalid. You can find your project API key in PostHog project settings.",
)


def iso_now() -> str:
    return datetime.now(tz=UTC).isoformat()


def sdk_event(event: str = "test-event", distinct_id: str = "user-1", **fields: Any) -> dict[str, Any]:
    """One event as posthog-python puts it in a batch (SDK properties included)."""
    properties = {
        "$lib": "posthog-python",
        "$lib_version": "7.42.0",
        "$geoip_disable": True,
        "$is_server": True,
        **fields.pop("properties", {}),
    }
    return {
        "event": event,
        "distinct_id": distinct_id,
        "properties": properties,
        "timestamp": fields.pop("timestamp", iso_now()),
        "uuid": str(fields.pop("uuid", uuid.uuid4())),
        **fields,
    }


def generation(distinct_id: str = "user-1", **properties: Any) -> dict[str, Any]:
    """An `$ai_generation` as the SDK's AI wrappers send it."""
    base = {
        "$ai_provider": "openai",
        "$ai_model": "gpt-4o-mini",
        "$ai_input": [{"role": "user", "content": "Hello"}],
        "$ai_output_choices": [{"role": "assistant", "content": [{"type": "text", "text": "Hi"}]}],
        "$ai_input_tokens": 1000,
        "$ai_output_tokens": 500,
        "$ai_latency": 0.5,
        "$ai_http_status": 200,
        "$ai_trace_id": str(uuid.uuid4()),
        "$ai_base_url": "https://api.openai.com/v1",
    }
    return sdk_event("$ai_generation", distinct_id, properties={**base, **properties})


def batch_body(events: list[dict[str, Any]], token: str | None, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"batch": events, "historical_migration": False, "sent_at": iso_now(), **fields}
    if token is not None:
        body["api_key"] = token
    return body


def post_raw(client, path: str, data: bytes, *, content_type: str = "application/json", **headers: Any):
    return client.generic("POST", path, data, content_type=content_type, **headers)


def post_json(client, path: str, body: Any, *, gzipped: bool = False, **headers: Any):
    data = json.dumps(body).encode()
    if gzipped:
        data = gzip.compress(data)
        headers.setdefault("HTTP_CONTENT_ENCODING", "gzip")
    return post_raw(client, path, data, **headers)


def capture(client, team, events: list[dict[str, Any]], path: str = "/batch/", **kwargs: Any):
    """Posts a batch with the team's token and asserts the SDK's success answer."""
    response = post_json(client, path, batch_body(events, team.api_token), **kwargs)
    assert (response.status_code, response.json()) == (200, {"status": 1}), response.content
    return response


def events_of(team) -> list[Event]:
    return list(Event.objects.filter(team=team).order_by("id"))


def only_event(team) -> Event:
    rows = events_of(team)
    assert len(rows) == 1, rows
    return rows[0]


def person_of(team, distinct_id: str) -> Person | None:
    row = PersonDistinctId.objects.filter(team=team, distinct_id=distinct_id).select_related("person").first()
    return row.person if row else None


def distinct_ids_of(person: Person) -> set[str]:
    return set(person.distinct_ids.values_list("distinct_id", flat=True))
