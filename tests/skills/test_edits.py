"""PATCH P/name/{name}/ with `edits` and `file_edits` (skills spec §4.4, §5; cases 28-32, 34-37)."""

from typing import Any

import pytest

from skills.models import LLMSkill, LLMSkillFile
from tests.api import validation
from tests.skills.helpers import (
    ABSOLUTE,
    EMPTY_OR_DOT,
    TRAVERSAL,
    assert_each_refused,
    conflict,
    files_of,
    history_state,
    versions,
)

EM_DASH = "\u2014"
NOT_FOUND_IN_BODY = "Text to replace was not found in the skill body."
BODY_TOO_LARGE = "Resulting skill body exceeds the 1000000 byte size limit."
AT_LEAST_ONE_EDIT = "At least one edit operation is required."
FILES = [
    {"path": "references/a.md", "content": "# A\n\nThese rank high.", "content_type": "text/markdown"},
    {"path": "references/b.md", "content": "# B\n\nrank high too? no: b only"},
    {"path": "scripts/run.sh", "content": "echo one\necho two", "content_type": "text/x-shellscript"},
]
STORED = {
    "references/a.md": ("# A\n\nThese rank high.", "text/markdown"),
    "references/b.md": ("# B\n\nrank high too? no: b only", "text/plain"),
    "scripts/run.sh": ("echo one\necho two", "text/x-shellscript"),
}


def matches(n: int, file_path: str | None = None) -> str:
    where = f" in file '{file_path}'" if file_path else ""
    return f"Text to replace matches {n} times{where} {EM_DASH} provide more context to make it unique."


def file_not_in_version(path: str) -> dict[str, str]:
    return {"detail": f"File '{path}' not found in the current skill version.", "file_path": path}


def text_not_in_file(path: str, edit_index: int) -> dict[str, Any]:
    return {
        "detail": f"Text to replace was not found in file '{path}'.",
        "edit_index": edit_index,
        "file_path": path,
    }


def body_edits(api, name: str, edits: list[dict], base_version: int = 1, **extra):
    return api.patch(f"name/{name}/", {"edits": edits, "base_version": base_version, **extra})


def file_edit_request(api, name: str, file_edits: list[dict], base_version: int = 1, **extra):
    return api.patch(f"name/{name}/", {"file_edits": file_edits, "base_version": base_version, **extra})


def snapshot(team, name: str) -> tuple[list[tuple[int, bool, bool]], list[dict[str, Any]], int]:
    """The rows of a name, all file rows: used to prove that nothing was written."""
    rows = list(LLMSkill.objects.filter(team=team, name=name).order_by("version").values())
    return history_state(team, name), rows, LLMSkillFile.objects.count()


# ---- case 28 ----------------------------------------------------------------------------------


def test_case_28_single_edit(api, world):
    api.create("s", body="# T\n\nHello world.", files=FILES)

    response = body_edits(api, "s", [{"old": "Hello world.", "new": "Hello there."}])

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["body"], body["is_latest"]) == (2, "# T\n\nHello there.", True)
    assert body["outline"] == [{"level": 1, "text": "T"}]
    v1, v2 = versions(world.team, "s")
    assert (v1.body, v2.body) == ("# T\n\nHello world.", "# T\n\nHello there.")
    assert files_of(v2) == STORED
    assert history_state(world.team, "s") == [(1, False, False), (2, True, False)]


def test_case_28_edit_recomputes_outline(api, world):
    api.create("s", body="# Old title\n\ntext")
    body = body_edits(api, "s", [{"old": "# Old title", "new": "# New title\n## Sub"}]).json()
    assert body["body"] == "# New title\n## Sub\n\ntext"
    assert body["outline"] == [{"level": 1, "text": "New title"}, {"level": 2, "text": "Sub"}]
    assert versions(world.team, "s")[-1].outline == body["outline"]


def test_case_28_edit_strings_are_trimmed(api, world):
    api.create("s", body="# T\n\nHello world.")
    body = body_edits(api, "s", [{"old": "  Hello world.\n", "new": "\tHello there.  "}]).json()
    assert body["body"] == "# T\n\nHello there."


