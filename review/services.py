"""Every write to review queues, queue items and trace reviews.

A trace is pending (one live item) or reviewed (one active review), never both. Every write that
could break that (queueing, moving, deleting a queue, reviewing, restoring) runs in one
transaction behind a lock per project, re-reads what it checks after taking the lock, and lets
the partial unique constraints settle whatever gets past it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from llm_server.accounts.models import Team, User
from llm_server.domain import DomainValidationError, ObjectNotFound
from llm_server.soft_delete import apply_changes
from llm_server.versioning import is_unique_violation
from review import selectors
from review.models import SCORE_VALUE_FIELDS, ReviewQueue, ReviewQueueItem, TraceReview, TraceReviewScore
from scores.config import score_value_error
from scores.models import ScoreDefinition, ScoreDefinitionVersion

QUEUE_NAME_TAKEN = "A queue with this name already exists."
QUEUE_NOT_FOUND = "Review queue not found."
ALREADY_REVIEWED = "This trace is already reviewed and cannot be added to a queue."
REVIEWED_CANNOT_STAY = "This trace is already reviewed and cannot stay queued."
PENDING_IN_THIS_QUEUE = "This trace is already pending in this queue."
PENDING_IN_ANOTHER_QUEUE = "This trace is already pending in another queue."
REVIEW_EXISTS = "An active review already exists for this trace."
TRACE_ID_IS_FIXED = "Trace ID cannot be changed once a review is created."

# Keys of the project lock: its own namespace (the two-key form), then the project id.
LOCK_NAMESPACE = 0x52455657  # "REVW"
LOCK_KEY_SPACE = 2**31


def lock_project(team: Team) -> None:
    """Serialises, until commit, the writes of one project that decide whether a trace is pending
    or reviewed. SQLite serialises every writer anyway."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, team.pk % LOCK_KEY_SPACE])


