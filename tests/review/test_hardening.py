"""Regressions from adversarial testing of review queues, queue items and trace reviews."""

import uuid

from review.models import ReviewQueueItem, TraceReview
from tests.api import bearer, validation
from tests.review.helpers import make_item, make_queue, make_scorer, pending

FORM = "application/x-www-form-urlencoded"
DEEP = "[" * 5000 + "]" * 5000
TOO_DEEP = "Value cannot be nested more than 200 levels deep."
QUEUE_NOT_FOUND = {
    "type": "validation_error",
    "code": "invalid_input",
    "detail": "Review queue not found.",
    "attr": "queue_id",
}


def test_unknown_queue_is_reported_on_queue_id_when_queueing(items, world):
    deleted = make_queue(world.team, "Deleted", deleted=True)
    foreign = make_queue(world.team_b, "Theirs")
    for queue_id in (uuid.uuid4(), deleted.id, foreign.id):
        response = items.post("", {"queue_id": str(queue_id), "trace_id": "t"})
        assert response.status_code == 400
        assert response.json() == QUEUE_NOT_FOUND
    assert not ReviewQueueItem.objects.exists()


def test_unknown_queue_is_reported_on_queue_id_when_moving(items, world, q1):
    item = make_item(q1, "t")
    response = items.patch(f"{item.id}/", {"queue_id": str(uuid.uuid4())})
    assert response.status_code == 400
    assert response.json() == QUEUE_NOT_FOUND
    assert pending(world.team) == {"t": "Q1"}


def test_form_scores_nested_too_deeply_to_decode_is_a_400(reviews, world, q1):
    make_item(q1, "trace_a")
    body = f"trace_id=trace_a&scores={DEEP}"
    response = reviews.client.post(reviews.url(), body, content_type=FORM, **bearer(world.k_rw))
    assert response.status_code == 400
    assert response.json() == validation("scores", "invalid_input", TOO_DEEP)
    assert not TraceReview.objects.exists()
    assert pending(world.team) == {"trace_a": "Q1"}


def test_form_scores_still_parse_as_json(reviews, world):
    scorer = make_scorer(world.team, "Resolved", "boolean", {})
    scores = f'[{{"definition_id": "{scorer.id}", "boolean_value": true}}]'
    response = reviews.post("", {"trace_id": "trace_a", "scores": scores}, fmt="multipart")
    assert response.status_code == 201, response.content
    assert [score["boolean_value"] for score in response.json()["scores"]] == [True]
