"""Bundled-file routes (skills spec §4.8 create, §4.9 rename, §4.10 get, §4.11 delete, §5; cases 44-55).

Every successful file mutation publishes a new version; older versions and their files must stay
exactly as they were (checked on the rows themselves, not only through the API).
"""

import pytest

from llm_server.accounts.models import Team
from skills.models import LLMSkill, LLMSkillFile
from tests.api import iso, user_json, validation
from tests.skills.helpers import (
    EMAXF,
    EMAXV,
    FULL_KEYS,
    INVALID_FILE_PATH,
    READ_SCOPE_DENIED,
    TRAVERSAL,
    WRITE_SCOPE_DENIED,
    SkillApi,
    assert_each_refused,
    conflict,
    expected_skill,
    file_exists,
    file_missing,
    files_of,
    history_state,
    seed_skill,
    seed_versions,
    skill_not_found,
    versions,
)

# Content the server must copy forward byte for byte: CRLF, tabs, non-ASCII, surrounding blanks
# (seeded through the services, which do not trim; the API would).
TRICKY = "  first line\r\n\tsecond \u00e9\u2713 line  \n\n"


def latest(team: Team, name: str) -> LLMSkill:
    rows = versions(team, name)
    assert [r.version for r in rows if r.is_latest] == [rows[-1].version]
    return rows[-1]


ROW_FIELDS = (
    "id",
    "version",
    "description",
    "body",
    "outline",
    "license",
    "compatibility",
    "allowed_tools",
    "metadata",
    "created_by_id",
    "created_at",
    "updated_at",
    "deleted",
    "is_latest",
)
FILE_FIELDS = ("id", "skill_version_id", "path", "content", "content_type")


def snapshot(team: Team, name: str) -> tuple[dict, dict]:
    rows = {r["id"]: r for r in LLMSkill.objects.filter(team=team, name=name).values(*ROW_FIELDS)}
    files = {
        f["id"]: f
        for f in LLMSkillFile.objects.filter(skill_version__team=team, skill_version__name=name).values(
            *FILE_FIELDS
        )
    }
    return rows, files


def assert_unchanged(before: tuple[dict, dict], team: Team, name: str) -> None:
    """A refused write left every row and every file exactly as it was."""
    assert snapshot(team, name) == before


def assert_appended(before: tuple[dict, dict], team: Team, name: str) -> LLMSkill:
    """Exactly one version was appended; the older rows (bar the latest flag of the previous
    latest) and all their files are untouched, and the new version owns fresh file rows."""
    old_rows, old_files = before
    rows, files = snapshot(team, name)
    new_ids = set(rows) - set(old_rows)
    assert set(old_rows) <= set(rows)
    assert len(new_ids) == 1
    (new_id,) = new_ids
    previous_latest = max((r for r in old_rows.values() if not r["deleted"]), key=lambda r: r["version"])
    for row_id, old in old_rows.items():
        expected = {**old, "is_latest": False} if row_id == previous_latest["id"] else old
        assert rows[row_id] == expected
    assert rows[new_id]["version"] == previous_latest["version"] + 1
    assert rows[new_id]["is_latest"] is True
    for file_id, old in old_files.items():
        assert files[file_id] == old
    assert {f["skill_version_id"] for i, f in files.items() if i not in old_files} <= {new_id}
    history = versions(team, name)
    assert [r.version for r in history] == list(range(1, len(history) + 1))
    return LLMSkill.objects.get(pk=new_id)


def assert_new_version(response, status: int, before: tuple[dict, dict], team: Team, name: str):
    """The write answered `status` with the exact full representation of the one version it
    appended (checked as in assert_appended); returns the body and the new row."""
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == FULL_KEYS
    new = assert_appended(before, team, name)
    assert body == expected_skill(new)
    return body, new


# ---- case 44: create a file ----------------------------------------------------------------------


def test_case_44_create_file_publishes_version_2_with_201(api, world):
    seed_skill(
        world,
        body="# PDF\n\nUse x.",
        license="MIT",
        compatibility="py3",
        allowed_tools=["Bash", "Read"],
        metadata={"author": "x", "nested": {"k": [1, 2]}},
    )
    before = snapshot(world.team, "s")

    response = api.post("name/s/files/", {"path": "scripts/setup.sh", "content": "echo"})

    body, new = assert_new_version(response, 201, before, world.team, "s")
    assert body["version"] == 2
    assert (body["is_latest"], body["latest_version"], body["version_count"]) == (True, 2, 2)
    assert body["files"] == [{"path": "scripts/setup.sh", "content_type": "text/plain"}]
    # The content is copied unchanged from v1.
    assert (body["body"], body["description"], body["license"], body["compatibility"]) == (
        "# PDF\n\nUse x.",
        "a description",
        "MIT",
        "py3",
    )
    assert body["allowed_tools"] == ["Bash", "Read"]
    assert body["metadata"] == {"author": "x", "nested": {"k": [1, 2]}}
    assert body["outline"] == [{"level": 1, "text": "PDF"}]
    assert body["created_by"] == user_json(world.user)
    assert files_of(new) == {"scripts/setup.sh": ("echo", "text/plain")}
    assert files_of(versions(world.team, "s")[0]) == {}


