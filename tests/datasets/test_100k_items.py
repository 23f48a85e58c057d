"""The 100,000-item dataset: the first and a deep page of both item lists take a bounded number of
queries and walk an index (no sort, no sequential scan)."""

from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import Dataset
from tests.api import bearer
from tests.datasets.helpers import (
    LIST_ITEMS_BY_DATASET_QUERIES,
    LIST_ITEMS_QUERIES,
    make_dataset,
    seed_items,
    warm,
)
from tests.factories import World, build_world

# Every test here reads the same committed rows, seeded once per module (`--dist loadscope` runs a
# module's tests on one worker).
pytestmark = pytest.mark.django_db


@dataclass
class BigProject:
    world: World
    dataset: Dataset  # the 100,000-item dataset


@pytest.fixture(scope="module")
def big(django_db_setup, django_db_blocker) -> BigProject:
    """A world of its own whose project P holds a dataset of 100,000 items plus 5,000 items of a
    second dataset, seeded once for the module's tests and committed (each test still runs in a
    transaction that is rolled back); the database is flushed after the module, as a transactional
    test leaves it (sequences kept). The world is the `world` fixture's (same user), so no test of
    this module may use that fixture."""
    with django_db_blocker.unblock():
        world = build_world()
        big_dataset = make_dataset(world.team, "big", created_by=world.user)
        seed_items(big_dataset, 100_000, created_by=world.user, output={"expected": "answer"})
        seed_items(make_dataset(world.team, "small"), 5_000, created_by=world.user)
        with connection.cursor() as cursor:
            # Statistics and a visibility map, as a production database would have after
            # autovacuum (so PostgreSQL can walk the index alone). Needs committed rows.
            cursor.execute(
                "VACUUM ANALYZE datasets_datasetitem" if connection.vendor == "postgresql" else "ANALYZE"
            )
    yield BigProject(world=world, dataset=big_dataset)
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)


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


@pytest.mark.parametrize("by_dataset", [True, False], ids=["dataset-filter", "all-items"])
def test_100k_items_first_and_deep_page(client, big, django_assert_max_num_queries, by_dataset):
    world = big.world
    path = f"/api/projects/{world.t}/dataset_items/"
    params = {"dataset": str(big.dataset.id)} if by_dataset else {}
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
