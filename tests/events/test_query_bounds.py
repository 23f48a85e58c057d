"""A batch costs a bounded number of queries, however many events and persons it holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, Person
from tests.events.helpers import capture, generation, sdk_event

pytestmark = pytest.mark.django_db

# Team lookup, two savepoints and their releases, distinct-id lookup, person insert, re-pointing of
# distinct ids and of events, merged-person delete (select, cascade, delete), distinct-id insert,
# person update, event insert: 15, whatever the batch holds.
MAX_QUERIES_PER_BATCH = 16


def mixed_batch(round_: int) -> list[dict]:
    """100 events of 20 users: generations, $set, $set_once, identifies merging anonymous ids."""
    events = []
    for user in range(20):
        uid, anon = f"user-{user}", f"anon-{round_}-{user}"
        events += [
            generation(anon),
            sdk_event("page", anon, properties={"$set_once": {"first_seen": round_}}),
            sdk_event(
                "$identify", uid, properties={"$anon_distinct_id": anon, "$set": {"email": f"{uid}@x.com"}}
            ),
            generation(
                uid,
                **{
                    "$ai_output_choices": [
                        {"role": "assistant", "tool_calls": [{"function": {"name": "Bash"}}]}
                    ]
                },
            ),
            generation(uid, **{"$process_person_profile": False}),
        ]
    return events


def test_batch_of_100_new_persons_and_merges(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES_PER_BATCH):
        capture(client, world.team, mixed_batch(0))
    assert Event.objects.filter(team=world.team).count() == 100
    assert Person.objects.filter(team=world.team).count() == 20


def test_batch_of_100_merging_stored_persons(client, world, django_assert_max_num_queries):
    capture(client, world.team, mixed_batch(0))
    # Stored anonymous persons, then merged into the stored users in one batch.
    capture(client, world.team, [generation(f"anon-1-{user}") for user in range(20)])
    assert Person.objects.filter(team=world.team).count() == 40
    with django_assert_max_num_queries(MAX_QUERIES_PER_BATCH):
        capture(client, world.team, mixed_batch(1))
    assert Person.objects.filter(team=world.team).count() == 20
    # Four personful events per round, plus the anonymous generation stored in between.
    assert Event.objects.filter(team=world.team, person__email="user-3@x.com").count() == 4 + 1 + 4


def test_batch_of_100_generations_of_known_persons(client, world, django_assert_max_num_queries):
    capture(client, world.team, [generation(f"user-{n}") for n in range(100)])
    with django_assert_max_num_queries(7):
        capture(client, world.team, [generation(f"user-{n}") for n in range(100)])
    assert Event.objects.filter(team=world.team).count() == 200


def queries_for(client, team, events: list[dict]) -> int:
    with CaptureQueriesContext(connection) as queries:
        capture(client, team, events)
    return len(queries)


@pytest.mark.parametrize("personful", [True, False])
def test_a_batch_costs_the_same_queries_for_10_and_100_events(client, world, personful):
    """The events go in with one statement however many there are (Django's bulk insert splits
    at SQLite's parameter limit), and persons with a constant number of queries."""
    extra = {} if personful else {"$process_person_profile": False}

    def batch(size: int, round_: int) -> list[dict]:
        return [generation(f"user-{round_}-{n}", **extra) for n in range(size)]

    new_10, new_100 = (
        queries_for(client, world.team, batch(10, 0)),
        queries_for(client, world.team, batch(100, 1)),
    )
    assert new_10 == new_100 <= MAX_QUERIES_PER_BATCH
    # Known persons now: only the distinct-id lookup and the insert remain.
    known_10 = queries_for(client, world.team, [generation(f"user-1-{n}", **extra) for n in range(10)])
    known_100 = queries_for(client, world.team, batch(100, 1))
    assert known_10 == known_100 <= 7
    assert Event.objects.filter(team=world.team).count() == 220


def test_a_batch_of_1000_generations_is_one_insert(client, world, django_assert_max_num_queries):
    capture(client, world.team, [generation(f"user-{n % 50}") for n in range(100)])
    with django_assert_max_num_queries(7):
        capture(client, world.team, [generation(f"user-{n % 50}") for n in range(1000)])
    assert Event.objects.filter(team=world.team).count() == 1100
