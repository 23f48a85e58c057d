"""POST P/: creation and the validation rules of skills spec §2.4 and §4.2 (cases 1-13, 61)."""

from typing import Any

import pytest

from skills.models import LLMSkill, LLMSkillFile
from tests.api import bearer, user_json, validation
from tests.skills.helpers import (
    ABSOLUTE,
    EMPTY_OR_DOT,
    FULL_KEYS,
    NAME_PATTERN_MESSAGE,
    TRAVERSAL,
    assert_each_refused,
    expected_skill,
    files_of,
    versions,
)

CONSECUTIVE_MSG = "Consecutive hyphens are not allowed."
RESERVED_MSG = "'new' is a reserved name and cannot be used."
NAME_TOO_LONG_MSG = "Ensure this field has no more than 64 characters."
REQUIRED = "This field is required."
BLANK = "This field may not be blank."
NULL = "This field may not be null."
NOT_A_STRING = "Not a valid string."
NAME_TAKEN = validation("name", "unique", "A skill with this name already exists.")
BODY_TOO_BIG = validation("body", "max_size", "Skill body must be 1000000 bytes or fewer.")
TOO_MANY_FILES = validation("files", "max_count", "A skill may contain at most 50 files.")
DUPLICATE_PATHS = validation("files", "invalid_input", "Duplicate file paths are not allowed.")

BASE = {"name": "my-skill", "description": "d", "body": "# T\nx"}


def expected_first_version(row: LLMSkill) -> dict:
    """The exact full representation of a name's only version (spec §3)."""
    return expected_skill(row, latest_version=1, version_count=1, first_version=row)


def post(api, **fields: Any):
    return api.post("", {**BASE, **fields})


def assert_nothing_written() -> None:
    assert not LLMSkill.objects.exists()
    assert not LLMSkillFile.objects.exists()


def files_payload(count: int) -> list[dict]:
    return [{"path": f"f/{i:03}.md", "content": f"c{i}"} for i in range(count)]


# ---- case 1: the minimal create ---------------------------------------------------------------


def test_case_01_create_minimal(api, world):
    response = api.post("", {"name": "my-skill", "description": "d", "body": "# PDF\n\nUse x."})

    assert response.status_code == 201, response.content
    body = response.json()
    assert list(body) == FULL_KEYS
    [row] = versions(world.team, "my-skill")
    assert body == expected_first_version(row)
    assert body["version"] == 1
    assert body["is_latest"] is True
    assert body["latest_version"] == 1
    assert body["version_count"] == 1
    assert body["files"] == []
    assert body["outline"] == [{"level": 1, "text": "PDF"}]
    assert body["deleted"] is False
    assert body["body"] == "# PDF\n\nUse x."
    assert body["description"] == "d"
    assert (body["license"], body["compatibility"], body["allowed_tools"], body["metadata"]) == (
        "",
        "",
        [],
        {},
    )
    assert body["created_by"] == user_json(world.user)
    assert body["first_version_created_at"] == body["created_at"]
    assert body["created_at"].endswith("Z")
    assert (row.version, row.is_latest, row.deleted, row.team_id) == (1, True, False, world.t)
    assert row.created_by_id == world.user.id
    assert files_of(row) == {}


def test_case_01_read_only_and_unknown_keys_are_ignored(api, world):
    response = post(
        api,
        id="00000000-0000-0000-0000-000000000001",
        version=7,
        is_latest=False,
        deleted=True,
        latest_version=9,
        version_count=9,
        created_by=None,
        outline=[{"level": 2, "text": "fake"}],
        unknown="whatever",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["is_latest"], body["deleted"]) == (1, True, False)
    assert (body["latest_version"], body["version_count"]) == (1, 1)
    assert body["id"] != "00000000-0000-0000-0000-000000000001"
    assert body["created_by"] == user_json(world.user)
    assert body["outline"] == [{"level": 1, "text": "T"}]
    assert history_rows(world) == [(1, True, False)]


def history_rows(world) -> list[tuple[int, bool, bool]]:
    return list(LLMSkill.objects.filter(team=world.team).values_list("version", "is_latest", "deleted"))


