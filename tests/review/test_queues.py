"""/llm_analytics/review_queues/: cases 1-20, plus the edges of the rules they cover."""

import re
import uuid

import pytest

from review.models import ReviewQueue, ReviewQueueItem
from tests.api import user_json, validation
from tests.review.helpers import (
    NAME_TAKEN,
    NOT_FOUND,
    PUT_NOT_ALLOWED,
    QUEUE_KEYS,
    UUID_PATTERN,
    WRITE_DENIED,
    aged,
    api,
    make_item,
    make_queue,
    names,
    queue_json,
)


@pytest.fixture
def two(world):
    """ "Support queue" (older) and "Bug bash" (newer)."""
    support = aged(make_queue(world.team, "Support queue"), 20)
    bug = aged(make_queue(world.team, "Bug bash"), 10)
    return support, bug


# ---- create ------------------------------------------------------------------------------------


def test_case_01_create(queues, world):
    response = queues.post("", {"name": "Escalations"})

    assert response.status_code == 201
    body = response.json()
    assert list(body) == QUEUE_KEYS
    assert re.match(UUID_PATTERN, body["id"])
    stored = ReviewQueue.objects.get(pk=body["id"])
    assert body == queue_json(stored)
    assert (body["name"], body["pending_item_count"], body["team"]) == ("Escalations", 0, world.t)
    assert body["created_by"] == user_json(world.user)
    assert (stored.team_id, stored.created_by_id, stored.deleted, stored.deleted_at) == (
        world.t,
        world.user.id,
        False,
        None,
    )


def test_case_02_duplicate_name(queues, world):
    queues.create(name="Escalations")

    response = queues.post("", {"name": "Escalations"})

    assert response.status_code == 400
    assert response.json() == NAME_TAKEN
    assert ReviewQueue.objects.filter(team=world.team).count() == 1


def test_case_03_name_is_trimmed(queues, world):
    body = queues.create(name="  Padded  ")
    assert body["name"] == "Padded"
    assert ReviewQueue.objects.get(pk=body["id"]).name == "Padded"

    response = queues.post("", {"name": "Padded"})
    assert (response.status_code, response.json()) == (400, NAME_TAKEN)
    assert ReviewQueue.objects.filter(team=world.team).count() == 1


def test_case_04_uniqueness_is_case_sensitive(queues, world):
    queues.create(name="Escalations")
    body = queues.create(name="escalations")
    assert body["name"] == "escalations"
    assert sorted(ReviewQueue.objects.values_list("name", flat=True)) == ["Escalations", "escalations"]


def test_case_05_name_required(queues):
    response = queues.post("", {})
    assert response.status_code == 400
    assert response.json() == validation("name", "required", "This field is required.")
    assert not ReviewQueue.objects.exists()


@pytest.mark.parametrize(
    ("name", "code", "detail"),
    [
        ("   ", "blank", "This field may not be blank."),
        ("", "blank", "This field may not be blank."),
        (None, "null", "This field may not be null."),
        (True, "invalid_input", "Not a valid string."),
        ({"a": 1}, "invalid_input", "Not a valid string."),
    ],
)
def test_case_06_blank_null_or_not_a_string(queues, name, code, detail):
    response = queues.post("", {"name": name})
    assert response.status_code == 400
    assert response.json() == validation("name", code, detail)
    assert not ReviewQueue.objects.exists()


def test_numbers_are_names_too(queues):
    assert queues.create(name=42)["name"] == "42"


def test_case_07_name_length(queues):
    response = queues.post("", {"name": "x" * 256})
    assert response.status_code == 400
    assert response.json() == validation(
        "name", "max_length", "Ensure this field has no more than 255 characters."
    )
    assert not ReviewQueue.objects.exists()

    assert queues.create(name="x" * 255)["name"] == "x" * 255
    # Length is checked on the trimmed value.
    assert queues.create(name=" " + "y" * 255 + " ")["name"] == "y" * 255


def test_unknown_keys_and_client_fields_are_ignored(queues, world, other_member):
    body = queues.create(name="A", id=str(uuid.uuid4()), team=999, pending_item_count=7, created_by=1)
    stored = ReviewQueue.objects.get()
    assert body["id"] == str(stored.id)
    assert (body["team"], body["pending_item_count"], body["created_by"]["id"]) == (world.t, 0, world.user.id)


# ---- list --------------------------------------------------------------------------------------


def test_case_08_search(queues, two):
    assert names(queues.rows({"search": "SUPPORT"})) == ["Support queue"]
    assert names(queues.rows({"search": "  "})) == ["Bug bash", "Support queue"]
    assert queues.rows({"search": "\x00"}) == []


