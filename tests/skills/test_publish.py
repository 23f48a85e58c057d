"""PATCH P/name/{name}/: publishing skill versions (skills spec §4.4, §5; cases 21-27, 33, 38, 39)."""

from typing import Any

import pytest

from skills.models import LLMSkill, LLMSkillFile
from tests.api import bearer, user_json, validation
from tests.skills.helpers import (
    EMAXV,
    FULL_KEYS,
    assert_each_refused,
    conflict,
    expected_skill,
    files_of,
    history_state,
    seed_versions,
    skill_not_found,
    versions,
)

CONTENT_FIELDS = ("description", "body", "license", "compatibility", "allowed_tools", "metadata")
PUBLISH_FIELDS = (
    "body",
    "edits",
    "description",
    "license",
    "compatibility",
    "allowed_tools",
    "metadata",
    "files",
    "file_edits",
    "base_version",
)
FILES = [
    {"path": "scripts/run.sh", "content": "echo run\n  indented", "content_type": "text/x-shellscript"},
    {"path": "references/g.md", "content": "# G\n\nguide"},
    {"path": "data/table.csv", "content": "a,b\n1,2", "content_type": "text/csv"},
]
STORED_FILES = {
    "scripts/run.sh": ("echo run\n  indented", "text/x-shellscript"),
    "references/g.md": ("# G\n\nguide", "text/plain"),
    "data/table.csv": ("a,b\n1,2", "text/csv"),
}
MANIFEST = [
    {"path": "scripts/run.sh", "content_type": "text/x-shellscript"},
    {"path": "references/g.md", "content_type": "text/plain"},
    {"path": "data/table.csv", "content_type": "text/csv"},
]
FULL_CREATE = {
    "description": "Full description",
    "body": "# Title\n\n## Section\ntext",
    "license": "MIT",
    "compatibility": "Claude Code >= 1.0",
    "allowed_tools": ["Bash", "Read", "Bash"],
    "metadata": {"author": "x", "nested": {"k": [1, 2, {"deep": None}]}, "version": "1.0"},
    "files": FILES,
}


def row_snapshot(row_id) -> dict[str, Any]:
    """Every column of a version row, as stored."""
    return LLMSkill.objects.filter(pk=row_id).values().get()


def file_rows(row_id) -> list[dict[str, Any]]:
    """Every column of a version's file rows, as stored."""
    return list(LLMSkillFile.objects.filter(skill_version_id=row_id).order_by("id").values())


def all_file_count() -> int:
    return LLMSkillFile.objects.count()


def content_of(row: LLMSkill) -> dict[str, Any]:
    return {field: getattr(row, field) for field in CONTENT_FIELDS}


def get_file(api, name: str, path: str, version: int | None = None):
    query = {"version": version} if version is not None else None
    return api.get(f"name/{name}/files/{path}", query)


# ---- case 21 ----------------------------------------------------------------------------------


def test_case_21_publish_body_creates_version_2(api, world):
    v1 = api.create("s", body="# T\nx")

    response = api.patch("name/s/", {"body": "# V2", "base_version": 1})

    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == FULL_KEYS
    old, new = versions(world.team, "s")
    assert body == expected_skill(new)
    assert body["id"] != v1["id"]
    assert body["id"] == str(new.id)
    assert (body["version"], body["body"], body["is_latest"]) == (2, "# V2", True)
    assert (body["latest_version"], body["version_count"]) == (2, 2)
    assert body["outline"] == [{"level": 1, "text": "V2"}]
    assert body["first_version_created_at"] == v1["created_at"]
    assert body["created_by"] == user_json(world.user)
    assert body["deleted"] is False
    assert body["name"] == "s"
    assert history_state(world.team, "s") == [(1, False, False), (2, True, False)]
    assert (new.version, new.body, new.is_latest, new.created_by_id) == (2, "# V2", True, world.user.id)
    assert str(old.id) == v1["id"]

    latest = api.get("name/s/")
    assert latest.status_code == 200
    assert latest.json() == body


