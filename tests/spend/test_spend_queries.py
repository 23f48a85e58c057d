"""Spend reads only the typed columns: one statement whatever the events, and the same answers from
columns filled at capture as from columns filled by the backfill migration."""

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import SPEND_COLUMNS, Event
from spend import selectors
from tests.spend.helpers import ai_event, capture_for, get_spend, window

pytestmark = pytest.mark.django_db

DATES, _ = window()
backfill_migration = importlib.import_module("events.migrations.0003_backfill_event_spend_columns")


def events(count: int) -> list[dict]:
    return [
        ai_event(
            cost=[0.5, "1.25", None, True][n % 4],
            model=["a", "b"][n % 2],
            tools=["Bash,Read", None, " Read"][n % 3],
            input_tokens=n,
            output_tokens=str(n),
            product=["posthog_code", "wizard", 7][n % 3],
            event=["$ai_generation", "$ai_embedding"][n % 5 == 4],
        )
        for n in range(count)
    ]


def spend_queries(client, world) -> tuple[int, dict]:
    """(queries of the request, body); the events are read by exactly one of them."""
    with CaptureQueriesContext(connection) as queries:
        response = get_spend(client, world.k_all, refresh="true", **DATES)
    assert response.status_code == 200, response.content
    assert sum(Event._meta.db_table in query["sql"] for query in queries.captured_queries) == 1
    return len(queries), response.json()


def test_a_spend_request_costs_the_same_queries_for_1_and_300_events(client, world):
    capture_for(world.team, world.user.email, *events(1))
    few, _ = spend_queries(client, world)
    capture_for(world.team, world.user.email, *events(299))
    many, body = spend_queries(client, world)
    # Not equal: authentication may skip queries once its caches are warm.
    assert many <= few
    assert body["summary"]["event_count"] == 300


def test_the_body_is_the_internal_project_then_one_statement(world, django_assert_max_num_queries):
    capture_for(world.team, world.user.email, *events(50))
    with django_assert_max_num_queries(2):
        body = selectors.personal_spend(
            email=world.user.email,
            product="posthog_code",
            date_from="-7d",
            date_to=None,
            window_start=timezone.now() - timedelta(days=7),
            window_end=timezone.now(),
            limit=10,
            refresh=True,
        )
    assert body["summary"]["event_count"] == 50


def test_backfilled_columns_answer_as_captured_ones(client, world):
    capture_for(world.team, world.user.email, *events(60))
    _, captured = spend_queries(client, world)
    assert captured["summary"]["event_count"] == 60
    Event.objects.update(**dict.fromkeys(SPEND_COLUMNS))
    _, emptied = spend_queries(client, world)
    assert emptied["summary"]["total_cost_usd"] == 0.0
    backfill_migration.backfill(apps, SimpleNamespace(connection=connection))
    _, backfilled = spend_queries(client, world)
    assert backfilled == captured
