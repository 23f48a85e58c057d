"""Races settled by the database (prompts spec §3 rule 5, §5.4; case 40). PostgreSQL only.

Each request runs in its own thread of the live server with its own database connection, so the
row locks and partial unique constraints are what decide the winner.
"""

from collections import Counter
from collections.abc import Callable

import requests

from prompts import services
from prompts.models import LLMPrompt
from tests.live import race_marks, run_together
from tests.prompts.helpers import NAME_TAKEN, conflict

pytestmark = race_marks()

ROUNDS = 10
RACERS = 6


def two_version_history(world, name: str) -> LLMPrompt:
    """Seeds `name` at v1 and v2 through the services; returns the v1 row."""
    first = services.create_prompt(team=world.team, name=name, prompt="v1", created_by=world.user)
    services.publish_prompt(team=world.team, name=name, prompt="v2", base_version=1, created_by=world.user)
    return first


def assert_history_is_sound(team, name: str, versions: int) -> None:
    rows = list(LLMPrompt.objects.filter(team=team, name=name, deleted=False).order_by("version"))
    assert [row.version for row in rows] == list(range(1, versions + 1))
    assert [row.version for row in rows if row.is_latest] == [versions]


def test_case_40_simultaneous_publishes(live_server, world, live_session):
    base = f"{live_server.url}/api/environments/{world.t}/llm_prompts"
    sessions = [live_session(world.k_rw), live_session(world.k_rw)]

    for round_ in range(ROUNDS):
        name = f"race-{round_}"
        services.create_prompt(team=world.team, name=name, prompt="v1", created_by=world.user)

        def publish(session: requests.Session, text: str, name: str = name) -> requests.Response:
            return session.patch(f"{base}/name/{name}/", json={"prompt": text, "base_version": 1}, timeout=20)

        responses = run_together(
            [lambda: publish(sessions[0], "left"), lambda: publish(sessions[1], "right")]
        )

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 409], [r.text for r in responses]
        winner = next(r for r in responses if r.status_code == 200)
        loser = next(r for r in responses if r.status_code == 409)
        assert loser.json() == conflict(2)
        assert (winner.json()["version"], winner.json()["is_latest"], winner.json()["version_count"]) == (
            2,
            True,
            2,
        )
        assert_history_is_sound(world.team, name, 2)
        assert LLMPrompt.objects.get(team=world.team, name=name, version=2).prompt == winner.json()["prompt"]


def test_case_40_simultaneous_creates(live_server, world, live_session):
    url = f"{live_server.url}/api/environments/{world.t}/llm_prompts/"
    sessions = [live_session(world.k_rw), live_session(world.k_rw)]

    for round_ in range(ROUNDS):
        name = f"new-{round_}"

        def create(session: requests.Session, text: str, name: str = name) -> requests.Response:
            return session.post(url, json={"name": name, "prompt": text}, timeout=20)

        responses = run_together([lambda: create(sessions[0], "left"), lambda: create(sessions[1], "right")])

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 400], [r.text for r in responses]
        assert next(r for r in responses if r.status_code == 400).json() == NAME_TAKEN
        winner = next(r for r in responses if r.status_code == 201).json()
        assert_history_is_sound(world.team, name, 1)
        assert LLMPrompt.objects.filter(team=world.team, name=name).count() == 1
        assert str(LLMPrompt.objects.get(team=world.team, name=name).id) == winner["id"]


def test_racing_publishers_retry_until_contiguous(live_server, world, live_session):
    """N writers all start from v1 and retry with the 409's current_version until they succeed."""
    name = "contended"
    services.create_prompt(team=world.team, name=name, prompt="v1", created_by=world.user)
    url = f"{live_server.url}/api/environments/{world.t}/llm_prompts/name/{name}/"

    def writer(index: int) -> Callable[[], requests.Response]:
        def run() -> requests.Response:
            session = live_session(world.k_rw)
            base_version = 1
            for _ in range(RACERS * 4):
                response = session.patch(
                    url, json={"prompt": f"writer {index}", "base_version": base_version}, timeout=20
                )
                if response.status_code != 409:
                    return response
                assert response.json()["detail"] == conflict(0)["detail"]
                assert response.json()["current_version"] > base_version
                base_version = response.json()["current_version"]
            raise AssertionError(f"writer {index} never won a publish")

        return run

    responses = run_together([writer(i) for i in range(RACERS)])

    assert [r.status_code for r in responses] == [200] * RACERS, [r.text for r in responses]
    won_versions = sorted(r.json()["version"] for r in responses)
    assert won_versions == list(range(2, RACERS + 2))
    assert_history_is_sound(world.team, name, RACERS + 1)
    contents = Counter(
        LLMPrompt.objects.filter(team=world.team, name=name, version__gt=1).values_list("prompt", flat=True)
    )
    assert contents == Counter(f"writer {i}" for i in range(RACERS))
    latest = live_session(world.k_ro).get(url, timeout=10).json()
    assert (latest["version"], latest["latest_version"], latest["version_count"]) == (
        RACERS + 1,
        RACERS + 1,
        RACERS + 1,
    )