def test_case_21_old_row_untouched_byte_for_byte(api, world):
    api.create("s", body="# T\nx", **{k: v for k, v in FULL_CREATE.items() if k != "body"})
    [v1] = versions(world.team, "s")
    before = row_snapshot(v1.id)
    before_files = file_rows(v1.id)

    api.publish(
        "s",
        1,
        body="# Other",
        description="new d",
        license="",
        compatibility="c2",
        allowed_tools=["Grep"],
        metadata={"z": 1},
        files=[{"path": "only.md", "content": "only"}],
    )

    after = row_snapshot(v1.id)
    assert before["is_latest"] is True
    assert after["is_latest"] is False
    assert {k: v for k, v in after.items() if k != "is_latest"} == {
        k: v for k, v in before.items() if k != "is_latest"
    }
    assert after["updated_at"] == before["updated_at"]
    assert file_rows(v1.id) == before_files
    # The old version, read over HTTP, still shows its own content and files.
    old = api.get("name/s/", {"version": 1}).json()
    assert (old["body"], old["description"], old["license"], old["files"]) == (
        "# T\nx",
        "Full description",
        "MIT",
        MANIFEST,
    )


def test_case_21_each_publish_gets_a_new_id_and_number(api, world):
    first = api.create("s")
    ids = {first["id"]}
    for n in range(2, 6):
        published = api.publish("s", n - 1, body=f"# V{n}")
        assert (published["version"], published["latest_version"], published["version_count"]) == (n, n, n)
        assert published["id"] not in ids
        ids.add(published["id"])
    assert [r.version for r in versions(world.team, "s")] == [1, 2, 3, 4, 5]
    assert {str(r.id) for r in versions(world.team, "s")} == ids
    assert history_state(world.team, "s") == [(v, v == 5, False) for v in range(1, 6)]


def test_case_21_publish_under_both_prefixes_and_without_slash(api, projects_api, world):
    api.create("s")
    response = projects_api.patch("name/s/", {"body": "# P", "base_version": 1})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    response = api.patch("name/s", {"body": "# Q", "base_version": 2})
    assert response.status_code == 200, response.content
    assert (response.json()["version"], response.json()["body"]) == (3, "# Q")
    response = projects_api.patch("name/s", {"body": "# R", "base_version": 3})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 4
    assert [r.body for r in versions(world.team, "s")] == ["# T\nx", "# P", "# Q", "# R"]


def test_case_21_publish_trims_strings(api, world):
    api.create("s")
    body = api.publish(
        "s",
        1,
        body="  \n# Trimmed\n\n  ",
        description="  New d \t",
        license=" MIT ",
        compatibility="\n any \n",
        allowed_tools=["  Bash  ", "Read "],
    )
    assert (body["body"], body["description"], body["license"], body["compatibility"]) == (
        "# Trimmed",
        "New d",
        "MIT",
        "any",
    )
    assert body["allowed_tools"] == ["Bash", "Read"]
    row = versions(world.team, "s")[-1]
    assert (row.body, row.description, row.license, row.compatibility, row.allowed_tools) == (
        "# Trimmed",
        "New d",
        "MIT",
        "any",
        ["Bash", "Read"],
    )


def test_case_21_publish_validation_errors(api, world):
    api.create("s")
    cases = [
        ({"body": "   "}, validation("body", "blank", "This field may not be blank.")),
        ({"body": ""}, validation("body", "blank", "This field may not be blank.")),
        ({"description": " "}, validation("description", "blank", "This field may not be blank.")),
        (
            {"description": "x" * 4097},
            validation("description", "max_length", "Ensure this field has no more than 4096 characters."),
        ),
        (
            {"body": "x" * 1_000_001},
            validation("body", "max_size", "Skill body must be 1000000 bytes or fewer."),
        ),
        (
            {"license": "x" * 256},
            validation("license", "max_length", "Ensure this field has no more than 255 characters."),
        ),
        (
            {"compatibility": "x" * 501},
            validation("compatibility", "max_length", "Ensure this field has no more than 500 characters."),
        ),
        ({"body": ["a"]}, validation("body", "invalid_input", "Not a valid string.")),
        ({"description": {"a": 1}}, validation("description", "invalid_input", "Not a valid string.")),
        ({"license": True}, validation("license", "invalid_input", "Not a valid string.")),
        (
            {"allowed_tools": "Bash"},
            validation("allowed_tools", "not_a_list", 'Expected a list of items but got type "str".'),
        ),
        (
            {"allowed_tools": ["Bash", "Read", " "]},
            validation("allowed_tools__2", "blank", "This field may not be blank."),
        ),
        (
            {"metadata": ["a"]},
            validation("metadata", "not_a_dict", 'Expected a dictionary of items but got type "list".'),
        ),
    ]
    assert_each_refused(lambda payload: api.patch("name/s/", {**payload, "base_version": 1}), cases)
    assert history_state(world.team, "s") == [(1, True, False)]


