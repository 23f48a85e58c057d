"""Archive (§4.6) and duplicate (§4.7) of skills, cases 40-43."""

from typing import Any

import pytest

from skills import services
from skills.models import LLMSkill, LLMSkillFile
from tests.api import iso, user_json, validation
from tests.skills.helpers import (
    FULL_KEYS,
    NAME_PATTERN_MESSAGE,
    files_of,
    history_state,
    skill_not_found,
    versions,
)

NAME_TAKEN = {"attr": "new_name", "detail": "A skill with this name already exists."}
FILES = [
    {"path": "scripts/run.sh", "content": "echo run\n  indented", "content_type": "text/x-shellscript"},
    {"path": "references/g.md", "content": "# G\n\nguide"},
]
STORED = {
    "scripts/run.sh": ("echo run\n  indented", "text/x-shellscript"),
    "references/g.md": ("# G\n\nguide", "text/plain"),
}
FULL = {
    "description": "Full description",
    "body": "# Title\n\n## Part\ntext",
    "license": "Apache-2.0",
    "compatibility": "Claude Code",
    "allowed_tools": ["Bash", "Read"],
    "metadata": {"author": "x", "nested": {"list": [1, None, "s"]}},
    "files": FILES,
}
CONTENT_FIELDS = ("description", "body", "outline", "license", "compatibility", "allowed_tools", "metadata")


def all_rows(team, name: str) -> list[dict[str, Any]]:
    return list(LLMSkill.objects.filter(team=team, name=name).order_by("version", "created_at").values())


def file_rows(team, name: str) -> list[dict[str, Any]]:
    return list(
        LLMSkillFile.objects.filter(skill_version__team=team, skill_version__name=name)
        .order_by("id")
        .values()
    )


def content_of(row: LLMSkill) -> dict[str, Any]:
    return {field: getattr(row, field) for field in CONTENT_FIELDS}


# ---- case 40 ----------------------------------------------------------------------------------


def test_case_40_archive(api, world):
    api.create("s", files=FILES)
    api.publish("s", 1, body="# V2")
    api.publish("s", 2, body="# V3", files=[{"path": "v3.md", "content": "three"}])
    api.create("other")
    files_before = file_rows(world.team, "s")
    assert len(files_before) == 5

    # The body is ignored.
    response = api.post("name/s/archive/", {"name": "zzz", "new_name": "x", "body": "ignored"})

    assert response.status_code == 204
    assert response.content == b""
    assert history_state(world.team, "s") == [(1, False, True), (2, False, True), (3, False, True)]
    rows = LLMSkill.objects.filter(team=world.team, name="s").order_by("version")
    assert [r.body for r in rows] == ["# T\nx", "# V2", "# V3"]
    # Files are kept, untouched.
    assert file_rows(world.team, "s") == files_before
    # Other skills are not touched.
    assert history_state(world.team, "other") == [(1, True, False)]
    assert not LLMSkill.objects.filter(name__in=["zzz", "x"]).exists()


def test_case_40_archived_skill_is_gone_everywhere(api, world):
    api.create("s", files=FILES)
    api.publish("s", 1, body="# V2")
    api.create("other")
    assert api.post("name/s/archive/").status_code == 204
    gone = skill_not_found("s")

    for version in (None, 1, 2):
        response = api.get("name/s/", {"version": version} if version else None)
        assert (response.status_code, response.json()) == (404, gone), version

    listing = api.get()
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    assert [item["name"] for item in listing.json()["results"]] == ["other"]
    assert api.get("", {"search": "s"}).json()["count"] == 0

    for params in (None, {"version": 1}, {"version_id": str(versions_all(world.team, "s")[0].id)}):
        response = api.get("resolve/name/s/", params)
        assert (response.status_code, response.json()) == (404, gone), params

    for version in (None, 1):
        response = api.get("name/s/files/scripts/run.sh", {"version": version} if version else None)
        assert (response.status_code, response.json()) == (404, gone), version

    rows_before = all_rows(world.team, "s")
    files_before = file_rows(world.team, "s")
    writes = [
        api.patch("name/s/", {"body": "# V3", "base_version": 2}),
        api.patch("name/s/", {"base_version": 2}),
        api.post("name/s/files/", {"path": "new.md", "content": "n"}),
        api.post("name/s/files/", {"path": "new.md", "content": "n", "base_version": 2}),
        api.post("name/s/files-rename/", {"old_path": "scripts/run.sh", "new_path": "run.sh"}),
        api.delete("name/s/files/scripts/run.sh"),
        api.delete("name/s/files/scripts/run.sh?base_version=2"),
        api.post("name/s/duplicate/", {"new_name": "copy"}),
        api.post("name/s/archive/"),
    ]
    for response in writes:
        assert (response.status_code, response.json()) == (404, gone), response.request
    assert all_rows(world.team, "s") == rows_before
    assert file_rows(world.team, "s") == files_before
    assert not LLMSkill.objects.filter(name="copy").exists()


