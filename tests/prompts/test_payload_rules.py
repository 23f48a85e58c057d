"""The pure rules behind diff and compile: prompts.diffing and prompts.templating (no database)."""

import difflib
import json

import pytest

from llm_server.domain import DomainValidationError
from prompts.diffing import diff_payloads, json_changes, parse_hunks
from prompts.payload_text import diff_text
from prompts.templating import (
    compile_values_error,
    declaration_error,
    placeholders,
    render,
    undeclared,
)


def diff(old, new, from_version=1, to_version=2):
    return diff_payloads(name="p", from_version=from_version, to_version=to_version, old=old, new=new)


# --- diff -------------------------------------------------------------------------------------


def test_reverse_diff_swaps_sides():
    result = diff("a\nB\nc", "a\nb\nc", from_version=2, to_version=1)
    assert result["diff"] == "--- p@v2\n+++ p@v1\n@@ -1,3 +1,3 @@\n a\n-B\n+b\n c"
    assert result["hunks"][0]["lines"] == [" a", "-B", "+b", " c"]
    assert result["from_version"] == 2 and result["to_version"] == 1


@pytest.mark.parametrize(
    ("old", "new"),
    [("a\nb", "a\nb"), ({"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}), ("", "")],
)
def test_identical_payloads(old, new):
    result = diff(old, new, from_version=2, to_version=2)
    assert result["identical"] is True
    assert result["diff"] == ""
    assert result["hunks"] == []
    assert result["stats"] == {"additions": 0, "deletions": 0}
    assert result["json_changes"] == (None if isinstance(old, str) else [])


def test_trailing_newline_is_a_line():
    result = diff("a", "a\n")
    assert result["diff"] == "--- p@v1\n+++ p@v2\n@@ -1 +1,2 @@\n a\n+"
    assert result["hunks"] == [
        {"old_start": 1, "old_lines": 1, "new_start": 1, "new_lines": 2, "lines": [" a", "+"]}
    ]
    assert result["stats"] == {"additions": 1, "deletions": 0}


def test_header_with_count_of_one():
    result = diff("a", "b")
    assert result["diff"] == "--- p@v1\n+++ p@v2\n@@ -1 +1 @@\n-a\n+b"
    assert result["hunks"] == [
        {"old_start": 1, "old_lines": 1, "new_start": 1, "new_lines": 1, "lines": ["-a", "+b"]}
    ]


def test_hunk_with_empty_range():
    lines = list(difflib.unified_diff([], ["x", "y"], "p@v1", "p@v2", n=3, lineterm=""))
    assert lines[2] == "@@ -0,0 +1,2 @@"
    assert parse_hunks(lines) == [
        {"old_start": 0, "old_lines": 0, "new_start": 1, "new_lines": 2, "lines": ["+x", "+y"]}
    ]


def test_separate_hunks_and_stats():
    old = "\n".join(str(n) for n in range(20))
    new = old.replace("2", "two", 1).replace("17", "seventeen")
    result = diff(old, new)
    assert [(h["old_start"], h["old_lines"], h["new_start"], h["new_lines"]) for h in result["hunks"]] == [
        (1, 6, 1, 6),
        (15, 6, 15, 6),
    ]
    assert result["hunks"][1]["lines"] == [" 14", " 15", " 16", "-17", "+seventeen", " 18", " 19"]
    assert result["stats"] == {"additions": 2, "deletions": 2}


def test_json_diff_text_is_sorted_indented_json():
    old = {"b": 1, "a": "é"}
    new = {"a": "é", "b": 2}
    result = diff(old, new)
    expected = difflib.unified_diff(
        diff_text(old).split("\n"), diff_text(new).split("\n"), "p@v1", "p@v2", n=3, lineterm=""
    )
    assert result["diff"] == "\n".join(expected)
    assert '-  "b": 1' in result["diff"].split("\n")
    assert '  "a": "é",' in result["hunks"][0]["lines"][1]


def test_json_changes_exact():
    old = {
        "a/b": 1,
        "m~n": {"keep": True, "gone": "x"},
        "list": [1, 2],
        "same": [1, {"k": "v"}],
    }
    new = {
        "a/b": 2,
        "m~n": {"keep": True, "new": None},
        "list": [1, 3, 4],
        "same": [1, {"k": "v"}],
        "z": [],
    }
    assert diff(old, new)["json_changes"] == [
        {"op": "replace", "path": "/a~1b", "old": 1, "new": 2},
        {"op": "replace", "path": "/list/1", "old": 2, "new": 3},
        {"op": "add", "path": "/list/2", "new": 4},
        {"op": "remove", "path": "/m~0n/gone", "old": "x"},
        {"op": "add", "path": "/m~0n/new", "new": None},
        {"op": "add", "path": "/z", "new": []},
    ]


def test_json_changes_keys_in_code_point_order():
    assert [c["path"] for c in json_changes({}, {"b": 1, "B": 1, "a": 1, "é": 1, "~": 1})] == [
        "/B",
        "/a",
        "/b",
        "/~0",
        "/é",
    ]


def test_json_changes_array_removals_ascending():
    assert json_changes([1, 2, 3, 4], [1]) == [
        {"op": "remove", "path": "/1", "old": 2},
        {"op": "remove", "path": "/2", "old": 3},
        {"op": "remove", "path": "/3", "old": 4},
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"a": {"x": 1}}, {"a": [1]}),
        ({"a": 1}, {"a": "1"}),
        ({"a": None}, {"a": 0}),
        ({"a": 0}, {"a": False}),
        ({"a": True}, {"a": 1}),
        ({"a": []}, {"a": {}}),
    ],
)
def test_type_change_is_one_replace(old, new):
    assert json_changes(old, new) == [{"op": "replace", "path": "/a", "old": old["a"], "new": new["a"]}]


