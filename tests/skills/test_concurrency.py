"""Races on one skill settled by the database (skills spec §4.4, §4.8-§4.11, §5). PostgreSQL only.

Each request runs in its own live-server thread with its own connection, so the row lock on the
latest version and the partial unique constraints decide the outcome. Whatever the interleaving:
no 500, version numbers contiguous from 1, exactly one latest row, and every version's files are
those of the version it was built from plus its own change.
"""

import itertools
from collections.abc import Callable

import pytest
import requests

from skills import services
from skills.models import LLMSkill
from tests.live import race_marks, run_together
from tests.skills.helpers import conflict, file_missing, files_of, seed_skill, versions

pytestmark = race_marks()

ROUNDS = 6
ARCHIVE_ROUNDS = 20
RACERS = 6


def assert_history_is_sound(team, name: str, count: int) -> list[LLMSkill]:
    rows = versions(team, name)
    assert [row.version for row in rows] == list(range(1, count + 1))
    assert [row.version for row in rows if row.is_latest] == [count]
    return rows


def seed(world, name: str, files: dict[str, str]) -> LLMSkill:
    """v1 of `name`: body '# v1', the given files (text/plain)."""
    return seed_skill(world, name, files=files.items(), description="d", body="# v1")


@pytest.fixture
def base(live_server, world) -> str:
    return f"{live_server.url}/api/environments/{world.t}/llm_skills"


@pytest.fixture
def sessions(live_session, skill_keys) -> list[requests.Session]:
    return [live_session(skill_keys.write) for _ in range(RACERS)]


# ---- (1) simultaneous publishes from the same base ------------------------------------------------


def test_simultaneous_publishes_exactly_one_wins_each_round(base, world, sessions):
    name = "race"
    seed(world, name, {"a.md": "alpha"})
    url = f"{base}/name/{name}/"

    for round_ in range(ROUNDS):
        base_version = round_ + 1

        def publish(index: int, base_version: int = base_version) -> Callable[[], requests.Response]:
            return lambda: sessions[index].patch(
                url,
                json={"body": f"# round {base_version} writer {index}", "base_version": base_version},
                timeout=30,
            )

        responses = run_together([publish(i) for i in range(RACERS)])

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] + [409] * (RACERS - 1), [r.text for r in responses]
        winner = next(r for r in responses if r.status_code == 200).json()
        for loser in (r for r in responses if r.status_code == 409):
            assert loser.json() == conflict(base_version + 1)
        assert (
            winner["version"],
            winner["is_latest"],
            winner["latest_version"],
            winner["version_count"],
        ) == (
            base_version + 1,
            True,
            base_version + 1,
            base_version + 1,
        )
        rows = assert_history_is_sound(world.team, name, base_version + 1)
        assert rows[-1].body == winner["body"]
        assert str(rows[-1].id) == winner["id"]
        # Files are carried into every version, each with its own copy.
        assert all(files_of(row) == {"a.md": ("alpha", "text/plain")} for row in rows)


# ---- (2) simultaneous file creates without base_version -------------------------------------------


@pytest.mark.parametrize("racers", [RACERS, 16])
def test_simultaneous_file_creates_without_base_version_all_succeed(
    base, world, live_session, skill_keys, racers
):
    """No base_version means no check (§5): every create queues on the row lock and lands, however
    many writers wait for it."""
    sessions = [live_session(skill_keys.write) for _ in range(racers)]
    for round_ in range(6):
        name = f"files-{racers}-{round_}"
        seed(world, name, {"seed.md": "s"})
        url = f"{base}/name/{name}/files/"

        responses = run_together(
            [
                (
                    lambda i=i, url=url: sessions[i].post(
                        url, json={"path": f"dir/f{i}.md", "content": f"c{i}"}, timeout=30
                    )
                )
                for i in range(racers)
            ]
        )

        assert [r.status_code for r in responses] == [201] * racers, [
            r.text for r in responses if r.status_code != 201
        ]
        assert sorted(r.json()["version"] for r in responses) == list(range(2, racers + 2))
        rows = assert_history_is_sound(world.team, name, racers + 1)
        expected = {"seed.md": ("s", "text/plain")} | {
            f"dir/f{i}.md": (f"c{i}", "text/plain") for i in range(racers)
        }
        assert files_of(rows[-1]) == expected
        # Each version is the previous one plus exactly one file, and its response said so.
        by_version = {r.json()["version"]: r.json() for r in responses}
        for previous, row in itertools.pairwise(rows):
            before, after = files_of(previous), files_of(row)
            assert set(after) - set(before) and len(after) == len(before) + 1
            assert {path: after[path] for path in before} == before
            assert [f["path"] for f in by_version[row.version]["files"]] == list(after)


# ---- (3) file create racing a publish --------------------------------------------------------------


def assert_versions_consistent(team, name: str) -> list[LLMSkill]:
    """v1: body '# v1', a.md 'alpha'. The publish sets body '# published' and a.md 'ALPHA' together;
    the file create adds new.md 'n'. Every version must show a combination that some order of the
    two writes produces."""
    rows = versions(team, name)
    assert [row.version for row in rows] == list(range(1, len(rows) + 1))
    assert [row.version for row in rows if row.is_latest] == [len(rows)]
    seen_publish = seen_create = False
    for row in rows:
        files = files_of(row)
        published = row.body == "# published"
        assert files["a.md"] == ("ALPHA" if published else "alpha", "text/plain")
        assert set(files) <= {"a.md", "new.md"}
        # Once a change is in, every later version keeps it.
        assert published or not seen_publish
        assert ("new.md" in files) or not seen_create
        if "new.md" in files:
            assert files["new.md"] == ("n", "text/plain")
        seen_publish, seen_create = published, "new.md" in files
    return rows