def test_case_01_same_name_in_another_project_is_independent(api, client, world):
    api.create("my-skill")
    response = client.post(
        f"/api/environments/{world.team2.id}/llm_skills/", BASE, format="json", **bearer(world.k_all)
    )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    assert len(versions(world.team, "my-skill")) == 1
    assert len(versions(world.team2, "my-skill")) == 1


# ---- case 2: optional fields ------------------------------------------------------------------


def test_case_02_all_optional_fields_echoed(api, world):
    response = post(
        api,
        license="Apache-2.0",
        compatibility="Requires Python 3.11+",
        allowed_tools=["Bash", "Read"],
        metadata={"author": "x", "version": "1.0"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["license"] == "Apache-2.0"
    assert body["compatibility"] == "Requires Python 3.11+"
    assert body["allowed_tools"] == ["Bash", "Read"]
    assert body["metadata"] == {"author": "x", "version": "1.0"}
    [row] = versions(world.team, "my-skill")
    assert body == expected_first_version(row)
    assert (row.license, row.compatibility) == ("Apache-2.0", "Requires Python 3.11+")
    assert row.allowed_tools == ["Bash", "Read"]
    assert row.metadata == {"author": "x", "version": "1.0"}


def test_case_02_allowed_tools_order_and_duplicates_kept_and_metadata_nesting(api, world):
    metadata = {"nested": {"a": [1, 2, {"b": None}]}, "flag": True, "n": 1.5, "s": "  kept  "}
    body = api.create("my-skill", allowed_tools=["Read", "Bash", "Read"], metadata=metadata)
    assert body["allowed_tools"] == ["Read", "Bash", "Read"]
    assert body["metadata"] == metadata
    [row] = versions(world.team, "my-skill")
    assert row.allowed_tools == ["Read", "Bash", "Read"]
    assert row.metadata == metadata


def test_case_02_blank_license_and_compatibility_allowed(api, world):
    body = api.create("my-skill", license="", compatibility="   ", allowed_tools=[], metadata={})
    assert (body["license"], body["compatibility"], body["allowed_tools"], body["metadata"]) == (
        "",
        "",
        [],
        {},
    )


def test_case_02_license_and_compatibility_limits(api):
    assert api.create("lic", license="L" * 255)["license"] == "L" * 255
    assert api.create("comp", compatibility="C" * 500)["compatibility"] == "C" * 500

    response = post(api, license="L" * 256)
    assert response.status_code == 400
    assert response.json() == validation(
        "license", "max_length", "Ensure this field has no more than 255 characters."
    )
    response = post(api, compatibility="C" * 501)
    assert response.status_code == 400
    assert response.json() == validation(
        "compatibility", "max_length", "Ensure this field has no more than 500 characters."
    )
    assert not LLMSkill.objects.filter(name="my-skill").exists()


def test_case_02_allowed_tools_items_must_be_non_blank_strings(api):
    cases = [
        (["Bash", ""], validation("allowed_tools__1", "blank", BLANK)),
        (["Bash", "Read", "   "], validation("allowed_tools__2", "blank", BLANK)),
        ([None], validation("allowed_tools__0", "null", NULL)),
        (["Bash", True], validation("allowed_tools__1", "invalid_input", NOT_A_STRING)),
        ([["Bash"]], validation("allowed_tools__0", "invalid_input", NOT_A_STRING)),
        ([{"t": "Bash"}], validation("allowed_tools__0", "invalid_input", NOT_A_STRING)),
        ("Bash", validation("allowed_tools", "not_a_list", 'Expected a list of items but got type "str".')),
        (
            {"a": 1},
            validation("allowed_tools", "not_a_list", 'Expected a list of items but got type "dict".'),
        ),
        (None, validation("allowed_tools", "null", NULL)),
    ]
    assert_each_refused(lambda value: post(api, allowed_tools=value), cases)
    assert_nothing_written()


def test_case_02_allowed_tools_items_trimmed_and_numbers_coerced(api):
    body = api.create("my-skill", allowed_tools=["  Bash  ", 7, 1.5])
    assert body["allowed_tools"] == ["Bash", "7", "1.5"]


@pytest.mark.parametrize(
    ("value", "type_name"), [([], "list"), (["a"], "list"), ("text", "str"), (3, "int"), (True, "bool")]
)
def test_case_02_metadata_must_be_an_object(api, value, type_name):
    response = post(api, metadata=value)
    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["attr"], body["code"]) == ("validation_error", "metadata", "not_a_dict")
    assert body["detail"] == f'Expected a dictionary of items but got type "{type_name}".'
    assert_nothing_written()


def test_case_02_metadata_null_is_rejected(api):
    response = post(api, metadata=None)
    assert response.status_code == 400
    assert response.json() == validation("metadata", "null", NULL)
    assert_nothing_written()


# ---- cases 3/4: bundled files -----------------------------------------------------------------


def test_case_03_create_with_files_returns_manifest_only(api, world):
    response = post(
        api,
        files=[
            {"path": "scripts/run.sh", "content": "echo", "content_type": "text/x-shellscript"},
            {"path": "references/g.md", "content": "# G"},
        ],
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert {f["path"] for f in body["files"]} == {"scripts/run.sh", "references/g.md"}
    assert all("content" not in item for item in body["files"])
    assert all(list(item) == ["path", "content_type"] for item in body["files"])
    # Insertion order (recommended by §2.3) and the default content type.
    assert body["files"] == [
        {"path": "scripts/run.sh", "content_type": "text/x-shellscript"},
        {"path": "references/g.md", "content_type": "text/plain"},
    ]
    [row] = versions(world.team, "my-skill")
    assert body == expected_first_version(row)
    assert files_of(row) == {
        "scripts/run.sh": ("echo", "text/x-shellscript"),
        "references/g.md": ("# G", "text/plain"),
    }


def test_case_04_get_created_file(api):
    post(
        api,
        files=[
            {"path": "scripts/run.sh", "content": "echo", "content_type": "text/x-shellscript"},
            {"path": "references/g.md", "content": "# G"},
        ],
    )

    response = api.get("name/my-skill/files/scripts/run.sh")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "path": "scripts/run.sh",
        "content": "echo",
        "content_type": "text/x-shellscript",
    }
    assert list(response.json()) == ["path", "content", "content_type"]

    response = api.get("name/my-skill/files/references/g.md")
    assert response.status_code == 200
    assert response.json() == {"path": "references/g.md", "content": "# G", "content_type": "text/plain"}


def test_case_03_file_fields_trimmed_and_numbers_coerced(api, world):
    body = api.create(
        "my-skill",
        files=[
            {"path": "  a/b.md  ", "content": "\n  text  \n", "content_type": "  text/markdown "},
            {"path": 42, "content": 7},
        ],
    )
    assert body["files"] == [
        {"path": "a/b.md", "content_type": "text/markdown"},
        {"path": "42", "content_type": "text/plain"},
    ]
    [row] = versions(world.team, "my-skill")
    assert files_of(row) == {"a/b.md": ("text", "text/markdown"), "42": ("7", "text/plain")}


def test_case_03_allowed_dotted_paths_and_skill_md(api, world):
    paths = [".hidden", "release..notes.md", "SKILL.md", "a/.b/c.txt", "100%25.md"]
    body = api.create("my-skill", files=[{"path": p, "content": "x"} for p in paths])
    assert [f["path"] for f in body["files"]] == paths
    [row] = versions(world.team, "my-skill")
    assert set(files_of(row)) == set(paths)


def test_case_03_content_type_default_limit_and_not_mime_checked(api, world):
    body = api.create(
        "my-skill",
        files=[
            {"path": "a", "content": "x"},
            {"path": "b", "content": "x", "content_type": "T" * 100},
            {"path": "c", "content": "x", "content_type": "not a mime type"},
        ],
    )
    assert [f["content_type"] for f in body["files"]] == ["text/plain", "T" * 100, "not a mime type"]

    response = post(api, name="other", files=[{"path": "a", "content": "x", "content_type": "T" * 101}])
    assert response.status_code == 400
    assert response.json() == validation(
        "files__0__content_type", "max_length", "Ensure this field has no more than 100 characters."
    )
    for bad, expected in [
        ("", validation("files__0__content_type", "blank", BLANK)),
        ("  ", validation("files__0__content_type", "blank", BLANK)),
        (None, validation("files__0__content_type", "null", NULL)),
        (True, validation("files__0__content_type", "invalid_input", NOT_A_STRING)),
    ]:
        response = post(api, name="other", files=[{"path": "a", "content": "x", "content_type": bad}])
        assert response.status_code == 400, bad
        assert response.json() == expected, bad
    assert not LLMSkill.objects.filter(name="other").exists()


def test_case_03_file_entry_required_fields(api):
    cases = [
        ([{"content": "x"}], validation("files__0__path", "required", REQUIRED)),
        ([{"path": "a"}], validation("files__0__content", "required", REQUIRED)),
        ([{"path": "a", "content": ""}], validation("files__0__content", "blank", BLANK)),
        ([{"path": "a", "content": "   \n"}], validation("files__0__content", "blank", BLANK)),
        ([{"path": "", "content": "x"}], validation("files__0__path", "blank", BLANK)),
        ([{"path": None, "content": "x"}], validation("files__0__path", "null", NULL)),
        ([{"path": "a", "content": None}], validation("files__0__content", "null", NULL)),
        ([{"path": ["a"], "content": "x"}], validation("files__0__path", "invalid_input", NOT_A_STRING)),
        ([{"path": "a", "content": False}], validation("files__0__content", "invalid_input", NOT_A_STRING)),
        (
            [{"path": "a", "content": "x"}, {"path": "b"}],
            validation("files__1__content", "required", REQUIRED),
        ),
        (None, validation("files", "null", NULL)),
    ]
    assert_each_refused(lambda files: post(api, files=files), cases)
    assert_nothing_written()


def test_case_03_files_must_be_a_list_of_objects(api):
    response = post(api, files={"path": "a", "content": "x"})
    assert response.status_code == 400
    assert response.json() == validation(
        "files", "not_a_list", 'Expected a list of items but got type "dict".'
    )

    response = post(api, files=["a.md"])
    assert response.status_code == 400
    assert response.json() == validation(
        "files__0", "invalid_input", "Invalid data. Expected a dictionary, but got str."
    )
    assert_nothing_written()


def test_case_03_file_path_length_limit(api, world):
    long_path = "d/" + "p" * 498
    assert len(long_path) == 500
    body = api.create("my-skill", files=[{"path": long_path, "content": "x"}])
    assert body["files"] == [{"path": long_path, "content_type": "text/plain"}]

    response = post(api, name="other", files=[{"path": long_path + "x", "content": "x"}])
    assert response.status_code == 400
    assert response.json() == validation(
        "files__0__path", "max_length", "Ensure this field has no more than 500 characters."
    )
    assert not LLMSkill.objects.filter(name="other").exists()


# ---- case 5: unique name ----------------------------------------------------------------------


def test_case_05_duplicate_name(api, world):
    api.create("my-skill")

    response = post(api)

    assert response.status_code == 400
    assert response.json() == NAME_TAKEN
    assert history_rows(world) == [(1, True, False)]

    # The same name with surrounding whitespace is trimmed to the taken name.
    response = post(api, name="  my-skill ")
    assert response.status_code == 400
    assert response.json() == NAME_TAKEN
    assert LLMSkill.objects.count() == 1


def test_case_05_taken_name_after_publish(api, world):
    api.create("my-skill")
    api.publish("my-skill", 1, body="v2")
    response = post(api)
    assert (response.status_code, response.json()) == (400, NAME_TAKEN)
    assert sorted(history_rows(world)) == [(1, False, False), (2, True, False)]


# ---- case 6: name rules and their order -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Invalid_Name", validation("name", "invalid_name", NAME_PATTERN_MESSAGE)),
        ("-a", validation("name", "invalid_name", NAME_PATTERN_MESSAGE)),
        ("a-", validation("name", "invalid_name", NAME_PATTERN_MESSAGE)),
        ("a--b", validation("name", "invalid_name", CONSECUTIVE_MSG)),
        ("new", validation("name", "reserved_name", RESERVED_MSG)),
        ("NEW", validation("name", "reserved_name", RESERVED_MSG)),
        ("New", validation("name", "reserved_name", RESERVED_MSG)),
        ("a" * 65, validation("name", "max_length", NAME_TOO_LONG_MSG)),
    ],
)
def test_case_06_spec_examples(api, name, expected):
    response = post(api, name=name)
    assert response.status_code == 400
    assert response.json() == expected
    assert_nothing_written()