def test_case_44_create_file_trims_and_keeps_content_type(api, world):
    seed_skill(world)
    response = api.post(
        "name/s/files",
        {"path": "  docs/a.json \n", "content": '  {"a": 1}\n\n', "content_type": " application/json "},
    )
    assert response.status_code == 201, response.content
    assert response.json()["files"] == [{"path": "docs/a.json", "content_type": "application/json"}]
    assert files_of(latest(world.team, "s")) == {"docs/a.json": ('{"a": 1}', "application/json")}


def test_case_44_base_version_is_optional_and_checked_when_given(api, world):
    seed_skill(world)
    assert api.post("name/s/files/", {"path": "a.md", "content": "a"}).status_code == 201
    response = api.post("name/s/files/", {"path": "b.md", "content": "b", "base_version": 2})
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 3
    assert [f["path"] for f in response.json()["files"]] == ["a.md", "b.md"]


def test_case_44_created_by_is_the_acting_user(api, world, colleague):
    other, other_key = colleague
    seed_skill(world)
    response = api.post("name/s/files/", {"path": "a.md", "content": "a"}, key=other_key)
    assert response.status_code == 201, response.content
    assert response.json()["created_by"] == user_json(other)
    rows = versions(world.team, "s")
    assert (rows[0].created_by_id, rows[1].created_by_id) == (world.user.id, other.id)


def test_case_44_projects_prefix_and_trailing_slash_optional(projects_api, world):
    seed_skill(world)
    response = projects_api.post("name/s/files", {"path": "a.md", "content": "a"})
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 2


def test_case_44_create_file_validation_errors(api, world):
    seed_skill(world)
    before = snapshot(world.team, "s")
    cases = [
        ({"content": "x"}, validation("path", "required", "This field is required.")),
        ({"path": "a.md"}, validation("content", "required", "This field is required.")),
        ({"path": "   ", "content": "x"}, validation("path", "blank", "This field may not be blank.")),
        ({"path": "a.md", "content": " \n "}, validation("content", "blank", "This field may not be blank.")),
        ({"path": None, "content": "x"}, validation("path", "null", "This field may not be null.")),
        ({"path": "a.md", "content": None}, validation("content", "null", "This field may not be null.")),
        ({"path": ["a"], "content": "x"}, validation("path", "invalid_input", "Not a valid string.")),
        (
            {"path": "a.md", "content": "x", "content_type": ""},
            validation("content_type", "blank", "This field may not be blank."),
        ),
        (
            {"path": "a.md", "content": "x", "content_type": "t" * 101},
            validation("content_type", "max_length", "Ensure this field has no more than 100 characters."),
        ),
        (
            {"path": "a.md", "content": "x", "base_version": 0},
            validation("base_version", "min_value", "Ensure this value is greater than or equal to 1."),
        ),
        (
            {"path": "a.md", "content": "x", "base_version": "abc"},
            validation("base_version", "invalid_input", "A valid integer is required."),
        ),
        (
            {"path": "a.md", "content": "é" * 500_001},
            validation("content", "max_size", "File content must be 1000000 bytes or fewer."),
        ),
        (
            {"path": "p" * 501, "content": "x"},
            validation("path", "max_length", "Ensure this field has no more than 500 characters."),
        ),
    ]
    assert_each_refused(lambda payload: api.post("name/s/files/", payload), cases)
    assert_unchanged(before, world.team, "s")


def test_case_44_validation_comes_before_the_skill_lookup(api, world):
    response = api.post("name/nope/files/", {"path": "a.md"})
    assert response.status_code == 400
    assert response.json() == validation("content", "required", "This field is required.")


# ---- case 45: existing files are kept -----------------------------------------------------------


def test_case_45_new_file_joins_existing_ones(api, world):
    v1 = seed_skill(
        world,
        files=[("b.md", TRICKY, "text/markdown"), ("a/z.txt", "zed", "text/plain")],
    )
    before = snapshot(world.team, "s")

    response = api.post("name/s/files/", {"path": "c.md", "content": "see"})

    assert response.status_code == 201, response.content
    assert response.json()["files"] == [
        {"path": "b.md", "content_type": "text/markdown"},
        {"path": "a/z.txt", "content_type": "text/plain"},
        {"path": "c.md", "content_type": "text/plain"},
    ]
    new = assert_appended(before, world.team, "s")
    assert files_of(new) == {
        "b.md": (TRICKY, "text/markdown"),
        "a/z.txt": ("zed", "text/plain"),
        "c.md": ("see", "text/plain"),
    }
    # Own copies: no file row is shared between the versions.
    old_ids = set(LLMSkillFile.objects.filter(skill_version=v1).values_list("id", flat=True))
    new_ids = set(LLMSkillFile.objects.filter(skill_version=new).values_list("id", flat=True))
    assert len(old_ids) == 2 and len(new_ids) == 3 and not old_ids & new_ids
    assert files_of(v1) == {"b.md": (TRICKY, "text/markdown"), "a/z.txt": ("zed", "text/plain")}