def test_case_28_blank_new_deletes_text(api, world):
    api.create("s", body="# T\n\nkeep-this-away")
    body = body_edits(api, "s", [{"old": "-away", "new": " "}]).json()
    assert body["body"] == "# T\n\nkeep-this"
    body = api.publish("s", 2, edits=[{"old": "-this", "new": ""}])
    assert body["body"] == "# T\n\nkeep"
    assert [r.body for r in versions(world.team, "s")] == [
        "# T\n\nkeep-this-away",
        "# T\n\nkeep-this",
        "# T\n\nkeep",
    ]


def test_case_28_edit_result_is_not_trimmed(api, world):
    api.create("s", body="# T\n\nfoo bar")
    body = body_edits(api, "s", [{"old": "bar", "new": ""}]).json()
    assert body["body"] == "# T\n\nfoo "
    assert versions(world.team, "s")[-1].body == "# T\n\nfoo "


def test_case_28_edits_with_other_fields(api, world):
    api.create("s", body="# T\n\nHello", description="d", license="MIT")
    body = body_edits(api, "s", [{"old": "Hello", "new": "Bye"}], description="New", license="").json()
    assert (body["body"], body["description"], body["license"]) == ("# T\n\nBye", "New", "")


def test_case_28_edits_apply_to_the_latest_body(api, world):
    api.create("s", body="# T\n\nfirst")
    api.publish("s", 1, body="# T\n\nsecond")
    body = api.publish("s", 2, edits=[{"old": "second", "new": "third"}])
    assert body["body"] == "# T\n\nthird"
    response = body_edits(api, "s", [{"old": "first", "new": "x"}], base_version=3)
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_FOUND_IN_BODY, "edit_index": 0}


# ---- case 29 ----------------------------------------------------------------------------------


def test_case_29_sequential_edits(api, world):
    api.create("s", body="alpha\nbeta\ngamma")
    body = body_edits(api, "s", [{"old": "alpha", "new": "ALPHA"}, {"old": "beta", "new": "BETA"}]).json()
    assert body["body"] == "ALPHA\nBETA\ngamma"
    assert history_state(world.team, "s") == [(1, False, False), (2, True, False)]


def test_case_29_later_edits_see_earlier_results(api, world):
    api.create("s", body="alpha\nbeta")
    body = body_edits(
        api,
        "s",
        [
            {"old": "alpha", "new": "XYZ"},
            {"old": "XYZ\nbeta", "new": "done"},
            {"old": "done", "new": "# Done"},
        ],
    ).json()
    assert body["body"] == "# Done"
    assert body["outline"] == [{"level": 1, "text": "Done"}]


def test_case_29_earlier_edit_can_make_later_one_ambiguous(api, world):
    api.create("s", body="a b")
    before = snapshot(world.team, "s")
    response = body_edits(api, "s", [{"old": "a", "new": "b"}, {"old": "b", "new": "c"}])
    assert response.status_code == 400
    assert response.json() == {"detail": matches(2), "edit_index": 1}
    assert snapshot(world.team, "s") == before


def test_case_29_earlier_edit_can_remove_later_target(api, world):
    api.create("s", body="# T\nremove me")
    before = snapshot(world.team, "s")
    response = body_edits(api, "s", [{"old": "remove me", "new": "gone"}, {"old": "remove", "new": "x"}])
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_FOUND_IN_BODY, "edit_index": 1}
    assert snapshot(world.team, "s") == before


def test_case_29_non_overlapping_match_count(api, world):
    api.create("s", body="aaa")
    # "aa" occurs once in "aaa" when counted without overlap; the first occurrence is replaced.
    body = body_edits(api, "s", [{"old": "aa", "new": "b"}]).json()
    assert body["body"] == "ba"
    api.create("t", body="aaaa")
    response = body_edits(api, "t", [{"old": "aa", "new": "b"}])
    assert response.status_code == 400
    assert response.json() == {"detail": matches(2), "edit_index": 0}
    assert history_state(world.team, "t") == [(1, True, False)]


