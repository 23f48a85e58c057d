"""Every write to datasets and dataset items."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from datasets.models import Dataset, DatasetItem
from llm_server.accounts.models import Team, User
from llm_server.domain import DomainValidationError
from llm_server.soft_delete import deleted_at_after

MAX_BULK_ITEMS = 1000
ITEM_CONTENT_FIELDS = ("input", "output", "metadata", "ref_trace_id", "ref_timestamp", "ref_source_id")

_UNSET: Any = object()
Row = TypeVar("Row", Dataset, DatasetItem)


def _ensure_same_project(*, team: Team, dataset: Dataset) -> None:
    # Decision 5: another project's dataset is answered exactly like a missing one.
    if dataset.team_id != team.id:
        raise DomainValidationError(
            f'Invalid pk "{dataset.pk}" - object does not exist.', attr="dataset", code="does_not_exist"
        )


def _apply(instance: Row, changes: Mapping[str, Any]) -> Row:
    """Writes the given fields and `updated_at` (always: an empty PATCH still touches it, spec §2.1)."""
    fields = ["updated_at"]
    if "deleted" in changes:
        instance.deleted_at = deleted_at_after(instance.deleted_at, instance.deleted, changes["deleted"])
        fields.append("deleted_at")
    for name, value in changes.items():
        setattr(instance, name, value)
        fields.append(name)
    instance.save(update_fields=fields)
    return instance


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


def update_dataset(
    *,
    dataset: Dataset,
    name: str = _UNSET,
    description: str | None = _UNSET,
    metadata: Any = _UNSET,
    deleted: bool | None = _UNSET,
) -> Dataset:
    """PATCH/PUT: only the given fields change. Deleted rows can be edited and restored (spec §4.4)."""
    changes = {"name": name, "description": description, "metadata": metadata, "deleted": deleted}
    return _apply(dataset, {key: value for key, value in changes.items() if value is not _UNSET})


def set_datasets_deleted(*, datasets: Sequence[Dataset], deleted: bool) -> int:
    """Flags (or restores) several datasets in one transaction; used by the admin's actions."""
    with transaction.atomic():
        for dataset in datasets:
            update_dataset(dataset=dataset, deleted=deleted)
    return len(datasets)


def set_items_deleted(*, items: Sequence[DatasetItem], deleted: bool) -> int:
    """Flags (or restores) several items in one transaction; used by the admin's actions."""
    with transaction.atomic():
        for item in items:
            _apply(item, {"deleted": deleted})
    return len(items)


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


def update_dataset_item(
    *,
    team: Team,
    item: DatasetItem,
    dataset: Dataset = _UNSET,
    input: Any = _UNSET,
    output: Any = _UNSET,
    metadata: Any = _UNSET,
    ref_trace_id: str | None = _UNSET,
    ref_timestamp: datetime | None = _UNSET,
    ref_source_id: str | None = _UNSET,
    deleted: bool | None = _UNSET,
) -> DatasetItem:
    """PATCH/PUT: only the given fields change; a new `dataset` moves the item, within its project."""
    if dataset is not _UNSET:
        _ensure_same_project(team=team, dataset=dataset)
    changes = {
        "dataset": dataset,
        "input": input,
        "output": output,
        "metadata": metadata,
        "ref_trace_id": ref_trace_id,
        "ref_timestamp": ref_timestamp,
        "ref_source_id": ref_source_id,
        "deleted": deleted,
    }
    return _apply(item, {key: value for key, value in changes.items() if value is not _UNSET})


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