# ---- case 46: a path that already exists --------------------------------------------------------


def test_case_46_create_at_existing_path_is_409(api, world):
    seed_skill(world, files=[("dup.md", "old", "text/markdown")])
    before = snapshot(world.team, "s")

    response = api.post("name/s/files/", {"path": "dup.md", "content": "new"})

    assert response.status_code == 409
    assert response.json() == file_exists("dup.md", "s")
    assert_unchanged(before, world.team, "s")
    # Also with a matching base_version, and after trimming.
    response = api.post("name/s/files/", {"path": " dup.md ", "content": "new", "base_version": 1})
    assert (response.status_code, response.json()) == (409, file_exists("dup.md", "s"))
    assert_unchanged(before, world.team, "s")


def test_case_46_path_compare_is_exact(api, world):
    seed_skill(world, files=[("dup.md", "old", "text/plain")])
    response = api.post("name/s/files/", {"path": "DUP.md", "content": "new"})
    assert response.status_code == 201, response.content
    assert [f["path"] for f in response.json()["files"]] == ["dup.md", "DUP.md"]


def test_case_46_stale_base_version_wins_over_existing_path(api, world):
    seed_skill(world, files=[("dup.md", "old", "text/plain")])
    api.publish("s", 1, body="# v2")
    before = snapshot(world.team, "s")

    response = api.post("name/s/files/", {"path": "dup.md", "content": "new", "base_version": 1})

    assert response.status_code == 409
    assert response.json() == conflict(2)
    assert_unchanged(before, world.team, "s")


# ---- case 47: bad path, missing skill ------------------------------------------------------------


def test_case_47_traversal_path_is_400(api, world):
    seed_skill(world)
    before = snapshot(world.team, "s")
    response = api.post("name/s/files/", {"path": "../etc/passwd", "content": "x"})
    assert response.status_code == 400
    assert response.json() == validation("path", "invalid_input", TRAVERSAL)
    assert_unchanged(before, world.team, "s")


def test_case_47_missing_skill_is_404(api, world):
    response = api.post("name/nope/files/", {"path": "a.md", "content": "x"})
    assert (response.status_code, response.json()) == (404, skill_not_found("nope"))
    # A bad path is a validation error even when the skill is missing (validation comes first).
    response = api.post("name/nope/files/", {"path": "../etc/passwd", "content": "x"})
    assert (response.status_code, response.json()) == (400, validation("path", "invalid_input", TRAVERSAL))
    # The skill 404 comes before the base_version check.
    response = api.post("name/nope/files/", {"path": "a.md", "content": "x", "base_version": 99})
    assert (response.status_code, response.json()) == (404, skill_not_found("nope"))
    assert not LLMSkill.objects.exists()
    assert not LLMSkillFile.objects.exists()


def test_case_47_archived_skill_is_404_on_every_file_route(api, world):
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    assert api.post("name/s/archive/").status_code == 204
    before = snapshot(world.team, "s")
    for response in (
        api.post("name/s/files/", {"path": "b.md", "content": "b"}),
        api.post("name/s/files-rename/", {"old_path": "a.md", "new_path": "b.md"}),
        api.delete("name/s/files/a.md"),
        api.get("name/s/files/a.md"),
    ):
        assert (response.status_code, response.json()) == (404, skill_not_found("s"))
    assert_unchanged(before, world.team, "s")


def test_case_47_name_is_case_sensitive(api, world):
    seed_skill(world, name="my-skill", files=[("a.md", "a", "text/plain")])
    response = api.post("name/My-Skill/files/", {"path": "b.md", "content": "b"})
    assert (response.status_code, response.json()) == (404, skill_not_found("My-Skill"))


def test_case_47_other_project_is_404(client, world, skill_keys):
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    other = SkillApi(
        client=client, base=f"/api/environments/{world.team2.id}/llm_skills", key=skill_keys.write
    )
    assert other.get("name/s/files/a.md").json() == skill_not_found("s")
    response = other.post("name/s/files/", {"path": "b.md", "content": "b"})
    assert (response.status_code, response.json()) == (404, skill_not_found("s"))
    assert len(versions(world.team, "s")) == 1


# ---- case 48: the file limit ---------------------------------------------------------------------


def test_case_48_fifty_files_then_create_is_emaxf(api, world):
    api.create("s", files=[{"path": f"f{i:02}.md", "content": f"file {i}"} for i in range(50)])
    before = snapshot(world.team, "s")

    response = api.post("name/s/files/", {"path": "one-more.md", "content": "x"})

    assert response.status_code == 400
    assert response.json() == EMAXF
    assert_unchanged(before, world.team, "s")


