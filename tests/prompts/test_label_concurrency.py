"""Label races settled by the database: simultaneous moves, simultaneous creates, and label writes
racing an archive. PostgreSQL only.

Each request runs in its own thread of the live server with its own database connection.
"""

from collections import Counter
from collections.abc import Callable

import requests

from prompts import services
from tests.live import race_marks, run_together
from tests.prompts.helpers import prompt_not_found
from tests.prompts.label_helpers import RACE_TEXT, assert_chain, label_rows, move_count

pytestmark = race_marks()

ROUNDS = 3


def seed_versions(world, name: str, count: int) -> None:
    services.create_prompt(team=world.team, name=name, prompt="v1", created_by=world.user)
    for version in range(2, count + 1):
        services.publish_prompt(
            team=world.team, name=name, prompt=f"v{version}", base_version=version - 1, created_by=world.user
        )


def put_label(session: requests.Session, url: str, version: int) -> Callable[[], requests.Response]:
    return lambda: session.put(url, json={"version": version}, timeout=30)


def history_pairs(session: requests.Session, base: str, name: str, label: str) -> list[tuple]:
    """The label's move log, oldest first."""
    response = session.get(f"{base}/name/{name}/labels/{label}/history/", params={"limit": 100}, timeout=20)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["results"])
    return [(item["from_version"], item["to_version"]) for item in reversed(body["results"])]


def assert_race_statuses(responses: list[requests.Response], allowed: set[int]) -> None:
    for response in responses:
        assert response.status_code in allowed, (response.status_code, response.text)
        if response.status_code == 409:
            assert response.json() == {"detail": RACE_TEXT}


def test_case_32_parallel_moves_of_one_label(live_server, world, live_session):
    base = f"{live_server.url}/api/environments/{world.t}/llm_prompts"
    reader = live_session(world.k_all)
    for round_ in range(ROUNDS):
        name = f"move-race-{round_}"
        seed_versions(world, name, 21)
        created = reader.put(f"{base}/name/{name}/labels/production/", json={"version": 1}, timeout=20)
        assert created.status_code == 201, created.text
        url = f"{base}/name/{name}/labels/production/"
        responses = run_together(
            [put_label(live_session(world.k_all), url, index + 2) for index in range(20)]
        )

        assert_race_statuses(responses, {200, 409})
        won = {index + 2 for index, response in enumerate(responses) if response.status_code == 200}
        assert won, [r.text for r in responses]
        for index, response in enumerate(responses):
            if response.status_code == 200:
                body = response.json()
                assert (body["id"], body["version"]) == (created.json()["id"], index + 2)

        fetched = reader.get(f"{base}/name/{name}/", params={"label": "production"}, timeout=20)
        assert fetched.status_code == 200
        current = fetched.json()["version"]
        moves = history_pairs(reader, base, name, "production")
        assert len(moves) == 1 + len(won)
        assert moves[0] == (None, 1)
        assert_chain(moves, current)
        assert current in won
        assert {to for _, to in moves[1:]} == won
        assert move_count(world.team, name, "production") == 1 + len(won)
        resolved = reader.get(f"{base}/resolve/name/{name}/", timeout=20).json()
        assert [(label["name"], label["version"]) for label in resolved["labels"]] == [
            ("production", current)
        ]
        assert label_rows(world.team, name) == {"production": current}


def test_case_33_parallel_creates_of_one_label(live_server, world, live_session):
    base = f"{live_server.url}/api/environments/{world.t}/llm_prompts"
    reader = live_session(world.k_all)
    for round_ in range(ROUNDS):
        name = f"create-race-{round_}"
        seed_versions(world, name, 10)
        url = f"{base}/name/{name}/labels/canary/"
        responses = run_together(
            [put_label(live_session(world.k_all), url, index + 1) for index in range(10)]
        )

        assert_race_statuses(responses, {200, 201, 409})
        statuses = Counter(response.status_code for response in responses)
        assert statuses[201] == 1, [r.text for r in responses]
        ids = {response.json()["id"] for response in responses if response.status_code in (200, 201)}
        assert len(ids) == 1
        created_target = next(i + 1 for i, r in enumerate(responses) if r.status_code == 201)
        moved_targets = {i + 1 for i, r in enumerate(responses) if r.status_code == 200}

        rows = label_rows(world.team, name)
        assert list(rows) == ["canary"]
        moves = history_pairs(reader, base, name, "canary")
        assert len(moves) == 1 + statuses[200]
        assert moves[0] == (None, created_target)
        assert_chain(moves, rows["canary"])
        assert {to for _, to in moves[1:]} == moved_targets
        fetched = reader.get(f"{base}/name/{name}/", params={"label": "canary"}, timeout=20).json()
        assert fetched["version"] == rows["canary"]
        resolved = reader.get(f"{base}/resolve/name/{name}/", timeout=20).json()
        assert [label["name"] for label in resolved["labels"]] == ["canary"]


def test_case_34_label_writes_racing_an_archive(live_server, world, live_session):
    base = f"{live_server.url}/api/environments/{world.t}/llm_prompts"
    reader = live_session(world.k_all)
    for round_ in range(ROUNDS):
        name = f"archive-label-race-{round_}"
        seed_versions(world, name, 3)
        labels = [f"l{i}" for i in range(10)]
        calls = [
            put_label(live_session(world.k_all), f"{base}/name/{name}/labels/{label}/", index % 3 + 1)
            for index, label in enumerate(labels)
        ]
        archiver = live_session(world.k_all)
        archive_url = f"{base}/name/{name}/archive/"
        calls.append(
            lambda archiver=archiver, archive_url=archive_url: archiver.post(archive_url, timeout=30)
        )
        responses = run_together(calls)

        archive = responses[-1]
        assert archive.status_code == 204, archive.text
        assert_race_statuses(responses[:-1], {200, 201, 404, 409})
        for response in responses[:-1]:
            if response.status_code == 404:
                assert response.json() == prompt_not_found(name)

        assert label_rows(world.team, name) == {}
        assert move_count(world.team, name) == 0
        for label in labels:
            response = reader.get(f"{base}/name/{name}/", params={"label": label}, timeout=20)
            assert response.status_code == 404, (label, response.text)
            assert response.json() == prompt_not_found(name)

        recreated = reader.post(f"{base}/", json={"name": name, "prompt": "again"}, timeout=20)
        assert recreated.status_code == 201, recreated.text
        assert recreated.json()["labels"] == []
        resolved = reader.get(f"{base}/resolve/name/{name}/", timeout=20).json()
        assert resolved["labels"] == []
        listed = reader.get(f"{base}/", params={"search": name}, timeout=20).json()["results"]
        assert [(item["name"], item["all_labels"]) for item in listed] == [(name, [])]
        for label in labels:
            response = reader.get(f"{base}/name/{name}/", params={"label": label}, timeout=20)
            assert response.status_code == 404, (label, response.text)
            response = reader.get(f"{base}/name/{name}/labels/{label}/history/", timeout=20)
            assert response.status_code == 404
        assert label_rows(world.team, name) == {}
