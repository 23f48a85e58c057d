"""`text_repr` answers: a posted payload, or a stored event or trace of the project, as text.

Answers are cached for an hour, keyed by everything that shapes them (project, type, entity id,
options and the payload itself), so a reused id with a different payload is never served stale;
very large answers are not cached.
"""

import hashlib
import json
import uuid
from collections import defaultdict
from typing import Any

from django.core.cache import cache

from events.models import Event
from events.text_repr import (
    MAX_TREE_DEPTH,
    TRACE,
    Options,
    check_payload,
    printable,
    render,
    trace_id_of,
)
from llm_server.accounts.models import Team
from llm_server.domain import ObjectNotFound

CACHE_SECONDS = 3600
# Larger answers are rendered again each time rather than held in the (possibly in-process) cache.
CACHE_MAX_CHARS = 200_000
# A stored trace is rendered from at most this many of its events (earliest first).
TRACE_EVENT_LIMIT = 1000
# Annotations of a trace's nodes, not steps of their own.
ANNOTATION_EVENTS = ("$ai_feedback", "$ai_metric")
EVENT_FIELDS = ("uuid", "event", "properties", "timestamp", "ai_trace_id")


def text_representation(
    *,
    team: Team,
    event_type: str | None = None,
    data: Any = None,
    event_id: str | None = None,
    options: dict | None = None,
    use_stored: bool = False,
) -> dict:
    """The 200 body: `{text, metadata}`. With `use_stored`, the payload is read from the project's
    stored events (`event_id` is an event uuid or a trace id); otherwise nothing is read."""
    if use_stored:
        event_type, data = stored_payload(team=team, event_id=event_id or "", event_type=event_type)
    entity_id = check_payload(event_type, data)
    options = options or {}
    key = _cache_key(team, event_type, entity_id, options, data)
    cached = cache.get(key)
    if cached is not None:
        return cached
    rendering = render(event_type, data, Options.from_dict(options))
    body = {
        "text": rendering.text,
        "metadata": {
            "event_type": event_type,
            "event_id": printable(data.get("id")),
            "trace_id": printable(trace_id_of(event_type, data)),
            "rendering": "detailed",
            "char_count": len(rendering.text),
            "truncated": rendering.truncated,
        },
    }
    if len(rendering.text) <= CACHE_MAX_CHARS:
        cache.set(key, body, CACHE_SECONDS)
    return body


def _cache_key(team: Team, event_type: str, entity_id: str, options: dict, data: Any) -> str:
    shape = json.dumps([event_type, entity_id, options, data], sort_keys=True, separators=(",", ":"))
    return f"text_repr:{team.id}:{hashlib.sha256(shape.encode('utf-8', 'surrogatepass')).hexdigest()}"


# ---- stored events ----------------------------------------------------------------------------


def stored_payload(*, team: Team, event_id: str, event_type: str | None) -> tuple[str, dict]:
    """(event type, payload) of a stored event of the project, or of a stored trace.

    An `$ai_trace` event (or any event when `$ai_trace` is asked for) stands for its whole trace;
    an id that is no event's uuid is read as a trace id. Nothing found: 404.
    """
    row = _event_by_uuid(team, event_id)
    if row is None:
        payload = _trace_payload(team, event_id, requested_id=event_id)
        if payload is None:
            raise ObjectNotFound()
        return TRACE, payload
    if row["event"] != TRACE and event_type != TRACE:
        return row["event"], _formatter_event(row)
    trace_id = _trace_id_of_row(row)
    payload = _trace_payload(team, trace_id, requested_id=event_id) if trace_id else None
    if payload is None:
        # No trace id to follow: the event is the whole trace.
        single = [] if row["event"] == TRACE else [{"event": _formatter_event(row), "children": []}]
        props = row["properties"] if row["event"] == TRACE and isinstance(row["properties"], dict) else {}
        payload = {"id": event_id, "trace": {"id": event_id, "properties": props}, "hierarchy": single}
    return TRACE, payload


def _event_by_uuid(team: Team, event_id: str) -> dict | None:
    try:
        event_uuid = uuid.UUID(event_id)
    except ValueError:
        return None
    return Event.objects.filter(team=team, uuid=event_uuid).values(*EVENT_FIELDS).first()


def _trace_id_of_row(row: dict) -> str | None:
    if row["ai_trace_id"]:
        return row["ai_trace_id"]
    props = row["properties"] if isinstance(row["properties"], dict) else {}
    return _node_id(props.get("$ai_trace_id"))