def test_case_48_path_conflict_wins_over_the_file_limit(api, world):
    api.create("s", files=[{"path": f"f{i:02}.md", "content": f"file {i}"} for i in range(50)])
    before = snapshot(world.team, "s")
    response = api.post("name/s/files/", {"path": "f07.md", "content": "x"})
    assert (response.status_code, response.json()) == (409, file_exists("f07.md", "s"))
    # And the stale base_version comes before both.
    response = api.post("name/s/files/", {"path": "g.md", "content": "x", "base_version": 3})
    assert (response.status_code, response.json()) == (409, conflict(1))
    assert_unchanged(before, world.team, "s")


def test_case_48_forty_nine_files_accept_a_fiftieth(api, world):
    api.create("s", files=[{"path": f"f{i:02}.md", "content": f"file {i}"} for i in range(49)])
    response = api.post("name/s/files/", {"path": "last.md", "content": "x"})
    assert response.status_code == 201, response.content
    assert len(response.json()["files"]) == 50
    # Delete then create again is fine: the limit is on the latest version only.
    assert api.delete("name/s/files/f00.md").status_code == 200
    assert api.post("name/s/files/", {"path": "again.md", "content": "x"}).status_code == 201
    assert len(files_of(latest(world.team, "s"))) == 50


# ---- case 49: delete a file ----------------------------------------------------------------------


def test_case_49_delete_file_publishes_version_2_with_200(api, world):
    seed_skill(
        world,
        files=[("keep.md", TRICKY, "text/markdown"), ("remove.md", "bye", "text/plain")],
        license="MIT",
    )
    before = snapshot(world.team, "s")

    response = api.delete("name/s/files/remove.md")

    body, new = assert_new_version(response, 200, before, world.team, "s")
    assert body["version"] == 2
    assert body["files"] == [{"path": "keep.md", "content_type": "text/markdown"}]
    assert body["license"] == "MIT"
    assert files_of(new) == {"keep.md": (TRICKY, "text/markdown")}
    # v1 still has both files.
    assert api.get("name/s/files/remove.md", {"version": 1}).json() == {
        "path": "remove.md",
        "content": "bye",
        "content_type": "text/plain",
    }


def test_case_49_delete_missing_file_is_404(api, world):
    seed_skill(world, files=[("keep.md", "k", "text/plain")])
    before = snapshot(world.team, "s")
    response = api.delete("name/s/files/nope.md")
    assert (response.status_code, response.json()) == (404, file_missing("nope.md", "s"))
    response = api.delete("name/s/files/nope.md?base_version=1")
    assert (response.status_code, response.json()) == (404, file_missing("nope.md", "s"))
    assert_unchanged(before, world.team, "s")


def test_case_49_delete_with_base_version_query(api, world, colleague):
    other, other_key = colleague
    seed_skill(world, files=[("a.md", "a", "text/plain"), ("b.md", "b", "text/plain")])
    response = api.delete("name/s/files/a.md?base_version=1", key=other_key)
    assert response.status_code == 200, response.content
    assert (response.json()["version"], response.json()["created_by"]) == (2, user_json(other))
    # Stale now.
    before = snapshot(world.team, "s")
    response = api.delete("name/s/files/b.md?base_version=1")
    assert (response.status_code, response.json()) == (409, conflict(2))
    assert_unchanged(before, world.team, "s")


def test_case_49_delete_check_order(api, world):
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    api.publish("s", 1, body="# v2")
    before = snapshot(world.team, "s")
    cases = [
        # base_version validation before the skill lookup
        (
            "name/nope/files/a.md?base_version=abc",
            400,
            validation("base_version", "invalid_input", "A valid integer is required."),
        ),
        (
            "name/s/files/a.md?base_version=0",
            400,
            validation("base_version", "min_value", "Ensure this value is greater than or equal to 1."),
        ),
        # E404 before E409
        ("name/nope/files/a.md?base_version=99", 404, skill_not_found("nope")),
        # E409 before the file lookup
        ("name/s/files/missing.md?base_version=1", 409, conflict(2)),
    ]
    for url, status, expected in cases:
        response = api.delete(url)
        assert (response.status_code, response.json()) == (status, expected), url
    assert_unchanged(before, world.team, "s")


def test_case_49_delete_nested_path_and_trailing_slash(api, world):
    seed_skill(world, files=[("a/b/c/d.md", "deep", "text/markdown"), ("a/b/e.md", "e", "text/plain")])
    before = snapshot(world.team, "s")
    response = api.delete("name/s/files/a/b/c/d.md/")
    assert response.status_code == 200, response.content
    assert response.json()["files"] == [{"path": "a/b/e.md", "content_type": "text/plain"}]
    assert_appended(before, world.team, "s")


def test_case_49_delete_last_file_leaves_empty_manifest(api, world):
    seed_skill(world, files=[("only.md", "o", "text/plain")])
    response = api.delete("name/s/files/only.md")
    assert response.status_code == 200
    assert response.json()["files"] == []
    assert files_of(latest(world.team, "s")) == {}