def test_case_29_edit_is_case_sensitive(api, world):
    api.create("s", body="Word word")
    body = body_edits(api, "s", [{"old": "word", "new": "thing"}]).json()
    assert body["body"] == "Word thing"


# ---- case 30 ----------------------------------------------------------------------------------


def test_case_30_edit_not_found(api, world):
    api.create("s", body="# T\n\nHello world.")
    before = snapshot(world.team, "s")
    response = body_edits(api, "s", [{"old": "Goodbye", "new": "x"}])
    assert response.status_code == 400
    assert response.json() == {"detail": "Text to replace was not found in the skill body.", "edit_index": 0}
    assert snapshot(world.team, "s") == before


def test_case_30_edit_matches_several_times(api, world):
    api.create("s", body="pick pick pick")
    before = snapshot(world.team, "s")
    response = body_edits(api, "s", [{"old": "pick", "new": "x"}])
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Text to replace matches 3 times \u2014 provide more context to make it unique.",
        "edit_index": 0,
    }
    assert "3 times" in response.json()["detail"]
    assert "file_path" not in response.json()
    assert snapshot(world.team, "s") == before


def test_case_30_later_failing_edit_writes_nothing(api, world):
    api.create("s", body="one two three", files=FILES)
    before = snapshot(world.team, "s")
    response = body_edits(
        api,
        "s",
        [{"old": "one", "new": "1"}, {"old": "two", "new": "2"}, {"old": "four", "new": "4"}],
    )
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_FOUND_IN_BODY, "edit_index": 2}
    assert snapshot(world.team, "s") == before
    assert api.get("name/s/").json()["body"] == "one two three"


def test_case_30_index_of_ambiguous_later_edit(api, world):
    api.create("s", body="x y y")
    response = body_edits(api, "s", [{"old": "x", "new": "z"}, {"old": "y", "new": "w"}])
    assert response.status_code == 400
    assert response.json() == {"detail": matches(2), "edit_index": 1}


# ---- case 31 ----------------------------------------------------------------------------------


def test_case_31_body_and_edits_together(api, world):
    api.create("s", body="# T\nx")
    response = api.patch("name/s/", {"body": "# New", "edits": [{"old": "x", "new": "y"}], "base_version": 1})
    assert response.status_code == 400
    assert response.json() == validation(None, "invalid_input", "Provide either 'body' or 'edits', not both.")
    assert history_state(world.team, "s") == [(1, True, False)]


def test_case_31_empty_edits(api, world):
    api.create("s")
    response = body_edits(api, "s", [])
    assert response.status_code == 400
    assert response.json() == validation("edits", "empty", AT_LEAST_ONE_EDIT)
    assert history_state(world.team, "s") == [(1, True, False)]


def test_case_31_edit_item_validation(api, world):
    api.create("s", body="# T\nx")
    cases = [
        ([{"old": "", "new": "y"}], validation("edits__0__old", "blank", "This field may not be blank.")),
        ([{"old": "   ", "new": "y"}], validation("edits__0__old", "blank", "This field may not be blank.")),
        ([{"new": "y"}], validation("edits__0__old", "required", "This field is required.")),
        ([{"old": "x"}], validation("edits__0__new", "required", "This field is required.")),
        ([{"old": None, "new": "y"}], validation("edits__0__old", "null", "This field may not be null.")),
        ([{"old": "x", "new": None}], validation("edits__0__new", "null", "This field may not be null.")),
        ([{"old": ["x"], "new": "y"}], validation("edits__0__old", "invalid_input", "Not a valid string.")),
        (
            [{"old": "x", "new": "y"}, {"old": "", "new": "z"}],
            validation("edits__1__old", "blank", "This field may not be blank."),
        ),
        (
            [{"old": "x", "new": "y"}, {"old": "x", "new": {"a": 1}}],
            validation("edits__1__new", "invalid_input", "Not a valid string."),
        ),
        (
            {"old": "x", "new": "y"},
            validation("edits", "not_a_list", 'Expected a list of items but got type "dict".'),
        ),
    ]
    assert_each_refused(lambda edits: body_edits(api, "s", edits), cases)
    assert history_state(world.team, "s") == [(1, True, False)]


