"""Regressions from adversarial testing of the skills API: bounded edit work, form-encoded list
fields, jsonb key order, lenient list query parameters, NUL handling, odd file URLs."""

import json

import pytest

from skills.models import LLMSkill
from tests.api import bearer, validation
from tests.skills.helpers import INVALID_FILE_PATH, files_of, versions


def test_more_than_1000_edits_are_refused_before_any_work(api, world):
    api.create("s", body="# T\n" + " ".join(f"w{i}" for i in range(1001)))
    edits = [{"old": f"w{i}", "new": f"W{i}"} for i in range(1001)]
    response = api.patch("name/s/", {"edits": edits, "base_version": 1})
    assert response.status_code == 400
    assert response.json() == validation(
        "edits", "max_length", "At most 1000 edit operations are allowed in one request."
    )
    assert len(versions(world.team, "s")) == 1


def test_1000_edits_are_applied_in_order(api):
    api.create("s", body="# T\n" + " ".join(f"w{i}." for i in range(1000)))
    edits = [{"old": f"w{i}.", "new": f"W{i}."} for i in range(1000)]
    body = api.publish("s", 1, edits=edits)["body"]
    assert body == "# T\n" + " ".join(f"W{i}." for i in range(1000))


def test_edits_failing_on_a_stale_base_report_the_conflict_first(api):
    """Edits are applied ahead of the lock to `base_version`; a stale base is still a 409."""
    api.create("s", body="# T\nalpha")
    api.publish("s", 1, body="# T\nbeta")
    response = api.patch("name/s/", {"edits": [{"old": "nowhere", "new": "x"}], "base_version": 1})
    assert response.status_code == 409
    assert response.json()["current_version"] == 2


def test_edits_apply_to_a_history_created_again_after_archive(api, world):
    """A version number that names an archived row is not the latest row's content."""
    api.create("s", body="# T\nold text")
    api.post("name/s/archive/")
    api.create("s", body="# T\nnew text")
    body = api.publish("s", 1, edits=[{"old": "new text", "new": "edited"}])["body"]
    assert body == "# T\nedited"


# ---- form-encoded bodies -------------------------------------------------------------------


def test_form_encoded_edits_as_json_text_are_applied(api):
    api.create("s", body="hello world", files=[{"path": "a.md", "content": "rank high"}])
    response = api.client.patch(
        api.url("name/s/"),
        "base_version=1&edits="
        + json.dumps([{"old": "hello", "new": "bye"}])
        + "&file_edits="
        + json.dumps([{"path": "a.md", "edits": [{"old": "high", "new": "higher"}]}]),
        content_type="application/x-www-form-urlencoded",
        **bearer(api.key),
    )
    assert response.status_code == 200, response.content
    assert response.json()["body"] == "bye world"
    assert api.get("name/s/files/a.md").json()["content"] == "rank higher"


def test_form_encoded_empty_file_list_clears_the_files(api, world):
    api.create("s", files=[{"path": "a.md", "content": "A"}])
    response = api.client.patch(
        api.url("name/s/"),
        "base_version=1&files=[]",
        content_type="application/x-www-form-urlencoded",
        **bearer(api.key),
    )
    assert response.status_code == 200, response.content
    assert response.json()["files"] == []
    assert files_of(versions(world.team, "s")[-1]) == {}