def test_case_21_publish_body_at_exactly_the_byte_limit(api, world):
    api.create("s")
    body = "é" * 500_000  # 1,000,000 UTF-8 bytes
    assert api.publish("s", 1, body=body)["version"] == 2
    assert versions(world.team, "s")[-1].body == body
    response = api.patch("name/s/", {"body": body + "x", "base_version": 2})
    assert response.status_code == 400
    assert response.json() == validation("body", "max_size", "Skill body must be 1000000 bytes or fewer.")
    assert len(versions(world.team, "s")) == 2


# ---- case 22 ----------------------------------------------------------------------------------


def test_case_22_old_version_after_publish(api, world):
    v1 = api.create("s", body="# One\nx", files=[{"path": "a.md", "content": "A1"}])
    v2 = api.publish("s", 1, body="# Two", files=[{"path": "b.md", "content": "B2"}])

    response = api.get("name/s/", {"version": 1})

    assert response.status_code == 200
    old = response.json()
    assert list(old) == FULL_KEYS
    assert old == expected_skill(versions(world.team, "s")[0])
    assert (old["id"], old["version"], old["body"], old["is_latest"]) == (v1["id"], 1, "# One\nx", False)
    assert (old["latest_version"], old["version_count"]) == (2, 2)
    assert old["outline"] == [{"level": 1, "text": "One"}]
    assert old["files"] == [{"path": "a.md", "content_type": "text/plain"}]
    assert old["created_at"] == v1["created_at"]
    assert old["updated_at"] == v1["updated_at"]
    assert old["first_version_created_at"] == v1["created_at"] == v2["first_version_created_at"]
    assert api.get("name/s/", {"version": 2}).json() == v2
    assert get_file(api, "s", "a.md", version=1).json() == {
        "path": "a.md",
        "content": "A1",
        "content_type": "text/plain",
    }


# ---- case 23 ----------------------------------------------------------------------------------


def test_case_23_base_version_missing(api, world):
    api.create("s")
    response = api.patch("name/s/", {"body": "# V2"})
    assert response.status_code == 400
    assert response.json() == validation("base_version", "required", "This field is required.")
    response = api.patch("name/s/", {})
    assert response.status_code == 400
    assert response.json() == validation("base_version", "required", "This field is required.")
    assert history_state(world.team, "s") == [(1, True, False)]


def test_case_23_base_version_invalid_values(api, world):
    api.create("s")
    cases = [
        (0, validation("base_version", "min_value", "Ensure this value is greater than or equal to 1.")),
        (-3, validation("base_version", "min_value", "Ensure this value is greater than or equal to 1.")),
        ("abc", validation("base_version", "invalid_input", "A valid integer is required.")),
        ("", validation("base_version", "invalid_input", "A valid integer is required.")),
        (1.5, validation("base_version", "invalid_input", "A valid integer is required.")),
        (None, validation("base_version", "null", "This field may not be null.")),
    ]
    assert_each_refused(lambda value: api.patch("name/s/", {"body": "# V2", "base_version": value}), cases)
    assert history_state(world.team, "s") == [(1, True, False)]


# ---- case 24 ----------------------------------------------------------------------------------


def test_case_24_stale_base_version_conflict(api, world):
    api.create("s")
    api.publish("s", 1, body="# V2")

    response = api.patch("name/s/", {"body": "# V3", "base_version": 1})

    assert response.status_code == 409
    assert response.json() == conflict(2)
    assert response.json() == {
        "detail": "The skill changed since you opened it. Reload the latest version and try again.",
        "current_version": 2,
    }
    assert history_state(world.team, "s") == [(1, False, False), (2, True, False)]
    assert api.get("name/s/").json()["body"] == "# V2"

    # A base_version ahead of the latest is just as stale.
    response = api.patch("name/s/", {"body": "# V3", "base_version": 7})
    assert (response.status_code, response.json()) == (409, conflict(2))
    response = api.patch("name/s/", {"body": "# V3", "base_version": 10**30})
    assert (response.status_code, response.json()) == (409, conflict(2))
    assert history_state(world.team, "s") == [(1, False, False), (2, True, False)]


