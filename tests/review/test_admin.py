"""Operator pages: search, filters, pending counts, read-only score inlines, and soft delete and
restore through the services (with their rules)."""

from decimal import Decimal

import pytest

from review.models import ReviewQueue, ReviewQueueItem, TraceReview, TraceReviewScore
from tests.review.helpers import (
    QUALITY_CONFIG,
    RATING_CONFIG,
    make_item,
    make_queue,
    make_review,
    make_scorer,
)

QUEUES = "/admin/review/reviewqueue/"
ITEMS = "/admin/review/reviewqueueitem/"
REVIEWS = "/admin/review/tracereview/"


@pytest.fixture
def seeded(world):
    support = make_queue(world.team, "Support queue", created_by=world.user)
    bugs = make_queue(world.team, "Bug bash")
    foreign = make_queue(world.team_b, "Other org queue")
    for trace in ("trace-1", "trace-2"):
        make_item(support, trace)
    make_item(support, "old", deleted=True)
    make_item(foreign, "trace-9")
    return support, bugs, foreign


def act(admin_client, page: str, action: str, rows) -> str:
    response = admin_client.post(
        page, {"action": action, "_selected_action": [str(row.pk) for row in rows]}, follow=True
    )
    assert response.status_code == 200
    return " ".join(str(message) for message in response.context["messages"])


