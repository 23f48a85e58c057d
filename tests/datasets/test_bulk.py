"""POST /dataset_items/bulk/: 1 to 1,000 items of one dataset, all or nothing."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import DatasetItem
from tests.api import bearer, user_json, validation
from tests.datasets.helpers import (
    ITEM_KEYS,
    WRITE_DENIED,
    does_not_exist,
    item_json,
    make_dataset,
    make_items,
)


def insert_statements(count: int) -> int:
    """How many INSERTs bulk_create needs for `count` items: one on PostgreSQL; on SQLite, Django 5.2
    still assumes the old 999-parameter limit and splits the rows into several statements."""
    fields = [f for f in DatasetItem._meta.concrete_fields]
    per_statement = connection.ops.bulk_batch_size(fields, [None] * count) or count
    return -(-count // min(per_statement, count))


def entries(count: int) -> list[dict]:
    return [{"input": {"q": i}, "output": f"a{i}", "ref_trace_id": f"t{i}"} for i in range(count)]


def test_bulk_one_item(items, world, dataset):
    entry = {
        "input": {"p": "hi"},
        "output": {"c": "yo"},
        "metadata": {"m": 1},
        "ref_trace_id": "t1",
        "ref_timestamp": "2025-01-01T10:00:00+02:00",
        "ref_source_id": "s1",
    }
    response = items.post("bulk/", {"dataset": str(dataset.id), "items": [entry]})

    assert response.status_code == 201
    body = response.json()
    assert list(body) == ["count", "results"]
    assert body["count"] == 1
    [created] = body["results"]
    assert list(created) == ITEM_KEYS
    stored = DatasetItem.objects.get()
    assert created == item_json(stored)
    assert (created["dataset"], created["team"], created["deleted"]) == (str(dataset.id), world.t, False)
    assert created["ref_timestamp"] == "2025-01-01T08:00:00Z"
    assert created["created_by"] == user_json(world.user)


def test_bulk_1000_items_in_one_insert_listed_in_the_order_sent(items, world, dataset):
    with CaptureQueriesContext(connection) as captured:
        response = items.post("bulk", {"dataset": str(dataset.id), "items": entries(1000)})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["count"] == 1000 == len(body["results"])
    assert [row["input"] for row in body["results"]] == [{"q": i} for i in range(1000)]
    assert DatasetItem.objects.filter(dataset=dataset, team=world.team).count() == 1000
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == insert_statements(1000)
    if connection.vendor == "postgresql":
        assert len(inserts) == 1
    # auth, project, dataset lookup, savepoint, the INSERT(s)
    assert len(captured) <= 8 + len(inserts)

    listed = items.get("", {"dataset": str(dataset.id), "limit": 1000}).json()["results"]
    assert [row["id"] for row in listed] == [row["id"] for row in body["results"]]
    assert listed == body["results"]


def test_bulk_query_count_does_not_grow_with_items(items, dataset, django_assert_max_num_queries):
    items.post("bulk/", {"dataset": str(dataset.id), "items": entries(1)})  # warm-up (last_used_at)
    with CaptureQueriesContext(connection) as one:
        assert items.post("bulk/", {"dataset": str(dataset.id), "items": entries(1)}).status_code == 201
    with django_assert_max_num_queries(len(one) - 1 + insert_statements(1000)):
        assert items.post("bulk/", {"dataset": str(dataset.id), "items": entries(1000)}).status_code == 201


def test_bulk_1001_items_is_400(items, dataset):
    response = items.post("bulk/", {"dataset": str(dataset.id), "items": entries(1001)})
    assert response.status_code == 400
    assert response.json() == validation(
        "items", "max_length", "Ensure this field has no more than 1000 elements."
    )
    assert not DatasetItem.objects.exists()


def test_bulk_no_items_is_400(items, dataset):
    response = items.post("bulk/", {"dataset": str(dataset.id), "items": []})
    assert response.status_code == 400
    assert response.json() == validation("items", "empty", "This list may not be empty.")

    response = items.post("bulk/", {"dataset": str(dataset.id)})
    assert response.json() == validation("items", "required", "This field is required.")


def test_bulk_bad_item_reports_its_index_and_creates_nothing(items, dataset):
    batch = entries(10)
    batch[3]["ref_timestamp"] = "yesterday"
    batch[7]["ref_trace_id"] = "x" * 256

    response = items.post("bulk/", {"dataset": str(dataset.id), "items": batch})

    assert response.status_code == 400
    assert response.json() == validation(
        "items__3__ref_timestamp",
        "invalid_input",
        "Datetime has wrong format. Use one of these formats instead: "
        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
    )
    assert not DatasetItem.objects.exists()


@pytest.mark.parametrize(
    ("bad_items", "expected"),
    [
        ({"input": 1}, validation("items", "not_a_list", 'Expected a list of items but got type "dict".')),
        ("nope", validation("items", "not_a_list", 'Expected a list of items but got type "str".')),
        (
            [{"input": 1}, "nope"],
            validation("items__1", "invalid_input", "Invalid data. Expected a dictionary, but got str."),
        ),
        (
            [{"input": "a\u0000b"}],
            validation(
                "items__0__input", "invalid_input", "Value cannot contain the null character (\\u0000)."
            ),
        ),
        (
            [{}, {"ref_source_id": "a\u0000"}],
            validation(
                "items__1__ref_source_id", "null_characters_not_allowed", "Null characters are not allowed."
            ),
        ),
    ],
)
def test_bulk_malformed_items(items, dataset, bad_items, expected):
    response = items.post("bulk/", {"dataset": str(dataset.id), "items": bad_items})
    assert response.status_code == 400
    assert response.json() == expected
    assert not DatasetItem.objects.exists()


def test_bulk_dataset_rules(items, world, dataset, foreign_dataset):
    for target in (foreign_dataset, make_dataset(world.team2, "t2's")):
        response = items.post("bulk/", {"dataset": str(target.id), "items": entries(2)})
        assert response.status_code == 400
        assert response.json() == does_not_exist(target.id)
    missing = str(uuid.uuid4())
    assert items.post("bulk/", {"dataset": missing, "items": entries(1)}).json() == does_not_exist(missing)
    assert items.post("bulk/", {"items": entries(1)}).json() == validation(
        "dataset", "required", "This field is required."
    )
    assert items.post("bulk/", {"dataset": "abc", "items": entries(1)}).json()["attr"] == "dataset"
    assert not DatasetItem.objects.exists()

    gone = make_dataset(world.team, "gone", deleted=True)
    assert items.post("bulk/", {"dataset": str(gone.id), "items": entries(1)}).status_code == 201


def test_bulk_per_item_keys_outside_the_entry_shape_are_ignored(items, world, dataset):
    other = make_dataset(world.team, "other")
    entry = {
        "input": 1,
        "dataset": str(other.id),
        "deleted": True,
        "team": world.team_b.id,
        "id": str(uuid.uuid4()),
    }
    response = items.post("bulk/", {"dataset": str(dataset.id), "items": [entry]})
    assert response.status_code == 201
    stored = DatasetItem.objects.get()
    assert (stored.dataset_id, stored.deleted, stored.team_id) == (dataset.id, False, world.t)
    assert str(stored.id) != entry["id"]


def test_bulk_read_only_key_is_403(items, world, dataset):
    response = items.post("bulk/", {"dataset": str(dataset.id), "items": entries(1)}, key=world.k_ro)
    assert response.status_code == 403
    assert response.json() == WRITE_DENIED
    response = items.post("bulk/", {"dataset": str(dataset.id), "items": entries(1)}, key="")
    assert response.status_code == 401
    assert not DatasetItem.objects.exists()


def test_bulk_other_methods_are_405(items, world):
    for method in ("get", "patch", "put", "delete"):
        response = getattr(items.client, method)(items.url("bulk/"), **bearer(world.k_rw))
        assert response.status_code == 405, method
        assert response.json()["code"] == "method_not_allowed"


def test_bulk_through_environments_without_slash(client, world, dataset):
    response = client.post(
        f"/api/environments/{world.t}/dataset_items/bulk",
        {"dataset": str(dataset.id), "items": entries(2)},
        format="json",
        **bearer(world.k_all),
    )
    assert response.status_code == 201
    assert DatasetItem.objects.count() == 2


def test_bulk_items_join_existing_ones_newest_first(items, dataset):
    older = make_items(dataset, 2)
    created = items.post("bulk/", {"dataset": str(dataset.id), "items": entries(2)}).json()["results"]
    listed = [row["id"] for row in items.get().json()["results"]]
    assert listed == [created[0]["id"], created[1]["id"], str(older[1].id), str(older[0].id)]