def test_numbers_compare_numerically_but_text_differs():
    result = diff({"a": 1}, {"a": 1.0})
    assert result["json_changes"] == []
    assert result["identical"] is False
    assert result["stats"] == {"additions": 1, "deletions": 1}


def test_boolean_never_equals_number_at_root():
    result = diff(True, 1)
    assert result["json_changes"] == [{"op": "replace", "path": "", "old": True, "new": 1}]
    assert result["diff"] == "--- p@v1\n+++ p@v2\n@@ -1 +1 @@\n-true\n+1"


def test_non_object_json_payloads_are_compared():
    assert json_changes(1, 2) == [{"op": "replace", "path": "", "old": 1, "new": 2}]
    assert json_changes([1], {"0": 1}) == [{"op": "replace", "path": "", "old": [1], "new": {"0": 1}}]
    assert json_changes(None, None) == []


@pytest.mark.parametrize(("old", "new"), [("[1]", [1]), ({"a": 1}, "a"), ("x", "y")])
def test_json_changes_null_when_either_is_a_string(old, new):
    result = diff(old, new)
    assert result["json_changes"] is None
    assert result["diff"]


# --- placeholders and declarations ------------------------------------------------------------


def test_placeholders():
    text = "Hi {{name}} {{ spaced }} {{user-id}} {{company.name}} {{naïve}} {{}} {{a b}} {{name}}"
    assert placeholders(text) == {"name", "user-id", "company.name", "naïve"}
    assert placeholders([{"role": "system", "content": "Hi {{who}}", "{{key}}": 1}]) == {"who", "key"}
    assert placeholders({"n": 3}) == set()


def test_undeclared():
    prompt = "Hi {{name}} from {{team}} {{city}}, {{team}}"
    assert undeclared(prompt, {"name": {"type": "string"}}) == ["city", "team"]
    assert undeclared(prompt, None) == []
    assert undeclared(prompt, {"name": {}, "team": {}, "city": {}, "unused": {}}) == []
    assert undeclared({"content": "{{x}}"}, {}) == ["x"]


