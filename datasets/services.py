"""Every write to datasets and dataset items."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from datasets.models import Dataset, DatasetItem
from llm_server.accounts.models import Team, User
from llm_server.domain import DomainValidationError
from llm_server.soft_delete import apply_changes, deleted_at_after

MAX_BULK_ITEMS = 1000
ITEM_CONTENT_FIELDS = ("input", "output", "metadata", "ref_trace_id", "ref_timestamp", "ref_source_id")
# What PATCH, PUT and the admin may change.
DATASET_FIELDS = ("name", "description", "metadata", "deleted")
ITEM_FIELDS = ("dataset", *ITEM_CONTENT_FIELDS, "deleted")


def _ensure_same_project(*, team: Team, dataset: Dataset) -> None:
    # Another project's dataset is answered exactly like a missing one.
    if dataset.team_id != team.id:
        raise DomainValidationError(
            f'Invalid pk "{dataset.pk}" - object does not exist.', attr="dataset", code="does_not_exist"
        )


def create_dataset(
    *,
    team: Team,
    created_by: User | None,
    name: str,
    description: str | None = None,
    metadata: Any = None,
    deleted: bool | None = False,
) -> Dataset:
    return Dataset.objects.create(
        team=team,
        created_by=created_by,
        name=name,
        description=description,
        metadata=metadata,
        deleted=deleted,
        deleted_at=deleted_at_after(None, None, deleted),
    )


def update_dataset(*, dataset: Dataset, changes: Mapping[str, Any]) -> Dataset:
    """PATCH/PUT: only the given fields change, and `updated_at` always (an empty PATCH still
    touches it). Deleted rows can be edited and restored."""
    return apply_changes(dataset, changes, allowed=DATASET_FIELDS)


def create_dataset_item(
    *,
    team: Team,
    dataset: Dataset,
    created_by: User | None,
    input: Any = None,
    output: Any = None,
    metadata: Any = None,
    ref_trace_id: str | None = None,
    ref_timestamp: datetime | None = None,
    ref_source_id: str | None = None,
    deleted: bool | None = False,
) -> DatasetItem:
    _ensure_same_project(team=team, dataset=dataset)
    return DatasetItem.objects.create(
        team=team,
        dataset=dataset,
        created_by=created_by,
        input=input,
        output=output,
        metadata=metadata,
        ref_trace_id=ref_trace_id,
        ref_timestamp=ref_timestamp,
        ref_source_id=ref_source_id,
        deleted=deleted,
        deleted_at=deleted_at_after(None, None, deleted),
    )


def update_dataset_item(*, team: Team, item: DatasetItem, changes: Mapping[str, Any]) -> DatasetItem:
    """PATCH/PUT: only the given fields change; a new `dataset` moves the item, within its project."""
    if "dataset" in changes:
        _ensure_same_project(team=team, dataset=changes["dataset"])
    return apply_changes(item, changes, allowed=ITEM_FIELDS)


def bulk_create_dataset_items(
    *, team: Team, dataset: Dataset, created_by: User | None, items: Sequence[Mapping[str, Any]]
) -> list[DatasetItem]:
    """Creates 1 to MAX_BULK_ITEMS items of one dataset with a single INSERT: all or nothing.

    The items share one `created_at`, so the list (newest first, then id) shows them in the order
    they were sent: ids are time-ordered and generated in sequence.
    """
    _ensure_same_project(team=team, dataset=dataset)
    if not 1 <= len(items) <= MAX_BULK_ITEMS:
        raise DomainValidationError(
            f"Send between 1 and {MAX_BULK_ITEMS} items.", attr="items", code="invalid_input"
        )
    now = timezone.now()
    rows = [
        DatasetItem(
            team=team,
            dataset=dataset,
            created_by=created_by,
            created_at=now,
            **{name: entry.get(name) for name in ITEM_CONTENT_FIELDS},
        )
        for entry in items
    ]
    with transaction.atomic():
        # One INSERT on PostgreSQL. On SQLite, Django 5.2 assumes a 999-parameter limit and splits
        # the rows into several INSERTs, all inside this transaction.
        return DatasetItem.objects.bulk_create(rows)