@pytest.mark.parametrize(
    "name",
    ["MySkill", "my_skill", "my skill", "my.skill", "a/b", "café", "-", "--", "a-b-", "-a-b", "ß", "a\tb"],
)
def test_case_06_pattern_failures(api, name):
    response = post(api, name=name)
    assert response.status_code == 400
    assert response.json() == validation("name", "invalid_name", NAME_PATTERN_MESSAGE)
    assert_nothing_written()


@pytest.mark.parametrize("name", ["a--b", "a---b", "x--y--z", "1--2", "ab--cd-ef"])
def test_case_06_consecutive_hyphens(api, name):
    response = post(api, name=name)
    assert response.status_code == 400
    assert response.json() == validation("name", "invalid_name", CONSECUTIVE_MSG)
    assert_nothing_written()


def test_case_06_check_order_max_length_first(api):
    # 65 chars that would also break the pattern and the `--` rule: the length wins.
    for name in ("A" * 65, "-" * 65, "a--" + "b" * 62, "new" + "_" * 62):
        assert len(name) == 65
        response = post(api, name=name)
        assert response.status_code == 400
        assert response.json() == validation("name", "max_length", NAME_TOO_LONG_MSG), name
    assert_nothing_written()


def test_case_06_check_order_reserved_before_pattern(api):
    # Upper-case `NEW`/`nEw` break the pattern too, but the reserved rule comes first.
    for name in ("NEW", "nEw", "neW"):
        response = post(api, name=name)
        assert response.status_code == 400
        assert response.json() == validation("name", "reserved_name", RESERVED_MSG), name
    assert_nothing_written()