def _trace_payload(team: Team, trace_id: str, *, requested_id: str) -> dict | None:
    rows = list(
        Event.objects.filter(team=team, ai_trace_id=trace_id)
        .order_by("timestamp", "id")
        .values(*EVENT_FIELDS)[:TRACE_EVENT_LIMIT]
    )
    if not rows:
        return None
    trace_rows = [row for row in rows if row["event"] == TRACE]
    props = (
        dict(trace_rows[-1]["properties"])
        if trace_rows and isinstance(trace_rows[-1]["properties"], dict)
        else {}
    )
    props["$ai_trace_id"] = trace_id
    steps = [row for row in rows if row["event"] != TRACE and row["event"] not in ANNOTATION_EVENTS]
    return {
        "id": requested_id,
        "trace": {"id": trace_id, "properties": props},
        "hierarchy": nest_events(steps, trace_id),
    }


def _formatter_event(row: dict) -> dict:
    return {
        "id": str(row["uuid"]),
        "event": row["event"],
        "properties": row["properties"] if isinstance(row["properties"], dict) else {},
        "timestamp": row["timestamp"].isoformat(),
    }


def _node_id(value: Any) -> str | None:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _first_set(props: dict, *keys: str) -> Any:
    for key in keys:
        if props.get(key) is not None:
            return props[key]
    return None


def _latency_ms(props: dict) -> float:
    try:
        latency = float(props.get("$ai_latency", 0))
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return latency * 1000 if latency > 0 else 0.0


def nest_events(rows: list[dict], trace_id: str) -> list[dict]:
    """The trace's tree: each event under its `$ai_parent_id` (else the trace), siblings by start.

    An event is keyed by `$ai_generation_id` / `$ai_span_id` (else its uuid). Events whose parent
    is not in the trace become roots, and so do events left over by a cycle. Below the renderer's
    depth limit only one level is kept (it shows as "max depth reached").
    """
    by_id: dict[str, dict] = {}
    for row in rows:
        props = row["properties"] if isinstance(row["properties"], dict) else {}
        node_id = _node_id(_first_set(props, "$ai_generation_id", "$ai_span_id")) or str(row["uuid"])
        by_id[node_id] = row
    parent_of: dict[str, str | None] = {}
    children: dict[str, list[str]] = defaultdict(list)
    for node_id, row in by_id.items():
        props = row["properties"] if isinstance(row["properties"], dict) else {}
        parent = _node_id(_first_set(props, "$ai_parent_id", "$ai_trace_id"))
        parent_of[node_id] = parent
        if parent is not None and parent != node_id:
            children[parent].append(node_id)

    def start(node_id: str) -> tuple[float, float]:
        row = by_id[node_id]
        props = row["properties"] if isinstance(row["properties"], dict) else {}
        latency = _latency_ms(props)
        # SDKs capture an event when its operation ends; OpenTelemetry spans carry the start.
        ended = row["timestamp"].timestamp() * 1000
        begun = ended if props.get("$ai_ingestion_source") == "otel" else ended - latency
        return (begun, -latency)

    emitted: set[str] = set()

    def build(node_id: str, depth: int) -> dict | None:
        if node_id in emitted:
            return None
        emitted.add(node_id)
        node = {"event": _formatter_event(by_id[node_id]), "children": []}
        if depth > MAX_TREE_DEPTH:
            _mark_subtree(node_id, children, emitted)
            return node
        for child_id in sorted(children.get(node_id, []), key=start):
            child = build(child_id, depth + 1)
            if child is not None:
                node["children"].append(child)
        return node

    orphans = [
        node_id
        for node_id, parent in parent_of.items()
        if parent is not None and parent != trace_id and parent not in by_id
    ]
    roots = sorted([*children.get(trace_id, []), *orphans], key=start)
    hierarchy = [node for node in (build(node_id, 0) for node_id in roots) if node is not None]
    leftovers = sorted((node_id for node_id in by_id if node_id not in emitted), key=start)
    hierarchy.extend(node for node in (build(node_id, 0) for node_id in leftovers) if node is not None)
    return hierarchy


def _mark_subtree(node_id: str, children: dict[str, list[str]], emitted: set[str]) -> None:
    pending = list(children.get(node_id, []))
    while pending:
        current = pending.pop()
        if current not in emitted:
            emitted.add(current)
            pending.extend(children.get(current, []))