def test_case_24_conflict_writes_no_files(api, world):
    api.create("s", files=[{"path": "a.md", "content": "A"}])
    api.publish("s", 1, body="# V2")
    count = all_file_count()
    response = api.patch(
        "name/s/", {"files": [{"path": "b.md", "content": "B"}], "description": "x", "base_version": 1}
    )
    assert (response.status_code, response.json()) == (409, conflict(2))
    assert all_file_count() == count
    assert files_of(versions(world.team, "s")[-1]) == {"a.md": ("A", "text/plain")}


# ---- check order (§4.4): validation -> E404 -> E409 -> EMAXV -> edits ----------------------------


def test_case_23_validation_before_not_found(api):
    response = api.patch("name/nope/", {"body": "# X"})
    assert response.status_code == 400
    assert response.json() == validation("base_version", "required", "This field is required.")
    response = api.patch("name/nope/", {"body": " ", "base_version": 1})
    assert response.json() == validation("body", "blank", "This field may not be blank.")


def test_case_24_not_found_before_conflict(api, world):
    response = api.patch("name/nope/", {"body": "# X", "base_version": 99})
    assert response.status_code == 404
    assert response.json() == skill_not_found("nope")
    # The name is matched exactly.
    api.create("s")
    response = api.patch("name/S/", {"body": "# X", "base_version": 1})
    assert (response.status_code, response.json()) == (404, skill_not_found("S"))
    assert history_state(world.team, "s") == [(1, True, False)]


def test_case_24_other_project_skill_not_found(api, client, world, skill_keys):
    api.create("s")
    url = f"/api/environments/{world.team2.id}/llm_skills/name/s/"
    response = client.patch(
        url, {"body": "# X", "base_version": 1}, format="json", **bearer(skill_keys.write)
    )
    assert response.status_code == 404
    assert response.json() == skill_not_found("s")
    assert history_state(world.team, "s") == [(1, True, False)]
    assert history_state(world.team2, "s") == []


def test_case_24_validation_before_conflict(api, world):
    api.create("s")
    api.publish("s", 1, body="# V2")
    response = api.patch("name/s/", {"description": "", "base_version": 1})
    assert response.status_code == 400
    assert response.json() == validation("description", "blank", "This field may not be blank.")


def test_case_24_conflict_before_edits(api, world):
    api.create("s", body="# T\nhello")
    api.publish("s", 1, body="# T\nhello again")
    response = api.patch("name/s/", {"edits": [{"old": "missing", "new": "x"}], "base_version": 1})
    assert (response.status_code, response.json()) == (409, conflict(2))
    response = api.patch(
        "name/s/",
        {"file_edits": [{"path": "nope.md", "edits": [{"old": "a", "new": "b"}]}], "base_version": 1},
    )
    assert (response.status_code, response.json()) == (409, conflict(2))


