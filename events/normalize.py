"""One raw capture event → what gets stored: name, distinct id, uuid, corrected timestamp,
properties (top-level `$set`/`$set_once` folded in, AI properties derived) and person operations."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from events import ai_properties
from events.models import NAME_MAX_LENGTH

# A uuid that is not one still identifies its retries: it is hashed into this namespace.
INVALID_UUID_NAMESPACE = uuid.UUID("6f1c7d2e-4b1a-5c8e-9d3f-2a7b6c5d4e3f")
# Timestamps further ahead than this are clock errors: the event is stored at receive time.
MAX_FUTURE = timedelta(hours=23)
PERSON_OPERATIONS = ("$set", "$set_once", "$unset")


@dataclass
class PreparedEvent:
    uuid: uuid.UUID
    event: str
    distinct_id: str
    timestamp: datetime
    properties: dict[str, Any]
    ai_trace_id: str | None
    # False for `$process_person_profile: false`: no person is looked up, created or linked.
    personful: bool
    # Typed copies of what spend aggregates (`Event` columns; empty for other events).
    spend_columns: dict[str, Any] = field(default_factory=dict)
    set_once: dict[str, Any] = field(default_factory=dict)
    set: dict[str, Any] = field(default_factory=dict)
    unset: list[str] = field(default_factory=list)

    @property
    def changes_person(self) -> bool:
        return bool(self.set or self.set_once or self.unset) or self.event in MERGING_EVENTS


MERGING_EVENTS = frozenset({"$identify", "$create_alias", "$merge_dangerously"})


def _identifier(value: Any) -> str | None:
    """A distinct id or event name: strings and numbers (as text); never empty."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    return value[:NAME_MAX_LENGTH] if value.strip() else None


def parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        # Unparsable, or an offset that moves it outside the years 1-9999 in UTC.
        return None


def corrected_timestamp(
    raw: dict[str, Any], properties: dict[str, Any], *, sent_at: Any, now: datetime
) -> datetime:
    """The event time in server time: `now + (timestamp - sent_at)` when the client sent both
    (unless `$ignore_sent_at`), the timestamp as sent otherwise, `now - offset` (ms) for clients
    that send an offset, and the receive time when there is none or it is unusable."""
    timestamp = parse_timestamp(raw.get("timestamp"))
    try:
        if timestamp is not None:
            sent = parse_timestamp(raw.get("sent_at") if raw.get("sent_at") else sent_at)
            if sent is not None and properties.get("$ignore_sent_at") is not True:
                timestamp = now + (timestamp - sent)
        else:
            offset = ai_properties.number(raw.get("offset"))
            if offset is not None:
                timestamp = now - timedelta(milliseconds=offset)
    except (OverflowError, ValueError):
        timestamp = None
    if timestamp is None or timestamp > now + MAX_FUTURE:
        return now
    return timestamp


def _event_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, str) and value:
        try:
            return uuid.UUID(value)
        except ValueError:
            return uuid.uuid5(INVALID_UUID_NAMESPACE, value)
    return uuid.uuid4()


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = list(value)
    return [key for key in value if isinstance(key, str)] if isinstance(value, list) else []


def _operation(raw: dict[str, Any], properties: dict[str, Any], key: str) -> Any:
    """`$set`-style operations may come inside `properties` or at the event's top level (the
    SDK's `set()`); both are merged, top level winning, and kept in the stored properties."""
    inner, outer = properties.get(key), raw.get(key)
    if key == "$unset":
        merged: Any = list(dict.fromkeys([*_keys(inner), *_keys(outer)]))
    else:
        merged = {**(inner if isinstance(inner, dict) else {}), **(outer if isinstance(outer, dict) else {})}
    if outer is not None:
        properties[key] = merged
    return merged


def prepare(raw: Any, *, sent_at: Any, now: datetime) -> PreparedEvent | None:
    """The event to store, or None when it lacks an event name or a distinct id (dropped)."""
    if not isinstance(raw, dict):
        return None
    properties = raw.get("properties")
    properties = dict(properties) if isinstance(properties, dict) else {}
    name = _identifier(raw.get("event"))
    distinct_id = _identifier(raw.get("distinct_id"))
    if distinct_id is None:
        distinct_id = _identifier(properties.get("distinct_id")) or _identifier(
            properties.get("$distinct_id")
        )
    if name is None or distinct_id is None:
        return None
    timestamp = corrected_timestamp(raw, properties, sent_at=sent_at, now=now)
    operations = {key: _operation(raw, properties, key) for key in PERSON_OPERATIONS}
    properties.update(ai_properties.derive(name, properties, timestamp))
    trace_id = _identifier(properties.get("$ai_trace_id"))
    return PreparedEvent(
        uuid=_event_uuid(raw.get("uuid")),
        event=name,
        distinct_id=distinct_id,
        timestamp=timestamp,
        properties=properties,
        ai_trace_id=trace_id,
        personful=properties.get("$process_person_profile") is not False,
        spend_columns=ai_properties.spend_columns(name, properties),
        set_once=operations["$set_once"],
        set=operations["$set"],
        unset=operations["$unset"],
    )
