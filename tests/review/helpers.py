"""Review helpers: HTTP clients for the three resources, exact-body builders read from the
database, and rows made directly (scorers too, so these tests do not depend on the scorer API)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from llm_server.accounts.models import Team, User
from review.models import ReviewQueue, ReviewQueueItem, TraceReview, TraceReviewScore
from scores.models import ScoreDefinition, ScoreDefinitionVersion
from tests.api import (
    ResourceApi,
    iso,
    method_not_allowed,
    missing_scope,
    not_found,
    permission_denied,
    user_json,
    validation,
)

QUEUE_KEYS = ["id", "name", "pending_item_count", "created_at", "updated_at", "created_by", "team"]
ITEM_KEYS = ["id", "queue_id", "queue_name", "trace_id", "created_at", "updated_at", "created_by", "team"]
REVIEW_KEYS = [
    "id",
    "trace_id",
    "comment",
    "created_at",
    "updated_at",
    "created_by",
    "reviewed_by",
    "scores",
    "team",
]
SCORE_KEYS = [
    "id",
    "definition_id",
    "definition_name",
    "definition_kind",
    "definition_archived",
    "definition_version_id",
    "definition_version",
    "definition_config",
    "categorical_values",
    "numeric_value",
    "boolean_value",
    "created_at",
    "updated_at",
]
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

NOT_FOUND = not_found()
NAME_TAKEN = validation("name", "invalid_input", "A queue with this name already exists.")
QUEUE_NOT_FOUND = validation("queue_id", "invalid_input", "Review queue not found.")
PENDING_HERE = validation("trace_id", "invalid_input", "This trace is already pending in this queue.")
PENDING_ELSEWHERE = validation("trace_id", "invalid_input", "This trace is already pending in another queue.")
ALREADY_REVIEWED = validation(
    "trace_id", "invalid_input", "This trace is already reviewed and cannot be added to a queue."
)
REVIEWED_CANNOT_STAY = validation(
    "trace_id", "invalid_input", "This trace is already reviewed and cannot stay queued."
)
REVIEW_EXISTS = validation("trace_id", "invalid_input", "An active review already exists for this trace.")
REQUIRED = "This field is required."
PUT_NOT_ALLOWED = method_not_allowed("PUT")
WRITE_DENIED = missing_scope("llm_analytics:write")
READ_DENIED = missing_scope("llm_analytics:read")
denied = permission_denied


def score_invalid(detail: str, code: str = "invalid_input") -> dict[str, Any]:
    return validation("scores", code, detail)


# ---- HTTP -----------------------------------------------------------------------------------------


@dataclass
class Api(ResourceApi):
    """Requests against one review resource of one project, signed with one key."""

    def create(self, **body) -> dict[str, Any]:
        response = self.post("", body)
        assert response.status_code == 201, response.content
        return response.json()

    def rows(self, params: dict | None = None, **kwargs) -> list[dict[str, Any]]:
        response = self.get("", params, **kwargs)
        assert response.status_code == 200, response.content
        return response.json()["results"]


def api(client: APIClient, team_id: int | str, resource: str, key: str, prefix: str = "environments") -> Api:
    return Api(client=client, base=f"/api/{prefix}/{team_id}/llm_analytics/{resource}", key=key)


def names(rows: list[dict]) -> list[str]:
    return [row["name"] for row in rows]


def trace_ids(rows: list[dict]) -> list[str]:
    return [row["trace_id"] for row in rows]


# ---- rows -----------------------------------------------------------------------------------------


def make_queue(team: Team, name: str, *, created_by: User | None = None, **fields) -> ReviewQueue:
    return ReviewQueue.objects.create(team=team, name=name, created_by=created_by, **fields)


def make_item(queue: ReviewQueue, trace_id: str, **fields) -> ReviewQueueItem:
    return ReviewQueueItem.objects.create(team_id=queue.team_id, queue=queue, trace_id=trace_id, **fields)


def make_review(team: Team, trace_id: str, **fields) -> TraceReview:
    """An active review inserted directly (no queue item is cleared)."""
    return TraceReview.objects.create(team=team, trace_id=trace_id, **fields)


def aged(row, minutes_ago: int):
    """Moves a row's created_at (and updated_at) into the past, so list order is deterministic."""
    moment = timezone.now() - timedelta(minutes=minutes_ago)
    type(row).objects.filter(pk=row.pk).update(created_at=moment, updated_at=moment)
    row.refresh_from_db()
    return row