def test_case_24_max_versions_reached(api, world):
    latest = seed_versions(world.team, "big", 2000, world.user, files=[("keep.md", "kept")])[-1]
    before = row_snapshot(latest.id)
    count = all_file_count()

    response = api.patch("name/big/", {"body": "# more", "base_version": 2000})

    assert response.status_code == 400
    assert response.json() == EMAXV
    assert LLMSkill.objects.filter(team=world.team, name="big").count() == 2000
    assert row_snapshot(latest.id) == before
    assert all_file_count() == count

    # A PATCH with only base_version is refused the same way.
    response = api.patch("name/big/", {"base_version": 2000})
    assert (response.status_code, response.json()) == (400, EMAXV)

    # 409 wins over EMAXV when base_version is stale.
    response = api.patch("name/big/", {"body": "# more", "base_version": 1999})
    assert (response.status_code, response.json()) == (409, conflict(2000))
    response = api.patch("name/big/", {"body": "# more", "base_version": 1})
    assert (response.status_code, response.json()) == (409, conflict(2000))

    # Validation wins over both; an unknown name wins over EMAXV/409.
    response = api.patch("name/big/", {"body": "# more"})
    assert response.json() == validation("base_version", "required", "This field is required.")
    response = api.patch("name/big/", {"body": " ", "base_version": 1})
    assert response.json() == validation("body", "blank", "This field may not be blank.")

    # EMAXV wins over body edits and file edits that would fail.
    response = api.patch("name/big/", {"edits": [{"old": "absent", "new": "x"}], "base_version": 2000})
    assert (response.status_code, response.json()) == (400, EMAXV)
    response = api.patch(
        "name/big/",
        {"file_edits": [{"path": "unknown.md", "edits": [{"old": "a", "new": "b"}]}], "base_version": 2000},
    )
    assert (response.status_code, response.json()) == (400, EMAXV)

    assert LLMSkill.objects.filter(team=world.team, name="big").count() == 2000
    assert row_snapshot(latest.id) == before
    assert all_file_count() == count


def test_case_24_version_1999_can_publish_2000_then_stops(api, world):
    seed_versions(world.team, "edge", 1999, files=[("keep.md", "kept")])
    body = api.publish("edge", 1999, body="# last")
    assert (body["version"], body["latest_version"], body["version_count"]) == (2000, 2000, 2000)
    assert body["files"] == [{"path": "keep.md", "content_type": "text/plain"}]
    response = api.patch("name/edge/", {"body": "# over", "base_version": 2000})
    assert (response.status_code, response.json()) == (400, EMAXV)
    assert LLMSkill.objects.filter(team=world.team, name="edge").count() == 2000


# ---- case 25 ----------------------------------------------------------------------------------


def test_case_25_body_publish_carries_license_and_description(api, world):
    api.create("s", body="# T\nx", description="Describe", license="MIT")
    body = api.publish("s", 1, body="x")
    assert (body["license"], body["description"], body["body"]) == ("MIT", "Describe", "x")
    row = versions(world.team, "s")[-1]
    assert (row.license, row.description) == ("MIT", "Describe")


def test_case_25_carry_forward_every_field(api, world):
    api.create("s", **FULL_CREATE)
    v1 = versions(world.team, "s")[0]

    body = api.publish("s", 1, body="# New body")

    v2 = versions(world.team, "s")[-1]
    assert content_of(v2) == {**content_of(v1), "body": "# New body"}
    assert body == expected_skill(v2)
    assert body["description"] == "Full description"
    assert body["license"] == "MIT"
    assert body["compatibility"] == "Claude Code >= 1.0"
    assert body["allowed_tools"] == ["Bash", "Read", "Bash"]
    assert body["metadata"] == {"author": "x", "nested": {"k": [1, 2, {"deep": None}]}, "version": "1.0"}
    assert body["files"] == MANIFEST
    assert body["outline"] == [{"level": 1, "text": "New body"}]
    assert files_of(v2) == STORED_FILES
    assert files_of(v1) == STORED_FILES


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body", "# Replaced"),
        ("description", "Other"),
        ("license", "GPL"),
        ("compatibility", "none"),
        ("allowed_tools", ["Write"]),
        ("metadata", {"only": "this"}),
    ],
)
def test_case_25_only_the_sent_field_changes(api, world, field, value):
    api.create("s", **FULL_CREATE)
    v1 = versions(world.team, "s")[0]

    body = api.publish("s", 1, **{field: value})

    v2 = versions(world.team, "s")[-1]
    assert content_of(v2) == {**content_of(v1), field: value}
    assert body[field] == value
    assert files_of(v2) == STORED_FILES
    assert body["files"] == MANIFEST
    assert body["version"] == 2


def test_case_25_carry_forward_from_latest_not_first(api, world):
    api.create("s", body="# One", license="MIT", metadata={"v": 1})
    api.publish("s", 1, license="Apache-2.0", metadata={"v": 2}, files=[{"path": "x.md", "content": "X2"}])
    body = api.publish("s", 2, body="# Three")
    assert (body["license"], body["metadata"], body["body"]) == ("Apache-2.0", {"v": 2}, "# Three")
    assert body["files"] == [{"path": "x.md", "content_type": "text/plain"}]
    assert files_of(versions(world.team, "s")[-1]) == {"x.md": ("X2", "text/plain")}