def test_queue_changelist_search_filters_and_counts(admin_client, seeded):
    support, _, foreign = seeded
    response = admin_client.get(QUEUES)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    counts = {row.name: row.pending_item_count for row in response.context["cl"].result_list}
    assert counts == {"Support queue": 2, "Bug bash": 0, "Other org queue": 1}
    link = f"{ITEMS}?queue__id__exact={support.pk}&amp;deleted__exact=0"
    assert link.encode() in response.content

    assert admin_client.get(QUEUES, {"q": "support"}).context["cl"].result_count == 1
    assert admin_client.get(QUEUES, {"q": str(foreign.pk)}).context["cl"].result_count == 1
    assert admin_client.get(QUEUES, {"team__id__exact": foreign.team_id}).context["cl"].result_count == 1
    assert admin_client.get(QUEUES, {"deleted__exact": "1"}).context["cl"].result_count == 0
    assert admin_client.get(QUEUES, {"o": "3"}).status_code == 200  # sorted by pending count

    response = admin_client.get(ITEMS, {"queue__id__exact": support.pk, "deleted__exact": "0"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2


def test_queue_page_is_read_only(admin_client, seeded):
    support, _, _ = seeded
    response = admin_client.get(f"{QUEUES}{support.pk}/change/")
    assert response.status_code == 200
    assert b"Support queue" in response.content
    assert admin_client.post(f"{QUEUES}{support.pk}/change/", {"name": "x"}).status_code == 403
    assert admin_client.get(f"{QUEUES}add/").status_code == 403
    support.refresh_from_db()
    assert support.name == "Support queue"


def test_soft_deleting_a_queue_deletes_its_items(admin_client, seeded):
    support, _, _ = seeded

    message = act(admin_client, QUEUES, "soft_delete", [support])

    assert "Soft-deleted 1 row(s)." in message
    support.refresh_from_db()
    assert support.deleted
    items = ReviewQueueItem.objects.filter(queue=support, trace_id__startswith="trace")
    assert {(item.deleted, item.deleted_at) for item in items} == {(True, support.deleted_at)}


def test_restoring_a_queue_checks_its_name(admin_client, world, seeded):
    support, _, _ = seeded
    act(admin_client, QUEUES, "soft_delete", [support])
    make_queue(world.team, "Support queue")  # the name was reused meanwhile

    message = act(admin_client, QUEUES, "restore", [support])

    assert "Restored 0 row(s)." in message
    assert "A queue with this name already exists." in message
    support.refresh_from_db()
    assert support.deleted

    ReviewQueue.objects.filter(team=world.team, name="Support queue", deleted=False).update(name="Renamed")
    assert "Restored 1 row(s)." in act(admin_client, QUEUES, "restore", [support])
    support.refresh_from_db()
    assert (support.deleted, support.deleted_at) == (False, None)
    # Its items stay deleted.
    assert not ReviewQueueItem.objects.filter(queue=support, deleted=False).exists()


def test_item_changelist_and_actions(admin_client, world, seeded):
    _, bugs, _ = seeded
    response = admin_client.get(ITEMS)
    assert response.status_code == 200
    assert admin_client.get(ITEMS, {"q": "trace-1"}).context["cl"].result_count == 1
    assert admin_client.get(ITEMS, {"q": "Support"}).context["cl"].result_count == 3
    item = ReviewQueueItem.objects.get(trace_id="trace-1")
    assert admin_client.get(f"{ITEMS}{item.pk}/change/").status_code == 200

    assert "Soft-deleted 1 row(s)." in act(admin_client, ITEMS, "soft_delete", [item])
    item.refresh_from_db()
    assert item.deleted

    # Restoring is refused while the trace is pending elsewhere or reviewed.
    other = make_item(bugs, "trace-1")
    message = act(admin_client, ITEMS, "restore", [item])
    assert "This trace is already pending in another queue." in message
    other.delete()
    make_review(world.team, "trace-1")
    assert "This trace is already reviewed" in act(admin_client, ITEMS, "restore", [item])
    TraceReview.objects.filter(trace_id="trace-1").update(deleted=True)
    assert "Restored 1 row(s)." in act(admin_client, ITEMS, "restore", [item])
    item.refresh_from_db()
    assert not item.deleted


def test_trace_review_page_shows_scores_read_only(admin_client, world, seeded):
    quality = make_scorer(world.team, "Quality", "categorical", QUALITY_CONFIG)
    rating = make_scorer(world.team, "Rating", "numeric", RATING_CONFIG)
    review = make_review(world.team, "trace-r", comment="fine", reviewed_by=world.user)
    for definition, value in (
        (quality, {"categorical_values": ["good"]}),
        (rating, {"numeric_value": Decimal(3)}),
    ):
        TraceReviewScore.objects.create(
            team=world.team,
            review=review,
            definition=definition,
            definition_version=definition.current_version,
            definition_version_number=1,
            definition_config=definition.current_version.config,
            **value,
        )

    response = admin_client.get(REVIEWS)
    assert response.status_code == 200
    assert [row.score_total for row in response.context["cl"].result_list] == [2]
    assert admin_client.get(REVIEWS, {"q": "fine"}).context["cl"].result_count == 1

    response = admin_client.get(f"{REVIEWS}{review.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Quality" in content and "Rating" in content and "3.000000" in content
    inline = response.context["inline_admin_formsets"][0]
    assert (
        not inline.has_add_permission
        and not inline.has_change_permission
        and not inline.has_delete_permission
    )


def test_trace_review_delete_and_restore(admin_client, world, seeded):
    support, _, _ = seeded
    review = make_review(world.team, "trace-1")  # inserted directly: trace-1 is still pending

    assert "Soft-deleted 1 row(s)." in act(admin_client, REVIEWS, "soft_delete", [review])
    review.refresh_from_db()
    assert review.deleted

    # Restoring makes the trace reviewed again, which clears its pending item.
    assert "Restored 1 row(s)." in act(admin_client, REVIEWS, "restore", [review])
    review.refresh_from_db()
    assert not review.deleted
    assert ReviewQueueItem.objects.get(trace_id="trace-1", queue=support).deleted

    make_review(world.team, "trace-2", deleted=True)
    second = TraceReview.objects.get(trace_id="trace-2")
    make_review(world.team, "trace-2")
    assert "An active review already exists for this trace." in act(
        admin_client, REVIEWS, "restore", [second]
    )