@pytest.mark.parametrize(
    "variables",
    [
        None,
        {},
        {"name": {"type": "string", "required": True}},
        {"n": {"type": "number", "default": 3}, "f": {"type": "number", "default": 0.5}},
        {"b": {"type": "boolean", "required": False, "default": False}},
        {"user-id": {"type": "string", "default": ""}, "company.name": {"type": "string"}},
        {"x" * 100: {"type": "string"}},
    ],
)
def test_valid_declarations(variables):
    assert declaration_error(variables) is None


@pytest.mark.parametrize(
    ("variables", "detail"),
    [
        ([], "Variables must be a JSON object or null."),
        ("name", "Variables must be a JSON object or null."),
        (5, "Variables must be a JSON object or null."),
        ({"bad name": {"type": "string"}}, "Invalid variable name 'bad name'."),
        ({"": {"type": "string"}}, "Invalid variable name ''."),
        ({"{{x}}": {"type": "string"}}, "Invalid variable name '{{x}}'."),
        ({"x" * 101: {"type": "string"}}, f"Invalid variable name '{'x' * 101}'."),
        ({"v": "string"}, "Variable 'v' must be an object with a 'type'."),
        ({"v": None}, "Variable 'v' must be an object with a 'type'."),
        ({"v": {"required": True}}, "Variable 'v' must be an object with a 'type'."),
        (
            {"v": {"type": "text"}},
            "Variable 'v' has unknown type 'text'. Use string, number or boolean.",
        ),
        ({"v": {"type": 5}}, "Variable 'v' has unknown type '5'. Use string, number or boolean."),
        ({"v": {"type": "string", "required": "yes"}}, "Variable 'v': 'required' must be true or false."),
        ({"v": {"type": "string", "required": 1}}, "Variable 'v': 'required' must be true or false."),
        ({"v": {"type": "number", "default": "3"}}, "Variable 'v': default does not match type 'number'."),
        ({"v": {"type": "number", "default": True}}, "Variable 'v': default does not match type 'number'."),
        ({"v": {"type": "boolean", "default": 1}}, "Variable 'v': default does not match type 'boolean'."),
        ({"v": {"type": "string", "default": None}}, "Variable 'v': default does not match type 'string'."),
        ({"v": {"type": "string", "optional": True}}, "Variable 'v' has unknown key 'optional'."),
        # Unknown keys are reported before the values of `required` and `default`.
        (
            {"v": {"type": "number", "required": "no", "default": "x", "extra": 1}},
            "Variable 'v' has unknown key 'extra'.",
        ),
        # The type comes before the keys.
        (
            {"v": {"type": "text", "extra": 1}},
            "Variable 'v' has unknown type 'text'. Use string, number or boolean.",
        ),
        # Names are checked in the given order.
        ({"b": {"type": "x"}, "a": {}}, "Variable 'b' has unknown type 'x'. Use string, number or boolean."),
        ({"ok": {"type": "string"}, "a b": {}}, "Invalid variable name 'a b'."),
    ],
)
def test_declaration_errors(variables, detail):
    assert declaration_error(variables) == detail


# --- compile ----------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [None, [], "x", 3])
def test_compile_values_not_an_object(values):
    assert compile_values_error(values) == "Variables must be a JSON object."


@pytest.mark.parametrize("value", [None, {"a": 1}, [1]])
def test_compile_value_of_wrong_kind(value):
    assert (
        compile_values_error({"ok": "x", "n": value}) == "Variable 'n' must be a string, number or boolean."
    )


def test_compile_values_accepted():
    assert compile_values_error({}) is None
    assert compile_values_error({"s": "x", "i": 3, "f": 0.5, "b": False}) is None


GREETING = {
    "name": {"type": "string", "required": True},
    "greeting": {"type": "string", "default": "welcome"},
}


def test_render_with_declarations_and_default():
    assert render("Hi {{name}}, {{greeting}}", GREETING, {"name": "Ada"}) == "Hi Ada, welcome"
    assert (
        render("Hi {{name}}, {{greeting}}", GREETING, {"name": "Ada", "greeting": "hello"}) == "Hi Ada, hello"
    )