# ---- case 50: invalid path in the file URL --------------------------------------------------------


def test_case_50_delete_traversal_url_is_400(api, world):
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    before = snapshot(world.team, "s")
    response = api.delete("name/s/files/..%2Fetc%2Fpasswd")
    assert (response.status_code, response.json()) == (400, INVALID_FILE_PATH)
    assert_unchanged(before, world.team, "s")


def test_case_50_delete_path_check_comes_before_everything(api, world):
    """§4.11 step 1: before the base_version validation and before the skill lookup."""
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    before = snapshot(world.team, "s")
    for url in (
        "name/nope/files/..%2Fx",
        "name/nope/files/..%2Fx?base_version=abc",
        "name/s/files/..%2Fx?base_version=0",
        "name/s/files/..%2Fx?base_version=99",
        "name/s/files/%2Fetc%2Fpasswd",
        "name/s/files/a%5C..%5Cb",
    ):
        response = api.delete(url)
        assert (response.status_code, response.json()) == (400, INVALID_FILE_PATH), url
    assert_unchanged(before, world.team, "s")
    assert LLMSkill.objects.count() == 1


# ---- case 51: rename -----------------------------------------------------------------------------


def test_case_51_rename_publishes_version_2_with_200(api, world):
    seed_skill(
        world,
        files=[("old/name.md", TRICKY, "text/markdown")],
        allowed_tools=["Bash"],
        metadata={"m": 1},
    )
    before = snapshot(world.team, "s")

    response = api.post("name/s/files-rename/", {"old_path": "old/name.md", "new_path": "new/name.md"})

    body, new = assert_new_version(response, 200, before, world.team, "s")
    assert body["version"] == 2
    assert body["files"] == [{"path": "new/name.md", "content_type": "text/markdown"}]
    assert (body["allowed_tools"], body["metadata"]) == (["Bash"], {"m": 1})
    assert files_of(new) == {"new/name.md": (TRICKY, "text/markdown")}
    assert api.get("name/s/files/new/name.md").json() == {
        "path": "new/name.md",
        "content": TRICKY,
        "content_type": "text/markdown",
    }
    assert api.get("name/s/files/old/name.md").json() == file_missing("old/name.md", "s")
    assert api.get("name/s/files/old/name.md", {"version": 1}).status_code == 200


def test_case_51_rename_keeps_content_type_and_other_files(api, world, colleague):
    other, other_key = colleague
    seed_skill(
        world,
        files=[
            ("a.json", '{"x": 1}', "application/json"),
            ("b/c.sh", "echo", "text/x-shellscript"),
            ("d.md", "dd", "text/markdown"),
        ],
    )
    before = snapshot(world.team, "s")
    response = api.post(
        "name/s/files-rename",
        {"old_path": " b/c.sh ", "new_path": " x/y/z/run.sh ", "base_version": 1},
        key=other_key,
    )
    assert response.status_code == 200, response.content
    assert response.json()["created_by"] == user_json(other)
    new = assert_appended(before, world.team, "s")
    assert files_of(new) == {
        "a.json": ('{"x": 1}', "application/json"),
        "x/y/z/run.sh": ("echo", "text/x-shellscript"),
        "d.md": ("dd", "text/markdown"),
    }
    assert {f["path"]: f["content_type"] for f in response.json()["files"]} == {
        "a.json": "application/json",
        "x/y/z/run.sh": "text/x-shellscript",
        "d.md": "text/markdown",
    }


# ---- case 52: rename errors ----------------------------------------------------------------------


def test_case_52_rename_missing_old_path_is_404(api, world):
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    before = snapshot(world.team, "s")
    response = api.post("name/s/files-rename/", {"old_path": "gone.md", "new_path": "b.md"})
    assert (response.status_code, response.json()) == (404, file_missing("gone.md", "s"))
    assert_unchanged(before, world.team, "s")


def test_case_52_rename_onto_existing_path_is_409(api, world):
    seed_skill(world, files=[("a.md", "a", "text/plain"), ("b.md", "b", "text/plain")])
    before = snapshot(world.team, "s")
    response = api.post("name/s/files-rename/", {"old_path": "a.md", "new_path": "b.md"})
    assert (response.status_code, response.json()) == (409, file_exists("b.md", "s"))
    assert_unchanged(before, world.team, "s")


def test_case_52_rename_equal_paths_is_400(api, world):
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    before = snapshot(world.team, "s")
    expected = validation(None, "invalid_input", "new_path must differ from old_path.")
    for payload in (
        {"old_path": "a.md", "new_path": "a.md"},
        {"old_path": "a.md", "new_path": "  a.md\n"},
    ):
        response = api.post("name/s/files-rename/", payload)
        assert (response.status_code, response.json()) == (400, expected), payload
    # Validation comes before the skill lookup.
    response = api.post("name/nope/files-rename/", {"old_path": "x.md", "new_path": "x.md"})
    assert (response.status_code, response.json()) == (400, expected)
    assert_unchanged(before, world.team, "s")


