"""Reads of review queues, queue items and trace reviews, always within one project."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from llm_server.accounts.models import Team
from review.models import ReviewQueue, ReviewQueueItem, TraceReview, TraceReviewScore

QUEUE_ORDER = ("name", "id")
ITEM_ORDER = ("created_at", "id")
REVIEW_ORDER = ("-updated_at", "id")
SCORE_ORDER = ("definition__name", "id")


def pending_count() -> Coalesce:
    """The queue's live items, counted by the database for each row of the page."""
    live_items = (
        ReviewQueueItem.objects.filter(queue=OuterRef("pk"), deleted=False)
        .order_by()
        .values("queue")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(live_items, output_field=IntegerField()), Value(0))


def live_queues(*, team: Team) -> QuerySet[ReviewQueue]:
    """The project's queues that are not deleted (no annotations: for checks and locks)."""
    return ReviewQueue.objects.filter(team=team, deleted=False)


def visible_queues(*, team: Team) -> QuerySet[ReviewQueue]:
    """What list and retrieve show: live queues with their pending item count, by name."""
    return (
        live_queues(team=team)
        .select_related("created_by")
        .annotate(pending_item_count=pending_count())
        .order_by(*QUEUE_ORDER)
    )


def get_queue(*, team: Team, pk) -> ReviewQueue | None:
    return visible_queues(team=team).filter(pk=pk).first()


def live_items(*, team: Team) -> QuerySet[ReviewQueueItem]:
    """The project's items that are not deleted and whose queue is not deleted."""
    return ReviewQueueItem.objects.filter(team=team, deleted=False, queue__deleted=False)


def visible_items(*, team: Team) -> QuerySet[ReviewQueueItem]:
    """What list and retrieve show, oldest first; `queue_name` comes from the joined queue."""
    return live_items(team=team).select_related("queue", "created_by").order_by(*ITEM_ORDER)


def get_item(*, team: Team, pk) -> ReviewQueueItem | None:
    return visible_items(team=team).filter(pk=pk).first()


def search_text(queryset: QuerySet, term: str, *fields: str) -> QuerySet:
    """Case-insensitive substring of any of `fields`; a blank term matches everything."""
    term = term.strip()
    if not term:
        return queryset
    if "\x00" in term:
        # No stored text holds U+0000 (inputs are validated), and PostgreSQL cannot be queried with it.
        return queryset.none()
    matches = Q()
    for field in fields:
        matches |= Q(**{f"{field}__icontains": term})
    return queryset.filter(matches)


def active_reviews(*, team: Team) -> QuerySet[TraceReview]:
    return TraceReview.objects.filter(team=team, deleted=False)


def is_reviewed(*, team: Team, trace_id: str) -> bool:
    return active_reviews(team=team).filter(trace_id=trace_id).exists()


def ordered_scores() -> QuerySet[TraceReviewScore]:
    return TraceReviewScore.objects.select_related("definition").order_by(*SCORE_ORDER)


def visible_reviews(*, team: Team) -> QuerySet[TraceReview]:
    """What list and retrieve show: active reviews, most recently saved first, with their scores
    (one query for every score of the page)."""
    return (
        active_reviews(team=team)
        .select_related("created_by", "reviewed_by")
        .prefetch_related(Prefetch("scores", queryset=ordered_scores()))
        .order_by(*REVIEW_ORDER)
    )


def get_review(*, team: Team, pk) -> TraceReview | None:
    return visible_reviews(team=team).filter(pk=pk).first()


def reviews_scoring(queryset: QuerySet[TraceReview], definition_ids) -> QuerySet[TraceReview]:
    """Reviews with a score for any of the given scorers."""
    scored = TraceReviewScore.objects.filter(review=OuterRef("pk"), definition_id__in=definition_ids)
    return queryset.filter(Exists(scored))
