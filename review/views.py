"""HTTP layer of review queues, queue items and trace reviews: validates input, calls services
and selectors. Domain errors are answered by the global exception handler."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from llm_server.viewsets import ProjectScopedViewSet
from review import selectors, services
from review.filters import ReviewQueueFilter, ReviewQueueItemFilter, TraceReviewFilter
from review.models import ReviewQueue, ReviewQueueItem, TraceReview
from review.serializers import (
    ReviewQueueItemMoveSerializer,
    ReviewQueueItemSerializer,
    ReviewQueueRenameSerializer,
    ReviewQueueSerializer,
    TraceReviewEditSerializer,
    TraceReviewSerializer,
    TraceReviewWriteSerializer,
)

TAGS = ["llm_analytics"]
DELETED = OpenApiResponse(description="Deleted (soft): the object then answers 404 everywhere.")


class ReviewResourceViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ProjectScopedViewSet,
):
    """List, create, retrieve, PATCH and DELETE (soft); PUT is a 405.

    Writes go through the services: the hooks call them and set `serializer.instance` to the row
    they read back, so the response is the written row.
    """

    scope_object = "llm_analytics"
    # PUT (and any method a route does not map) is a 405 after the write-scope check.
    unmapped_method_scope = "write"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # Any segment reaches the id route, so a malformed id is a 404 "Not found." like an unknown one.
    lookup_value_regex = "[^/]+"

    def filter_queryset(self, queryset):
        # Query filters shape lists; they never hide the object of a detail route.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def update(self, request: Request, *args, **kwargs) -> Response:
        # The body is parsed before the lookup: a malformed body is a 400 even for an unknown id.
        request.data  # noqa: B018
        return super().update(request, *args, **kwargs)


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(description="The project's review queues, by name unless `order_by` is given."),
    create=extend_schema(
        description="Create a review queue. The name is trimmed and must be unique among the "
        "project's queues (case-sensitive; a deleted queue's name may be reused).",
        responses={201: ReviewQueueSerializer, 400: OpenApiResponse(description="Invalid or taken name.")},
    ),
    retrieve=extend_schema(description="A review queue with its pending item count."),
    partial_update=extend_schema(
        description="Rename a review queue. Any valid PATCH (even `{}`) bumps `updated_at`.",
        request=ReviewQueueRenameSerializer,
        responses={200: ReviewQueueSerializer, 400: OpenApiResponse(description="Invalid or taken name.")},
    ),
    destroy=extend_schema(
        description="Delete a review queue (soft) and every trace pending in it; those traces can "
        "be queued again.",
        responses={204: DELETED},
    ),
)
class ReviewQueueViewSet(ReviewResourceViewSet):
    """Review queues: named lists of traces waiting for review."""

    serializer_class = ReviewQueueSerializer
    filterset_class = ReviewQueueFilter
    queryset = ReviewQueue.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.visible_queues(team=self.team)

    def get_serializer_class(self):
        return ReviewQueueRenameSerializer if self.action == "partial_update" else ReviewQueueSerializer

    def perform_create(self, serializer: ReviewQueueSerializer) -> None:
        serializer.instance = services.create_queue(
            team=self.team, created_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: ReviewQueueSerializer) -> None:
        serializer.instance = services.update_queue(
            team=self.team, queue_id=serializer.instance.pk, changes=serializer.validated_data
        )

    def perform_destroy(self, instance: ReviewQueue) -> None:
        services.delete_queue(team=self.team, queue_id=instance.pk)


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        description="Traces pending review in the project's live queues, oldest first unless "
        "`order_by` is given."
    ),
    create=extend_schema(
        description="Queue a trace for review. A trace can be pending in one queue of a project at "
        "a time, and a reviewed trace cannot be queued. An unknown or deleted queue is a 400 "
        "`Review queue not found.` (attr `queue_id`).",
        responses={
            201: ReviewQueueItemSerializer,
            400: OpenApiResponse(
                description="Invalid body, unknown queue, or the trace is reviewed or already pending."
            ),
        },
    ),
    retrieve=extend_schema(description="A pending queue item."),
    partial_update=extend_schema(
        description="Move a pending item to another queue of the project. `queue_id` is required; "
        "`trace_id` and any other key are ignored.",
        request=ReviewQueueItemMoveSerializer,
        responses={
            200: ReviewQueueItemSerializer,
            400: OpenApiResponse(description="Missing or unknown queue, or the trace has been reviewed."),
        },
    ),
    destroy=extend_schema(
        description="Remove a trace from its queue (soft delete).", responses={204: DELETED}
    ),
)
class ReviewQueueItemViewSet(ReviewResourceViewSet):
    """Traces pending review, each in one queue."""

    serializer_class = ReviewQueueItemSerializer
    filterset_class = ReviewQueueItemFilter
    queryset = ReviewQueueItem.objects.none()

    def get_queryset(self):
        return selectors.visible_items(team=self.team)

    def get_serializer_class(self):
        return ReviewQueueItemMoveSerializer if self.action == "partial_update" else ReviewQueueItemSerializer

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        # A move names its target queue even on PATCH: the body is validated whole.
        return self.update(request, *args, **kwargs)

    def perform_create(self, serializer: ReviewQueueItemSerializer) -> None:
        serializer.instance = services.create_item(
            team=self.team, created_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: ReviewQueueItemMoveSerializer) -> None:
        serializer.instance = services.move_item(
            team=self.team, item_id=serializer.instance.pk, queue_id=serializer.validated_data["queue_id"]
        )

    def perform_destroy(self, instance: ReviewQueueItem) -> None:
        services.delete_item(team=self.team, item_id=instance.pk)


SCORE_ERRORS = (
    "A score error is reported on `scores`, its detail naming the score and field, e.g. "
    "`scores[0].categorical_values: Select valid categorical option keys.`"
)


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        description="Active trace reviews with their scores, most recently saved first unless "
        "`order_by` is given."
    ),
    create=extend_schema(
        description="Review a trace, with scores. The trace's pending queue item is removed (only "
        "from `queue_id`'s queue when given). A trace has at most one active review. " + SCORE_ERRORS,
        request=TraceReviewWriteSerializer,
        responses={
            201: TraceReviewSerializer,
            400: OpenApiResponse(description="Invalid body or score, or the trace is already reviewed."),
        },
    ),
    retrieve=extend_schema(description="A trace review with its scores."),
    partial_update=extend_schema(
        description="Edit a review: `comment`; `scores` replaces every score (`[]` clears them); "
        "`trace_id` may only be sent unchanged. The caller becomes `reviewed_by`, and the trace's "
        "pending queue item is removed again. " + SCORE_ERRORS,
        request=TraceReviewEditSerializer,
        responses={
            200: TraceReviewSerializer,
            400: OpenApiResponse(description="Invalid body or score, or a changed `trace_id`."),
        },
    ),
    destroy=extend_schema(
        description="Delete a review (soft): the trace may be reviewed or queued again.",
        responses={204: DELETED},
    ),
)
class TraceReviewViewSet(ReviewResourceViewSet):
    """Reviews of traces: a comment and scores given against versions of the project's scorers."""

    serializer_class = TraceReviewSerializer
    filterset_class = TraceReviewFilter
    queryset = TraceReview.objects.none()

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return selectors.visible_reviews(team=self.team)
        # Writes only find the row (404 otherwise); the service reads it back with its scores.
        return selectors.active_reviews(team=self.team)

    def get_serializer_class(self):
        return {
            "create": TraceReviewWriteSerializer,
            "partial_update": TraceReviewEditSerializer,
        }.get(self.action, TraceReviewSerializer)

    def perform_create(self, serializer: TraceReviewWriteSerializer) -> None:
        serializer.instance = services.create_review(
            team=self.team, reviewer=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: TraceReviewWriteSerializer) -> None:
        serializer.instance = services.update_review(
            team=self.team,
            review_id=serializer.instance.pk,
            reviewer=self.request.user,
            changes=serializer.validated_data,
        )

    def perform_destroy(self, instance: TraceReview) -> None:
        services.delete_review(team=self.team, review_id=instance.pk)
