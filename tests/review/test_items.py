"""/llm_analytics/review_queue_items/: cases 21-37, plus the edges of the rules they cover."""

import re
import uuid

import pytest

from review.models import ReviewQueueItem
from tests.api import user_json, validation
from tests.review.helpers import (
    ALREADY_REVIEWED,
    ITEM_KEYS,
    NOT_FOUND,
    PENDING_ELSEWHERE,
    PENDING_HERE,
    QUEUE_NOT_FOUND,
    REQUIRED,
    REVIEWED_CANNOT_STAY,
    UUID_PATTERN,
    aged,
    item_json,
    make_item,
    make_queue,
    make_review,
    pending,
    queue_json,
    trace_ids,
)


def count_of(queues, queue) -> int:
    response = queues.get(f"{queue.id}/")
    assert response.status_code == 200, response.content
    return response.json()["pending_item_count"]


# ---- create ------------------------------------------------------------------------------------


def test_case_21_queue_a_trace(items, queues, world, q1):
    response = items.post("", {"queue_id": str(q1.id), "trace_id": "trace_a"})

    assert response.status_code == 201
    body = response.json()
    assert list(body) == ITEM_KEYS
    assert re.match(UUID_PATTERN, body["id"])
    stored = ReviewQueueItem.objects.get(pk=body["id"])
    assert body == item_json(stored)
    assert (body["queue_id"], body["queue_name"], body["trace_id"], body["team"]) == (
        str(q1.id),
        "Q1",
        "trace_a",
        world.t,
    )
    assert body["created_by"] == user_json(world.user)
    assert (stored.deleted, stored.deleted_at, stored.created_by_id) == (False, None, world.user.id)
    assert count_of(queues, q1) == 1
    assert queues.get(f"{q1.id}/").json() == queue_json(q1)


def test_case_22_already_pending_in_this_queue(items, world, q1):
    items.create(queue_id=str(q1.id), trace_id="trace_a")

    response = items.post("", {"queue_id": str(q1.id), "trace_id": "trace_a"})

    assert (response.status_code, response.json()) == (400, PENDING_HERE)
    assert ReviewQueueItem.objects.count() == 1


def test_case_23_already_pending_in_another_queue(items, world, q1, q2):
    items.create(queue_id=str(q1.id), trace_id="trace_a")

    response = items.post("", {"queue_id": str(q2.id), "trace_id": "trace_a"})

    assert (response.status_code, response.json()) == (400, PENDING_ELSEWHERE)
    assert pending(world.team) == {"trace_a": "Q1"}


def test_case_24_unknown_deleted_or_foreign_queue(items, world):
    deleted = make_queue(world.team, "Deleted", deleted=True)
    foreign = make_queue(world.team_b, "Theirs")
    sibling = make_queue(world.team2, "Sibling")

    for queue_id in (uuid.uuid4(), deleted.id, foreign.id, sibling.id):
        response = items.post("", {"queue_id": str(queue_id), "trace_id": "t"})
        assert (response.status_code, response.json()) == (400, QUEUE_NOT_FOUND)
        assert response.json()["attr"].startswith("queue_id")
    assert not ReviewQueueItem.objects.exists()


@pytest.mark.parametrize("queue_id", ["nope", "", 5, True, ["x"], {"id": 1}])
def test_case_25_malformed_queue_id(items, queue_id):
    response = items.post("", {"queue_id": queue_id, "trace_id": "t"})
    assert response.status_code == 400
    assert response.json() == validation("queue_id", "invalid_input", "Must be a valid UUID.")
    assert not ReviewQueueItem.objects.exists()


def test_case_26_required_fields(items, q1):
    response = items.post("", {"trace_id": "t"})
    assert response.json() == validation("queue_id", "required", REQUIRED)
    response = items.post("", {"queue_id": str(q1.id)})
    assert response.json() == validation("trace_id", "required", REQUIRED)
    response = items.post("", {})
    assert response.json() == validation("queue_id", "required", REQUIRED)
    response = items.post("", {"queue_id": None, "trace_id": None})
    assert response.json() == validation("queue_id", "null", "This field may not be null.")
    # Field errors come before the queue lookup.
    response = items.post("", {"queue_id": str(uuid.uuid4()), "trace_id": " "})
    assert response.json() == validation("trace_id", "blank", "This field may not be blank.")
    assert not ReviewQueueItem.objects.exists()


def test_case_27_trace_id_is_trimmed_and_bounded(items, q1):
    body = items.create(queue_id=str(q1.id), trace_id="  trace_b  ")
    assert body["trace_id"] == "trace_b"
    assert ReviewQueueItem.objects.get().trace_id == "trace_b"

    response = items.post("", {"queue_id": str(q1.id), "trace_id": "x" * 256})
    assert response.json() == validation(
        "trace_id", "max_length", "Ensure this field has no more than 255 characters."
    )
    assert items.create(queue_id=str(q1.id), trace_id="y" * 255)["trace_id"] == "y" * 255
    assert items.create(queue_id=str(q1.id), trace_id=12345)["trace_id"] == "12345"
    response = items.post("", {"queue_id": str(q1.id), "trace_id": False})
    assert response.json() == validation("trace_id", "invalid_input", "Not a valid string.")
    assert ReviewQueueItem.objects.count() == 3