def test_case_06_check_order_pattern_before_consecutive(api):
    # Breaks both the pattern (end hyphen, upper case, underscore) and `--`: the pattern message wins.
    for name in ("a--", "--a", "A--b", "a--b_c", "-a--b"):
        response = post(api, name=name)
        assert response.status_code == 400
        assert response.json() == validation("name", "invalid_name", NAME_PATTERN_MESSAGE), name
    assert_nothing_written()


@pytest.mark.parametrize(
    "name", ["a", "1", "a-b", "my-skill-2", "0abc", "new-skill", "renew", "news", "a" * 64]
)
def test_case_06_valid_names(api, world, name):
    body = api.create(name)
    assert body["name"] == name
    assert [row.name for row in versions(world.team, name)] == [name]


def test_case_06_name_required_blank_null_and_types(api):
    cases = [
        ({"description": "d", "body": "b"}, validation("name", "required", REQUIRED)),
        ({"name": "", "description": "d", "body": "b"}, validation("name", "blank", BLANK)),
        ({"name": "   ", "description": "d", "body": "b"}, validation("name", "blank", BLANK)),
        ({"name": None, "description": "d", "body": "b"}, validation("name", "null", NULL)),
        ({"name": True, "description": "d", "body": "b"}, validation("name", "invalid_input", NOT_A_STRING)),
        ({"name": ["a"], "description": "d", "body": "b"}, validation("name", "invalid_input", NOT_A_STRING)),
        (
            {"name": {"a": 1}, "description": "d", "body": "b"},
            validation("name", "invalid_input", NOT_A_STRING),
        ),
    ]
    assert_each_refused(lambda payload: api.post("", payload), cases)
    assert_nothing_written()


