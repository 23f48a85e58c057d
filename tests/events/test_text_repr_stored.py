"""text_repr of stored events: `event_id` (an event uuid or a trace id) instead of `data`."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from events import text_repr_selectors
from events.services import capture_events
from tests.api import not_found
from tests.events.text_repr_helpers import EQ, SEP, b64, body_of, input_section, lines, messages, post

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
TRACE_ID = "trace-abc"


def stored(team, name: str, at_seconds: float, **properties) -> str:
    event_uuid = str(uuid.uuid4())
    wire = {
        "event": name,
        "distinct_id": "someone",
        "properties": properties,
        "timestamp": (START + timedelta(seconds=at_seconds)).isoformat(),
        "uuid": event_uuid,
    }
    assert capture_events(team_id=team.id, events=[wire]).accepted == 1
    return event_uuid


@pytest.fixture
def agent_trace(world) -> dict[str, str]:
    """A trace: the trace event, a span with a generation inside, and a later top-level generation."""
    team = world.team
    return {
        "trace": stored(team, "$ai_trace", 30, **{"$ai_trace_id": TRACE_ID, "$ai_span_name": "agent", "$ai_input_state": {"q": 1}}),
        # Ended at 20 s after running 15 s: started at 5 s, before the generation that ended at 10 s.
        "span": stored(team, "$ai_span", 20, **{"$ai_trace_id": TRACE_ID, "$ai_span_id": "span-1", "$ai_parent_id": TRACE_ID, "$ai_span_name": "plan", "$ai_latency": 15}),
        "inner": stored(team, "$ai_generation", 12, **{"$ai_trace_id": TRACE_ID, "$ai_parent_id": "span-1", "$ai_model": "gpt-4o", "$ai_input": "think", "$ai_total_cost_usd": 0.5}),
        "first": stored(team, "$ai_generation", 10, **{"$ai_trace_id": TRACE_ID, "$ai_parent_id": TRACE_ID, "$ai_span_name": "first", "$ai_latency": 1}),
        "feedback": stored(team, "$ai_feedback", 40, **{"$ai_trace_id": TRACE_ID, "$ai_feedback_text": "nice"}),
    }  # fmt: skip


def tree_text(ids: dict[str, str]) -> str:
    inner = lines(*input_section("think"))
    return lines(
        "AGENT",
        EQ,
        "",
        SEP,
        "",
        "TRACE HIERARCHY:",
        "",
        f"├─ <<<GEN_EXPANDABLE|{ids['span']}|[SPAN] plan (15.00s)|{b64(lines('PLAN', EQ))}>>>",
        f"│  └─ <<<GEN_EXPANDABLE|{ids['inner']}|[GEN] gpt-4o ($0.5000, gpt-4o)|{b64(inner)}>>>",
        f"└─ <<<GEN_EXPANDABLE|{ids['first']}|[GEN] first (1.00s)|>>>",
    )


def test_a_stored_generation_by_uuid(client, world):
    event_uuid = stored(
        world.team,
        "$ai_generation",
        0,
        **{"$ai_input": [{"role": "user", "content": "Hello"}], "$ai_trace_id": "t-1", "$ai_model": "m"},
    )
    response = post(client, world, {"event_id": event_uuid})
    assert response.status_code == 200
    text = lines(*input_section(), *messages(("USER", "Hello")))
    assert response.json() == body_of(text, event_id=event_uuid, trace_id="t-1")


def test_a_stored_span_takes_its_type_from_the_event(client, world):
    event_uuid = stored(world.team, "$ai_span", 0, **{"$ai_span_name": "step"})
    response = post(client, world, {"event_id": event_uuid, "event_type": "$ai_generation"})
    assert response.status_code == 200
    assert response.json() == body_of(lines("STEP", EQ), event_type="$ai_span", event_id=event_uuid)


def test_a_stored_trace_by_trace_id(client, world, agent_trace):
    response = post(client, world, {"event_id": TRACE_ID})
    assert response.status_code == 200
    assert response.json() == body_of(
        tree_text(agent_trace), event_type="$ai_trace", event_id=TRACE_ID, trace_id=TRACE_ID
    )


def test_a_stored_trace_by_its_trace_event(client, world, agent_trace):
    response = post(client, world, {"event_id": agent_trace["trace"], "options": {"collapsed": True}})
    assert response.status_code == 200
    text = lines(
        "AGENT",
        EQ,
        "",
        SEP,
        "",
        "TRACE HIERARCHY:",
        "",
        "├─ [SPAN] plan (15.00s)",
        "│  └─ [GEN] gpt-4o ($0.5000, gpt-4o)",
        "└─ [GEN] first (1.00s)",
    )
    body = response.json()
    assert body == body_of(text, event_type="$ai_trace", event_id=agent_trace["trace"], trace_id=TRACE_ID)


def test_asking_for_the_trace_of_a_generation(client, world, agent_trace):
    response = post(client, world, {"event_id": agent_trace["inner"], "event_type": "$ai_trace"})
    assert response.status_code == 200
    assert response.json()["text"] == tree_text(agent_trace)


def test_a_trace_without_its_trace_event(client, world):
    stored(world.team, "$ai_generation", 0, **{"$ai_trace_id": "bare", "$ai_span_name": "only"})
    response = post(client, world, {"event_id": "bare", "options": {"collapsed": True}})
    assert response.json()["text"] == lines("TRACE", EQ, "", SEP, "", "TRACE HIERARCHY:", "", "└─ [GEN] only")


def test_orphans_become_roots_and_cycles_still_render(client, world):
    stored(
        world.team,
        "$ai_span",
        1,
        **{"$ai_trace_id": "loop", "$ai_span_id": "a", "$ai_parent_id": "b", "$ai_span_name": "A"},
    )
    stored(
        world.team,
        "$ai_span",
        2,
        **{"$ai_trace_id": "loop", "$ai_span_id": "b", "$ai_parent_id": "a", "$ai_span_name": "B"},
    )
    stored(
        world.team,
        "$ai_span",
        3,
        **{"$ai_trace_id": "loop", "$ai_span_id": "c", "$ai_parent_id": "gone", "$ai_span_name": "C"},
    )
    response = post(client, world, {"event_id": "loop", "options": {"collapsed": True}})
    assert response.json()["text"].split("\n")[7:] == ["├─ [SPAN] C", "└─ [SPAN] A", "   └─ [SPAN] B"]


def test_data_wins_over_event_id_and_reads_nothing(client, world, agent_trace, django_assert_max_num_queries):
    body = {
        "event_type": "$ai_generation",
        "event_id": agent_trace["first"],
        "data": {"id": "x", "properties": {}},
    }
    post(client, world, body)
    with django_assert_max_num_queries(2):
        response = post(client, world, {**body, "options": {"collapsed": True}})
    assert response.json() == body_of("", event_id="x")


def test_query_counts(client, world, agent_trace, django_assert_max_num_queries):
    post(client, world, {"event_id": "warm-up"})
    with django_assert_max_num_queries(3):
        assert post(client, world, {"event_id": agent_trace["first"]}).status_code == 200
    with django_assert_max_num_queries(3):
        assert post(client, world, {"event_id": TRACE_ID}).status_code == 200
    with django_assert_max_num_queries(4):
        assert post(client, world, {"event_id": agent_trace["trace"]}).status_code == 200


def test_trace_reads_are_bounded(client, world, agent_trace, monkeypatch):
    monkeypatch.setattr(text_repr_selectors, "TRACE_EVENT_LIMIT", 2)
    response = post(client, world, {"event_id": TRACE_ID, "options": {"collapsed": True}})
    # The two earliest events: the generation that ended at 10 s and the one inside the span.
    assert response.json()["text"].split("\n")[7:] == [
        "├─ [GEN] first (1.00s)",
        "└─ [GEN] gpt-4o ($0.5000, gpt-4o)",
    ]


@pytest.mark.parametrize("event_id", ["no-such-trace", "0d6c1f4e-9a3b-4c2d-8e7f-5a4b3c2d1e0f"])
def test_unknown_ids_are_404(client, world, event_id):
    response = post(client, world, {"event_id": event_id})
    assert response.status_code == 404
    assert response.json() == not_found()


def test_other_projects_events_are_invisible(client, world, agent_trace):
    other = stored(world.team2, "$ai_generation", 0, **{"$ai_trace_id": "t2-trace", "$ai_input": "secret"})
    for event_id in (other, "t2-trace"):
        response = post(client, world, {"event_id": event_id})
        assert response.status_code == 404
    # And T's are invisible from T2.
    for event_id in (agent_trace["first"], TRACE_ID):
        assert post(client, world, {"event_id": event_id}, project=world.team2.id).status_code == 404
    assert post(client, world, {"event_id": other}, project=world.team2.id).status_code == 200


def test_without_data_an_event_id_is_needed(client, world):
    response = post(client, world, {"event_id": ""})
    assert response.status_code == 400
    assert response.json() == {
        "event_type": ["This field is required."],
        "data": ["This field is required."],
        "event_id": ["This field may not be blank."],
    }
    response = post(client, world, {"event_type": "$ai_trace"})
    assert response.json() == {"data": ["This field is required."]}