def test_case_31_numbers_are_coerced_to_strings(api, world):
    api.create("s", body="# T\nversion 1")
    body = body_edits(api, "s", [{"old": 1, "new": 2}]).json()
    assert body["body"] == "# T\nversion 2"


# ---- case 32 ----------------------------------------------------------------------------------


def big_body(extra: int = 0) -> str:
    """A body of exactly 1,000,000 - 10 + extra bytes ending in a unique marker."""
    return "# T\n" + "a" * (1_000_000 - 4 - 3 - 10 + extra) + "END"


def test_case_32_edit_over_size_limit(api, world):
    body = big_body()
    assert len(body.encode()) == 999_990
    api.create("s", body=body)
    before = snapshot(world.team, "s")
    response = body_edits(api, "s", [{"old": "END", "new": "END" + "b" * 11}])
    assert response.status_code == 400
    assert response.json() == {"detail": BODY_TOO_LARGE, "edit_index": 0}
    assert "size limit" in response.json()["detail"]
    assert "file_path" not in response.json()
    assert snapshot(world.team, "s") == before


def test_case_32_edit_up_to_exact_limit_is_allowed(api, world):
    api.create("s", body=big_body())
    body = api.publish("s", 1, edits=[{"old": "END", "new": "END" + "b" * 10}])
    assert len(body["body"].encode()) == 1_000_000
    assert len(versions(world.team, "s")[-1].body.encode()) == 1_000_000


def test_case_32_size_counts_utf8_bytes(api, world):
    body = "# T\n" + "é" * 499_990 + "END"  # 4 + 999,980 + 3 bytes
    api.create("s", body=body)
    ok = api.publish("s", 1, edits=[{"old": "END", "new": "END" + "é" * 6}])  # +12 bytes: 999,999
    assert len(ok["body"].encode()) == 999_999
    response = body_edits(api, "s", [{"old": "END", "new": "ENDé"}], base_version=2)  # +2: 1,000,001
    assert response.status_code == 400
    assert response.json() == {"detail": BODY_TOO_LARGE, "edit_index": 0}


def test_case_32_size_edit_index_is_last_edit(api, world):
    api.create("s", body=big_body())
    before = snapshot(world.team, "s")
    response = body_edits(
        api,
        "s",
        [
            {"old": "END", "new": "END" + "b" * 50},  # over the limit already
            {"old": "# T", "new": "# Title"},
            {"old": "Title", "new": "Titles"},
        ],
    )
    assert response.status_code == 400
    assert response.json() == {"detail": BODY_TOO_LARGE, "edit_index": 2}
    assert snapshot(world.team, "s") == before


def test_case_32_only_final_size_counts(api, world):
    api.create("s", body=big_body())
    body = api.publish(
        "s",
        1,
        edits=[{"old": "END", "new": "END" + "b" * 50}, {"old": "b" * 50, "new": ""}],
    )
    assert body["body"] == big_body()
    assert body["version"] == 2


def test_case_32_match_failure_is_reported_before_size(api, world):
    api.create("s", body=big_body())
    response = body_edits(api, "s", [{"old": "END", "new": "END" + "b" * 50}, {"old": "missing", "new": "x"}])
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_FOUND_IN_BODY, "edit_index": 1}


# ---- case 34 ----------------------------------------------------------------------------------