def test_multipart_create_with_files_as_json_text(api, world):
    files = [{"path": "scripts/run.sh", "content": "echo", "content_type": "text/x-shellscript"}]
    response = api.post(
        "",
        {
            "name": "s",
            "description": "d",
            "body": "# T",
            "files": json.dumps(files),
            "allowed_tools": '["Bash"]',
        },
        fmt="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["files"] == [{"path": "scripts/run.sh", "content_type": "text/x-shellscript"}]
    assert response.json()["allowed_tools"] == ["Bash"]


def test_form_encoded_list_that_is_not_json_is_a_400_not_silently_dropped(api, world):
    api.create("s", body="hello")
    response = api.client.patch(
        api.url("name/s/"),
        "base_version=1&edits=hello->bye",
        content_type="application/x-www-form-urlencoded",
        **bearer(api.key),
    )
    assert response.status_code == 400
    assert response.json()["attr"] == "edits"
    assert len(versions(world.team, "s")) == 1


# ---- representation ------------------------------------------------------------------------


def test_outline_entries_keep_level_then_text(api):
    created = api.create("s", body="# Alpha\n## Beta")
    for outline in (
        created["outline"],
        api.get("name/s/").json()["outline"],
        api.get("").json()["results"][0]["outline"],
    ):
        assert [list(entry) for entry in outline] == [["level", "text"], ["level", "text"]]


def test_file_conflict_409s_are_documented_without_current_version(served_schema):
    schema = served_schema
    path = schema["paths"]["/api/projects/{project_id}/llm_skills/name/{skill_name}/files/"]["post"]
    ref = path["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][ref]["required"] == ["detail"]


# ---- list query parameters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected_count"),
    [("order_by=%00", 1), ("search=%00", 0), ("created_by_id=-1", 0), ("order_by=name%00", 1)],
)
def test_odd_list_parameters_filter_or_fall_back_instead_of_failing(api, query, expected_count):
    api.create("s")
    response = api.get(f"?{query}")
    assert response.status_code == 200, response.content
    assert response.json()["count"] == expected_count


def test_nul_in_a_text_field_gets_drf_own_error(api):
    response = api.post("", {"name": "s", "description": "d", "body": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == validation(
        "body", "null_characters_not_allowed", "Null characters are not allowed."
    )
    assert not LLMSkill.objects.exists()


# ---- file URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize("segment", ["c.md%0A", "a%0Ab.md", "%0D", "a%09b"])
def test_control_characters_in_a_file_url_are_an_invalid_path(api, segment):
    api.create("s", files=[{"path": "c.md", "content": "C"}])
    assert api.get(f"name/s/files/{segment}").json() == INVALID_FILE_PATH
    response = api.delete(f"name/s/files/{segment}")
    assert response.status_code == 400
    assert response.json() == INVALID_FILE_PATH


def test_environments_link_header_is_percent_encoded_for_unicode_paths(api, world):
    """U+2028 is a legal path character; the alias's Link header must still be a valid header."""
    api.create("s", files=[{"path": "notes\u2028v2.md", "content": "x"}])
    response = api.delete("name/s/files/notes%E2%80%A8v2.md?base_version=1")
    assert response.status_code == 200, response.content
    assert response["Link"] == (
        f"</api/projects/{world.t}/llm_skills/name/s/files/notes%E2%80%A8v2.md?base_version=1>; "
        'rel="successor-version"'
    )


@pytest.mark.parametrize("field", ["description", "body", "license"])
def test_lone_surrogate_in_a_text_field_gets_drf_own_error(client, api, field):
    body = {"name": "s", "description": "d", "body": "# T", field: "a\ud800b"}
    response = client.generic(
        "POST", api.url(), json.dumps(body), content_type="application/json", **bearer(api.key)
    )
    assert response.status_code == 400
    assert response.json() == validation(
        field, "surrogate_characters_not_allowed", "Surrogate characters are not allowed: U+D800."
    )
    assert not LLMSkill.objects.exists()


# ---- look-alike and invisible characters in file paths -------------------------------------------

FORMAT_MESSAGE = (
    "File paths must not contain invisible formatting characters "
    "(such as bidirectional overrides or zero-width characters)."
)
LOOKALIKE_MESSAGE = (
    "File paths must not contain look-alikes of '/', '\\' or '.' "
    "(such as fullwidth dots or a division slash) that could hide a separator or a traversal."
)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("\uff0e\uff0e/x", LOOKALIKE_MESSAGE),  # fullwidth dots: "../x" after NFKC
        ("\u2215..\u2215x", LOOKALIKE_MESSAGE),  # division slashes around ".."
        ("a\u2044b.md", LOOKALIKE_MESSAGE),  # fraction slash
        ("a\uff0fb.md", LOOKALIKE_MESSAGE),  # fullwidth solidus: a separator after NFKC
        ("a\uff3cb.md", LOOKALIKE_MESSAGE),  # fullwidth reverse solidus
        ("\u2024\u2024/x", LOOKALIKE_MESSAGE),  # one-dot leaders
        ("a/\u202e/b", FORMAT_MESSAGE),  # right-to-left override
        ("notes\u200b.md", FORMAT_MESSAGE),  # zero-width space
        ("\ufeffa.md", FORMAT_MESSAGE),  # byte-order mark
    ],
)
def test_file_paths_with_lookalikes_or_format_characters_are_refused(api, world, path, message):
    response = api.post(
        "", {"name": "s", "description": "d", "body": "b", "files": [{"path": path, "content": "x"}]}
    )
    assert response.status_code == 400
    assert response.json() == validation("files__0__path", "invalid_input", message)
    assert not LLMSkill.objects.exists()


@pytest.mark.parametrize(
    "path", ["docs/caf\u00e9.md", "r\u00e9sum\u00e9/\u00fcber.md", "\u65e5\u672c\u8a9e.md", "\ufb01le.md"]
)
def test_non_ascii_file_paths_without_lookalikes_are_stored_as_sent(api, world, path):
    response = api.post(
        "", {"name": "s", "description": "d", "body": "b", "files": [{"path": path, "content": "x"}]}
    )
    assert response.status_code == 201, response.content
    row = LLMSkill.objects.get(team=world.team, name="s", version=1)
    assert files_of(row) == {path: ("x", "text/plain")}
