"""Dataset fixtures: project P (`/api/projects/<t>/`), an HTTP helper signed with K_rw, DB helpers."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from datasets.models import Dataset, DatasetItem
from llm_server.accounts.models import Team
from tests.api import ResourceApi, iso, user_json, validation
from tests.conftest import World

DATASET_KEYS = [
    "id",
    "name",
    "description",
    "metadata",
    "created_at",
    "updated_at",
    "deleted",
    "created_by",
    "team",
]
ITEM_KEYS = [
    "id",
    "dataset",
    "input",
    "output",
    "metadata",
    "ref_trace_id",
    "ref_timestamp",
    "ref_source_id",
    "deleted",
    "created_at",
    "updated_at",
    "created_by",
    "team",
]
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"


def dataset_json(dataset: Dataset) -> dict[str, Any]:
    """The exact JSON of a dataset as stored now."""
    dataset.refresh_from_db()
    return {
        "id": str(dataset.id),
        "name": dataset.name,
        "description": dataset.description,
        "metadata": dataset.metadata,
        "created_at": iso(dataset.created_at),
        "updated_at": iso(dataset.updated_at),
        "deleted": dataset.deleted,
        "created_by": user_json(dataset.created_by),
        "team": dataset.team_id,
    }


def item_json(item: DatasetItem) -> dict[str, Any]:
    item.refresh_from_db()
    return {
        "id": str(item.id),
        "dataset": str(item.dataset_id),
        "input": item.input,
        "output": item.output,
        "metadata": item.metadata,
        "ref_trace_id": item.ref_trace_id,
        "ref_timestamp": iso(item.ref_timestamp),
        "ref_source_id": item.ref_source_id,
        "deleted": item.deleted,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "created_by": user_json(item.created_by),
        "team": item.team_id,
    }


def denied(detail: str) -> dict[str, Any]:
    return {"type": "authentication_error", "code": "permission_denied", "detail": detail, "attr": None}


NOT_FOUND = {"type": "invalid_request", "code": "not_found", "detail": "Not found.", "attr": None}
WRITE_DENIED = denied("API key missing required scope 'dataset:write'")
INVALID_DATASET_CHOICE = validation(
    "dataset", "invalid_choice", "Select a valid choice. That choice is not one of the available choices."
)


def does_not_exist(value) -> dict[str, Any]:
    return validation("dataset", "does_not_exist", f'Invalid pk "{value}" - object does not exist.')


@dataclass
class Api(ResourceApi):
    """Requests against one resource of one project, signed with one key."""

    def create(self, **body) -> dict[str, Any]:
        response = self.post("", body)
        assert response.status_code == 201, response.content
        return response.json()


def project_api(client: APIClient, team_id: int, resource: str, key: str, prefix: str = "projects") -> Api:
    return Api(client=client, base=f"/api/{prefix}/{team_id}/{resource}", key=key)


@pytest.fixture
def datasets(client: APIClient, world: World) -> Api:
    return project_api(client, world.t, "datasets", world.k_rw)


@pytest.fixture
def items(client: APIClient, world: World) -> Api:
    return project_api(client, world.t, "dataset_items", world.k_rw)


@pytest.fixture
def dataset(world: World) -> Dataset:
    """D: a dataset of P."""
    return make_dataset(world.team, "D", created_by=world.user)


@pytest.fixture
def foreign_dataset(world: World, other_member) -> Dataset:
    """A dataset of Q (T_B, another organization)."""
    return make_dataset(world.team_b, "Q's", created_by=other_member[0])


def make_dataset(team: Team, name: str = "D", **fields) -> Dataset:
    return Dataset.objects.create(team=team, name=name, **fields)


_last_created_at: list = []


def make_items(dataset: Dataset, count: int, *, team: Team | None = None, **fields) -> list[DatasetItem]:
    """Items with strictly increasing created_at (a millisecond apart, in the past), oldest first;
    each call's items are newer than the previous call's."""
    start = timezone.now() - timedelta(hours=1)
    if _last_created_at and _last_created_at[0] >= start:
        start = _last_created_at[0] + timedelta(milliseconds=1)
    _last_created_at[:] = [start + timedelta(milliseconds=count)]
    rows = [
        DatasetItem(
            team=team or dataset.team,
            dataset=dataset,
            created_at=start + timedelta(milliseconds=i),
            **{"input": {"n": i}, **fields},
        )
        for i in range(count)
    ]
    return DatasetItem.objects.bulk_create(rows, batch_size=2000)