def test_archive_racing_a_publish_leaves_no_version_behind(live_server, world, live_session):
    """Archive and publish lock the same latest row, so whichever runs second sees the other's
    work: either the publish 404s, or the archive also removes the version the publish added."""
    base = f"{live_server.url}/api/environments/{world.t}/llm_prompts"
    archiver, publisher = live_session(world.k_rw), live_session(world.k_rw)
    for round_ in range(ROUNDS):
        name = f"archive-race-{round_}"
        two_version_history(world, name)

        archive, publish = run_together(
            [
                lambda name=name: archiver.post(f"{base}/name/{name}/archive/", timeout=20),
                lambda name=name: publisher.patch(
                    f"{base}/name/{name}/", json={"prompt": "v3", "base_version": 2}, timeout=20
                ),
            ]
        )
        assert archive.status_code == 204
        assert publish.status_code in (200, 404), publish.text
        assert not LLMPrompt.objects.filter(team=world.team, name=name, deleted=False).exists()
        assert archiver.get(f"{base}/name/{name}/", timeout=20).status_code == 404


def test_rename_racing_a_publish_keeps_each_history_whole(live_server, world, live_session):
    """A legacy rename moves every version, including one published concurrently, or the publish
    finds the name gone (404): no name is ever left without a latest row."""
    base = f"{live_server.url}/api/environments/{world.t}/llm_prompts"
    renamer, publisher = live_session(world.k_rw), live_session(world.k_rw)
    for round_ in range(ROUNDS):
        name, new_name = f"rename-race-{round_}", f"renamed-{round_}"
        first = two_version_history(world, name)

        rename, publish = run_together(
            [
                lambda row_id=first.id, new_name=new_name: renamer.patch(
                    f"{base}/{row_id}/", json={"name": new_name}, timeout=20
                ),
                lambda name=name: publisher.patch(
                    f"{base}/name/{name}/", json={"prompt": "v3", "base_version": 2}, timeout=20
                ),
            ]
        )
        assert rename.status_code == 200, rename.text
        assert publish.status_code in (200, 404), publish.text
        assert not LLMPrompt.objects.filter(team=world.team, name=name, deleted=False).exists()
        assert_history_is_sound(world.team, new_name, 3 if publish.status_code == 200 else 2)


def test_rename_racing_a_create_of_the_same_name_never_errors(live_server, world, live_session):
    """Both claim the new name; an advisory lock per name orders them (no deadlock, no 500)."""
    base = f"{live_server.url}/api/environments/{world.t}/llm_prompts"
    renamer, creator = live_session(world.k_rw), live_session(world.k_rw)
    for round_ in range(ROUNDS):
        source, target = f"src-{round_}", f"target-{round_}"
        first = two_version_history(world, source)
        rename, create = run_together(
            [
                lambda row_id=first.id, target=target: renamer.patch(
                    f"{base}/{row_id}/", json={"name": target}, timeout=20
                ),
                lambda target=target: creator.post(
                    f"{base}/", json={"name": target, "prompt": "c"}, timeout=20
                ),
            ]
        )
        statuses = sorted([rename.status_code, create.status_code])
        assert statuses in ([200, 400], [201, 400]), [rename.text, create.text]
        loser = rename if rename.status_code == 400 else create
        assert loser.json()["code"] == "unique"
        assert_history_is_sound(world.team, target, 2 if rename.status_code == 200 else 1)


def test_duplicate_racing_an_archive_copies_a_whole_history_or_nothing(live_server, world, live_session):
    """Duplicate reads the source's latest row under the same lock archive takes: it copies the
    version archive was about to hide (201), or finds the name gone (404). The copy, when made, is
    one complete version 1 and the source ends archived either way."""
    base = f"{live_server.url}/api/environments/{world.t}/llm_prompts"
    archiver, duplicator = live_session(world.k_rw), live_session(world.k_rw)
    outcomes = Counter()
    for round_ in range(ROUNDS):
        name, copy = f"dup-race-{round_}", f"dup-copy-{round_}"
        two_version_history(world, name)

        archive, duplicate = run_together(
            [
                lambda name=name: archiver.post(f"{base}/name/{name}/archive/", timeout=20),
                lambda name=name, copy=copy: duplicator.post(
                    f"{base}/name/{name}/duplicate/", json={"new_name": copy}, timeout=20
                ),
            ]
        )
        assert archive.status_code == 204, archive.text
        assert duplicate.status_code in (201, 404), duplicate.text
        outcomes[duplicate.status_code] += 1
        assert not LLMPrompt.objects.filter(team=world.team, name=name, deleted=False).exists()
        copies = list(LLMPrompt.objects.filter(team=world.team, name=copy, deleted=False))
        if duplicate.status_code == 201:
            assert [(row.version, row.is_latest, row.prompt) for row in copies] == [(1, True, "v2")]
            assert duplicate.json()["name"] == copy
        else:
            assert copies == []
    assert sum(outcomes.values()) == ROUNDS