def test_case_09_name_is_exact(queues, two):
    response = queues.get("", {"name": "Bug bash"})
    assert response.json()["count"] == 1
    assert names(response.json()["results"]) == ["Bug bash"]
    assert queues.get("", {"name": "bug bash"}).json()["count"] == 0
    assert queues.get("", {"name": "Bug"}).json()["count"] == 0


def test_case_10_ordering(queues, two):
    assert names(queues.rows()) == ["Bug bash", "Support queue"]
    assert names(queues.rows({"order_by": "-name"})) == ["Support queue", "Bug bash"]
    assert names(queues.rows({"order_by": "created_at"})) == ["Support queue", "Bug bash"]
    assert names(queues.rows({"order_by": "-created_at"})) == ["Bug bash", "Support queue"]
    assert names(queues.rows({"order_by": "updated_at"})) == ["Support queue", "Bug bash"]
    assert names(queues.rows({"order_by": "-updated_at,name"})) == ["Bug bash", "Support queue"]

    response = queues.get("", {"order_by": "bogus"})
    assert response.status_code == 400
    assert response.json() == validation(
        "order_by", "invalid_choice", "Select a valid choice. bogus is not one of the available choices."
    )


def test_case_11_pagination(queues, two):
    response = queues.get("", {"limit": 1})
    body = response.json()
    assert (body["count"], len(body["results"]), body["previous"]) == (2, 1, None)
    assert body["next"] == (f"http://testserver{queues.url()}?limit=1&offset=1")

    body = queues.get("", {"limit": 1, "offset": 1}).json()
    assert names(body["results"]) == ["Support queue"]
    assert body["next"] is None
    assert body["previous"] == f"http://testserver{queues.url()}?limit=1"


def test_list_body_is_exact(queues, world, two):
    support, bug = two
    make_item(support, "t1")
    make_item(support, "t2")
    make_item(support, "gone", deleted=True)
    make_item(bug, "t3")
    make_queue(world.team, "Deleted", deleted=True)
    make_queue(world.team_b, "Other project")

    body = queues.get().json()
    assert body == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [queue_json(bug), queue_json(support)],
    }
    assert [row["pending_item_count"] for row in body["results"]] == [1, 2]


# ---- retrieve ----------------------------------------------------------------------------------


def test_case_12_retrieve(queues, world):
    queue = make_queue(world.team, "Q", created_by=world.user)
    make_item(queue, "t")

    response = queues.get(f"{queue.id}/")
    assert response.status_code == 200
    assert response.json() == queue_json(queue)
    assert response.json()["pending_item_count"] == 1

    for missing in (uuid.uuid4(), "not-a-uuid", "123"):
        response = queues.get(f"{missing}/")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


# ---- update ------------------------------------------------------------------------------------


def test_case_13_rename(queues, world):
    queue = aged(make_queue(world.team, "Q", created_by=world.user), 5)
    before = queue.updated_at

    response = queues.patch(f"{queue.id}/", {"name": "Renamed"})

    assert response.status_code == 200
    assert response.json() == queue_json(queue)
    assert queue.name == "Renamed"
    assert queue.updated_at > before
    assert queue.created_by_id == world.user.id


def test_case_14_rename_onto_a_taken_name(queues, world):
    queue = make_queue(world.team, "Support queue")
    make_queue(world.team, "Bug bash")

    response = queues.patch(f"{queue.id}/", {"name": "Bug bash"})
    assert (response.status_code, response.json()) == (400, NAME_TAKEN)
    queue.refresh_from_db()
    assert queue.name == "Support queue"

    response = queues.patch(f"{queue.id}/", {"name": "Support queue"})
    assert response.status_code == 200
    assert response.json() == queue_json(queue)

    # A deleted queue's name is free.
    make_queue(world.team, "Old", deleted=True)
    assert queues.patch(f"{queue.id}/", {"name": " Old "}).json()["name"] == "Old"


def test_case_15_empty_patch_and_null_name(queues, world):
    queue = aged(make_queue(world.team, "Q"), 5)
    make_item(queue, "t")
    before = queue.updated_at

    response = queues.patch(f"{queue.id}/", {})
    assert response.status_code == 200
    assert response.json() == queue_json(queue)
    assert (queue.name, response.json()["pending_item_count"]) == ("Q", 1)
    assert queue.updated_at > before

    response = queues.patch(f"{queue.id}/", {"name": None})
    assert response.status_code == 400
    assert response.json() == validation("name", "null", "This field may not be null.")
    response = queues.patch(f"{queue.id}/", {"name": " "})
    assert response.json() == validation("name", "blank", "This field may not be blank.")
    response = queues.patch(f"{queue.id}/", {"name": "x" * 256})
    assert response.json()["code"] == "max_length"
    queue.refresh_from_db()
    assert queue.name == "Q"