def test_case_34_file_edits(api, world):
    api.create("s", body="# Body", files=FILES)

    response = file_edit_request(
        api, "s", [{"path": "references/a.md", "edits": [{"old": "rank high", "new": "rank higher"}]}]
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["body"] == "# Body"
    assert body["files"] == [
        {"path": "references/a.md", "content_type": "text/markdown"},
        {"path": "references/b.md", "content_type": "text/plain"},
        {"path": "scripts/run.sh", "content_type": "text/x-shellscript"},
    ]
    v1, v2 = versions(world.team, "s")
    assert files_of(v2) == {**STORED, "references/a.md": ("# A\n\nThese rank higher.", "text/markdown")}
    assert files_of(v1) == STORED
    assert v2.body == v1.body
    assert api.get("name/s/files/references/a.md").json() == {
        "path": "references/a.md",
        "content": "# A\n\nThese rank higher.",
        "content_type": "text/markdown",
    }
    assert (
        api.get("name/s/files/references/a.md", {"version": 1}).json()["content"] == "# A\n\nThese rank high."
    )
    assert api.get("name/s/files/scripts/run.sh").json() == {
        "path": "scripts/run.sh",
        "content": "echo one\necho two",
        "content_type": "text/x-shellscript",
    }


def test_case_34_several_entries_and_sequential_file_edits(api, world):
    api.create("s", files=FILES)
    body = api.publish(
        "s",
        1,
        file_edits=[
            {
                "path": "scripts/run.sh",
                "edits": [{"old": "one", "new": "ONE"}, {"old": "ONE\necho", "new": "1;"}],
            },
            {"path": "references/b.md", "edits": [{"old": "b only", "new": " "}]},
        ],
    )
    assert body["version"] == 2
    assert files_of(versions(world.team, "s")[-1]) == {
        **STORED,
        "scripts/run.sh": ("echo 1; two", "text/x-shellscript"),
        "references/b.md": ("# B\n\nrank high too? no: ", "text/plain"),
    }


def test_case_34_file_edits_keep_other_fields(api, world):
    api.create("s", body="# Body", description="D", license="MIT", metadata={"k": "v"}, files=FILES)
    body = api.publish(
        "s", 1, file_edits=[{"path": "references/a.md", "edits": [{"old": "These", "new": "Those"}]}]
    )
    assert (body["body"], body["description"], body["license"], body["metadata"]) == (
        "# Body",
        "D",
        "MIT",
        {"k": "v"},
    )


# ---- case 35 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_edits", "expected"),
    [
        pytest.param(
            [{"path": "references/nope.md", "edits": [{"old": "a", "new": "b"}]}],
            file_not_in_version("references/nope.md"),
            id="unknown_path",
        ),
        pytest.param(
            [{"path": "references/a.md", "edits": [{"old": "absent", "new": "x"}]}],
            text_not_in_file("references/a.md", 0),
            id="edit_not_found",
        ),
        pytest.param(
            [
                {
                    "path": "scripts/run.sh",
                    "edits": [{"old": "one", "new": "1"}, {"old": "echo", "new": "print"}],
                }
            ],
            {
                "detail": "Text to replace matches 2 times in file 'scripts/run.sh' \u2014 provide more context to make it unique.",
                "edit_index": 1,
                "file_path": "scripts/run.sh",
            },
            id="edit_matches_twice",
        ),
        pytest.param(
            [
                {
                    "path": "references/a.md",
                    "edits": [{"old": "These", "new": "Those"}, {"old": "high", "new": "low"}],
                },
                {"path": "references/b.md", "edits": [{"old": "missing", "new": "x"}]},
            ],
            text_not_in_file("references/b.md", 0),
            id="edit_index_is_within_the_entry",
        ),
        pytest.param(
            [
                {"path": "references/a.md", "edits": [{"old": "These", "new": "Those"}]},
                {"path": "gone.md", "edits": [{"old": "a", "new": "b"}]},
                {"path": "references/b.md", "edits": [{"old": "missing", "new": "x"}]},
            ],
            file_not_in_version("gone.md"),
            id="entries_processed_in_order",
        ),
    ],
)
def test_case_35_file_edit_errors(api, world, file_edits, expected):
    """The exact error body (the file, and for a failing edit its index within the entry); nothing
    is written."""
    api.create("s", files=FILES)
    before = snapshot(world.team, "s")
    response = file_edit_request(api, "s", file_edits)
    assert (response.status_code, response.json()) == (400, expected)
    assert snapshot(world.team, "s") == before


