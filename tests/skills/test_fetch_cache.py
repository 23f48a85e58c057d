"""Cached, conditional reads of skills by name and of their files: the warm path's queries, ETag
and 304, and that every write is seen by the very next read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skills.models import LLMSkill
from tests.api import bearer, clear_caches
from tests.skills.helpers import expected_skill, file_missing, seed_skill, skill_not_found

FILES = [("references/a.md", "alpha"), ("b.txt", "beta", "text/markdown")]


def conditional(api, path: str, etag: str, data: dict | None = None):
    return api.client.get(api.url(path), data, HTTP_IF_NONE_MATCH=etag, **bearer(api.key))


def skill_queries(captured) -> list[str]:
    """The queries of the skill tables (authentication's are counted elsewhere)."""
    return [q["sql"] for q in captured.captured_queries if "llmskill" in q["sql"]]


def warm(api, path: str, data: dict | None = None):
    for _ in range(2):  # the first reads fill the payload cache (and the key's last-used write)
        api.get(path, data)
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, data)
    return response, captured


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("name/s/", None),
        ("name/s/", {"version": 1}),
        ("name/s/files/references/a.md", None),
        ("name/s/files/b.txt", {"version": 1}),
    ],
)
def test_warm_reads_are_one_skill_query(api, world, path, data, django_assert_max_num_queries):
    seed_skill(world, files=FILES)
    response, captured = warm(api, path, data)
    assert response.status_code == 200, response.content
    assert len(skill_queries(captured)) == 1
    with django_assert_max_num_queries(4):  # authentication has its own cache
        api.get(path, data)


def test_cached_bodies_are_exact(api, world):
    row = seed_skill(world, files=FILES)
    expected = expected_skill(row)
    assert api.get("name/s/").json() == expected
    assert api.get("name/s/").json() == expected
    file = {"path": "b.txt", "content": "beta", "content_type": "text/markdown"}
    assert api.get("name/s/files/b.txt").json() == file
    assert api.get("name/s/files/b.txt").json() == file


# ---- ETag and If-None-Match ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["name/s/", "name/s/files/b.txt", "resolve/name/s/"])
def test_304_without_body(api, world, path):
    seed_skill(world, files=FILES)
    first = api.get(path)
    etag = first["ETag"]
    for header in (etag, f'W/{etag}, "x"', "*"):
        response = conditional(api, path, header)
        assert (response.status_code, response.content) == (304, b"")
        assert response["ETag"] == etag
    assert conditional(api, path, '"x"').content == first.content


def test_304_of_a_skill_from_the_cheap_query_alone(api, world):
    seed_skill(world, files=FILES)
    etag = api.get("name/s/")["ETag"]
    clear_caches()
    with CaptureQueriesContext(connection) as captured:
        response = conditional(api, "name/s/", etag)
    assert response.status_code == 304
    assert len(skill_queries(captured)) == 1


def test_missing_file_stays_404_and_star_does_not_match(api, world):
    seed_skill(world, files=FILES)
    for _ in range(2):
        response = api.get("name/s/files/nope.md")
        assert (response.status_code, response.json()) == (404, file_missing("nope.md", "s"))
    assert conditional(api, "name/s/files/nope.md", "*").status_code == 404


# ---- writes are seen by the very next read -------------------------------------------------------


def test_publish_is_seen_and_changes_tags(api, world):
    seed_skill(world, files=FILES)
    before = api.get("name/s/")
    file_before = api.get("name/s/files/b.txt")
    file_v1 = api.get("name/s/files/b.txt", {"version": 1})
    api.publish("s", 1, body="# New", files=[{"path": "b.txt", "content": "beta 2"}])

    after = api.get("name/s/")
    assert (after.json()["version"], after.json()["body"]) == (2, "# New")
    assert after.json()["files"] == [{"path": "b.txt", "content_type": "text/plain"}]
    assert after["ETag"] != before["ETag"]
    assert conditional(api, "name/s/", before["ETag"]).status_code == 200

    file_after = api.get("name/s/files/b.txt")
    assert file_after.json()["content"] == "beta 2"
    assert file_after["ETag"] != file_before["ETag"]
    assert api.get("name/s/files/references/a.md").status_code == 404
    # A version's files never change: its tag stays valid.
    assert conditional(api, "name/s/files/b.txt", file_v1["ETag"], {"version": 1}).status_code == 304

    old = api.get("name/s/", {"version": 1}).json()
    assert (old["is_latest"], old["latest_version"], old["version_count"]) == (False, 2, 2)


