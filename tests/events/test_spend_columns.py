"""The typed spend columns taken at ingestion: they read the properties exactly as the SQL of the
backfill migration (and, before them, spend itself) reads the stored JSON."""

import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from events.models import SPEND_COLUMNS, Event
from tests.events.helpers import capture, events_of, generation, only_event, sdk_event

pytestmark = pytest.mark.django_db

backfill_migration = importlib.import_module("events.migrations.0003_backfill_event_spend_columns")
POSTGRES = connection.vendor == "postgresql"


def run_backfill() -> None:
    backfill_migration.backfill(apps, SimpleNamespace(connection=connection))


def columns(event: Event) -> dict:
    return {name: getattr(event, name) for name in SPEND_COLUMNS}


def test_a_generation_gets_its_columns(client, world):
    capture(
        client,
        world.team,
        [
            generation(
                **{
                    "ai_product": "posthog_code",
                    "$ai_total_cost_usd": 0.25,
                    "$ai_tools_called": "Bash,Read",
                    "$ai_input_tokens": 1000,
                    "$ai_output_tokens": " 5e1 ",
                }
            )
        ],
    )
    assert columns(only_event(world.team)) == {
        "ai_product": "posthog_code",
        "ai_model": "gpt-4o-mini",
        "ai_tools_called": "Bash,Read",
        "ai_cost_usd": Decimal("0.25"),
        "ai_input_tokens": Decimal(1000),
        "ai_output_tokens": Decimal(50),
    }


@pytest.mark.parametrize("event", ["$ai_span", "$ai_trace", "$pageview"])
def test_events_spend_does_not_count_get_none(client, world, event):
    capture(client, world.team, [sdk_event(event, properties={"ai_product": "p", "$ai_model": "m"})])
    assert set(columns(only_event(world.team)).values()) == {None}


# Values as the client sends them; those whose JSON text each database prints its own way (floats,
# integers beyond 64 bits, objects) are compared on PostgreSQL only, the database spend runs on in production.
ANY_DATABASE = [
    None,
    "text",
    " spaced ",
    "",
    "1.25",
    " 2e-1 ",
    "\t3\n",
    "+.5",
    "1e999",
    "lots",
    "1.2.3",
    "5 ",
    True,
    False,
    0,
    7,
    -3,
    "ünïcode",
]
POSTGRES_ONLY = [
    12345678901234567890,
    0.1,
    1e16,
    1e-7,
    -0.0,
    1.5,
    123456.789,
    {"usd": 5, "a": [1, 2.5, "x\ny"], "bb": None, "é": True},
    [1, "two", {"three": 3.0}],
    [],
    {},
]


def values_under_test() -> list:
    return ANY_DATABASE + (POSTGRES_ONLY if POSTGRES else [])


def test_capture_reads_properties_as_the_backfill_sql_does(client, world):
    values = values_under_test()
    capture(
        client,
        world.team,
        [
            generation(
                **{
                    "ai_product": value,
                    "$ai_model": value,
                    "$ai_tools_called": value,
                    "$ai_total_cost_usd": value,
                    "$ai_input_tokens": value,
                    "$ai_output_tokens": value,
                }
            )
            for value in values
        ],
    )
    captured = [columns(event) for event in events_of(world.team)]
    Event.objects.filter(team=world.team).update(**dict.fromkeys(SPEND_COLUMNS))
    run_backfill()
    backfilled = [columns(event) for event in events_of(world.team)]
    for value, at_capture, from_sql in zip(values, captured, backfilled, strict=True):
        assert at_capture == from_sql, value
    # The numbers and numeric texts among the values give a cost.
    assert any(row["ai_cost_usd"] is not None for row in captured)


def test_backfill_fills_only_ai_events_and_can_run_again(client, world):
    capture(
        client,
        world.team,
        [
            generation(**{"ai_product": "posthog_code", "$ai_total_cost_usd": "0.5"}),
            sdk_event("$ai_embedding", properties={"$ai_model": "m", "$ai_total_cost_usd": 2}),
            sdk_event("$ai_span", properties={"$ai_model": "m", "$ai_total_cost_usd": 2}),
        ],
    )
    captured = [columns(event) for event in events_of(world.team)]
    Event.objects.filter(team=world.team).update(**dict.fromkeys(SPEND_COLUMNS))
    run_backfill()
    run_backfill()
    assert [columns(event) for event in events_of(world.team)] == captured
    assert captured[0]["ai_cost_usd"] == Decimal("0.5")
    assert captured[1]["ai_cost_usd"] == Decimal(2)
    assert set(captured[2].values()) == {None}


def test_backfill_walks_the_table_in_batches(client, world, monkeypatch):
    monkeypatch.setattr(backfill_migration, "BATCH_IDS", 3)
    capture(client, world.team, [generation(**{"$ai_total_cost_usd": n}) for n in range(10)])
    Event.objects.filter(team=world.team).update(**dict.fromkeys(SPEND_COLUMNS))
    run_backfill()
    assert [event.ai_cost_usd for event in events_of(world.team)] == [Decimal(n) for n in range(10)]