def test_case_35_file_edits_path_is_exact(api, world):
    api.create("s", files=FILES)
    response = file_edit_request(api, "s", [{"path": "References/a.md", "edits": [{"old": "A", "new": "b"}]}])
    assert response.status_code == 400
    assert response.json() == file_not_in_version("References/a.md")
    # Trimmed before the lookup.
    body = api.publish(
        "s", 1, file_edits=[{"path": "  references/a.md ", "edits": [{"old": "These", "new": "X"}]}]
    )
    assert body["version"] == 2


def test_case_35_edited_file_too_large(api, world):
    content = "x" * (1_000_000 - 3) + "END"
    api.create("s", files=[{"path": "big.txt", "content": content}, {"path": "small.md", "content": "s"}])
    before = snapshot(world.team, "s")
    response = file_edit_request(
        api,
        "s",
        [
            {"path": "small.md", "edits": [{"old": "s", "new": "small"}]},
            {"path": "big.txt", "edits": [{"old": "END", "new": "FIN"}, {"old": "FIN", "new": "FINAL"}]},
        ],
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Edited file 'big.txt' exceeds the 1000000 byte size limit.",
        "edit_index": 1,
        "file_path": "big.txt",
    }
    assert snapshot(world.team, "s") == before
    # Staying at exactly the limit is fine.
    body = api.publish("s", 1, file_edits=[{"path": "big.txt", "edits": [{"old": "END", "new": "FIN"}]}])
    assert body["version"] == 2
    assert files_of(versions(world.team, "s")[-1])["big.txt"][0].endswith("FIN")


def test_case_35_body_edits_checked_before_file_edits(api, world):
    api.create("s", body="# T\nbody text", files=FILES)
    before = snapshot(world.team, "s")
    cases = [
        (
            {
                "edits": [{"old": "not in body", "new": "x"}],
                "file_edits": [{"path": "unknown.md", "edits": [{"old": "a", "new": "b"}]}],
            },
            {"detail": NOT_FOUND_IN_BODY, "edit_index": 0},
        ),
        (
            {
                "edits": [{"old": "text", "new": "x"}, {"old": "body", "new": "x"}, {"old": "x", "new": "z"}],
                "file_edits": [{"path": "references/a.md", "edits": [{"old": "nope", "new": "b"}]}],
            },
            {"detail": matches(2), "edit_index": 2},
        ),
        # A valid body edit with a failing file edit writes nothing either.
        (
            {
                "edits": [{"old": "text", "new": "x"}],
                "file_edits": [{"path": "references/a.md", "edits": [{"old": "nope", "new": "b"}]}],
            },
            text_not_in_file("references/a.md", 0),
        ),
    ]
    assert_each_refused(lambda payload: api.patch("name/s/", {**payload, "base_version": 1}), cases)
    assert snapshot(world.team, "s") == before


# ---- case 36 ----------------------------------------------------------------------------------


def test_case_36_files_and_file_edits_together(api, world):
    api.create("s", files=FILES)
    response = api.patch(
        "name/s/",
        {
            "files": [{"path": "x.md", "content": "x"}],
            "file_edits": [{"path": "references/a.md", "edits": [{"old": "These", "new": "x"}]}],
            "base_version": 1,
        },
    )
    assert response.status_code == 400
    assert response.json() == validation(
        None, "invalid_input", "Provide either 'files' or 'file_edits', not both."
    )
    assert history_state(world.team, "s") == [(1, True, False)]


def test_case_36_body_edits_conflict_reported_first(api, world):
    api.create("s", files=FILES)
    response = api.patch(
        "name/s/",
        {
            "body": "# b",
            "edits": [{"old": "x", "new": "y"}],
            "files": [],
            "file_edits": [{"path": "references/a.md", "edits": [{"old": "These", "new": "x"}]}],
            "base_version": 1,
        },
    )
    assert response.status_code == 400
    assert response.json() == validation(None, "invalid_input", "Provide either 'body' or 'edits', not both.")


