"""Dataset test helpers: the exact JSON of stored rows, the error bodies the suites share, an HTTP
helper for one resource of a project, and DB helpers that seed rows directly."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils import timezone
from rest_framework.test import APIClient

from datasets.models import Dataset, DatasetItem
from llm_server.accounts.models import Team
from tests.api import ResourceApi, bearer, iso, missing_scope, user_json, validation

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

# Key lookup, project (with membership), COUNT, page (+ the page's rows for items, + the
# `?dataset=` choice check). Retrieve: key, project, row.
LIST_DATASETS_QUERIES = 4
LIST_ITEMS_QUERIES = 5
LIST_ITEMS_BY_DATASET_QUERIES = 6
RETRIEVE_QUERIES = 3

WRITE_DENIED = missing_scope("dataset:write")
INVALID_DATASET_CHOICE = validation(
    "dataset", "invalid_choice", "Select a valid choice. That choice is not one of the available choices."
)


def does_not_exist(value) -> dict[str, Any]:
    return validation("dataset", "does_not_exist", f'Invalid pk "{value}" - object does not exist.')


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


def warm(client, world, path: str) -> None:
    """The first request of a key writes its last_used_at; measure the steady state."""
    for key in (world.k_ro, world.k_rw):
        assert client.get(path, **bearer(key)).status_code == 200


@dataclass
class Api(ResourceApi):
    """Requests against one resource of one project, signed with one key."""

    def create(self, **body) -> dict[str, Any]:
        response = self.post("", body)
        assert response.status_code == 201, response.content
        return response.json()


def project_api(client: APIClient, team_id: int, resource: str, key: str, prefix: str = "projects") -> Api:
    return Api(client=client, base=f"/api/{prefix}/{team_id}/{resource}", key=key)


def make_dataset(team: Team, name: str = "D", **fields) -> Dataset:
    return Dataset.objects.create(team=team, name=name, **fields)


def next_item_time() -> datetime:
    """An hour ago, or a millisecond after the newest item stored, whichever is later: where the
    next seeded items start, so each seeding's items are newer than the ones before."""
    start = timezone.now() - timedelta(hours=1)
    newest = DatasetItem.objects.aggregate(newest=Max("created_at"))["newest"]
    if newest is not None and newest >= start:
        start = newest + timedelta(milliseconds=1)
    return start


def make_items(dataset: Dataset, count: int, *, team: Team | None = None, **fields) -> list[DatasetItem]:
    """Items with strictly increasing created_at (a millisecond apart, in the past), oldest first,
    input `{"n": i}`; each call's items are newer than every item already stored."""
    start = next_item_time()
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


# Per database: (rows 0..count-1 as `seq(n)`, then the id, created_at and input of row n). The id is
# time-ordered like uuid7 (version 7: the created_at milliseconds, then n) so ids sort like the app's.
_SERIES_SQL = {
    "postgresql": (
        "",
        "FROM generate_series(0, %(count)s - 1) AS seq(n)",
        "(lpad(to_hex(%(ms)s::bigint + seq.n), 12, '0') || '7' || lpad(to_hex(seq.n %% 4096), 3, '0')"
        " || '8' || lpad(to_hex(seq.n), 15, '0'))::uuid",
        "%(start)s::timestamptz + seq.n * interval '1 millisecond'",
        "jsonb_build_object('n', seq.n)",
    ),
    "sqlite": (
        "WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < %(count)s) ",
        "FROM seq",
        "printf('%%012x7%%03x8%%015x', %(ms)s + seq.n, seq.n %% 4096, seq.n)",
        "strftime('%%Y-%%m-%%d %%H:%%M:%%f', %(start)s, '+' || (seq.n / 1000.0) || ' seconds')",
        "json_object('n', seq.n)",
    ),
}


def seed_items(dataset: Dataset, count: int, **fields) -> datetime:
    """What `make_items` stores (input `{"n": i}`, created_at a millisecond apart after the items
    already stored), written by the database itself in one INSERT ... SELECT: for the 100,000-item
    lists. Every other column is the value a model instance with `fields` would save. Returns the
    created_at of the last row."""
    start = next_item_time()
    start += timedelta(microseconds=-start.microsecond % 1000)  # up to a whole millisecond
    with_cte, source, id_sql, created_sql, input_sql = _SERIES_SQL[connection.vendor]
    template = DatasetItem(team=dataset.team, dataset=dataset, created_at=start, **fields)
    computed = {"id": id_sql, "created_at": created_sql, "input": input_sql}
    params = {
        "count": count,
        "ms": (start - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1),
        "start": DatasetItem._meta.get_field("created_at").get_db_prep_save(start, connection),
    }
    columns, values = [], []
    for field in DatasetItem._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.name in computed:
            values.append(computed[field.name])
        else:
            params[field.column] = field.get_db_prep_save(field.pre_save(template, add=True), connection)
            values.append(f"%({field.column})s")
    with connection.cursor() as cursor:
        cursor.execute(
            f"{with_cte}INSERT INTO {connection.ops.quote_name(DatasetItem._meta.db_table)} "
            f"({', '.join(columns)}) SELECT {', '.join(values)} {source}",
            params,
        )
    return start + timedelta(milliseconds=count - 1)