def test_case_06_name_trimmed_and_numbers_coerced(api, world):
    assert api.create("  my-skill  ")["name"] == "my-skill"
    assert [r.name for r in versions(world.team, "my-skill")] == ["my-skill"]
    response = api.post("", {"name": 123, "description": "d", "body": "b"})
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "123"


# ---- case 7: required fields ------------------------------------------------------------------


def test_case_07_description_required(api):
    response = api.post("", {"name": "my-skill", "body": "b"})
    assert response.status_code == 400
    assert response.json() == validation("description", "required", REQUIRED)
    assert_nothing_written()


def test_case_07_body_required(api):
    response = api.post("", {"name": "my-skill", "description": "d"})
    assert response.status_code == 400
    assert response.json() == validation("body", "required", REQUIRED)
    assert_nothing_written()


def test_case_07_first_error_in_field_order(api):
    cases = [
        ({}, validation("name", "required", REQUIRED)),
        ({"name": "Bad"}, validation("name", "invalid_name", NAME_PATTERN_MESSAGE)),
        ({"name": "ok"}, validation("description", "required", REQUIRED)),
        ({"name": "ok", "description": "d"}, validation("body", "required", REQUIRED)),
        (
            {"name": "ok", "description": "d", "body": "b", "license": 5 * ["x"], "files": [{}]},
            validation("license", "invalid_input", NOT_A_STRING),
        ),
        (
            {"name": "ok", "description": "d", "body": "b", "allowed_tools": [""], "metadata": []},
            validation("allowed_tools__0", "blank", BLANK),
        ),
        (
            {"name": "ok", "description": "d", "body": "b", "metadata": [], "files": [{}]},
            validation("metadata", "not_a_dict", 'Expected a dictionary of items but got type "list".'),
        ),
    ]
    assert_each_refused(lambda payload: api.post("", payload), cases)
    assert_nothing_written()