PUBLISH_BODY_AND_A_MD = {
    "body": "# published",
    "file_edits": [{"path": "a.md", "edits": [{"old": "alpha", "new": "ALPHA"}]}],
    "base_version": 1,
}


def race_file_create_and_publish(base, world, sessions, name: str, create_payload: dict):
    """Seeds `name` at v1 with a.md, then sends the file create and the publish of
    PUBLISH_BODY_AND_A_MD at the same moment; returns (create, publish) responses."""
    seed(world, name, {"a.md": "alpha"})
    return run_together(
        [
            lambda: sessions[0].post(f"{base}/name/{name}/files/", json=create_payload, timeout=30),
            lambda: sessions[1].patch(f"{base}/name/{name}/", json=PUBLISH_BODY_AND_A_MD, timeout=30),
        ]
    )


def test_file_create_racing_a_publish(base, world, sessions):
    for round_ in range(ROUNDS):
        name = f"mixed-{round_}"
        create, publish = race_file_create_and_publish(
            base, world, sessions, name, {"path": "new.md", "content": "n"}
        )

        # Without base_version the file create always lands (on v1 or on the published v2).
        assert create.status_code == 201, create.text
        assert publish.status_code in (200, 409), publish.text
        rows = assert_versions_consistent(world.team, name)
        if publish.status_code == 409:
            assert publish.json() == conflict(2)
            assert len(rows) == 2 and rows[-1].body == "# v1"
        else:
            assert len(rows) == 3
            assert files_of(rows[-1]) == {"a.md": ("ALPHA", "text/plain"), "new.md": ("n", "text/plain")}


def test_file_create_with_base_version_racing_a_publish(base, world, sessions):
    for round_ in range(ROUNDS):
        name = f"both-based-{round_}"
        create, publish = race_file_create_and_publish(
            base, world, sessions, name, {"path": "new.md", "content": "n", "base_version": 1}
        )

        assert sorted([create.status_code, publish.status_code]) in ([200, 409], [201, 409]), [
            create.text,
            publish.text,
        ]
        loser = create if create.status_code == 409 else publish
        assert loser.json() == conflict(2)
        rows = assert_versions_consistent(world.team, name)
        assert len(rows) == 2


def test_rename_racing_a_delete_of_the_same_file(base, world, sessions):
    for round_ in range(ROUNDS):
        name = f"rename-delete-{round_}"
        seed(world, name, {"a.md": "alpha", "b.md": "beta"})

        rename, delete = run_together(
            [
                lambda name=name: sessions[0].post(
                    f"{base}/name/{name}/files-rename/",
                    json={"old_path": "a.md", "new_path": "c.md"},
                    timeout=30,
                ),
                lambda name=name: sessions[1].delete(f"{base}/name/{name}/files/a.md", timeout=30),
            ]
        )

        statuses = sorted([rename.status_code, delete.status_code])
        assert statuses == [200, 404], [rename.text, delete.text]
        rows = versions(world.team, name)
        assert [row.version for row in rows] == list(range(1, len(rows) + 1))
        assert [row.version for row in rows if row.is_latest] == [len(rows)]
        final = files_of(rows[-1])
        if rename.status_code == 404:
            assert rename.json() == file_missing("a.md", name)
            assert final == {"b.md": ("beta", "text/plain")}
        else:
            assert delete.json() == file_missing("a.md", name)
            assert final == {"c.md": ("alpha", "text/plain"), "b.md": ("beta", "text/plain")}


# ---- (4) archive racing a publish ------------------------------------------------------------------


@pytest.mark.parametrize("writer", ["publish", "file-create"])
def test_archive_racing_a_write_leaves_no_version_behind(base, world, sessions, writer):
    """A 404 must mean nothing was written (§5: on any error nothing is written); a write that
    landed before the archive answers with its version and is then archived with the rest."""
    for round_ in range(ARCHIVE_ROUNDS):
        name = f"archive-{writer}-{round_}"
        seed(world, name, {"a.md": "alpha"})
        services.publish_skill(team=world.team, name=name, base_version=1, body="# v2", created_by=world.user)

        def write(name: str = name) -> requests.Response:
            if writer == "publish":
                return sessions[1].patch(
                    f"{base}/name/{name}/", json={"body": "# v3", "base_version": 2}, timeout=30
                )
            return sessions[1].post(
                f"{base}/name/{name}/files/", json={"path": "b.md", "content": "b"}, timeout=30
            )

        archive, written = run_together(
            [lambda name=name: sessions[0].post(f"{base}/name/{name}/archive/", timeout=30), write]
        )

        assert archive.status_code == 204, archive.text
        assert written.status_code in (200, 201, 404), written.text
        if written.status_code == 404:
            assert written.json() == {"detail": f"Skill with name '{name}' not found."}
        # Either way the archive removed every version, the concurrently added one included.
        assert not LLMSkill.objects.filter(team=world.team, name=name, deleted=False).exists()
        expected_rows = 3 if written.status_code in (200, 201) else 2
        assert LLMSkill.objects.filter(team=world.team, name=name, deleted=True).count() == expected_rows
        assert sessions[2].get(f"{base}/name/{name}/", timeout=30).status_code == 404

        created = sessions[3].post(
            f"{base}/", json={"name": name, "description": "d", "body": "again"}, timeout=30
        )
        assert created.status_code == 201, created.text
        assert (created.json()["version"], created.json()["version_count"], created.json()["files"]) == (
            1,
            1,
            [],
        )
        assert_history_is_sound(world.team, name, 1)