def test_case_36_duplicate_file_edits_paths(api, world):
    api.create("s", files=FILES)
    response = file_edit_request(
        api,
        "s",
        [
            {"path": "references/a.md", "edits": [{"old": "These", "new": "x"}]},
            {"path": "references/a.md", "edits": [{"old": "rank", "new": "y"}]},
        ],
    )
    assert response.status_code == 400
    assert response.json() == validation(
        "file_edits", "invalid_input", "Duplicate file paths are not allowed in file_edits."
    )
    # Compared after trimming.
    response = file_edit_request(
        api,
        "s",
        [
            {"path": "references/a.md", "edits": [{"old": "These", "new": "x"}]},
            {"path": " references/a.md ", "edits": [{"old": "rank", "new": "y"}]},
        ],
    )
    assert response.json() == validation(
        "file_edits", "invalid_input", "Duplicate file paths are not allowed in file_edits."
    )
    assert history_state(world.team, "s") == [(1, True, False)]


def test_case_36_empty_file_edits(api, world):
    api.create("s", files=FILES)
    response = file_edit_request(api, "s", [])
    assert response.status_code == 400
    assert response.json() == validation("file_edits", "empty", "At least one file_edits entry is required.")
    response = file_edit_request(api, "s", [{"path": "references/a.md", "edits": []}])
    assert response.status_code == 400
    assert response.json() == validation("file_edits__0__edits", "empty", AT_LEAST_ONE_EDIT)
    response = file_edit_request(
        api,
        "s",
        [
            {"path": "references/a.md", "edits": [{"old": "These", "new": "x"}]},
            {"path": "scripts/run.sh", "edits": []},
        ],
    )
    assert response.json() == validation("file_edits__1__edits", "empty", AT_LEAST_ONE_EDIT)
    assert history_state(world.team, "s") == [(1, True, False)]


def test_case_36_file_edits_item_validation(api, world):
    api.create("s", files=FILES)
    good = [{"old": "These", "new": "x"}]
    cases = [
        (
            [{"path": "references/a.md", "edits": [{"old": "", "new": "x"}]}],
            validation("file_edits__0__edits__0__old", "blank", "This field may not be blank."),
        ),
        (
            [{"path": "references/a.md", "edits": [*good, {"old": "a"}]}],
            validation("file_edits__0__edits__1__new", "required", "This field is required."),
        ),
        ([{"edits": good}], validation("file_edits__0__path", "required", "This field is required.")),
        (
            [{"path": "references/a.md"}],
            validation("file_edits__0__edits", "required", "This field is required."),
        ),
        (
            [{"path": " ", "edits": good}],
            validation("file_edits__0__path", "blank", "This field may not be blank."),
        ),
        (
            [{"path": None, "edits": good}],
            validation("file_edits__0__path", "null", "This field may not be null."),
        ),
        (
            {"path": "references/a.md", "edits": good},
            validation("file_edits", "not_a_list", 'Expected a list of items but got type "dict".'),
        ),
        (
            [{"path": "references/a.md", "edits": good}, {"path": "x" * 501, "edits": good}],
            validation(
                "file_edits__1__path", "max_length", "Ensure this field has no more than 500 characters."
            ),
        ),
    ]
    assert_each_refused(lambda file_edits: file_edit_request(api, "s", file_edits), cases)
    assert history_state(world.team, "s") == [(1, True, False)]


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("../escape.md", TRAVERSAL),
        ("references/../../escape.md", TRAVERSAL),
        ("..", TRAVERSAL),
        ("/abs.md", ABSOLUTE),
        ("a//b.md", EMPTY_OR_DOT),
        ("references/", EMPTY_OR_DOT),
        ("./a.md", EMPTY_OR_DOT),
        ("references/./a.md", EMPTY_OR_DOT),
        ("references\\a.md", None),
        ("%2e%2e/x.md", None),
        ("a%2Fb.md", None),
        ("a\x01b.md", None),
        ("a\x00b.md", None),
        ("a\x7fb.md", None),
    ],
)
def test_case_36_file_edits_path_rules(api, world, path, detail):
    api.create("s", files=FILES)
    response = file_edit_request(api, "s", [{"path": path, "edits": [{"old": "a", "new": "b"}]}])
    assert response.status_code == 400
    error = response.json()
    assert set(error) == {"type", "code", "detail", "attr"}
    assert (error["type"], error["code"], error["attr"]) == (
        "validation_error",
        "invalid_input",
        "file_edits__0__path",
    )
    if detail is not None:
        assert error["detail"] == detail
    else:
        assert error["detail"]
    assert history_state(world.team, "s") == [(1, True, False)]