@pytest.mark.parametrize("field", ["description", "body"])
def test_case_07_blank_null_and_non_string(api, field):
    cases = [
        ("", validation(field, "blank", BLANK)),
        (" \n\t ", validation(field, "blank", BLANK)),
        (None, validation(field, "null", NULL)),
        (True, validation(field, "invalid_input", NOT_A_STRING)),
        (False, validation(field, "invalid_input", NOT_A_STRING)),
        (["x"], validation(field, "invalid_input", NOT_A_STRING)),
        ({"x": 1}, validation(field, "invalid_input", NOT_A_STRING)),
    ]
    assert_each_refused(lambda value: post(api, **{field: value}), cases)
    assert_nothing_written()


@pytest.mark.parametrize("field", ["license", "compatibility"])
def test_case_07_optional_strings_null_and_non_string(api, field):
    for value, expected in [
        (None, validation(field, "null", NULL)),
        (True, validation(field, "invalid_input", NOT_A_STRING)),
        ([], validation(field, "invalid_input", NOT_A_STRING)),
    ]:
        response = post(api, **{field: value})
        assert response.status_code == 400, value
        assert response.json() == expected, value
    assert_nothing_written()


def test_case_07_numbers_are_coerced_to_strings(api, world):
    response = api.post(
        "", {"name": "nums", "description": 12, "body": 3.5, "license": 2, "compatibility": 0}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["description"], body["body"], body["license"], body["compatibility"]) == (
        "12",
        "3.5",
        "2",
        "0",
    )
    [row] = versions(world.team, "nums")
    assert (row.description, row.body, row.license, row.compatibility) == ("12", "3.5", "2", "0")


# ---- case 8: body size ------------------------------------------------------------------------


def test_case_08_body_over_limit(api):
    response = post(api, body="x" * 1_000_001)
    assert response.status_code == 400
    assert response.json() == BODY_TOO_BIG
    assert_nothing_written()


def test_case_08_body_exactly_at_limit(api, world):
    body = "x" * 1_000_000
    response = post(api, body=body)
    assert response.status_code == 201, response.content[:300]
    [row] = versions(world.team, "my-skill")
    assert row.body == body
    assert response.json()["body"] == body