def versions_all(team, name: str) -> list[LLMSkill]:
    return list(LLMSkill.objects.filter(team=team, name=name).order_by("version"))


def test_case_40_second_archive_is_404(api, world):
    api.create("s")
    assert api.post("name/s/archive/").status_code == 204
    rows = all_rows(world.team, "s")
    response = api.post("name/s/archive/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Skill with name 's' not found."}
    assert all_rows(world.team, "s") == rows


def test_case_40_archive_unknown_name(api):
    response = api.post("name/never/archive/")
    assert (response.status_code, response.json()) == (404, skill_not_found("never"))
    # Exact, case-sensitive name.
    api.create("s")
    response = api.post("name/S/archive/")
    assert (response.status_code, response.json()) == (404, skill_not_found("S"))


def test_case_40_archive_is_per_project(api, world):
    api.create("s")
    services.create_skill(team=world.team2, name="s", description="d", body="theirs", created_by=None)
    assert api.post("name/s/archive/").status_code == 204
    assert history_state(world.team2, "s") == [(1, True, False)]
    # Archiving through T2's URL archives T2's skill only.
    api.create("t")
    response = api.client.post(
        f"/api/environments/{world.team2.id}/llm_skills/name/t/archive/",
        **{"HTTP_AUTHORIZATION": f"Bearer {api.key}"},
    )
    assert (response.status_code, response.json()) == (404, skill_not_found("t"))
    assert history_state(world.team, "t") == [(1, True, False)]
    response = api.client.post(
        f"/api/environments/{world.team2.id}/llm_skills/name/s/archive/",
        **{"HTTP_AUTHORIZATION": f"Bearer {api.key}"},
    )
    assert response.status_code == 204
    assert history_state(world.team2, "s") == [(1, False, True)]


def test_case_40_archive_both_prefixes_and_without_slash(api, projects_api, world):
    for name in ("a", "b", "c"):
        api.create(name)
    assert api.post("name/a/archive").status_code == 204
    assert projects_api.post("name/b/archive/").status_code == 204
    response = projects_api.post("name/c/archive")
    assert (response.status_code, response.content) == (204, b"")
    for name in ("a", "b", "c"):
        assert history_state(world.team, name) == [(1, False, True)]


# ---- case 41 ----------------------------------------------------------------------------------