def test_case_52_rename_validation_errors(api, world):
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    before = snapshot(world.team, "s")
    cases = [
        ({"new_path": "b.md"}, validation("old_path", "required", "This field is required.")),
        ({"old_path": "a.md"}, validation("new_path", "required", "This field is required.")),
        (
            {"old_path": "", "new_path": "b.md"},
            validation("old_path", "blank", "This field may not be blank."),
        ),
        (
            {"old_path": "a.md", "new_path": None},
            validation("new_path", "null", "This field may not be null."),
        ),
        (
            {"old_path": "a.md", "new_path": "b.md", "base_version": 0},
            validation("base_version", "min_value", "Ensure this value is greater than or equal to 1."),
        ),
        (
            {"old_path": "a.md", "new_path": "../b.md"},
            validation("new_path", "invalid_input", TRAVERSAL),
        ),
    ]
    assert_each_refused(lambda payload: api.post("name/s/files-rename/", payload), cases)
    assert_unchanged(before, world.team, "s")


def test_case_52_rename_check_order(api, world):
    seed_skill(world, files=[("a.md", "a", "text/plain"), ("b.md", "b", "text/plain")])
    api.publish("s", 1, body="# v2")
    before = snapshot(world.team, "s")
    cases = [
        # E404 before E409
        ({"old_path": "a.md", "new_path": "c.md", "base_version": 99}, "nope", 404, skill_not_found("nope")),
        # E409 before the missing old path
        ({"old_path": "gone.md", "new_path": "c.md", "base_version": 1}, "s", 409, conflict(2)),
        # missing old path before an existing new path
        ({"old_path": "gone.md", "new_path": "b.md"}, "s", 404, file_missing("gone.md", "s")),
        (
            {"old_path": "gone.md", "new_path": "b.md", "base_version": 2},
            "s",
            404,
            file_missing("gone.md", "s"),
        ),
        # E409 before the existing new path
        ({"old_path": "a.md", "new_path": "b.md", "base_version": 1}, "s", 409, conflict(2)),
    ]
    for payload, name, status, expected in cases:
        response = api.post(f"name/{name}/files-rename/", payload)
        assert (response.status_code, response.json()) == (status, expected), payload
    assert_unchanged(before, world.team, "s")


# ---- case 53: stale base_version on every file route ---------------------------------------------


@pytest.mark.parametrize(
    "route",
    ["create", "rename", "delete"],
)
def test_case_53_stale_base_version_is_409(api, world, route):
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    before = snapshot(world.team, "s")
    if route == "create":
        response = api.post("name/s/files/", {"path": "b.md", "content": "b", "base_version": 99})
    elif route == "rename":
        response = api.post(
            "name/s/files-rename/", {"old_path": "a.md", "new_path": "b.md", "base_version": 99}
        )
    else:
        response = api.delete("name/s/files/a.md?base_version=99")
    assert response.status_code == 409
    assert response.json() == conflict(1)
    assert_unchanged(before, world.team, "s")
    assert files_of(latest(world.team, "s")) == {"a.md": ("a", "text/plain")}


# ---- case 54: chaining ---------------------------------------------------------------------------


def test_case_54_chain_create_rename_delete(api, world):
    v1 = seed_skill(world, body="# Chain")

    before = snapshot(world.team, "s")
    response = api.post("name/s/files/", {"path": "a.md", "content": "A", "base_version": 1})
    assert (response.status_code, response.json()["version"]) == (201, 2)
    assert_appended(before, world.team, "s")

    before = snapshot(world.team, "s")
    response = api.post("name/s/files-rename/", {"old_path": "a.md", "new_path": "b/c.md", "base_version": 2})
    assert (response.status_code, response.json()["version"]) == (200, 3)
    assert response.json()["files"] == [{"path": "b/c.md", "content_type": "text/plain"}]
    assert_appended(before, world.team, "s")

    before = snapshot(world.team, "s")
    response = api.delete("name/s/files/b/c.md?base_version=3")
    assert (response.status_code, response.json()["version"]) == (200, 4)
    assert response.json()["files"] == []
    v4 = assert_appended(before, world.team, "s")
    assert response.json() == expected_skill(v4)

    rows = versions(world.team, "s")
    assert [(r.version, r.is_latest, r.body) for r in rows] == [
        (1, False, "# Chain"),
        (2, False, "# Chain"),
        (3, False, "# Chain"),
        (4, True, "# Chain"),
    ]
    assert [files_of(r) for r in rows] == [
        {},
        {"a.md": ("A", "text/plain")},
        {"b/c.md": ("A", "text/plain")},
        {},
    ]
    assert history_state(world.team, "s") == [
        (1, False, False),
        (2, False, False),
        (3, False, False),
        (4, True, False),
    ]
    assert response.json()["first_version_created_at"] == iso(v1.created_at)
    assert (response.json()["latest_version"], response.json()["version_count"]) == (4, 4)