@pytest.mark.parametrize(
    ("char", "width"),
    [("é", 2), ("€", 3), ("😀", 4)],
)
def test_case_08_body_size_counts_utf8_bytes(api, world, char, width):
    fits = char * (1_000_000 // width)
    fits += "x" * (1_000_000 - len(fits.encode()))
    assert len(fits.encode()) == 1_000_000
    over = fits + "y"
    # Fewer characters than the limit, more bytes than it.
    assert len(over) < 1_000_000 < len(over.encode())

    response = post(api, name="over", body=over)
    assert response.status_code == 400
    assert response.json() == BODY_TOO_BIG
    assert not LLMSkill.objects.filter(name="over").exists()

    response = post(api, name="fits", body=fits)
    assert response.status_code == 201, response.content[:300]
    [row] = versions(world.team, "fits")
    assert row.body == fits


def test_case_08_size_is_measured_after_trimming(api, world):
    body = "  " + "x" * 1_000_000 + "\n\n"
    response = post(api, body=body)
    assert response.status_code == 201, response.content[:300]
    [row] = versions(world.team, "my-skill")
    assert row.body == "x" * 1_000_000


# ---- case 9: file content size ----------------------------------------------------------------


def test_case_09_file_content_too_large(api):
    response = post(api, files=[{"path": "big.txt", "content": "x" * 1_100_000}])
    assert response.status_code == 400
    assert response.json() == validation(
        "files__0__content", "max_size", "File content must be 1000000 bytes or fewer."
    )
    assert_nothing_written()


def test_case_09_file_content_limit_is_bytes_and_indexed(api, world):
    response = post(
        api,
        files=[{"path": "ok.txt", "content": "ok"}, {"path": "big.txt", "content": "é" * 500_001}],
    )
    assert response.status_code == 400
    assert response.json() == validation(
        "files__1__content", "max_size", "File content must be 1000000 bytes or fewer."
    )
    assert_nothing_written()

    response = post(api, files=[{"path": "exact.txt", "content": "é" * 500_000}])
    assert response.status_code == 201, response.content[:300]
    [row] = versions(world.team, "my-skill")
    assert files_of(row) == {"exact.txt": ("é" * 500_000, "text/plain")}


# ---- case 10: file count ----------------------------------------------------------------------


def test_case_10_fifty_one_files_rejected(api):
    response = post(api, files=files_payload(51))
    assert response.status_code == 400
    assert response.json() == TOO_MANY_FILES
    assert_nothing_written()


def test_case_10_exactly_fifty_files_accepted(api, world):
    response = post(api, files=files_payload(50))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [f["path"] for f in body["files"]] == [f"f/{i:03}.md" for i in range(50)]
    [row] = versions(world.team, "my-skill")
    assert len(files_of(row)) == 50
    assert LLMSkillFile.objects.count() == 50


def test_case_10_empty_file_list_is_fine(api, world):
    body = api.create("my-skill", files=[])
    assert body["files"] == []


# ---- case 11: duplicate paths -----------------------------------------------------------------


def test_case_11_duplicate_paths(api):
    response = post(api, files=[{"path": "a.md", "content": "1"}, {"path": "a.md", "content": "2"}])
    assert response.status_code == 400
    assert response.json() == DUPLICATE_PATHS
    assert_nothing_written()


def test_case_11_duplicates_after_trimming(api):
    response = post(api, files=[{"path": "a.md", "content": "1"}, {"path": " a.md ", "content": "2"}])
    assert response.status_code == 400
    assert response.json() == DUPLICATE_PATHS
    assert_nothing_written()


def test_case_11_paths_compared_case_sensitively(api, world):
    body = api.create("my-skill", files=[{"path": "a.md", "content": "1"}, {"path": "A.md", "content": "2"}])
    assert [f["path"] for f in body["files"]] == ["a.md", "A.md"]
    [row] = versions(world.team, "my-skill")
    assert files_of(row) == {"a.md": ("1", "text/plain"), "A.md": ("2", "text/plain")}


# ---- case 12: path rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("../x", TRAVERSAL),
        ("a/../b", TRAVERSAL),
        ("a/..", TRAVERSAL),
        ("..", TRAVERSAL),
        ("/abs", ABSOLUTE),
        ("/a/b.md", ABSOLUTE),
        ("a//b", EMPTY_OR_DOT),
        ("a/", EMPTY_OR_DOT),
        ("./a", EMPTY_OR_DOT),
        ("a/./b", EMPTY_OR_DOT),
        (".", EMPTY_OR_DOT),
    ],
)
def test_case_12_invalid_paths(api, path, detail):
    response = post(api, files=[{"path": path, "content": "x"}])
    assert response.status_code == 400
    assert response.json() == validation("files__0__path", "invalid_input", detail)
    assert_nothing_written()