def test_file_routes_publish_and_are_seen(api, world):
    seed_skill(world, files=FILES)
    api.get("name/s/")
    assert api.post("name/s/files/", {"path": "c.md", "content": "gamma"}).status_code == 201
    assert api.get("name/s/files/c.md").json()["content"] == "gamma"
    assert len(api.get("name/s/").json()["files"]) == 3
    assert api.delete("name/s/files/c.md").status_code == 200
    assert api.get("name/s/files/c.md").status_code == 404
    assert api.get("name/s/").json()["version"] == 3


def test_a_second_worker_with_an_empty_cache_answers_the_same(api, world):
    seed_skill(world, files=FILES)
    api.get("name/s/")
    api.publish("s", 1, description="changed")
    on_warm = api.get("name/s/")
    clear_caches()
    on_cold = api.get("name/s/")
    assert on_warm.content == on_cold.content
    assert on_warm["ETag"] == on_cold["ETag"]
    assert on_cold.json()["description"] == "changed"


def test_archive_makes_the_next_reads_404(api, world):
    seed_skill(world, files=FILES)
    tags = [api.get(path)["ETag"] for path in ("name/s/", "name/s/files/b.txt")]
    assert api.post("name/s/archive/").status_code == 204
    assert api.get("name/s/").json() == skill_not_found("s")
    assert api.get("name/s/files/b.txt").json() == skill_not_found("s")
    assert api.get("resolve/name/s/").status_code == 404
    for path, tag in zip(("name/s/", "name/s/files/b.txt"), tags, strict=True):
        assert conditional(api, path, tag).status_code == 404


def test_duplicate_is_its_own_history(api, world):
    seed_skill(world, files=FILES)
    source = api.get("name/s/")
    assert api.post("name/s/duplicate/", {"new_name": "copy"}).status_code == 201
    copy = api.get("name/copy/")
    assert (copy.json()["name"], copy.json()["version"]) == ("copy", 1)
    assert copy.json()["files"] == source.json()["files"]
    assert copy["ETag"] != source["ETag"]
    assert api.get("name/copy/files/b.txt").json()["content"] == "beta"


def test_a_renamed_creator_is_shown(api, world):
    seed_skill(world, files=FILES)
    before = api.get("name/s/")
    world.user.first_name = "Renamed"
    world.user.save(update_fields=["first_name"])
    after = api.get("name/s/")
    assert after.json()["created_by"]["first_name"] == "Renamed"
    assert after["ETag"] != before["ETag"]


def test_a_write_outside_the_services_is_seen_too(api, world):
    row = seed_skill(world, files=FILES)
    api.get("name/s/")
    LLMSkill.objects.filter(pk=row.pk).update(is_latest=False)
    LLMSkill.objects.create(team=world.team, name="s", version=2, is_latest=True, description="d", body="x")
    assert api.get("name/s/").json()["version"] == 2
    assert api.get("name/s/files/b.txt").status_code == 404  # v2 has no files


# ---- lists ---------------------------------------------------------------------------------------


def test_list_queries_do_not_grow_with_rows(api, world):
    seed_skill(world, name="one")
    api.get("", {"limit": 100})
    with CaptureQueriesContext(connection) as small:
        api.get("", {"limit": 100})
    for i in range(20):
        seed_skill(world, name=f"s-{i:02}", files=FILES)
    with CaptureQueriesContext(connection) as large:
        response = api.get("", {"limit": 100})
    assert response.json()["count"] == 21
    assert len(skill_queries(large)) == len(skill_queries(small)) <= 2