# ---- case 55: get a file -------------------------------------------------------------------------


def test_case_55_get_file_exact_body(api, world, skill_keys):
    seed_skill(world, files=[("scripts/run.sh", TRICKY, "text/x-shellscript")])
    response = api.get("name/s/files/scripts/run.sh", key=skill_keys.read)
    assert response.status_code == 200
    assert list(response.json()) == ["path", "content", "content_type"]
    assert response.json() == {
        "path": "scripts/run.sh",
        "content": TRICKY,
        "content_type": "text/x-shellscript",
    }


def test_case_55_missing_file_is_404(api, world):
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    response = api.get("name/s/files/missing.txt")
    assert (response.status_code, response.json()) == (404, file_missing("missing.txt", "s"))
    response = api.get("name/nope/files/a.md")
    assert (response.status_code, response.json()) == (404, skill_not_found("nope"))


def test_case_55_old_version_still_serves_a_deleted_file(api, world):
    seed_skill(world, files=[("gone.md", "was here", "text/markdown"), ("stay.md", "s", "text/plain")])
    assert api.delete("name/s/files/gone.md").status_code == 200
    response = api.get("name/s/files/gone.md", {"version": 1})
    assert response.status_code == 200
    assert response.json() == {"path": "gone.md", "content": "was here", "content_type": "text/markdown"}
    assert api.get("name/s/files/gone.md").json() == file_missing("gone.md", "s")
    assert api.get("name/s/files/gone.md", {"version": 2}).json() == file_missing("gone.md", "s")


def test_case_55_version_query_reads_the_file_as_it_was(api, world):
    seed_skill(world, files=[("a.md", "one", "text/plain")])
    api.publish("s", 1, file_edits=[{"path": "a.md", "edits": [{"old": "one", "new": "two"}]}])
    api.post("name/s/files/", {"path": "b.md", "content": "bee"})
    assert api.get("name/s/files/a.md", {"version": 1}).json()["content"] == "one"
    assert api.get("name/s/files/a.md", {"version": 2}).json()["content"] == "two"
    assert api.get("name/s/files/a.md").json()["content"] == "two"
    # A file added in v3 is not in v1.
    response = api.get("name/s/files/b.md", {"version": 1})
    assert (response.status_code, response.json()) == (404, file_missing("b.md", "s"))
    assert api.get("name/s/files/b.md", {"version": 3}).json()["content"] == "bee"


def test_case_55_version_query_errors(api, world):
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    cases = [
        (
            {"version": 0},
            400,
            validation("version", "min_value", "Ensure this value is greater than or equal to 1."),
        ),
        ({"version": "abc"}, 400, validation("version", "invalid_input", "A valid integer is required.")),
        ({"version": 99}, 404, skill_not_found("s")),
    ]
    for query, status, expected in cases:
        response = api.get("name/s/files/a.md", query)
        assert (response.status_code, response.json()) == (status, expected), query
    # version validation comes before the skill lookup
    response = api.get("name/nope/files/a.md", {"version": 0})
    assert response.status_code == 400
    assert response.json()["attr"] == "version"


def test_case_55_get_check_order_lookup_then_path(api, world):
    """§4.10: the skill/version lookup (E404) comes before the path check."""
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    response = api.get("name/nope/files/..%2Fetc%2Fpasswd")
    assert (response.status_code, response.json()) == (404, skill_not_found("nope"))
    response = api.get("name/s/files/..%2Fetc%2Fpasswd", {"version": 5})
    assert (response.status_code, response.json()) == (404, skill_not_found("s"))
    response = api.get("name/s/files/..%2Fetc%2Fpasswd")
    assert (response.status_code, response.json()) == (400, INVALID_FILE_PATH)


def test_case_55_head_on_a_file_is_200(api, world, skill_keys):
    seed_skill(world, files=[("a.md", "content", "text/plain")])
    response = api.client.head(
        f"{api.base}/name/s/files/a.md", HTTP_AUTHORIZATION=f"Bearer {skill_keys.read}"
    )
    assert response.status_code == 200
    response = api.client.head(
        f"{api.base}/name/s/files/nope.md", HTTP_AUTHORIZATION=f"Bearer {skill_keys.read}"
    )
    assert response.status_code == 404


def test_case_55_trailing_slash_on_a_file_url_is_stripped(api, world):
    seed_skill(world, files=[("docs/a.md", "a", "text/markdown")])
    expected = {"path": "docs/a.md", "content": "a", "content_type": "text/markdown"}
    for url in ("name/s/files/docs/a.md", "name/s/files/docs/a.md/", "name/s/files/docs/a.md//"):
        response = api.get(url)
        assert (response.status_code, response.json()) == (200, expected), url


