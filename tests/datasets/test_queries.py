"""Query counts: no N+1 over created_by, bounded reads and writes (the 100,000-item lists are in
test_100k_items.py)."""

from datasets.models import DatasetItem
from tests.api import bearer
from tests.datasets.helpers import (
    LIST_DATASETS_QUERIES,
    LIST_ITEMS_BY_DATASET_QUERIES,
    LIST_ITEMS_QUERIES,
    RETRIEVE_QUERIES,
    make_dataset,
    make_items,
    warm,
)
from tests.factories import UserFactory


def by_different_authors(world, count: int) -> list:
    return [UserFactory() for _ in range(count)]


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
