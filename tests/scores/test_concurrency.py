"""Concurrent new versions of one scorer: the database settles them. PostgreSQL only.

Each request runs in its own thread of the live server with its own database connection, so the
row lock on the scorer and the unique (scorer, version) constraint decide the outcome.
"""

from collections.abc import Callable

import requests

from scores.models import ScoreDefinition, ScoreDefinitionVersion
from tests.live import race_marks, run_together
from tests.scores.helpers import RESOURCE, conflict, make_definition, options, versions_of

pytestmark = race_marks()

RACERS = 10


def config_of(index: int) -> dict:
    return {"options": options(f"writer-{index}")}


def assert_history_is_sound(definition: ScoreDefinition, versions: int) -> None:
    rows = list(ScoreDefinitionVersion.objects.filter(definition=definition).order_by("version"))
    assert [row.version for row in rows] == list(range(1, versions + 1))
    definition.refresh_from_db()
    assert definition.current_version_id == rows[-1].id


def test_same_base_version_one_wins(live_server, world, live_session):
    definition = make_definition(world.team, "Quality")
    url = f"{live_server.url}/api/environments/{world.t}/{RESOURCE}/{definition.id}/new_version/"
    sessions = [live_session(world.k_rw) for _ in range(RACERS)]

    def publish(index: int) -> Callable[[], requests.Response]:
        return lambda: sessions[index].post(
            url, json={"base_version": 1, "config": config_of(index)}, timeout=30
        )

    responses = run_together([publish(index) for index in range(RACERS)])

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * (RACERS - 1), [response.text for response in responses]
    winner = next(response for response in responses if response.status_code == 200).json()
    assert winner["current_version"] == 2
    for loser in (response for response in responses if response.status_code == 409):
        assert loser.json() == conflict(2)
    assert_history_is_sound(definition, 2)
    assert versions_of(definition)[1] == (2, winner["config"])
    assert (
        str(ScoreDefinition.objects.get(pk=definition.pk).current_version_id) == winner["current_version_id"]
    )


def test_without_base_version_every_writer_gets_a_number(live_server, world, live_session):
    definition = make_definition(world.team, "Quality")
    url = f"{live_server.url}/api/environments/{world.t}/{RESOURCE}/{definition.id}/new_version/"
    sessions = [live_session(world.k_rw) for _ in range(RACERS)]

    responses = run_together(
        [
            (lambda index=index: sessions[index].post(url, json={"config": config_of(index)}, timeout=30))
            for index in range(RACERS)
        ]
    )

    assert [response.status_code for response in responses] == [200] * RACERS, [r.text for r in responses]
    assert sorted(response.json()["current_version"] for response in responses) == list(range(2, RACERS + 2))
    assert_history_is_sound(definition, RACERS + 1)
    # Each answer shows the version its own write created.
    stored = dict(versions_of(definition))
    for response in responses:
        assert stored[response.json()["current_version"]] == response.json()["config"]


def test_writers_that_retry_on_conflict_all_land(live_server, world, live_session):
    definition = make_definition(world.team, "Quality")
    url = f"{live_server.url}/api/environments/{world.t}/{RESOURCE}/{definition.id}/new_version/"

    def writer(index: int) -> Callable[[], requests.Response]:
        def run() -> requests.Response:
            session = live_session(world.k_rw)
            base_version = 1
            for _ in range(RACERS * 4):
                response = session.post(
                    url, json={"base_version": base_version, "config": config_of(index)}, timeout=30
                )
                if response.status_code != 409:
                    return response
                assert response.json()["current_version"] > base_version
                base_version = response.json()["current_version"]
            raise AssertionError(f"writer {index} never won")

        return run

    responses = run_together([writer(index) for index in range(RACERS // 2)])

    assert [response.status_code for response in responses] == [200] * (RACERS // 2)
    assert_history_is_sound(definition, RACERS // 2 + 1)


def test_patch_racing_new_versions_loses_nothing(live_server, world, live_session):
    """Metadata edits and config versions write different columns: neither undoes the other."""
    definition = make_definition(world.team, "Quality")
    base = f"{live_server.url}/api/environments/{world.t}/{RESOURCE}/{definition.id}"
    sessions = [live_session(world.k_rw) for _ in range(6)]
    calls = []
    for index in range(3):
        calls.append(
            lambda index=index: sessions[index].post(
                f"{base}/new_version/", json={"config": config_of(index)}, timeout=30
            )
        )
    calls.append(lambda: sessions[3].patch(f"{base}/", json={"name": "Renamed"}, timeout=30))
    calls.append(lambda: sessions[4].patch(f"{base}/", json={"description": "Why"}, timeout=30))
    calls.append(lambda: sessions[5].patch(f"{base}/", json={"archived": True}, timeout=30))

    responses = run_together(calls)

    assert [response.status_code for response in responses] == [200] * 6, [r.text for r in responses]
    assert_history_is_sound(definition, 4)
    definition.refresh_from_db()
    assert (definition.name, definition.description, definition.archived) == ("Renamed", "Why", True)