def test_case_28_reviewed_trace_cannot_be_queued(items, reviews, world, q1):
    reviews.create(trace_id="trace_r")

    response = items.post("", {"queue_id": str(q1.id), "trace_id": "trace_r"})

    assert (response.status_code, response.json()) == (400, ALREADY_REVIEWED)
    assert not ReviewQueueItem.objects.exists()


def test_reviewed_check_comes_before_the_pending_checks(items, world, q1):
    make_item(q1, "t")
    make_review(world.team, "t")  # inserted directly: the item stays
    response = items.post("", {"queue_id": str(q1.id), "trace_id": "t"})
    assert response.json() == ALREADY_REVIEWED


def test_a_deleted_review_does_not_block_queueing(items, world, q1):
    make_review(world.team, "t", deleted=True)
    assert items.create(queue_id=str(q1.id), trace_id="t")["trace_id"] == "t"


# ---- list --------------------------------------------------------------------------------------


@pytest.fixture
def abc(world, q1, q2):
    """trace_a, trace_b in Q1 and trace_c in Q2, created in that order."""
    rows = [make_item(q1, "trace_a"), make_item(q1, "trace_b"), make_item(q2, "trace_c")]
    return [aged(row, 30 - 10 * i) for i, row in enumerate(rows)]


def test_case_29_filters(items, abc, q1, q2):
    rows = items.rows({"queue_id": str(q1.id), "trace_id__in": "trace_a,trace_b"})
    assert trace_ids(rows) == ["trace_a", "trace_b"]
    assert items.get("", {"trace_id": "trace_c"}).json()["count"] == 1
    assert trace_ids(items.rows({"search": "TRACE_"})) == ["trace_a", "trace_b", "trace_c"]
    assert trace_ids(items.rows({"order_by": "-created_at"})) == ["trace_c", "trace_b", "trace_a"]
    assert trace_ids(items.rows({"order_by": "updated_at"})) == ["trace_a", "trace_b", "trace_c"]
    assert trace_ids(items.rows({"queue_id": str(q2.id)})) == ["trace_c"]
    assert trace_ids(items.rows({"trace_id__in": "trace_c, nope,trace_a"})) == ["trace_a", "trace_c"]
    assert items.rows({"trace_id": "TRACE_A"}) == []
    assert items.rows({"search": "\x00"}) == []

    response = items.get("", {"queue_id": "bad"})
    assert response.status_code == 400
    assert response.json() == validation("queue_id", "invalid_input", "Enter a valid UUID.")
    response = items.get("", {"order_by": "trace_id"})
    assert response.status_code == 400
    assert response.json()["attr"] == "order_by"


def test_list_body_is_exact_and_hides_deleted_rows(items, world, abc, q1):
    make_item(q1, "gone", deleted=True)
    dead = make_queue(world.team, "Dead", deleted=True)
    make_item(dead, "in a deleted queue")
    make_item(make_queue(world.team_b, "Theirs"), "foreign")

    body = items.get().json()
    assert body == {"count": 3, "next": None, "previous": None, "results": [item_json(row) for row in abc]}
    assert items.rows({"queue_id": str(dead.id)}) == []


# ---- retrieve ----------------------------------------------------------------------------------


def test_retrieve(items, world, q1):
    item = make_item(q1, "t", created_by=world.user)
    assert items.get(f"{item.id}/").json() == item_json(item)
    for missing in (uuid.uuid4(), "not-a-uuid"):
        response = items.get(f"{missing}/")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    foreign = make_item(make_queue(world.team_b, "Theirs"), "t")
    assert items.get(f"{foreign.id}/").json() == NOT_FOUND


# ---- move --------------------------------------------------------------------------------------


def test_case_30_move(items, queues, world, q1, q2):
    item = aged(make_item(q1, "trace_a", created_by=world.user), 5)
    make_item(q1, "trace_other")
    before = item.updated_at
    assert (count_of(queues, q1), count_of(queues, q2)) == (2, 0)

    response = items.patch(f"{item.id}/", {"queue_id": str(q2.id)})

    assert response.status_code == 200
    assert response.json() == item_json(item)
    assert (response.json()["queue_id"], response.json()["queue_name"], response.json()["trace_id"]) == (
        str(q2.id),
        "Q2",
        "trace_a",
    )
    assert item.updated_at > before
    assert item.created_by_id == world.user.id
    assert (count_of(queues, q1), count_of(queues, q2)) == (1, 1)