def _insert(model, *, clash: DomainValidationError, **fields):
    """Inserts a row; a unique clash (a writer that got past the checks) is `clash`."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise clash from exc


# ---- queues ----------------------------------------------------------------------------------


def _name_taken() -> DomainValidationError:
    return DomainValidationError(QUEUE_NAME_TAKEN, attr="name", code="invalid_input")


def create_queue(*, team: Team, created_by: User | None, name: str) -> ReviewQueue:
    with transaction.atomic():
        if selectors.live_queues(team=team).filter(name=name).exists():
            raise _name_taken()
        queue = _insert(ReviewQueue, clash=_name_taken(), team=team, created_by=created_by, name=name)
        return selectors.get_queue(team=team, pk=queue.pk)


def update_queue(*, team: Team, queue_id: UUID, changes: Mapping[str, Any]) -> ReviewQueue:
    """Renames a live queue (only `name` may change); every update bumps `updated_at`."""
    with transaction.atomic():
        queue = selectors.live_queues(team=team).select_for_update().filter(pk=queue_id).first()
        if queue is None:
            raise ObjectNotFound()
        name = changes.get("name")
        if (
            name is not None
            and selectors.live_queues(team=team).filter(name=name).exclude(pk=queue.pk).exists()
        ):
            raise _name_taken()
        try:
            with transaction.atomic():
                apply_changes(queue, changes, allowed=("name",))
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise _name_taken() from exc
        return selectors.get_queue(team=team, pk=queue.pk)


def delete_queue(*, team: Team, queue_id: UUID) -> None:
    """Soft-deletes a live queue and every live item in it, all with one timestamp; their traces
    can then be queued again."""
    with transaction.atomic():
        lock_project(team)
        queue = selectors.live_queues(team=team).select_for_update().filter(pk=queue_id).first()
        if queue is None:
            raise ObjectNotFound()
        now = timezone.now()
        ReviewQueueItem.objects.filter(queue=queue, deleted=False).update(
            deleted=True, deleted_at=now, updated_at=now
        )
        ReviewQueue.objects.filter(pk=queue.pk).update(deleted=True, deleted_at=now, updated_at=now)


def restore_queue(*, team: Team, queue_id: UUID) -> ReviewQueue:
    """Brings a deleted queue back, empty: its items stay deleted (each may be restored on its own)."""
    with transaction.atomic():
        queue = ReviewQueue.objects.select_for_update().filter(team=team, pk=queue_id).first()
        if queue is None:
            raise ObjectNotFound()
        if not queue.deleted:
            return queue
        if selectors.live_queues(team=team).filter(name=queue.name).exists():
            raise _name_taken()
        try:
            with transaction.atomic():
                return apply_changes(queue, {"deleted": False})
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise _name_taken() from exc


# ---- queue items -----------------------------------------------------------------------------


def _target_queue(team: Team, queue_id: UUID) -> ReviewQueue:
    queue = selectors.live_queues(team=team).filter(pk=queue_id).first()
    if queue is None:
        raise DomainValidationError(QUEUE_NOT_FOUND, attr="queue_id")
    return queue


def _ensure_queueable(team: Team, trace_id: str, queue: ReviewQueue) -> None:
    """A trace can be queued when it is neither reviewed nor pending anywhere."""
    if selectors.is_reviewed(team=team, trace_id=trace_id):
        raise DomainValidationError(ALREADY_REVIEWED, attr="trace_id")
    pending = ReviewQueueItem.objects.filter(team=team, trace_id=trace_id, deleted=False).first()
    if pending is not None:
        message = PENDING_IN_THIS_QUEUE if pending.queue_id == queue.pk else PENDING_IN_ANOTHER_QUEUE
        raise DomainValidationError(message, attr="trace_id")


def create_item(*, team: Team, created_by: User | None, queue_id: UUID, trace_id: str) -> ReviewQueueItem:
    """Queues a trace in a live queue of the project."""
    with transaction.atomic():
        lock_project(team)
        queue = _target_queue(team, queue_id)
        _ensure_queueable(team, trace_id, queue)
        item = _insert(
            ReviewQueueItem,
            clash=DomainValidationError(PENDING_IN_ANOTHER_QUEUE, attr="trace_id"),
            team=team,
            queue=queue,
            trace_id=trace_id,
            created_by=created_by,
        )
        return selectors.get_item(team=team, pk=item.pk)


def move_item(*, team: Team, item_id: UUID, queue_id: UUID) -> ReviewQueueItem:
    """Moves a pending item to another live queue (or touches it, moved to its own queue)."""
    with transaction.atomic():
        lock_project(team)
        item = selectors.live_items(team=team).select_for_update(of=("self",)).filter(pk=item_id).first()
        if item is None:
            raise ObjectNotFound()
        queue = _target_queue(team, queue_id)
        if selectors.is_reviewed(team=team, trace_id=item.trace_id):
            raise DomainValidationError(REVIEWED_CANNOT_STAY, attr="trace_id")
        apply_changes(item, {"queue": queue})
        return selectors.get_item(team=team, pk=item.pk)


def delete_item(*, team: Team, item_id: UUID) -> None:
    with transaction.atomic():
        item = selectors.live_items(team=team).select_for_update(of=("self",)).filter(pk=item_id).first()
        if item is None:
            raise ObjectNotFound()
        apply_changes(item, {"deleted": True})


def restore_item(*, team: Team, item_id: UUID) -> ReviewQueueItem:
    """Puts a deleted item back in its queue, if the trace could be queued there now."""
    with transaction.atomic():
        lock_project(team)
        item = ReviewQueueItem.objects.select_for_update().filter(team=team, pk=item_id).first()
        if item is None:
            raise ObjectNotFound()
        if not item.deleted:
            return item
        queue = _target_queue(team, item.queue_id)
        _ensure_queueable(team, item.trace_id, queue)
        try:
            with transaction.atomic():
                return apply_changes(item, {"deleted": False})
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise DomainValidationError(PENDING_IN_ANOTHER_QUEUE, attr="trace_id") from exc


# ---- trace reviews ---------------------------------------------------------------------------


def _clear_pending(team: Team, trace_id: str, queue_id: UUID | None, now) -> int:
    """Soft-deletes the trace's pending item (only when it is in `queue_id`'s queue, if given)."""
    items = ReviewQueueItem.objects.filter(team=team, trace_id=trace_id, deleted=False)
    if queue_id is not None:
        items = items.filter(queue_id=queue_id)
    return items.update(deleted=True, deleted_at=now, updated_at=now)


def _review_exists() -> DomainValidationError:
    return DomainValidationError(REVIEW_EXISTS, attr="trace_id")


def create_review(
    *,
    team: Team,
    reviewer: User | None,
    trace_id: str,
    comment: str | None = None,
    scores: Sequence[Mapping[str, Any]] = (),
    queue_id: UUID | None = None,
) -> TraceReview:
    """Reviews a trace and clears its pending item, in one transaction."""
    with transaction.atomic():
        lock_project(team)
        if selectors.is_reviewed(team=team, trace_id=trace_id):
            raise _review_exists()
        checked = check_scores(team=team, scores=scores)
        review = _insert(
            TraceReview,
            clash=_review_exists(),
            team=team,
            trace_id=trace_id,
            comment=comment,
            created_by=reviewer,
            reviewed_by=reviewer,
        )
        _write_scores(review, checked, author=reviewer)
        _clear_pending(team, trace_id, queue_id, review.updated_at)
        return selectors.get_review(team=team, pk=review.pk)


def update_review(
    *,
    team: Team,
    review_id: UUID,
    reviewer: User | None,
    changes: Mapping[str, Any],
) -> TraceReview:
    """Edits an active review: `comment`; `scores` (when given) replaces every score; `trace_id`
    may only be sent unchanged. Saving clears the trace's pending item again."""
    changes = dict(changes)
    queue_id = changes.pop("queue_id", None)
    trace_id = changes.pop("trace_id", None)
    scores = changes.pop("scores", None)
    with transaction.atomic():
        lock_project(team)
        review = selectors.active_reviews(team=team).select_for_update().filter(pk=review_id).first()
        if review is None:
            raise ObjectNotFound()
        if trace_id is not None and trace_id != review.trace_id:
            raise DomainValidationError(TRACE_ID_IS_FIXED, attr="trace_id")
        checked = check_scores(team=team, scores=scores) if scores is not None else None
        apply_changes(review, {**changes, "reviewed_by": reviewer}, allowed=("comment", "reviewed_by"))
        if checked is not None:
            _write_scores(review, checked, author=reviewer, replace=True)
        _clear_pending(team, review.trace_id, queue_id, review.updated_at)
        return selectors.get_review(team=team, pk=review.pk)