def test_case_25_carried_content_is_not_trimmed(api, world):
    # Content made by the server (here: an edit result) is stored as is, and carried forward as is.
    api.create("s", body="# T\n\nfoo bar")
    api.publish("s", 1, edits=[{"old": "bar", "new": ""}])
    assert versions(world.team, "s")[-1].body == "# T\n\nfoo "
    body = api.publish("s", 2, description="changed")
    assert body["body"] == "# T\n\nfoo "
    assert versions(world.team, "s")[-1].body == "# T\n\nfoo "


@pytest.mark.parametrize("field", PUBLISH_FIELDS)
def test_case_25_explicit_null_is_rejected(api, world, field):
    api.create("s", **FULL_CREATE)
    payload = {"base_version": 1, field: None}
    response = api.patch("name/s/", payload)
    assert response.status_code == 400
    assert response.json() == validation(field, "null", "This field may not be null.")
    assert history_state(world.team, "s") == [(1, True, False)]
    assert len(STORED_FILES) == all_file_count()


# ---- case 26 ----------------------------------------------------------------------------------


def test_case_26_description_only_publish(api, world):
    api.create("s", body="# Keep\n\nsame body", description="Old", files=[{"path": "f.md", "content": "F"}])

    body = api.publish("s", 1, description="New")

    assert (body["version"], body["description"], body["body"]) == (2, "New", "# Keep\n\nsame body")
    assert body["outline"] == [{"level": 1, "text": "Keep"}]
    assert body["files"] == [{"path": "f.md", "content_type": "text/plain"}]
    v1, v2 = versions(world.team, "s")
    assert (v1.description, v2.description) == ("Old", "New")
    assert v2.body == v1.body == "# Keep\n\nsame body"
    assert v2.outline == v1.outline


def test_case_26_only_base_version_creates_identical_version(api, world):
    api.create("s", **FULL_CREATE)
    v1 = versions(world.team, "s")[0]

    response = api.patch("name/s/", {"base_version": 1})

    assert response.status_code == 200, response.content
    body = response.json()
    v1_after, v2 = versions(world.team, "s")
    assert (body["version"], body["is_latest"], body["latest_version"], body["version_count"]) == (
        2,
        True,
        2,
        2,
    )
    assert body["id"] == str(v2.id) != str(v1.id)
    assert content_of(v2) == content_of(v1)
    assert v2.outline == v1.outline
    assert files_of(v2) == files_of(v1) == STORED_FILES
    assert body == expected_skill(v2)
    old = api.get("name/s/", {"version": 1}).json()
    for key in (*CONTENT_FIELDS, "files", "outline"):
        assert body[key] == old[key], key
    # Each version owns its own file rows.
    v1_ids = {f.id for f in LLMSkillFile.objects.filter(skill_version=v1)}
    v2_ids = {f.id for f in LLMSkillFile.objects.filter(skill_version=v2)}
    assert len(v1_ids) == len(v2_ids) == 3
    assert not v1_ids & v2_ids
    assert v1_after.is_latest is False


# ---- case 27 ----------------------------------------------------------------------------------


def test_case_27_clear_fields(api, world):
    api.create("s", **FULL_CREATE)

    body = api.publish("s", 1, license="")
    assert (body["version"], body["license"]) == (2, "")
    assert body["compatibility"] == "Claude Code >= 1.0"

    body = api.publish("s", 2, allowed_tools=[])
    assert (body["version"], body["allowed_tools"], body["license"]) == (3, [], "")

    body = api.publish("s", 3, compatibility="", metadata={})
    assert (body["version"], body["compatibility"], body["metadata"]) == (4, "", {})
    assert body["allowed_tools"] == []
    assert body["description"] == "Full description"

    rows = versions(world.team, "s")
    assert [(r.license, r.compatibility, r.allowed_tools, r.metadata == {}) for r in rows] == [
        ("MIT", "Claude Code >= 1.0", ["Bash", "Read", "Bash"], False),
        ("", "Claude Code >= 1.0", ["Bash", "Read", "Bash"], False),
        ("", "Claude Code >= 1.0", [], False),
        ("", "", [], True),
    ]
    # Whitespace-only clears too (trimmed to blank).
    api.publish("s", 4, license="MIT")
    assert api.publish("s", 5, license="   ")["license"] == ""


