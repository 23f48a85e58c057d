"""GET P/name/{name}/diff/?from=&to= (prompts v2 spec §9.1; cases 68-73)."""

import json

import pytest

from tests.api import validation
from tests.prompts.helpers import Api, prompt_not_found
from tests.prompts.v2_helpers import DIFF_KEYS, INTEGER_REQUIRED, diff, diff_text, expected_diff, publish


def _history(api, name: str, *payloads):
    api.create(name, payloads[0])
    for index, payload in enumerate(payloads[1:], start=1):
        publish(api, name, index, prompt=payload)


def _ok(api, name: str, from_version, to_version) -> dict:
    response = diff(api, name, **{"from": from_version, "to": to_version})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == DIFF_KEYS
    return body


def test_case_68_text_diff(api, world):
    _history(api, "p", "a\nb\nc", "a\nB\nc")

    body = _ok(api, "p", 1, 2)

    assert body == {
        "name": "p",
        "from_version": 1,
        "to_version": 2,
        "identical": False,
        "diff": "--- p@v1\n+++ p@v2\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c",
        "hunks": [
            {
                "old_start": 1,
                "old_lines": 3,
                "new_start": 1,
                "new_lines": 3,
                "lines": [" a", "-b", "+B", " c"],
            }
        ],
        "stats": {"additions": 1, "deletions": 1},
        "json_changes": None,
    }
    assert {key: body[key] for key in ("identical", "diff", "hunks", "stats")} == expected_diff(
        "p", "a\nb\nc", "a\nB\nc", 1, 2
    )


def test_case_68_trailing_newline(api, world):
    _history(api, "nl", "a\nb\n", "a\nc\n")
    body = _ok(api, "nl", 1, 2)
    assert body["diff"] == "--- nl@v1\n+++ nl@v2\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n "
    assert body["hunks"] == [
        {"old_start": 1, "old_lines": 3, "new_start": 1, "new_lines": 3, "lines": [" a", "-b", "+c", " "]}
    ]
    assert body["stats"] == {"additions": 1, "deletions": 1}


def test_case_68_adding_a_trailing_newline(api, world):
    _history(api, "add-nl", "a", "a\n")
    body = _ok(api, "add-nl", 1, 2)
    # A count of 1 is written as the start alone.
    assert body["diff"] == "--- add-nl@v1\n+++ add-nl@v2\n@@ -1 +1,2 @@\n a\n+"
    assert body["hunks"] == [
        {"old_start": 1, "old_lines": 1, "new_start": 1, "new_lines": 2, "lines": [" a", "+"]}
    ]
    assert body["stats"] == {"additions": 1, "deletions": 0}
    assert body["identical"] is False


def test_case_68_several_hunks_and_context(api, world):
    old = "\n".join(f"line {i}" for i in range(1, 31))
    new = old.replace("line 2\n", "line two\n").replace("line 25", "line 25\nline 25b").replace("line 30", "")
    _history(api, "big", old, new)
    body = _ok(api, "big", 1, 2)
    expected = expected_diff("big", old, new, 1, 2)
    assert {key: body[key] for key in ("identical", "diff", "hunks", "stats")} == expected
    assert len(body["hunks"]) == 2
    assert body["stats"] == {"additions": 3, "deletions": 2}


def test_case_69_same_version(api, world):
    _history(api, "p", "a\nb\nc", "a\nB\nc")
    body = _ok(api, "p", 2, 2)
    assert body == {
        "name": "p",
        "from_version": 2,
        "to_version": 2,
        "identical": True,
        "diff": "",
        "hunks": [],
        "stats": {"additions": 0, "deletions": 0},
        "json_changes": None,
    }


def test_case_69_equal_content_is_identical(api, world):
    _history(api, "same", "text\nmore", "text\nmore")
    body = _ok(api, "same", 1, 2)
    assert (body["identical"], body["diff"], body["hunks"]) == (True, "", [])
    assert body["stats"] == {"additions": 0, "deletions": 0}

    _history(api, "same-json", {"a": [1, 2], "b": "x"}, {"b": "x", "a": [1, 2]})
    body = _ok(api, "same-json", 1, 2)
    assert (body["identical"], body["diff"], body["hunks"], body["json_changes"]) == (True, "", [], [])