def delete_review(*, team: Team, review_id: UUID) -> None:
    """Soft-deletes a review: the trace may be reviewed, or queued, again."""
    with transaction.atomic():
        review = selectors.active_reviews(team=team).select_for_update().filter(pk=review_id).first()
        if review is None:
            raise ObjectNotFound()
        apply_changes(review, {"deleted": True})


def restore_review(*, team: Team, review_id: UUID) -> TraceReview:
    """Makes a deleted review active again, if the trace has no other; its pending item is cleared."""
    with transaction.atomic():
        lock_project(team)
        review = TraceReview.objects.select_for_update().filter(team=team, pk=review_id).first()
        if review is None:
            raise ObjectNotFound()
        if not review.deleted:
            return review
        if selectors.is_reviewed(team=team, trace_id=review.trace_id):
            raise _review_exists()
        try:
            with transaction.atomic():
                apply_changes(review, {"deleted": False})
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise _review_exists() from exc
        _clear_pending(team, review.trace_id, None, review.updated_at)
        return review


# ---- scores ----------------------------------------------------------------------------------

SCORER_REPEATED = "Each scorer can only appear once per review."
UNKNOWN_SCORER = "Unknown scorer definition."
NO_CURRENT_VERSION = "This scorer does not have a current version."
UNKNOWN_VERSION = "Unknown scorer version."
VERSION_OF_ANOTHER_SCORER = "This scorer version does not belong to the scorer."


@dataclass(frozen=True)
class CheckedScore:
    """A score whose value fits the scorer version it will be stored against."""

    definition: ScoreDefinition
    version: ScoreDefinitionVersion
    field: str
    value: Any


def score_error(index: int, field: str, message: str) -> DomainValidationError:
    """Every score error is reported on `scores`, naming the score and its field."""
    return DomainValidationError(f"scores[{index}].{field}: {message}", attr="scores", code="invalid_input")


def check_scores(*, team: Team, scores: Sequence[Mapping[str, Any]]) -> list[CheckedScore]:
    """Checks each score against its scorer (of this project, archived or not) and the version it
    names, or the scorer's current version; the first failing score is the error."""
    if not scores:
        return []
    definitions = {
        row.pk: row
        for row in ScoreDefinition.objects.filter(
            team=team, pk__in={score["definition_id"] for score in scores}
        ).select_related("current_version")
    }
    named = {score["definition_version_id"] for score in scores if score.get("definition_version_id")}
    versions = (
        {row.pk: row for row in ScoreDefinitionVersion.objects.filter(pk__in=named, definition__team=team)}
        if named
        else {}
    )
    checked: list[CheckedScore] = []
    seen: set[UUID] = set()
    for index, score in enumerate(scores):
        definition_id = score["definition_id"]
        if definition_id in seen:
            raise score_error(index, "definition_id", SCORER_REPEATED)
        seen.add(definition_id)
        definition = definitions.get(definition_id)
        if definition is None:
            raise score_error(index, "definition_id", UNKNOWN_SCORER)
        version_id = score.get("definition_version_id")
        if version_id is None:
            version = definition.current_version
            if version is None:
                raise score_error(index, "definition_id", NO_CURRENT_VERSION)
        else:
            version = versions.get(version_id)
            if version is None:
                raise score_error(index, "definition_version_id", UNKNOWN_VERSION)
            if version.definition_id != definition.pk:
                raise score_error(index, "definition_version_id", VERSION_OF_ANOTHER_SCORER)
        values = {name: score.get(name) for name in SCORE_VALUE_FIELDS}
        # The value the scorer's kind needs, and what that version's config allows.
        problem = score_value_error(definition.kind, version.config, **values)
        if problem:
            raise score_error(index, problem.field, problem.message)
        field = next(name for name, value in values.items() if value is not None)
        checked.append(CheckedScore(definition=definition, version=version, field=field, value=values[field]))
    return checked


def _write_scores(
    review: TraceReview, checked: Sequence[CheckedScore], *, author: User | None, replace: bool = False
) -> None:
    """Stores the scores with a snapshot of the version each was checked against; `replace`
    drops the review's earlier scores first."""
    if replace:
        TraceReviewScore.objects.filter(review=review).delete()
    TraceReviewScore.objects.bulk_create(
        [
            TraceReviewScore(
                team_id=review.team_id,
                review=review,
                definition=score.definition,
                definition_version=score.version,
                definition_version_number=score.version.version,
                definition_config=score.version.config,
                created_by=author,
                **{score.field: score.value},
            )
            for score in checked
        ]
    )