def test_case_27_metadata_and_tools_replace_not_merge(api, world):
    api.create("s", allowed_tools=["A", "B"], metadata={"a": 1, "b": 2})
    body = api.publish("s", 1, allowed_tools=["C"], metadata={"b": 3, "c": {"x": [1]}})
    assert body["allowed_tools"] == ["C"]
    assert body["metadata"] == {"b": 3, "c": {"x": [1]}}
    row = versions(world.team, "s")[-1]
    assert (row.allowed_tools, row.metadata) == (["C"], {"b": 3, "c": {"x": [1]}})


# ---- case 33 ----------------------------------------------------------------------------------


def test_case_33_body_publish_keeps_files(api, world):
    api.create("s", files=FILES)

    body = api.publish("s", 1, body="# Only body")

    assert body["files"] == MANIFEST
    assert all("content" not in item for item in body["files"])
    v1, v2 = versions(world.team, "s")
    assert files_of(v2) == STORED_FILES
    for f in FILES:
        response = get_file(api, "s", f["path"])
        assert response.status_code == 200
        assert response.json() == {
            "path": f["path"],
            "content": f["content"],
            "content_type": f.get("content_type", "text/plain"),
        }
        assert get_file(api, "s", f["path"], version=1).json() == response.json()
    # Copies, not shared rows: the new version's file rows are its own.
    assert not {f.id for f in v1.files.all()} & {f.id for f in v2.files.all()}
    assert LLMSkillFile.objects.filter(skill_version=v2).count() == 3


def test_case_33_edits_publish_keeps_files(api, world):
    api.create("s", body="# T\nhello", files=FILES)
    body = api.publish("s", 1, edits=[{"old": "hello", "new": "bye"}])
    assert body["files"] == MANIFEST
    assert files_of(versions(world.team, "s")[-1]) == STORED_FILES


# ---- case 38 ----------------------------------------------------------------------------------


def test_case_38_files_empty_list_clears(api, world):
    api.create("s", files=FILES)

    body = api.publish("s", 1, files=[])

    assert (body["version"], body["files"]) == (2, [])
    v1, v2 = versions(world.team, "s")
    assert files_of(v2) == {}
    assert files_of(v1) == STORED_FILES
    response = get_file(api, "s", "scripts/run.sh")
    assert response.status_code == 404
    assert response.json() == {"detail": "File 'scripts/run.sh' not found in skill 's'."}
    old = get_file(api, "s", "scripts/run.sh", version=1)
    assert old.status_code == 200
    assert old.json()["content"] == "echo run\n  indented"
    assert api.get("name/s/", {"version": 1}).json()["files"] == MANIFEST


def test_case_38_files_replace_the_whole_set(api, world):
    api.create("s", files=FILES)

    body = api.publish(
        "s",
        1,
        files=[
            {"path": "references/g.md", "content": "  # G2  ", "content_type": "text/markdown"},
            {"path": "new/one.txt", "content": "one"},
        ],
    )

    assert body["files"] == [
        {"path": "references/g.md", "content_type": "text/markdown"},
        {"path": "new/one.txt", "content_type": "text/plain"},
    ]
    assert files_of(versions(world.team, "s")[-1]) == {
        "references/g.md": ("# G2", "text/markdown"),
        "new/one.txt": ("one", "text/plain"),
    }
    assert get_file(api, "s", "scripts/run.sh").status_code == 404
    assert get_file(api, "s", "references/g.md").json() == {
        "path": "references/g.md",
        "content": "# G2",
        "content_type": "text/markdown",
    }
    assert files_of(versions(world.team, "s")[0]) == STORED_FILES


def test_case_38_files_with_body_together(api, world):
    api.create("s", files=FILES)
    body = api.publish("s", 1, body="# B", files=[{"path": "z.md", "content": "Z"}])
    assert (body["body"], body["files"]) == ("# B", [{"path": "z.md", "content_type": "text/plain"}])


