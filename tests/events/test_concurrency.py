"""Concurrent batches settled by the database (PostgreSQL only): one person per distinct id, one
row per event uuid, and merges that lose no event, whatever the interleaving."""

import uuid

import requests

from events.models import Event, Person, PersonDistinctId
from tests.events.helpers import batch_body, generation, sdk_event
from tests.live import race_marks, run_together

pytestmark = race_marks()

RACERS = 6
ROUNDS = 4


def post(url: str, body: dict):
    return lambda: requests.post(url, json=body, timeout=30)


def test_new_distinct_id_in_concurrent_batches_is_one_person(live_server, world):
    url = f"{live_server.url}/batch/"
    for round_ in range(ROUNDS):
        distinct_id = f"racer-{round_}"
        bodies = [
            batch_body(
                [generation(distinct_id), sdk_event("x", distinct_id, properties={"$set": {f"k{i}": i}})],
                world.team.api_token,
            )
            for i in range(RACERS)
        ]
        responses = run_together([post(url, body) for body in bodies])
        assert [r.status_code for r in responses] == [200] * RACERS, [r.text for r in responses]
        rows = PersonDistinctId.objects.filter(team=world.team, distinct_id=distinct_id)
        assert rows.count() == 1
        person = rows.get().person
        # Every writer's $set landed: the person rows were locked, not overwritten.
        assert person.properties == {f"k{i}": i for i in range(RACERS)}
        assert set(
            Event.objects.filter(team=world.team, distinct_id=distinct_id).values_list("person_id", flat=True)
        ) == {person.pk}


def test_the_same_event_sent_concurrently_is_stored_once(live_server, world):
    url = f"{live_server.url}/batch/"
    event = {**generation("d"), "uuid": str(uuid.uuid4())}
    responses = run_together([post(url, batch_body([event], world.team.api_token)) for _ in range(RACERS)])
    assert [r.status_code for r in responses] == [200] * RACERS
    assert Event.objects.filter(team=world.team).count() == 1


def test_concurrent_identifies_lose_no_event(live_server, world):
    url = f"{live_server.url}/batch/"
    anon_ids = [f"anon-{i}" for i in range(RACERS)]
    first = batch_body([generation(anon) for anon in anon_ids], world.team.api_token)
    assert requests.post(url, json=first, timeout=30).status_code == 200
    bodies = [
        batch_body(
            [
                sdk_event(
                    "$identify",
                    "user-1",
                    properties={"$anon_distinct_id": anon, "$set": {"email": "u@x.com"}},
                ),
                generation(anon),
            ],
            world.team.api_token,
        )
        for anon in anon_ids
    ]
    responses = run_together([post(url, body) for body in bodies])
    assert [r.status_code for r in responses] == [200] * RACERS, [r.text for r in responses]
    assert Person.objects.filter(team=world.team).count() == 1
    assert Event.objects.filter(team=world.team, person__email="u@x.com").count() == 3 * RACERS