def test_case_55_nested_paths_with_several_slashes(api, world):
    seed_skill(world)
    path = "a/b/c/d/e/f.md"
    response = api.post("name/s/files/", {"path": path, "content": "deep"})
    assert response.status_code == 201
    assert api.get(f"name/s/files/{path}").json() == {
        "path": path,
        "content": "deep",
        "content_type": "text/plain",
    }
    # Prefixes of a nested path are not files.
    assert api.get("name/s/files/a/b/c").json() == file_missing("a/b/c", "s")
    response = api.post("name/s/files-rename/", {"old_path": path, "new_path": "x/y/z/g.md"})
    assert response.status_code == 200
    assert api.get("name/s/files/x/y/z/g.md").json()["content"] == "deep"
    assert api.delete("name/s/files/x/y/z/g.md").status_code == 200
    assert [r.version for r in versions(world.team, "s")] == [1, 2, 3, 4]


# ---- EMAXV on every file route -------------------------------------------------------------------


@pytest.fixture
def full_history(world):
    return seed_versions(world.team, "s", 2000, world.user, files=[("keep.md", "k"), ("b.md", "b")])


@pytest.mark.parametrize(
    ("method", "url", "payload"),
    [
        ("post", "name/s/files/", {"path": "new.md", "content": "x"}),
        ("post", "name/s/files/", {"path": "new.md", "content": "x", "base_version": 2000}),
        # EMAXV comes before the path conflict of create
        ("post", "name/s/files/", {"path": "keep.md", "content": "x"}),
        ("post", "name/s/files-rename/", {"old_path": "keep.md", "new_path": "new.md"}),
        ("post", "name/s/files-rename/", {"old_path": "keep.md", "new_path": "new.md", "base_version": 2000}),
        # EMAXV before the missing old path and the taken new path
        ("post", "name/s/files-rename/", {"old_path": "gone.md", "new_path": "b.md"}),
        ("post", "name/s/files-rename/", {"old_path": "keep.md", "new_path": "b.md"}),
        ("delete", "name/s/files/keep.md", None),
        ("delete", "name/s/files/keep.md?base_version=2000", None),
        # EMAXV before the missing file of delete
        ("delete", "name/s/files/gone.md", None),
    ],
)
def test_emaxv_on_every_file_route(api, world, full_history, method, url, payload):
    before = snapshot(world.team, "s")
    response = api.post(url, payload) if method == "post" else api.delete(url)
    assert (response.status_code, response.json()) == (400, EMAXV)
    assert_unchanged(before, world.team, "s")


@pytest.mark.parametrize(
    ("method", "url", "payload"),
    [
        ("post", "name/s/files/", {"path": "new.md", "content": "x", "base_version": 1999}),
        ("post", "name/s/files-rename/", {"old_path": "keep.md", "new_path": "n.md", "base_version": 1}),
        ("delete", "name/s/files/keep.md?base_version=1", None),
    ],
)
def test_emaxv_comes_after_the_conflict_check(api, world, full_history, method, url, payload):
    response = api.post(url, payload) if method == "post" else api.delete(url)
    assert (response.status_code, response.json()) == (409, conflict(2000))
    assert LLMSkill.objects.filter(team=world.team, name="s").count() == 2000


def test_emaxv_not_reached_at_1999(api, world):
    seed_versions(world.team, "s", 1999, world.user, files=[("keep.md", "k")])
    response = api.post("name/s/files/", {"path": "new.md", "content": "x", "base_version": 1999})
    assert response.status_code == 201, response.content
    assert (response.json()["version"], response.json()["version_count"]) == (2000, 2000)
    response = api.delete("name/s/files/new.md")
    assert (response.status_code, response.json()) == (400, EMAXV)


# ---- scopes --------------------------------------------------------------------------------------


def test_scopes_file_delete_needs_write_although_get_needs_read(api, world, skill_keys):
    seed_skill(world, files=[("a.md", "a", "text/plain")])
    before = snapshot(world.team, "s")

    assert api.get("name/s/files/a.md", key=skill_keys.read).status_code == 200
    response = api.delete("name/s/files/a.md", key=skill_keys.read)
    assert (response.status_code, response.json()) == (403, WRITE_SCOPE_DENIED)
    response = api.post("name/s/files/", {"path": "b.md", "content": "b"}, key=skill_keys.read)
    assert (response.status_code, response.json()) == (403, WRITE_SCOPE_DENIED)
    response = api.post("name/s/files-rename/", {"old_path": "a.md", "new_path": "b.md"}, key=skill_keys.read)
    assert (response.status_code, response.json()) == (403, WRITE_SCOPE_DENIED)
    assert_unchanged(before, world.team, "s")

    # A key without any llm_skill scope cannot even read.
    response = api.get("name/s/files/a.md", key=world.k_ro)
    assert (response.status_code, response.json()) == (403, READ_SCOPE_DENIED)
    # Write implies read.
    assert api.get("name/s/files/a.md", key=skill_keys.write).status_code == 200
    assert api.delete("name/s/files/a.md", key=skill_keys.write).status_code == 200