def make_scorer(
    team: Team, name: str, kind: str, config: dict, *, archived: bool = False, created_by: User | None = None
) -> ScoreDefinition:
    """A scorer at version 1 holding `config` as given (already in stored form)."""
    definition = ScoreDefinition.objects.create(
        team=team, name=name, kind=kind, archived=archived, created_by=created_by
    )
    add_version(definition, config)
    return definition


def add_version(definition: ScoreDefinition, config: dict) -> ScoreDefinitionVersion:
    """Appends the next version and makes it current."""
    number = (definition.current_version.version if definition.current_version_id else 0) + 1
    version = ScoreDefinitionVersion.objects.create(definition=definition, version=number, config=config)
    definition.current_version = version
    definition.save(update_fields=["current_version", "updated_at"])
    return version


QUALITY_CONFIG = {"options": [{"key": "good", "label": "Good"}, {"key": "bad", "label": "Bad"}]}
TAGS_CONFIG = {
    "options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}, {"key": "c", "label": "C"}],
    "selection_mode": "multiple",
    "min_selections": 2,
    "max_selections": 2,
}
RATING_CONFIG = {"min": 0.0, "max": 5.0, "step": 0.5}
RESOLVED_CONFIG = {"true_label": "Yes", "false_label": "No"}


# ---- exact bodies ---------------------------------------------------------------------------------


def queue_json(queue: ReviewQueue) -> dict[str, Any]:
    """The exact JSON of a queue as stored now."""
    queue.refresh_from_db()
    return {
        "id": str(queue.id),
        "name": queue.name,
        "pending_item_count": ReviewQueueItem.objects.filter(
            queue=queue, deleted=False, queue__deleted=False
        ).count(),
        "created_at": iso(queue.created_at),
        "updated_at": iso(queue.updated_at),
        "created_by": user_json(queue.created_by),
        "team": queue.team_id,
    }


def item_json(item: ReviewQueueItem) -> dict[str, Any]:
    item.refresh_from_db()
    return {
        "id": str(item.id),
        "queue_id": str(item.queue_id),
        "queue_name": item.queue.name,
        "trace_id": item.trace_id,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "created_by": user_json(item.created_by),
        "team": item.team_id,
    }


def numeric_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.6f}"


def score_json(score: TraceReviewScore) -> dict[str, Any]:
    score.refresh_from_db()
    return {
        "id": str(score.id),
        "definition_id": str(score.definition_id),
        "definition_name": score.definition.name,
        "definition_kind": score.definition.kind,
        "definition_archived": score.definition.archived,
        "definition_version_id": str(score.definition_version_id),
        "definition_version": score.definition_version_number,
        "definition_config": score.definition_config,
        "categorical_values": score.categorical_values,
        "numeric_value": numeric_text(score.numeric_value),
        "boolean_value": score.boolean_value,
        "created_at": iso(score.created_at),
        "updated_at": iso(score.updated_at),
    }


def review_json(review: TraceReview) -> dict[str, Any]:
    review.refresh_from_db()
    scores = TraceReviewScore.objects.filter(review=review).order_by("definition__name", "id")
    return {
        "id": str(review.id),
        "trace_id": review.trace_id,
        "comment": review.comment,
        "created_at": iso(review.created_at),
        "updated_at": iso(review.updated_at),
        "created_by": user_json(review.created_by),
        "reviewed_by": user_json(review.reviewed_by),
        "scores": [score_json(score) for score in scores],
        "team": review.team_id,
    }


def pending(team: Team) -> dict[str, str]:
    """trace id -> queue name of every live item (in a live queue) of the project."""
    rows = ReviewQueueItem.objects.filter(team=team, deleted=False, queue__deleted=False)
    return dict(rows.values_list("trace_id", "queue__name"))


def reviewed(team: Team) -> set[str]:
    return set(TraceReview.objects.filter(team=team, deleted=False).values_list("trace_id", flat=True))


def assert_pending_and_reviewed_exclusive(team: Team) -> None:
    """No trace is both pending and reviewed, pending twice, or pending in a deleted queue."""
    live = ReviewQueueItem.objects.filter(team=team, deleted=False)
    assert not live.filter(queue__deleted=True).exists(), "a live item in a deleted queue"
    traces = list(live.values_list("trace_id", flat=True))
    assert len(traces) == len(set(traces)), "a trace pending twice"
    assert not set(traces) & reviewed(team), "a trace both pending and reviewed"
