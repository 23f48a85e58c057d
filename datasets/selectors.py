"""Reads of datasets and dataset items, always within one project."""

import json

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from datasets.models import VISIBLE, Dataset, DatasetItem
from llm_server.accounts.models import Team

LIST_ORDER = ("-created_at", "id")


def visible_datasets(*, team: Team) -> QuerySet[Dataset]:
    """What list and retrieve show: the project's datasets not flagged deleted, newest first."""
    return Dataset.objects.filter(VISIBLE, team=team).select_related("created_by").order_by(*LIST_ORDER)


def writable_datasets(*, team: Team) -> QuerySet[Dataset]:
    """What PATCH and PUT reach: soft-deleted rows too, so they can be restored."""
    return Dataset.objects.filter(team=team).select_related("created_by")


def project_datasets(*, team: Team) -> QuerySet[Dataset]:
    """Datasets an item may point at or be filtered by: any of the project's, deleted ones included."""
    return Dataset.objects.filter(team=team)


def search_datasets(queryset: QuerySet[Dataset], term: str) -> QuerySet[Dataset]:
    """Case-insensitive substring of the name, the description or the metadata's JSON text (keys
    included)."""
    term = term.strip()
    if not term:
        return queryset
    if "\x00" in term:
        # No stored text holds U+0000 (inputs are validated), and PostgreSQL cannot be queried with it.
        return queryset.none()
    matches = Q(name__icontains=term) | Q(description__icontains=term) | Q(metadata_text__icontains=term)
    escaped = json.dumps(term)[1:-1]
    if escaped != term:
        # SQLite keeps the JSON text as Django wrote it, with non-ASCII characters \u-escaped.
        matches |= Q(metadata_text__icontains=escaped)
    return queryset.annotate(metadata_text=Cast("metadata", TextField())).filter(matches)


def visible_items(*, team: Team) -> QuerySet[DatasetItem]:
    """What list and retrieve show: the project's items not flagged deleted, newest first.

    An item stays visible when its dataset is soft-deleted.
    """
    return DatasetItem.objects.filter(VISIBLE, team=team).select_related("created_by").order_by(*LIST_ORDER)


def writable_items(*, team: Team) -> QuerySet[DatasetItem]:
    return DatasetItem.objects.filter(team=team).select_related("created_by")
