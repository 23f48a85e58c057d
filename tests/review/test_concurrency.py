"""Races settled by the database. PostgreSQL only.

Each request runs in its own live-server thread with its own connection, so the project lock and
the partial unique constraints decide the outcome. Whatever the interleaving: no 500, a trace is
pending at most once, never in a deleted queue, and never both pending and reviewed.
"""

import pytest
import requests

from review.models import ReviewQueue, ReviewQueueItem, TraceReview
from tests.live import race_marks, run_together
from tests.review.helpers import (
    ALREADY_REVIEWED,
    NAME_TAKEN,
    NOT_FOUND,
    PENDING_ELSEWHERE,
    PENDING_HERE,
    QUEUE_NOT_FOUND,
    assert_pending_and_reviewed_exclusive,
    make_item,
    make_queue,
    pending,
    reviewed,
)

pytestmark = race_marks()

RACERS = 10
ROUNDS = 8


@pytest.fixture
def base(live_server, world) -> str:
    return f"{live_server.url}/api/environments/{world.t}/llm_analytics"


@pytest.fixture
def sessions(live_session, world) -> list[requests.Session]:
    return [live_session(world.k_rw) for _ in range(RACERS)]


def test_parallel_creates_of_one_trace_queue_it_once(base, world, sessions):
    queues = [make_queue(world.team, f"Q{i}") for i in range(3)]

    for round_ in range(ROUNDS):
        trace = f"trace-{round_}"

        def create(index: int, trace: str = trace):
            queue = queues[index % len(queues)]
            return lambda: sessions[index].post(
                f"{base}/review_queue_items/", json={"queue_id": str(queue.id), "trace_id": trace}, timeout=30
            )

        responses = run_together([create(i) for i in range(RACERS)])

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [400] * (RACERS - 1), [r.text for r in responses]
        winner = next(r.json() for r in responses if r.status_code == 201)
        for loser in (r for r in responses if r.status_code == 400):
            assert loser.json() in (PENDING_HERE, PENDING_ELSEWHERE)
        rows = list(ReviewQueueItem.objects.filter(team=world.team, trace_id=trace))
        assert [str(row.id) for row in rows] == [winner["id"]]
        assert not rows[0].deleted
    assert_pending_and_reviewed_exclusive(world.team)


def test_parallel_queue_creates_with_one_name(base, world, sessions):
    for round_ in range(ROUNDS):
        name = f"Escalations {round_}"
        responses = run_together(
            [
                lambda session=session, name=name: session.post(
                    f"{base}/review_queues/", json={"name": name}, timeout=30
                )
                for session in sessions
            ]
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [400] * (RACERS - 1), [r.text for r in responses]
        assert all(r.json() == NAME_TAKEN for r in responses if r.status_code == 400)
        assert ReviewQueue.objects.filter(team=world.team, name=name).count() == 1


def test_moving_an_item_while_its_queue_is_deleted(base, world, sessions):
    target = make_queue(world.team, "Target")
    outcomes = set()
    for round_ in range(ROUNDS * 2):
        source = make_queue(world.team, f"Source {round_}")
        item = make_item(source, f"trace-{round_}")
        move, delete = run_together(
            [
                lambda item=item: sessions[0].patch(
                    f"{base}/review_queue_items/{item.id}/", json={"queue_id": str(target.id)}, timeout=30
                ),
                lambda source=source: sessions[1].delete(f"{base}/review_queues/{source.id}/", timeout=30),
            ]
        )

        assert delete.status_code == 204, delete.text
        item.refresh_from_db()
        if move.status_code == 200:
            # The move went first: the item left the queue before the queue was deleted.
            assert (item.queue_id, item.deleted) == (target.id, False)
            outcomes.add("moved")
        else:
            assert (move.status_code, move.json()) == (404, NOT_FOUND), move.text
            assert (item.queue_id, item.deleted) == (source.id, True)
            outcomes.add("deleted with its queue")
        assert_pending_and_reviewed_exclusive(world.team)
    assert outcomes


def test_moving_an_item_into_a_queue_being_deleted(base, world, sessions):
    source = make_queue(world.team, "Source")
    for round_ in range(ROUNDS * 2):
        target = make_queue(world.team, f"Target {round_}")
        item = make_item(source, f"trace-{round_}")
        move, delete = run_together(
            [
                lambda item=item, target=target: sessions[0].patch(
                    f"{base}/review_queue_items/{item.id}/", json={"queue_id": str(target.id)}, timeout=30
                ),
                lambda target=target: sessions[1].delete(f"{base}/review_queues/{target.id}/", timeout=30),
            ]
        )

        assert delete.status_code == 204, delete.text
        item.refresh_from_db()
        if move.status_code == 200:
            # Moved in, then deleted together with the queue.
            assert (item.queue_id, item.deleted) == (target.id, True)
        else:
            assert (move.status_code, move.json()) == (400, QUEUE_NOT_FOUND), move.text
            assert (item.queue_id, item.deleted) == (source.id, False)
        assert_pending_and_reviewed_exclusive(world.team)


def test_reviewing_a_trace_while_it_is_being_queued(base, world, sessions):
    queue = make_queue(world.team, "Q")
    for round_ in range(ROUNDS * 2):
        trace = f"trace-{round_}"
        queued, review = run_together(
            [
                lambda trace=trace: sessions[0].post(
                    f"{base}/review_queue_items/",
                    json={"queue_id": str(queue.id), "trace_id": trace},
                    timeout=30,
                ),
                lambda trace=trace: sessions[1].post(
                    f"{base}/trace_reviews/", json={"trace_id": trace}, timeout=30
                ),
            ]
        )

        assert review.status_code == 201, review.text
        if queued.status_code == 201:
            # Queued first, then cleared by the review.
            assert ReviewQueueItem.objects.get(pk=queued.json()["id"]).deleted
        else:
            assert (queued.status_code, queued.json()) == (400, ALREADY_REVIEWED), queued.text
        assert trace not in pending(world.team)
        assert trace in reviewed(world.team)
        assert_pending_and_reviewed_exclusive(world.team)


def test_parallel_reviews_of_one_trace(base, world, sessions):
    queue = make_queue(world.team, "Q")
    for round_ in range(ROUNDS):
        trace = f"trace-{round_}"
        make_item(queue, trace)
        responses = run_together(
            [
                lambda session=session, trace=trace: session.post(
                    f"{base}/trace_reviews/", json={"trace_id": trace}, timeout=30
                )
                for session in sessions
            ]
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [400] * (RACERS - 1), [r.text for r in responses]
        assert TraceReview.objects.filter(team=world.team, trace_id=trace, deleted=False).count() == 1
    assert pending(world.team) == {}
    assert_pending_and_reviewed_exclusive(world.team)
