"""Review queues, the traces pending in them, and the reviews (with scores) given to traces.

A trace is either pending (one live item, in one queue of its project) or reviewed (one active
review), never both: every write that could break that runs behind one lock per project
(review.services), and the partial unique constraints below back it up.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from llm_server.accounts.models import Team, User
from llm_server.ids import uuid7
from llm_server.records import ProjectRecord

TRACE_ID_MAX_LENGTH = 255
QUEUE_NAME_MAX_LENGTH = 255

LIVE = Q(deleted=False)
# A score holds exactly one of these.
SCORE_VALUE_FIELDS = ("categorical_values", "numeric_value", "boolean_value")


class ReviewQueue(ProjectRecord):
    """A named list of traces waiting for review."""

    name = models.CharField(max_length=QUEUE_NAME_MAX_LENGTH)

    class Meta(ProjectRecord.Meta):
        ordering = ["name", "id"]
        constraints = [
            # Case-sensitive; a deleted queue's name may be reused. Also serves the list by name.
            models.UniqueConstraint(fields=["team", "name"], condition=LIVE, name="review_queue_live_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewQueueItem(ProjectRecord):
    """A trace pending review in a queue."""

    queue = models.ForeignKey(ReviewQueue, on_delete=models.CASCADE, related_name="items")
    trace_id = models.CharField(max_length=TRACE_ID_MAX_LENGTH)

    class Meta(ProjectRecord.Meta):
        ordering = ["created_at", "id"]
        constraints = [
            # A trace is pending in at most one queue of its project.
            models.UniqueConstraint(
                fields=["team", "trace_id"], condition=LIVE, name="review_item_one_live_per_trace"
            ),
        ]
        indexes = [
            models.Index(
                fields=["team", "created_at", "id"], condition=LIVE, name="review_item_live_list_idx"
            ),
            # Each queue's pending count.
            models.Index(fields=["queue"], condition=LIVE, name="review_item_live_by_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.trace_id


class TraceReview(ProjectRecord):
    """A reviewer's verdict on one trace: a comment and scores."""

    trace_id = models.CharField(max_length=TRACE_ID_MAX_LENGTH)
    comment = models.TextField(null=True, blank=True)  # noqa: DJ001 (no comment is null, not "")
    # Who saved it last.
    reviewed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta(ProjectRecord.Meta):
        ordering = ["-updated_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "trace_id"], condition=LIVE, name="trace_review_one_active_per_trace"
            ),
        ]
        indexes = [
            models.Index(
                fields=["team", "-updated_at", "id"], condition=LIVE, name="trace_review_live_list_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.trace_id


class TraceReviewScore(models.Model):
    """One scorer's value in a review, given against one version of the scorer's config.

    The version's id, number and config are kept with the score, so it keeps meaning what that
    version said after the scorer changes.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(TraceReview, on_delete=models.CASCADE, related_name="scores")
    # Scorers and their versions are never deleted while a score refers to them.
    definition = models.ForeignKey("scores.ScoreDefinition", on_delete=models.RESTRICT, related_name="+")
    definition_version = models.ForeignKey(
        "scores.ScoreDefinitionVersion", on_delete=models.RESTRICT, related_name="+"
    )
    definition_version_number = models.PositiveIntegerField()
    definition_config = models.JSONField()
    categorical_values = models.JSONField(null=True, blank=True)
    numeric_value = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    boolean_value = models.BooleanField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["definition__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "definition"], name="trace_review_score_one_per_scorer"
            ),
            # Exactly one value column holds the score.
            models.CheckConstraint(
                condition=(
                    Q(
                        categorical_values__isnull=False,
                        numeric_value__isnull=True,
                        boolean_value__isnull=True,
                    )
                    | Q(
                        categorical_values__isnull=True,
                        numeric_value__isnull=False,
                        boolean_value__isnull=True,
                    )
                    | Q(
                        categorical_values__isnull=True,
                        numeric_value__isnull=True,
                        boolean_value__isnull=False,
                    )
                ),
                name="trace_review_score_one_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition_id} v{self.definition_version_number}"
