"""Query counts: lists cost the same for 1 row as for 20 (pending counts, queue names, users and
scores come with the page), and retrieves and writes are bounded."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from review.models import TraceReviewScore
from tests.api import bearer
from tests.factories import UserFactory
from tests.review.helpers import (
    QUALITY_CONFIG,
    RATING_CONFIG,
    make_item,
    make_queue,
    make_review,
    make_scorer,
)

# Warm (the key and project come from the auth cache): COUNT, page (+ every score of the page,
# for reviews).
LIST_QUERIES = {"review_queues": 2, "review_queue_items": 2, "trace_reviews": 3}
# Warm: the row (+ its scores).
RETRIEVE_QUERIES = {"review_queues": 1, "review_queue_items": 1, "trace_reviews": 2}


def seed(world, resource: str, count: int, tag: str) -> list:
    """`count` rows, each by a different author; each queue holds two items, each review scores
    Quality and Rating."""
    scorers = [
        (
            make_scorer(world.team, f"Quality {tag}", "categorical", QUALITY_CONFIG),
            {"categorical_values": ["good"]},
        ),
        (make_scorer(world.team, f"Rating {tag}", "numeric", RATING_CONFIG), {"numeric_value": 1}),
    ]
    rows = []
    for i in range(count):
        author = UserFactory()
        queue = make_queue(world.team, f"queue {tag} {i}", created_by=author)
        if resource == "review_queues":
            make_item(queue, f"a {tag} {i}")
            make_item(queue, f"b {tag} {i}")
            rows.append(queue)
        elif resource == "review_queue_items":
            rows.append(make_item(queue, f"t {tag} {i}", created_by=author))
        else:
            review = make_review(world.team, f"t {tag} {i}", created_by=author, reviewed_by=author)
            for definition, value in scorers:
                TraceReviewScore.objects.create(
                    team=world.team,
                    review=review,
                    definition=definition,
                    definition_version=definition.current_version,
                    definition_version_number=1,
                    definition_config=definition.current_version.config,
                    **value,
                )
            rows.append(review)
    return rows


def warm(client, world, path: str) -> None:
    """The first request of a key writes its last_used_at; measure the steady state."""
    for key in (world.k_ro, world.k_rw):
        assert client.get(path, **bearer(key)).status_code == 200


def measure(client, path: str, key: str, params: dict | None = None) -> tuple[int, dict]:
    """Queries of a warm request: the one before it fills the auth cache (writes in between, such
    as creating users, may have invalidated it)."""
    client.get(path, params or {}, **bearer(key))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {}, **bearer(key))
    assert response.status_code == 200, response.content
    return len(queries), response.json()


@pytest.mark.parametrize("resource", list(LIST_QUERIES))
def test_list_queries_do_not_grow_with_rows(client, world, resource):
    path = f"/api/environments/{world.t}/llm_analytics/{resource}/"
    warm(client, world, path)

    rows = seed(world, resource, 1, "first")
    one, body = measure(client, path, world.k_ro)
    assert one <= LIST_QUERIES[resource]
    assert body["count"] == 1

    rows += seed(world, resource, 19, "more")
    twenty, body = measure(client, path, world.k_ro)
    assert body["count"] == 20
    assert one == twenty
    authors = {row["created_by"]["id"] for row in body["results"]}
    assert len(authors) == 20
    if resource == "review_queues":
        assert {row["pending_item_count"] for row in body["results"]} == {2}
    if resource == "trace_reviews":
        assert {len(row["scores"]) for row in body["results"]} == {2}

    retrieved, _ = measure(client, f"{path}{rows[-1].pk}/", world.k_ro)
    assert retrieved <= RETRIEVE_QUERIES[resource]


def test_filtered_lists_are_bounded_too(client, world):
    queue = make_queue(world.team, "Q")
    for i in range(10):
        make_item(queue, f"trace_{i}")
    base = f"/api/environments/{world.t}/llm_analytics"
    warm(client, world, f"{base}/review_queues/")
    count, body = measure(
        client,
        f"{base}/review_queue_items/",
        world.k_ro,
        {
            "queue_id": str(queue.id),
            "search": "trace",
            "order_by": "-created_at",
            "trace_id__in": "trace_1,trace_2",
        },
    )
    assert body["count"] == 2
    assert count <= 2  # COUNT and the page
    count, body = measure(
        client, f"{base}/review_queues/", world.k_ro, {"search": "q", "order_by": "-updated_at"}
    )
    assert count <= 2
    assert body["results"][0]["pending_item_count"] == 10


def test_writes_are_bounded(client, world, django_assert_max_num_queries):
    base = f"/api/environments/{world.t}/llm_analytics"
    warm(client, world, f"{base}/review_queues/")
    queue = make_queue(world.team, "Q")
    other = make_queue(world.team, "Other")
    quality = make_scorer(world.team, "Quality", "categorical", QUALITY_CONFIG)
    rating = make_scorer(world.team, "Rating", "numeric", RATING_CONFIG)
    signed = bearer(world.k_rw)

    # Each write: key, project, the checks, the write and its read-back, the transaction (and the
    # project lock on PostgreSQL).
    with django_assert_max_num_queries(12):
        response = client.post(
            f"{base}/review_queue_items/",
            {"queue_id": str(queue.id), "trace_id": "t"},
            format="json",
            **signed,
        )
    assert response.status_code == 201
    item_id = response.json()["id"]
    with django_assert_max_num_queries(11):
        response = client.patch(
            f"{base}/review_queue_items/{item_id}/", {"queue_id": str(other.id)}, format="json", **signed
        )
    assert response.status_code == 200
    scores = [
        {"definition_id": str(quality.id), "categorical_values": ["good"]},
        {"definition_id": str(rating.id), "numeric_value": 1},
    ]
    # The scorers are read in one query and the scores written in one, however many there are.
    with django_assert_max_num_queries(14):
        response = client.post(
            f"{base}/trace_reviews/", {"trace_id": "t", "scores": scores}, format="json", **signed
        )
    assert response.status_code == 201
    with django_assert_max_num_queries(9):
        assert client.delete(f"{base}/review_queues/{queue.id}/", **signed).status_code == 204