def test_optional_without_default_renders_empty():
    declarations = {"name": {"type": "string", "required": True}, "greeting": {"type": "string"}}
    assert render("Hi {{name}}, {{greeting}}", declarations, {"name": "Ada"}) == "Hi Ada, "


def test_required_with_default_needs_no_value():
    declarations = {"n": {"type": "number", "required": True, "default": 0.5}}
    assert render("n={{n}}", declarations, {}) == "n=0.5"


def raises(payload, declarations, values) -> DomainValidationError:
    with pytest.raises(DomainValidationError) as caught:
        render(payload, declarations, values)
    assert caught.value.attr == "variables"
    return caught.value


def test_missing_required():
    error = raises("Hi {{name}}, {{greeting}}", GREETING, {})
    assert (error.message, error.code) == ("Missing required variables: name.", "missing_variables")
    declarations = {"b": {"type": "string", "required": True}, "a": {"type": "number", "required": True}}
    assert raises("", declarations, {}).message == "Missing required variables: a, b."


@pytest.mark.parametrize(
    ("type_name", "value"),
    [("number", True), ("number", "3"), ("string", 3), ("boolean", "true"), ("boolean", 0)],
)
def test_wrong_type(type_name, value):
    error = raises("{{n}}", {"n": {"type": type_name}}, {"n": value})
    assert (error.message, error.code) == (f"Variable 'n' must be of type {type_name}.", "invalid_type")


def test_wrong_type_reported_in_name_order():
    declarations = {"b": {"type": "number"}, "a": {"type": "number"}}
    assert raises("", declarations, {"b": "x", "a": "y"}).message == "Variable 'a' must be of type number."


def test_unknown_variables_come_first():
    error = raises("Hi {{name}}", GREETING, {"x": 1})
    assert (error.message, error.code) == ("Unknown variables: x.", "unknown_variables")
    assert raises("", GREETING, {"y": 1, "x": None, "name": 3}).message == "Unknown variables: x, y."


def test_missing_before_wrong_type():
    declarations = {"name": {"type": "string", "required": True}, "n": {"type": "number"}}
    assert raises("", declarations, {"n": "3"}).code == "missing_variables"


def test_render_without_declarations():
    prompt = "{{a}} {{unknown}} {{ spaced }} {{user-id}} {{company.name}} {{n}} {{f}} {{t}} {{b}}"
    values = {
        "a": "{{unknown}}",
        "user-id": "u1",
        "company.name": "Acme",
        "n": 3,
        "f": 0.5,
        "t": True,
        "b": False,
        "extra": "ignored",
    }
    assert render(prompt, None, values) == "{{unknown}} {{unknown}} {{ spaced }} u1 Acme 3 0.5 true false"


def test_inserted_text_is_not_expanded_again():
    assert render("{{x}}{{y}}", None, {"x": "{{y}}", "y": "Y"}) == "{{y}}Y"


def test_render_declared_values_of_every_type():
    declarations = {
        "n": {"type": "number"},
        "b": {"type": "boolean", "default": True},
        "s": {"type": "string"},
    }
    assert render("{{n}}|{{b}}|{{s}}", declarations, {"n": 3}) == "3|true|"


def test_render_json_prompt():
    prompt = [{"role": "system", "content": "Hi {{who}}", "{{who}}": ["{{who}}", 3, None]}]
    text = render(prompt, None, {"who": "Ada"})
    assert json.loads(text) == [{"role": "system", "content": "Hi Ada", "{{who}}": ["Ada", 3, None]}]
    assert text == json.dumps(json.loads(text), ensure_ascii=False)


def test_render_json_prompt_keeps_json_valid():
    text = render({"content": "say {{q}}"}, None, {"q": 'a "quoted"\nline é'})
    assert json.loads(text) == {"content": 'say a "quoted"\nline é'}
    assert "é" in text