@pytest.mark.parametrize("path", ["a\\b", "..\\x", "%2e%2e/x", "a%2Fb", "%2fabs", "a\nb", "a\x1fb", "a%00b"])
def test_case_12_other_refused_paths(api, path):
    response = post(api, files=[{"path": path, "content": "x"}])
    assert response.status_code == 400, path
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == (
        "validation_error",
        "invalid_input",
        "files__0__path",
    )
    assert body["detail"].startswith("File paths must")
    assert_nothing_written()


def test_case_12_nul_in_path_refused(api):
    response = post(api, files=[{"path": "a\x00b", "content": "x"}])
    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == (
        "validation_error",
        "invalid_input",
        "files__0__path",
    )
    assert "null character" in body["detail"] or body["detail"].startswith("File paths must")
    assert_nothing_written()


def test_case_12_invalid_path_at_later_index(api):
    response = post(api, files=[{"path": "ok.md", "content": "x"}, {"path": "/abs", "content": "x"}])
    assert response.status_code == 400
    assert response.json() == validation("files__1__path", "invalid_input", ABSOLUTE)
    assert_nothing_written()


# ---- case 13: description length --------------------------------------------------------------


def test_case_13_description_too_long(api):
    response = post(api, description="d" * 4097)
    assert response.status_code == 400
    assert response.json() == validation(
        "description", "max_length", "Ensure this field has no more than 4096 characters."
    )
    assert_nothing_written()


def test_case_13_description_at_limit(api, world):
    body = api.create("my-skill", description="é" * 4096)
    assert body["description"] == "é" * 4096
    [row] = versions(world.team, "my-skill")
    assert row.description == "é" * 4096


# ---- case 61: trimming ------------------------------------------------------------------------


def test_case_61_body_trimmed(api, world):
    response = post(api, body="  # T\n\n")
    assert response.status_code == 201, response.content
    assert response.json()["body"] == "# T"
    assert response.json()["outline"] == [{"level": 1, "text": "T"}]
    [row] = versions(world.team, "my-skill")
    assert row.body == "# T"
    assert api.get("name/my-skill/").json()["body"] == "# T"


def test_case_61_blank_body(api):
    response = post(api, body="   ")
    assert response.status_code == 400
    assert response.json() == validation("body", "blank", BLANK)
    assert_nothing_written()


def test_case_61_every_string_field_trimmed(api, world):
    response = api.post(
        "",
        {
            "name": " my-skill\t",
            "description": "\n d \n",
            "body": "\r\n body text \r\n",
            "license": "  MIT  ",
            "compatibility": "\tany\t",
            "allowed_tools": ["  Bash "],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["description"], body["body"]) == ("my-skill", "d", "body text")
    assert (body["license"], body["compatibility"], body["allowed_tools"]) == ("MIT", "any", ["Bash"])
    [row] = versions(world.team, "my-skill")
    assert (row.description, row.body, row.license, row.compatibility) == ("d", "body text", "MIT", "any")


def test_case_61_inner_whitespace_kept(api, world):
    body = api.create("my-skill", body="# T\n\n  indented\n\nend")
    assert body["body"] == "# T\n\n  indented\n\nend"


# ---- atomicity --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "files",
    [
        [{"path": "ok.md", "content": "x"}, {"path": "../bad", "content": "x"}],
        [{"path": "ok.md", "content": "x"}, {"path": "ok.md", "content": "y"}],
        [{"path": "ok.md", "content": "x"}, {"path": "b.md", "content": ""}],
        files_payload(51),
    ],
)
def test_case_03_invalid_file_list_writes_no_skill(api, world, files):
    response = post(api, files=files)
    assert response.status_code == 400
    assert_nothing_written()
    # Nothing half-written: the name is still free.
    assert api.create("my-skill")["version"] == 1
    assert history_rows(world) == [(1, True, False)]


def test_case_01_created_by_is_the_key_owner(api, client, world, colleague):
    other, other_key = colleague
    response = client.post(
        f"/api/environments/{world.t}/llm_skills/", BASE, format="json", **bearer(other_key)
    )
    assert response.status_code == 201, response.content
    assert response.json()["created_by"] == user_json(other)
    [row] = versions(world.team, "my-skill")
    assert row.created_by_id == other.id