def test_case_70_reverse_diff(api, world):
    _history(api, "p", "a\nb\nc", "a\nB\nc")
    body = _ok(api, "p", 2, 1)
    assert (body["from_version"], body["to_version"]) == (2, 1)
    assert body["diff"] == "--- p@v2\n+++ p@v1\n@@ -1,3 +1,3 @@\n a\n-B\n+b\n c"
    assert body["hunks"][0]["lines"] == [" a", "-B", "+b", " c"]
    assert body["stats"] == {"additions": 1, "deletions": 1}


def test_case_70_diff_between_non_adjacent_versions(api, world):
    _history(api, "three", "one", "two", "three")
    body = _ok(api, "three", 3, 1)
    assert body["diff"] == "--- three@v3\n+++ three@v1\n@@ -1 +1 @@\n-three\n+one"
    assert body["hunks"] == [
        {"old_start": 1, "old_lines": 1, "new_start": 1, "new_lines": 1, "lines": ["-three", "+one"]}
    ]


OLD_JSON = {
    "a": 1,
    "arr": [1, 2, 3],
    "b": {"c": [1, 2], "d/e": "x", "t~": 1},
    "flag": True,
    "keep": 1.5,
    "obj": {"x": 1},
}
NEW_JSON = {
    "a": 1.0,
    "arr": [1],
    "b": {"c": [1, 3, 4], "n": {"z": 1}, "t~": 2},
    "flag": 1,
    "new": None,
    "obj": [1],
}
JSON_CHANGES = [
    {"op": "remove", "path": "/arr/1", "old": 2},
    {"op": "remove", "path": "/arr/2", "old": 3},
    {"op": "replace", "path": "/b/c/1", "old": 2, "new": 3},
    {"op": "add", "path": "/b/c/2", "new": 4},
    {"op": "remove", "path": "/b/d~1e", "old": "x"},
    {"op": "add", "path": "/b/n", "new": {"z": 1}},
    {"op": "replace", "path": "/b/t~0", "old": 1, "new": 2},
    {"op": "replace", "path": "/flag", "old": True, "new": 1},
    {"op": "remove", "path": "/keep", "old": 1.5},
    {"op": "add", "path": "/new", "new": None},
    {"op": "replace", "path": "/obj", "old": {"x": 1}, "new": [1]},
]


def test_case_71_json_changes(api, world):
    _history(api, "json", OLD_JSON, NEW_JSON)
    body = _ok(api, "json", 1, 2)
    assert body["json_changes"] == JSON_CHANGES
    # Booleans are never equal to numbers, even where Python's == says so.
    flag = body["json_changes"][7]
    assert flag["old"] is True
    assert flag["new"] == 1
    assert not isinstance(flag["new"], bool)
    assert body["identical"] is False


def test_case_71_json_text_diff(api, world):
    _history(api, "json-text", OLD_JSON, NEW_JSON)
    body = _ok(api, "json-text", 1, 2)
    expected = expected_diff("json-text", OLD_JSON, NEW_JSON, 1, 2)
    assert {key: body[key] for key in ("identical", "diff", "hunks", "stats")} == expected
    assert diff_text(OLD_JSON).startswith('{\n  "a": 1,\n  "arr": [\n')


def test_case_71_json_text_is_sorted_and_keeps_non_ascii(api, world):
    _history(api, "json-sort", {"z": "é", "a": 1}, {"z": "ü", "a": 1})
    body = _ok(api, "json-sort", 1, 2)
    assert body["diff"] == (
        '--- json-sort@v1\n+++ json-sort@v2\n@@ -1,4 +1,4 @@\n {\n   "a": 1,\n-  "z": "é"\n+  "z": "ü"\n }'
    )
    assert body["json_changes"] == [{"op": "replace", "path": "/z", "old": "é", "new": "ü"}]


def test_case_71_json_changes_at_the_root(api, world):
    _history(api, "root", [1], {"a": 1}, 5, 7, [{"k": "v"}, 2], [{"k": "w"}])
    assert _ok(api, "root", 1, 2)["json_changes"] == [
        {"op": "replace", "path": "", "old": [1], "new": {"a": 1}}
    ]
    assert _ok(api, "root", 3, 4)["json_changes"] == [{"op": "replace", "path": "", "old": 5, "new": 7}]
    assert _ok(api, "root", 5, 6)["json_changes"] == [
        {"op": "replace", "path": "/0/k", "old": "v", "new": "w"},
        {"op": "remove", "path": "/1", "old": 2},
    ]
    assert _ok(api, "root", 6, 5)["json_changes"] == [
        {"op": "replace", "path": "/0/k", "old": "w", "new": "v"},
        {"op": "add", "path": "/1", "new": 2},
    ]