def test_case_38_files_validated_like_create(api, world):
    api.create("s", files=FILES)
    many = [{"path": f"f{i}.md", "content": "x"} for i in range(51)]
    cases = [
        ({"files": many}, validation("files", "max_count", "A skill may contain at most 50 files.")),
        (
            {"files": [{"path": "a.md", "content": "1"}, {"path": "a.md", "content": "2"}]},
            validation("files", "invalid_input", "Duplicate file paths are not allowed."),
        ),
        (
            {"files": [{"path": "../x", "content": "1"}]},
            validation(
                "files__0__path", "invalid_input", "File paths must not contain '..' traversal segments."
            ),
        ),
        (
            {"files": [{"path": "ok.md", "content": "1"}, {"path": "/abs", "content": "1"}]},
            validation("files__1__path", "invalid_input", "File paths must be relative, not absolute."),
        ),
        (
            {"files": [{"path": "ok.md", "content": " "}]},
            validation("files__0__content", "blank", "This field may not be blank."),
        ),
        (
            {"files": [{"path": "ok.md", "content": "x" * 1_000_001}]},
            validation("files__0__content", "max_size", "File content must be 1000000 bytes or fewer."),
        ),
        (
            {"files": [{"content": "x"}]},
            validation("files__0__path", "required", "This field is required."),
        ),
        (
            {"files": {"path": "a.md"}},
            validation("files", "not_a_list", 'Expected a list of items but got type "dict".'),
        ),
    ]
    assert_each_refused(lambda payload: api.patch("name/s/", {**payload, "base_version": 1}), cases)
    assert history_state(world.team, "s") == [(1, True, False)]
    assert all_file_count() == 3


def test_case_38_exactly_50_files_allowed(api, world):
    api.create("s")
    files = [{"path": f"f{i}.md", "content": f"c{i}"} for i in range(50)]
    body = api.publish("s", 1, files=files)
    assert [f["path"] for f in body["files"]] == [f"f{i}.md" for i in range(50)]
    assert len(files_of(versions(world.team, "s")[-1])) == 50


# ---- case 39 ----------------------------------------------------------------------------------


def test_case_39_name_key_is_ignored(api, world):
    api.create("s")

    response = api.patch("name/s/", {"name": "other", "base_version": 1, "body": "b"})

    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["body"], response.json()["version"]) == ("s", "b", 2)
    assert not LLMSkill.objects.filter(name="other").exists()
    assert history_state(world.team, "s") == [(1, False, False), (2, True, False)]
    assert api.get("name/other/").status_code == 404


def test_case_39_read_only_keys_are_ignored(api, world):
    v1 = api.create("s")
    response = api.patch(
        "name/s/",
        {
            "base_version": 1,
            "body": "b",
            "id": v1["id"],
            "version": 77,
            "is_latest": False,
            "deleted": True,
            "created_by": None,
            "created_at": "2000-01-01T00:00:00Z",
            "latest_version": 9,
            "version_count": 9,
            "outline": [{"level": 1, "text": "fake"}],
            "unknown_key": "x",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] != v1["id"]
    assert (body["version"], body["is_latest"], body["deleted"]) == (2, True, False)
    assert (body["latest_version"], body["version_count"]) == (2, 2)
    assert body["created_by"] == user_json(world.user)
    assert body["outline"] == []
    assert body["created_at"] != "2000-01-01T00:00:00Z"
    assert history_state(world.team, "s") == [(1, False, False), (2, True, False)]


# ---- created_by (§4.4 result) ---------------------------------------------------------------


def test_case_21_created_by_is_the_publisher(api, world, colleague):
    api.create("s")
    user, key = colleague

    response = api.patch("name/s/", {"body": "# By colleague", "base_version": 1}, key=key)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created_by"] == user_json(user)
    v1, v2 = versions(world.team, "s")
    assert (v1.created_by_id, v2.created_by_id) == (world.user.id, user.id)
    assert api.get("name/s/", {"version": 1}).json()["created_by"] == user_json(world.user)
    # Back to U: each version records its own publisher.
    assert api.publish("s", 2, body="# U again")["created_by"] == user_json(world.user)
    assert [r.created_by_id for r in versions(world.team, "s")] == [world.user.id, user.id, world.user.id]