@pytest.mark.parametrize("path", [".hidden", "release..notes.md", "dir/.config", "SKILL.md", "100%25.md"])
def test_case_36_dotted_names_pass_path_rules(api, world, path):
    api.create("s", files=[{"path": path, "content": "old text"}])
    body = api.publish("s", 1, file_edits=[{"path": path, "edits": [{"old": "old", "new": "new"}]}])
    assert body["files"] == [{"path": path, "content_type": "text/plain"}]
    assert files_of(versions(world.team, "s")[-1]) == {path: ("new text", "text/plain")}


# ---- case 37 ----------------------------------------------------------------------------------


def test_case_37_edits_and_file_edits_together(api, world):
    api.create("s", body="# T\n\nHello world.", files=FILES)

    response = api.patch(
        "name/s/",
        {
            "edits": [{"old": "Hello world.", "new": "Hello there."}],
            "file_edits": [
                {"path": "references/a.md", "edits": [{"old": "rank high", "new": "rank higher"}]}
            ],
            "base_version": 1,
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["body"]) == (2, "# T\n\nHello there.")
    assert history_state(world.team, "s") == [(1, False, False), (2, True, False)]
    v1, v2 = versions(world.team, "s")
    assert v2.body == "# T\n\nHello there."
    assert files_of(v2) == {**STORED, "references/a.md": ("# A\n\nThese rank higher.", "text/markdown")}
    assert files_of(v1) == STORED
    assert v1.body == "# T\n\nHello world."


def test_case_37_edits_and_files_together(api, world):
    api.create("s", body="# T\n\nHello", files=FILES)
    body = api.publish(
        "s", 1, edits=[{"old": "Hello", "new": "Hi"}], files=[{"path": "new.md", "content": "N"}]
    )
    assert (body["version"], body["body"]) == (2, "# T\n\nHi")
    assert body["files"] == [{"path": "new.md", "content_type": "text/plain"}]
    assert files_of(versions(world.team, "s")[-1]) == {"new.md": ("N", "text/plain")}


def test_case_37_body_and_file_edits_together(api, world):
    api.create("s", body="# T", files=FILES)
    body = api.publish(
        "s",
        1,
        body="# Replaced",
        file_edits=[{"path": "scripts/run.sh", "edits": [{"old": "echo two", "new": "echo 2"}]}],
    )
    assert (body["version"], body["body"]) == (2, "# Replaced")
    assert files_of(versions(world.team, "s")[-1]) == {
        **STORED,
        "scripts/run.sh": ("echo one\necho 2", "text/x-shellscript"),
    }


def test_case_37_stale_base_version_with_edits(api, world):
    api.create("s", body="# T\nx", files=FILES)
    api.publish("s", 1, body="# T\ny")
    before = snapshot(world.team, "s")
    response = api.patch(
        "name/s/",
        {
            "edits": [{"old": "y", "new": "z"}],
            "file_edits": [{"path": "references/a.md", "edits": [{"old": "These", "new": "x"}]}],
            "base_version": 1,
        },
    )
    assert (response.status_code, response.json()) == (409, conflict(2))
    assert snapshot(world.team, "s") == before
