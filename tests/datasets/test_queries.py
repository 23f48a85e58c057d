"""Query counts (no N+1 over created_by) and the 100,000-item dataset: bounded queries, index use."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import Dataset, DatasetItem
from tests.conftest import bearer
from tests.datasets.conftest import make_dataset, make_items
from tests.factories import UserFactory

# Key lookup, project (with membership), COUNT, page (+ the page's rows for items, + the
# `?dataset=` choice check). Retrieve: key, project, row.
LIST_DATASETS_QUERIES = 4
LIST_ITEMS_QUERIES = 5
LIST_ITEMS_BY_DATASET_QUERIES = 6
RETRIEVE_QUERIES = 3


def by_different_authors(world, count: int) -> list:
    return [UserFactory() for _ in range(count)]


def warm(client, world, path: str) -> None:
    """The first request of a key writes its last_used_at; measure the steady state."""
    for key in (world.k_ro, world.k_rw):
        assert client.get(path, **bearer(key)).status_code == 200


def test_dataset_list_and_retrieve_queries_do_not_grow(client, world, django_assert_max_num_queries):
    authors = by_different_authors(world, 8)
    rows = [
        make_dataset(world.team, f"d{i}", created_by=author, metadata={"i": i})
        for i, author in enumerate(authors)
    ]
    path = f"/api/projects/{world.t}/datasets/"
    warm(client, world, path)

    with django_assert_max_num_queries(LIST_DATASETS_QUERIES):
        response = client.get(
            path,
            {"search": "d", "order_by": "-updated_at", "id__in": ",".join(str(r.id) for r in rows)},
            **bearer(world.k_ro),
        )
    assert response.json()["count"] == 8
    assert len({row["created_by"]["id"] for row in response.json()["results"]}) == 8

    with django_assert_max_num_queries(RETRIEVE_QUERIES):
        assert client.get(f"{path}{rows[0].id}/", **bearer(world.k_ro)).status_code == 200


def test_item_list_and_retrieve_queries_do_not_grow(client, world, dataset, django_assert_max_num_queries):
    for author in by_different_authors(world, 8):
        make_items(dataset, 2, created_by=author)
    path = f"/api/projects/{world.t}/dataset_items/"
    warm(client, world, path)

    with django_assert_max_num_queries(LIST_ITEMS_QUERIES):
        response = client.get(path, **bearer(world.k_ro))
    assert response.json()["count"] == 16
    assert len({row["created_by"]["id"] for row in response.json()["results"]}) == 8

    with django_assert_max_num_queries(LIST_ITEMS_BY_DATASET_QUERIES):
        response = client.get(
            path, {"dataset": str(dataset.id), "limit": 5, "offset": 3}, **bearer(world.k_ro)
        )
    assert len(response.json()["results"]) == 5

    row = DatasetItem.objects.first()
    with django_assert_max_num_queries(RETRIEVE_QUERIES):
        assert client.get(f"{path}{row.id}/", **bearer(world.k_ro)).status_code == 200


def test_write_queries_are_bounded(client, world, dataset, django_assert_max_num_queries):
    [row] = make_items(dataset, 1)
    base = f"/api/projects/{world.t}"
    warm(client, world, f"{base}/datasets/")
    # key, project, row, UPDATE (+ the dataset lookup when an item is moved)
    with django_assert_max_num_queries(4):
        assert (
            client.patch(
                f"{base}/datasets/{dataset.id}/", {"name": "n"}, format="json", **bearer(world.k_rw)
            ).status_code
            == 200
        )
    with django_assert_max_num_queries(5):
        response = client.patch(
            f"{base}/dataset_items/{row.id}/",
            {"dataset": str(dataset.id), "input": 1},
            format="json",
            **bearer(world.k_rw),
        )
        assert response.status_code == 200
    with django_assert_max_num_queries(4):
        assert (
            client.post(
                f"{base}/dataset_items/", {"dataset": str(dataset.id)}, format="json", **bearer(world.k_rw)
            ).status_code
            == 201
        )


# ---- 100,000 items ---------------------------------------------------------------------------------


@pytest.fixture
def big_dataset(world) -> Dataset:
    """A dataset of 100,000 items, plus 5,000 items of a second dataset of the same project."""
    big = make_dataset(world.team, "big", created_by=world.user)
    make_items(big, 100_000, created_by=world.user, output={"expected": "answer"})
    make_items(make_dataset(world.team, "small"), 5_000, created_by=world.user)
    with connection.cursor() as cursor:
        # Statistics and a visibility map, as a production database would have after autovacuum
        # (so PostgreSQL can walk the index alone). Needs committed rows: the test is transactional.
        cursor.execute(
            "VACUUM ANALYZE datasets_datasetitem" if connection.vendor == "postgresql" else "ANALYZE"
        )
    return big


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def page_query(captured: CaptureQueriesContext) -> str:
    """The query that walks the list to the page: the one with LIMIT/OFFSET over items."""
    [sql] = [
        q["sql"]
        for q in captured.captured_queries
        if "LIMIT" in q["sql"] and 'FROM "datasets_datasetitem"' in q["sql"] and "COUNT(" not in q["sql"]
    ]
    return sql


def assert_index_walk(sql: str) -> None:
    plan = explain(sql)
    if connection.vendor == "postgresql":
        assert "item_visible_" in plan, plan  # one of the two list indexes
        assert "Sort" not in plan and "Seq Scan" not in plan, plan
    else:
        assert "USING COVERING INDEX item_visible_" in plan or "USING INDEX item_visible_" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # no sort of the whole list


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("by_dataset", [True, False], ids=["dataset-filter", "all-items"])
def test_100k_items_first_and_deep_page(
    client, world, big_dataset, django_assert_max_num_queries, by_dataset
):
    path = f"/api/projects/{world.t}/dataset_items/"
    params = {"dataset": str(big_dataset.id)} if by_dataset else {}
    expected_count = 100_000 if by_dataset else 105_000
    warm(client, world, path)
    limit = LIST_ITEMS_BY_DATASET_QUERIES if by_dataset else LIST_ITEMS_QUERIES

    with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as first:
        response = client.get(path, params, **bearer(world.k_ro))
    body = response.json()
    assert (body["count"], len(body["results"])) == (expected_count, 100)
    assert body["results"][0]["input"] == ({"n": 99_999} if by_dataset else {"n": 4_999})
    assert_index_walk(page_query(first))

    with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as deep:
        response = client.get(path, {**params, "offset": 90_000}, **bearer(world.k_ro))
    body = response.json()
    assert (body["count"], len(body["results"])) == (expected_count, 100)
    newest_on_page = 99_999 - 90_000 if by_dataset else 99_999 - 85_000
    assert [row["input"]["n"] for row in body["results"]] == list(
        range(newest_on_page, newest_on_page - 100, -1)
    )
    assert {row["created_by"]["email"] for row in body["results"]} == {"u@example.com"}
    assert_index_walk(page_query(deep))