def test_move_to_its_own_queue_touches_it(items, q1):
    item = aged(make_item(q1, "t"), 5)
    before = item.updated_at
    response = items.patch(f"{item.id}/", {"queue_id": str(q1.id)})
    assert response.json() == item_json(item)
    assert item.updated_at > before


def test_case_31_move_requires_queue_id(items, q1):
    item = make_item(q1, "t")
    response = items.patch(f"{item.id}/", {})
    assert response.status_code == 400
    assert response.json() == validation("queue_id", "required", REQUIRED)
    response = items.patch(f"{item.id}/", {"queue_id": None})
    assert response.json() == validation("queue_id", "null", "This field may not be null.")
    response = items.patch(f"{item.id}/", {"queue_id": "nope"})
    assert response.json() == validation("queue_id", "invalid_input", "Must be a valid UUID.")
    item.refresh_from_db()
    assert item.queue_id == q1.id


def test_case_32_move_to_an_unknown_queue(items, world, q1):
    item = make_item(q1, "t")
    deleted = make_queue(world.team, "Deleted", deleted=True)
    foreign = make_queue(world.team_b, "Theirs")
    for queue_id in (uuid.uuid4(), deleted.id, foreign.id):
        response = items.patch(f"{item.id}/", {"queue_id": str(queue_id)})
        assert (response.status_code, response.json()) == (400, QUEUE_NOT_FOUND)
    item.refresh_from_db()
    assert (item.queue_id, item.deleted) == (q1.id, False)


def test_case_33_trace_id_cannot_change(items, q1, q2):
    item = make_item(q1, "trace_a")
    response = items.patch(f"{item.id}/", {"queue_id": str(q2.id), "trace_id": "other", "team": 99})
    assert response.status_code == 200
    assert response.json()["trace_id"] == "trace_a"
    assert response.json() == item_json(item)
    assert (item.trace_id, item.queue_id) == ("trace_a", q2.id)


def test_case_34_reviewed_trace_cannot_stay_queued(items, world, q1, q2):
    item = make_item(q1, "trace_a")
    make_review(world.team, "trace_a")  # inserted directly, as the API would have cleared the item

    response = items.patch(f"{item.id}/", {"queue_id": str(q2.id)})

    assert (response.status_code, response.json()) == (400, REVIEWED_CANNOT_STAY)
    item.refresh_from_db()
    assert (item.queue_id, item.deleted) == (q1.id, False)
    assert items.get(f"{item.id}/").status_code == 200


def test_move_checks_the_queue_before_the_review(items, world, q1):
    item = make_item(q1, "trace_a")
    make_review(world.team, "trace_a")
    response = items.patch(f"{item.id}/", {"queue_id": str(uuid.uuid4())})
    assert response.json() == QUEUE_NOT_FOUND


# ---- delete ------------------------------------------------------------------------------------


def test_case_35_delete(items, queues, world, q1, q2):
    item = make_item(q1, "trace_a")
    assert count_of(queues, q1) == 1

    response = items.delete(f"{item.id}/")

    assert (response.status_code, response.content) == (204, b"")
    item.refresh_from_db()
    assert item.deleted and item.deleted_at is not None
    for call in (items.get, items.delete):
        assert call(f"{item.id}/").json() == NOT_FOUND
    assert items.patch(f"{item.id}/", {"queue_id": str(q2.id)}).json() == NOT_FOUND
    assert items.rows() == []
    assert count_of(queues, q1) == 0

    again = items.create(queue_id=str(q2.id), trace_id="trace_a")
    assert again["queue_name"] == "Q2"
    assert pending(world.team) == {"trace_a": "Q2"}


def test_case_36_deleting_a_queue_removes_its_items(items, queues, world, q1, q2):
    rows = [items.create(queue_id=str(q1.id), trace_id=t) for t in ("trace_a", "trace_b")]

    assert queues.delete(f"{q1.id}/").status_code == 204

    for row in rows:
        assert items.get(f"{row['id']}/").json() == NOT_FOUND
        assert ReviewQueueItem.objects.get(pk=row["id"]).deleted
    assert items.get("", {"queue_id": str(q1.id)}).json()["count"] == 0
    for trace in ("trace_a", "trace_b"):
        assert items.create(queue_id=str(q2.id), trace_id=trace)["queue_name"] == "Q2"
    assert pending(world.team) == {"trace_a": "Q2", "trace_b": "Q2"}


def test_case_37_queue_name_follows_renames(items, queues, q1):
    item = items.create(queue_id=str(q1.id), trace_id="trace_a")

    assert queues.patch(f"{q1.id}/", {"name": "Renamed"}).status_code == 200

    assert items.get(f"{item['id']}/").json()["queue_name"] == "Renamed"
    assert items.rows()[0]["queue_name"] == "Renamed"