def test_patch_ignores_read_only_fields(queues, world):
    queue = make_queue(world.team, "Q", created_by=world.user)
    body = queues.patch(f"{queue.id}/", {"pending_item_count": 5, "team": 1, "id": str(uuid.uuid4())}).json()
    assert body == queue_json(queue)
    assert body["pending_item_count"] == 0


def test_patch_of_a_malformed_body_is_a_400_before_the_lookup(queues, client, world):
    response = client.patch(
        queues.url(f"{uuid.uuid4()}/"),
        "{bad",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.k_rw}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# ---- delete ------------------------------------------------------------------------------------


def test_case_16_delete(queues, world):
    queue = make_queue(world.team, "Doomed")
    keep = make_queue(world.team, "Kept")
    items = [make_item(queue, "t1"), make_item(queue, "t2")]
    earlier = make_item(queue, "t0", deleted=True)
    other = make_item(keep, "t3")

    response = queues.delete(f"{queue.id}/")

    assert (response.status_code, response.content) == (204, b"")
    queue.refresh_from_db()
    assert queue.deleted and queue.deleted_at is not None
    for item in items:
        item.refresh_from_db()
        assert (item.deleted, item.deleted_at) == (True, queue.deleted_at)
    earlier.refresh_from_db()
    assert earlier.deleted_at != queue.deleted_at
    other.refresh_from_db()
    assert not other.deleted
    for call in (queues.get, queues.delete):
        response = call(f"{queue.id}/")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    response = queues.patch(f"{queue.id}/", {"name": "x"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert names(queues.rows()) == ["Kept"]


def test_case_17_deleted_name_can_be_reused(queues, world):
    queue = queues.create(name="Escalations")
    assert queues.delete(f"{queue['id']}/").status_code == 204

    again = queues.create(name="Escalations")
    assert again["id"] != queue["id"]
    assert ReviewQueue.objects.filter(team=world.team, name="Escalations").count() == 2


def test_case_18_put_is_not_allowed(queues, world):
    queue = make_queue(world.team, "Q")
    response = queues.put(f"{queue.id}/", {"name": "x"})
    assert (response.status_code, response.json()) == (405, PUT_NOT_ALLOWED)
    assert queues.put("", {"name": "x"}).status_code == 405
    queue.refresh_from_db()
    assert queue.name == "Q"


def test_case_19_other_projects_queue(client, world, other_member):
    foreign = make_queue(world.team_b, "Theirs")
    sibling = make_queue(world.team2, "Sibling project")
    mine = api(client, world.t, "review_queues", world.k_all)

    for queue in (foreign, sibling):
        for call in (mine.get, mine.delete):
            assert call(f"{queue.id}/").json() == NOT_FOUND
        assert mine.patch(f"{queue.id}/", {"name": "x"}).json() == NOT_FOUND
    assert mine.rows() == []
    foreign.refresh_from_db()
    assert (foreign.name, foreign.deleted) == ("Theirs", False)

    # The other organization's project itself is refused.
    theirs = api(client, world.team_b.id, "review_queues", world.k_all)
    response = theirs.get(f"{foreign.id}/")
    assert response.status_code == 403
    assert response.json()["detail"] == "You don't have access to the project."
    # Its owner sees it.
    owner = api(client, world.team_b.id, "review_queues", other_member[1])
    assert owner.get(f"{foreign.id}/").json() == queue_json(foreign)


def test_case_20_read_only_key(client, world):
    queue = make_queue(world.team, "Q")
    read_only = api(client, world.t, "review_queues", world.k_ro)

    assert read_only.get().status_code == 200
    assert read_only.get(f"{queue.id}/").json() == queue_json(queue)
    for response in (
        read_only.post("", {"name": "New"}),
        read_only.patch(f"{queue.id}/", {"name": "New"}),
        read_only.delete(f"{queue.id}/"),
        read_only.put(f"{queue.id}/", {"name": "New"}),
    ):
        assert (response.status_code, response.json()) == (403, WRITE_DENIED)
    queue.refresh_from_db()
    assert (queue.name, queue.deleted) == ("Q", False)
    assert ReviewQueue.objects.count() == 1
    assert not ReviewQueueItem.objects.exists()