def test_case_71_json_keys_in_code_point_order(api, world):
    _history(api, "cp", {"b": 1, "B": 1, "a": 1}, {"é": 1, "Z": 2, "_": 3})
    changes = _ok(api, "cp", 1, 2)["json_changes"]
    assert [change["path"] for change in changes] == ["/B", "/Z", "/_", "/a", "/b", "/é"]
    assert [change["op"] for change in changes] == ["remove", "add", "add", "remove", "remove", "add"]


def test_case_72_string_versus_json(api, world):
    payload = {"system": "hello"}
    _history(api, "mixed", "hello", payload)
    body = _ok(api, "mixed", 1, 2)
    assert body["json_changes"] is None
    assert body["identical"] is False
    expected = expected_diff("mixed", "hello", payload, 1, 2)
    assert {key: body[key] for key in ("identical", "diff", "hunks", "stats")} == expected
    assert body["diff"] == '--- mixed@v1\n+++ mixed@v2\n@@ -1 +1,3 @@\n-hello\n+{\n+  "system": "hello"\n+}'


def test_case_72_string_that_looks_like_json(api, world):
    # A string payload is its own diff text, even when it is JSON text.
    text = json.dumps({"a": 1})
    _history(api, "strjson", text, {"a": 1})
    body = _ok(api, "strjson", 1, 2)
    assert body["json_changes"] is None
    assert body["identical"] is False
    assert body["diff"] == '--- strjson@v1\n+++ strjson@v2\n@@ -1 +1,3 @@\n-{"a": 1}\n+{\n+  "a": 1\n+}'


def _diff_error(response, attr: str, code: str, detail: str | None = None):
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["type"], body["attr"], body["code"]) == ("validation_error", attr, code), body
    if detail is not None:
        assert body["detail"] == detail


def test_case_73_parameter_errors(api, world):
    _history(api, "p", "a", "b")
    response = diff(api, "p", to=2)
    assert response.json() == validation("from", "required", "This field is required.")
    response = diff(api, "p", **{"from": 1})
    assert response.json() == validation("to", "required", "This field is required.")
    response = diff(api, "p")
    assert response.json() == validation("from", "required", "This field is required.")
    response = diff(api, "p", **{"from": 1, "to": "abc"})
    assert response.status_code == 400
    assert response.json() == validation("to", "invalid_input", INTEGER_REQUIRED)
    response = diff(api, "p", **{"from": "x", "to": "abc"})
    assert response.json() == validation("from", "invalid_input", INTEGER_REQUIRED)
    _diff_error(diff(api, "p", **{"from": 0, "to": 1}), "from", "min_value")
    _diff_error(diff(api, "p", **{"from": 1, "to": -1}), "to", "min_value")


def test_case_73_validated_before_lookup(api, world):
    _diff_error(diff(api, "unknown", **{"from": "abc", "to": 1}), "from", "invalid_input", INTEGER_REQUIRED)
    _diff_error(diff(api, "unknown", to=1), "from", "required")


@pytest.mark.parametrize("versions", [(1, 9), (9, 1), (9, 9)])
def test_case_73_unknown_version(api, world, versions):
    _history(api, "p", "a", "b")
    response = diff(api, "p", **{"from": versions[0], "to": versions[1]})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("p")


def test_case_73_unknown_or_archived_prompt(api, world):
    response = diff(api, "unknown", **{"from": 1, "to": 1})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("unknown")

    _history(api, "gone", "a", "b")
    assert api.post("name/gone/archive/").status_code == 204
    response = diff(api, "gone", **{"from": 1, "to": 2})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("gone")

    # A re-created history only has its own versions.
    _history(api, "gone", "fresh")
    assert _ok(api, "gone", 1, 1)["identical"] is True
    response = diff(api, "gone", **{"from": 1, "to": 2})
    assert response.status_code == 404


def test_case_73_other_project_is_not_found(api, world, client):
    other = Api(client=client, base=f"/api/environments/{world.team2.id}/llm_prompts", key=world.k_all)
    other.create("elsewhere", "a")
    response = diff(api, "elsewhere", **{"from": 1, "to": 1})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("elsewhere")