def test_case_41_recreate_after_archive(api, world):
    old = api.create("s", body="# Old", files=FILES)
    api.publish("s", 1, body="# Old 2")
    assert api.post("name/s/archive/").status_code == 204
    old_files = file_rows(world.team, "s")

    response = api.post("", {"name": "s", "description": "fresh", "body": "# Fresh"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert list(body) == FULL_KEYS
    assert (body["version"], body["version_count"], body["latest_version"], body["is_latest"]) == (
        1,
        1,
        1,
        True,
    )
    assert body["id"] != old["id"]
    assert (body["body"], body["description"], body["files"]) == ("# Fresh", "fresh", [])
    assert body["first_version_created_at"] == body["created_at"]
    [new] = versions(world.team, "s")
    assert body["id"] == str(new.id)
    assert history_state(world.team, "s") == [(1, True, False), (1, False, True), (2, False, True)]
    # The archived rows and their files stay as they were.
    assert file_rows(world.team, "s") == old_files
    assert files_of(new) == {}

    assert api.get("name/s/").json() == body
    response = api.get("name/s/", {"version": 2})
    assert (response.status_code, response.json()) == (404, skill_not_found("s"))
    resolve = api.get("resolve/name/s/").json()
    assert [v["version"] for v in resolve["versions"]] == [1]
    assert resolve["skill"]["id"] == body["id"]
    assert api.get("resolve/name/s/", {"version_id": old["id"]}).status_code == 404
    assert api.get("name/s/files/scripts/run.sh").status_code == 404
    listing = api.get().json()
    assert listing["count"] == 1
    assert (listing["results"][0]["id"], listing["results"][0]["version_count"]) == (body["id"], 1)

    # The new history continues at 2.
    assert api.publish("s", 1, body="# Next")["version"] == 2
    assert history_state(world.team, "s") == [
        (1, False, False),
        (2, True, False),
        (1, False, True),
        (2, False, True),
    ]


# ---- case 42 ----------------------------------------------------------------------------------


def test_case_42_duplicate(api, world):
    api.create("orig", **FULL)
    source_rows = all_rows(world.team, "orig")
    source_files = file_rows(world.team, "orig")

    response = api.post("name/orig/duplicate/", {"new_name": "the-copy"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert list(body) == FULL_KEYS
    [source] = versions(world.team, "orig")
    [copy] = versions(world.team, "the-copy")
    assert body == {
        "id": str(copy.id),
        "name": "the-copy",
        "description": "Full description",
        "body": "# Title\n\n## Part\ntext",
        "license": "Apache-2.0",
        "compatibility": "Claude Code",
        "allowed_tools": ["Bash", "Read"],
        "metadata": {"author": "x", "nested": {"list": [1, None, "s"]}},
        "files": [
            {"path": "scripts/run.sh", "content_type": "text/x-shellscript"},
            {"path": "references/g.md", "content_type": "text/plain"},
        ],
        "outline": [{"level": 1, "text": "Title"}, {"level": 2, "text": "Part"}],
        "version": 1,
        "created_by": user_json(world.user),
        "created_at": iso(copy.created_at),
        "updated_at": iso(copy.updated_at),
        "deleted": False,
        "is_latest": True,
        "latest_version": 1,
        "version_count": 1,
        "first_version_created_at": iso(copy.created_at),
    }
    assert body["id"] != str(source.id)
    assert content_of(copy) == content_of(source)
    assert (copy.version, copy.is_latest, copy.deleted, copy.team_id) == (1, True, False, world.t)
    assert files_of(copy) == STORED
    # The copy owns its own file rows.
    assert not {f.id for f in copy.files.all()} & {f.id for f in source.files.all()}
    for f in FILES:
        response = api.get(f"name/the-copy/files/{f['path']}")
        assert response.status_code == 200
        assert response.json() == {
            "path": f["path"],
            "content": f["content"],
            "content_type": f.get("content_type", "text/plain"),
        }
    # The source is untouched.
    assert all_rows(world.team, "orig") == source_rows
    assert file_rows(world.team, "orig") == source_files
    assert api.get("name/the-copy/").json() == body


def test_case_42_duplicate_copies_latest_version_only(api, world):
    api.create(
        "orig", body="# One", description="d1", license="MIT", files=[{"path": "one.md", "content": "1"}]
    )
    api.publish(
        "orig",
        1,
        body="# Two",
        description="d2",
        compatibility="c2",
        allowed_tools=["X"],
        metadata={"v": 2},
        files=[{"path": "two.md", "content": "2", "content_type": "text/markdown"}],
    )
    api.publish("orig", 2, file_edits=[{"path": "two.md", "edits": [{"old": "2", "new": "two"}]}])
    [*_, latest] = versions(world.team, "orig")

    body = api.post("name/orig/duplicate/", {"new_name": "copy"}).json()

    assert (body["version"], body["latest_version"], body["version_count"]) == (1, 1, 1)
    assert (body["body"], body["description"], body["license"], body["compatibility"]) == (
        "# Two",
        "d2",
        "MIT",
        "c2",
    )
    assert (body["allowed_tools"], body["metadata"]) == (["X"], {"v": 2})
    assert body["files"] == [{"path": "two.md", "content_type": "text/markdown"}]
    [copy] = versions(world.team, "copy")
    assert content_of(copy) == content_of(latest)
    assert files_of(copy) == {"two.md": ("two", "text/markdown")}
    assert history_state(world.team, "copy") == [(1, True, False)]
    resolve = api.get("resolve/name/copy/").json()
    assert [v["version"] for v in resolve["versions"]] == [1]
    assert resolve["has_more"] is False
    assert api.get("name/copy/", {"version": 2}).status_code == 404


def test_case_42_duplicate_created_by_is_caller(api, world, colleague):
    api.create("orig")
    user, key = colleague
    response = api.post("name/orig/duplicate/", {"new_name": "theirs"}, key=key)
    assert response.status_code == 201, response.content
    assert response.json()["created_by"] == user_json(user)
    [copy] = versions(world.team, "theirs")
    assert copy.created_by_id == user.id
    assert versions(world.team, "orig")[0].created_by_id == world.user.id


def test_case_42_duplicate_without_files(api, world):
    api.create("orig")
    body = api.post("name/orig/duplicate/", {"new_name": "copy"}).json()
    assert body["files"] == []
    assert files_of(versions(world.team, "copy")[0]) == {}


def test_case_42_duplicate_is_independent(api, world):
    api.create("orig", files=FILES)
    api.post("name/orig/duplicate/", {"new_name": "copy"})
    api.publish("copy", 1, body="# Changed", files=[])
    assert api.get("name/orig/").json()["body"] == "# T\nx"
    assert files_of(versions(world.team, "orig")[0]) == STORED
    api.post("name/orig/archive/")
    assert api.get("name/copy/").status_code == 200
    assert history_state(world.team, "copy") == [(1, False, False), (2, True, False)]


def test_case_42_new_name_trimmed_and_routes(api, projects_api, world):
    api.create("orig")
    response = api.post("name/orig/duplicate", {"new_name": "  spaced  "})
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "spaced"
    response = projects_api.post("name/orig/duplicate/", {"new_name": "via-projects"})
    assert (response.status_code, response.json()["name"]) == (201, "via-projects")
    assert {r.name for r in LLMSkill.objects.filter(team=world.team)} == {"orig", "spaced", "via-projects"}


def test_case_42_duplicate_to_an_archived_name(api, world):
    api.create("orig", body="# Orig")
    api.create("old", body="# Old")
    api.post("name/old/archive/")
    response = api.post("name/orig/duplicate/", {"new_name": "old"})
    assert response.status_code == 201, response.content
    assert (response.json()["body"], response.json()["version"]) == ("# Orig", 1)
    assert history_state(world.team, "old") == [(1, True, False), (1, False, True)]


def test_case_42_duplicate_to_a_name_used_in_another_project(api, world):
    api.create("orig")
    services.create_skill(
        team=world.team2, name="taken-elsewhere", description="d", body="b", created_by=None
    )
    response = api.post("name/orig/duplicate/", {"new_name": "taken-elsewhere"})
    assert response.status_code == 201, response.content
    assert history_state(world.team, "taken-elsewhere") == [(1, True, False)]


# ---- case 43 ----------------------------------------------------------------------------------


def test_case_43_duplicate_to_existing_name(api, world):
    api.create("orig", files=FILES)
    api.create("existing")
    count = LLMSkill.objects.count(), LLMSkillFile.objects.count()

    response = api.post("name/orig/duplicate/", {"new_name": "existing"})

    assert response.status_code == 400
    assert response.json() == {"attr": "new_name", "detail": "A skill with this name already exists."}
    assert list(response.json()) == ["attr", "detail"]
    assert (LLMSkill.objects.count(), LLMSkillFile.objects.count()) == count
    assert history_state(world.team, "existing") == [(1, True, False)]


def test_case_43_duplicate_to_its_own_name(api, world):
    api.create("orig")
    response = api.post("name/orig/duplicate/", {"new_name": "orig"})
    assert response.status_code == 400
    assert response.json() == NAME_TAKEN
    assert history_state(world.team, "orig") == [(1, True, False)]


def test_case_43_duplicate_missing_source(api, world):
    response = api.post("name/missing/duplicate/", {"new_name": "the-copy"})
    assert response.status_code == 404
    assert response.json() == skill_not_found("missing")
    assert not LLMSkill.objects.filter(name="the-copy").exists()


def test_case_43_duplicate_archived_source(api, world):
    api.create("orig")
    api.create("taken")
    api.post("name/orig/archive/")
    response = api.post("name/orig/duplicate/", {"new_name": "the-copy"})
    assert (response.status_code, response.json()) == (404, skill_not_found("orig"))
    # 404 before the name check.
    response = api.post("name/orig/duplicate/", {"new_name": "taken"})
    assert (response.status_code, response.json()) == (404, skill_not_found("orig"))
    assert not LLMSkill.objects.filter(name="the-copy").exists()


@pytest.mark.parametrize(
    ("new_name", "expected"),
    [
        ("Bad", validation("new_name", "invalid_name", NAME_PATTERN_MESSAGE)),
        ("Invalid_Name", validation("new_name", "invalid_name", NAME_PATTERN_MESSAGE)),
        ("-a", validation("new_name", "invalid_name", NAME_PATTERN_MESSAGE)),
        ("a-", validation("new_name", "invalid_name", NAME_PATTERN_MESSAGE)),
        ("a--b", validation("new_name", "invalid_name", "Consecutive hyphens are not allowed.")),
        ("new", validation("new_name", "reserved_name", "'new' is a reserved name and cannot be used.")),
        ("NEW", validation("new_name", "reserved_name", "'new' is a reserved name and cannot be used.")),
        (
            "a" * 65,
            validation("new_name", "max_length", "Ensure this field has no more than 64 characters."),
        ),
        (
            "A_" * 40,
            validation("new_name", "max_length", "Ensure this field has no more than 64 characters."),
        ),
        ("", validation("new_name", "blank", "This field may not be blank.")),
        ("   ", validation("new_name", "blank", "This field may not be blank.")),
        (None, validation("new_name", "null", "This field may not be null.")),
        (["x"], validation("new_name", "invalid_input", "Not a valid string.")),
    ],
)
def test_case_43_invalid_new_name(api, world, new_name, expected):
    api.create("orig")
    response = api.post("name/orig/duplicate/", {"new_name": new_name})
    assert response.status_code == 400
    assert response.json() == expected
    assert {r.name for r in LLMSkill.objects.all()} == {"orig"}


def test_case_43_new_name_required(api, world):
    api.create("orig")
    response = api.post("name/orig/duplicate/", {"name": "x"})
    assert response.status_code == 400
    assert response.json() == validation("new_name", "required", "This field is required.")
    response = api.post("name/orig/duplicate/")
    assert response.json() == validation("new_name", "required", "This field is required.")


def test_case_43_name_at_64_chars_is_allowed(api, world):
    api.create("orig")
    name = "a" * 64
    response = api.post("name/orig/duplicate/", {"new_name": name})
    assert response.status_code == 201, response.content
    assert response.json()["name"] == name


def test_case_43_check_order(api, world):
    api.create("orig")
    api.create("taken")
    # Validation before 404.
    response = api.post("name/missing/duplicate/", {"new_name": "Bad"})
    assert response.json() == validation("new_name", "invalid_name", NAME_PATTERN_MESSAGE)
    response = api.post("name/missing/duplicate/", {})
    assert response.json() == validation("new_name", "required", "This field is required.")
    # 404 before the name is checked as taken.
    response = api.post("name/missing/duplicate/", {"new_name": "taken"})
    assert (response.status_code, response.json()) == (404, skill_not_found("missing"))
    response = api.post("name/missing/duplicate/", {"new_name": "missing"})
    assert (response.status_code, response.json()) == (404, skill_not_found("missing"))
    # Then the name clash.
    response = api.post("name/orig/duplicate/", {"new_name": "taken"})
    assert (response.status_code, response.json()) == (400, NAME_TAKEN)
    assert sorted(r.name for r in LLMSkill.objects.all()) == ["orig", "taken"]
