"""Declared variables and POST P/name/{name}/compile/ (prompts v2 spec §9.2; cases 74-83)."""

import json

import pytest

from tests.api import not_authenticated
from tests.prompts.helpers import PUBLIC_KEYS, Api, active, prompt_not_found
from tests.prompts.v2_helpers import (
    COMPILE_KEYS,
    VERSION_AND_LABEL,
    assert_error,
    compile_prompt,
    get_by_name,
    latest_row,
    list_item,
    publish,
    read_key,
    row_count,
    undeclared,
)

NAME_VAR = {"name": {"type": "string", "required": True}}


def _compiled(api, name: str, body=None, **kwargs) -> dict:
    response = compile_prompt(api, name, body, **kwargs)
    assert response.status_code == 200, response.content
    assert set(response.json()) == COMPILE_KEYS
    return response.json()


def _variables_error(response, code: str, detail: str):
    assert response.status_code == 400, response.content
    assert response.json() == {
        "type": "validation_error",
        "code": code,
        "detail": detail,
        "attr": "variables",
    }


# ---- declarations (§9.2) --------------------------------------------------------------------------


def test_case_74_create_with_variables(api, world):
    created = api.create("greet", "Hi {{name}}", variables=NAME_VAR)
    assert created["variables"] == NAME_VAR
    assert latest_row(world.team, "greet").variables == NAME_VAR
    fetched = get_by_name(api, "greet")
    assert set(fetched) == PUBLIC_KEYS
    assert fetched["variables"] == NAME_VAR
    assert get_by_name(api, "greet", content="full")["variables"] == NAME_VAR
    assert list_item(api, "greet")["variables"] == NAME_VAR


def test_case_74_variables_default_null(api, world):
    created = api.create("plain", "Hi {{name}}")
    assert created["variables"] is None
    assert get_by_name(api, "plain")["variables"] is None
    assert api.create("nulled", "Hi", variables=None)["variables"] is None
    assert api.create("emptyvars", "Hi", variables={})["variables"] == {}


def test_case_74_full_declarations_and_unused_variables(api, world):
    variables = {
        "name": {"type": "string", "required": True},
        "n": {"type": "number", "default": 2.5},
        "count": {"type": "number", "default": 3, "required": False},
        "flag": {"type": "boolean", "default": False},
        "user-id": {"type": "string"},
        "company.name": {"type": "string", "default": ""},
        "x" * 100: {"type": "string"},
    }
    created = api.create("declared", "Hi {{name}}", variables=variables)
    assert created["variables"] == variables


def test_case_75_undeclared_placeholders(api, world):
    response = api.post(
        "",
        {
            "name": "undeclared",
            "prompt": "Hi {{name}} from {{team}} {{city}} {{team}}",
            "variables": {"name": {"type": "string"}},
        },
    )
    assert response.status_code == 400
    assert response.json() == undeclared("city", "team")
    assert response.json()["detail"] == "Undeclared variables in prompt: city, team."
    assert row_count() == 0


def test_case_75_placeholders_in_json_and_spacing(api, world):
    # Placeholders inside JSON string values count; `{{ spaced }}` is plain text.
    response = api.post(
        "",
        {
            "name": "json-undeclared",
            "prompt": [{"role": "system", "content": "Hi {{who}} {{ spaced }}"}],
            "variables": {},
        },
    )
    assert response.status_code == 400
    assert response.json() == undeclared("who")
    created = api.create(
        "json-declared",
        [{"role": "system", "content": "Hi {{who}} {{ spaced }}"}],
        variables={"who": {"type": "string"}},
    )
    assert created["variables"] == {"who": {"type": "string"}}


def test_case_75_undeclared_before_name_uniqueness(api, world):
    api.create("taken", "x")
    response = api.post("", {"name": "taken", "prompt": "{{a}}", "variables": {}})
    assert response.status_code == 400
    assert response.json() == undeclared("a")
    assert row_count() == 1


def test_case_75_no_declarations_no_check(api, world):
    assert api.create("free", "Hi {{anything}}")["prompt"] == "Hi {{anything}}"


@pytest.mark.parametrize(
    "variables, detail",
    [
        ("x", "Variables must be a JSON object or null."),
        ([], "Variables must be a JSON object or null."),
        (1, "Variables must be a JSON object or null."),
        (True, "Variables must be a JSON object or null."),
        ({"bad name": {"type": "string"}}, "Invalid variable name 'bad name'."),
        ({"a{b": {"type": "string"}}, "Invalid variable name 'a{b'."),
        ({"": {"type": "string"}}, "Invalid variable name ''."),
        ({"y" * 101: {"type": "string"}}, f"Invalid variable name '{'y' * 101}'."),
        ({"n": "string"}, "Variable 'n' must be an object with a 'type'."),
        ({"n": {}}, "Variable 'n' must be an object with a 'type'."),
        ({"n": {"required": True}}, "Variable 'n' must be an object with a 'type'."),
        ({"n": {"type": "int"}}, "Variable 'n' has unknown type 'int'. Use string, number or boolean."),
        ({"n": {"type": "String"}}, "Variable 'n' has unknown type 'String'. Use string, number or boolean."),
        ({"n": {"type": "string", "required": "yes"}}, "Variable 'n': 'required' must be true or false."),
        ({"n": {"type": "string", "required": 1}}, "Variable 'n': 'required' must be true or false."),
        ({"n": {"type": "number", "default": "3"}}, "Variable 'n': default does not match type 'number'."),
        ({"n": {"type": "number", "default": True}}, "Variable 'n': default does not match type 'number'."),
        ({"n": {"type": "boolean", "default": 0}}, "Variable 'n': default does not match type 'boolean'."),
        ({"n": {"type": "string", "default": 1}}, "Variable 'n': default does not match type 'string'."),
        ({"n": {"type": "string", "default": None}}, "Variable 'n': default does not match type 'string'."),
        ({"n": {"type": "string", "extra": 1}}, "Variable 'n' has unknown key 'extra'."),
    ],
)
def test_case_76_invalid_declarations(api, world, variables, detail):
    response = api.post("", {"name": "bad-vars", "prompt": "Hi", "variables": variables})
    _variables_error(response, "invalid_variables", detail)
    assert row_count() == 0

    api.create("bad-vars", "Hi")
    response = api.patch("name/bad-vars/", {"variables": variables, "base_version": 1})
    _variables_error(response, "invalid_variables", detail)
    response = api.patch("name/bad-vars/", {"prompt": "Hello", "variables": variables, "base_version": 1})
    _variables_error(response, "invalid_variables", detail)
    assert row_count() == 1


def test_case_76_unicode_word_names_are_valid(api, world):
    variables = {"näme": {"type": "string"}, "ид_1": {"type": "number"}}
    assert api.create("unicode-vars", "{{näme}} {{ид_1}}", variables=variables)["variables"] == variables


def test_case_77_publish_carries_and_clears_variables(api, world):
    api.create("carry", "Hi {{name}}", variables=NAME_VAR)

    v2 = publish(api, "carry", 1, prompt="Hello {{name}}")
    assert v2["variables"] == NAME_VAR

    response = api.patch("name/carry/", {"prompt": "Hello {{name}} {{extra}}", "base_version": 2})
    assert response.status_code == 400
    assert response.json() == undeclared("extra")
    assert row_count() == 2

    v3 = publish(api, "carry", 2, prompt="Hello {{name}} {{extra}}", variables=None)
    assert v3["variables"] is None
    assert v3["prompt"] == "Hello {{name}} {{extra}}"
    assert [row.variables for row in active(world.team, "carry")] == [NAME_VAR, NAME_VAR, None]


def test_case_77_variables_only_publish(api, world):
    api.create("only", "Hi {{name}}")
    body = publish(api, "only", 1, variables=NAME_VAR)
    assert (body["version"], body["prompt"], body["variables"]) == (2, "Hi {{name}}", NAME_VAR)

    # Declarations that miss a placeholder of the carried content are rejected.
    response = api.patch("name/only/", {"variables": {"other": {"type": "string"}}, "base_version": 2})
    assert response.status_code == 400
    assert response.json() == undeclared("name")
    assert row_count() == 2


def test_case_77_replaced_declarations_checked(api, world):
    api.create("replace", "Hi {{name}}", variables=NAME_VAR)
    response = api.patch(
        "name/replace/",
        {"prompt": "Hi {{name}}", "variables": {"who": {"type": "string"}}, "base_version": 1},
    )
    assert response.status_code == 400
    assert response.json() == undeclared("name")
    body = publish(api, "replace", 1, prompt="Hi {{who}}", variables={"who": {"type": "string"}})
    assert body["variables"] == {"who": {"type": "string"}}


def test_case_77_duplicate_copies_variables(api, world):
    api.create("src", "Hi {{name}}", variables=NAME_VAR)
    response = api.post("name/src/duplicate/", {"new_name": "copy"})
    assert response.status_code == 201
    assert response.json()["variables"] == NAME_VAR


# ---- compile (§9.2) ------------------------------------------------------------------------------------


def test_case_78_compile(api, world):
    api.create(
        "hello",
        "Hi {{name}}, {{greeting}}",
        variables={
            "name": {"type": "string", "required": True},
            "greeting": {"type": "string", "default": "welcome"},
        },
    )
    rows_before = row_count()

    body = _compiled(api, "hello", {"variables": {"name": "Ada"}})

    assert body == {"name": "hello", "version": 1, "label": None, "text": "Hi Ada, welcome"}
    assert row_count() == rows_before
    body = _compiled(api, "hello", {"variables": {"name": "Ada", "greeting": "hello"}})
    assert body["text"] == "Hi Ada, hello"


def test_case_78_optional_without_default_is_empty(api, world):
    api.create(
        "opt",
        "[{{name}}][{{suffix}}]",
        variables={"name": {"type": "string", "required": True}, "suffix": {"type": "string"}},
    )
    assert _compiled(api, "opt", {"variables": {"name": "Ada"}})["text"] == "[Ada][]"


def test_case_78_defaults_of_every_type(api, world):
    api.create(
        "defaults",
        "{{n}} {{f}} {{b}} {{s}}",
        variables={
            "n": {"type": "number", "default": 2.5},
            "f": {"type": "number", "default": 3},
            "b": {"type": "boolean", "default": False},
            "s": {"type": "string", "default": "x"},
        },
    )
    assert _compiled(api, "defaults")["text"] == "2.5 3 false x"
    body = _compiled(api, "defaults", {"variables": {"n": 0.5, "b": True, "f": -1}})
    assert body["text"] == "0.5 -1 true x"


def test_case_78_empty_body(api, world):
    api.create("nobody", "static text")
    assert _compiled(api, "nobody") == {"name": "nobody", "version": 1, "label": None, "text": "static text"}
    response = api.client.post(api.url("name/nobody/compile/"), **{"HTTP_AUTHORIZATION": f"Bearer {api.key}"})
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "static text"


def test_case_79_missing_required(api, world):
    api.create("req", "Hi {{name}} {{b}}", variables={**NAME_VAR, "b": {"type": "string", "required": True}})
    _variables_error(
        compile_prompt(api, "req", {}), "missing_variables", "Missing required variables: b, name."
    )
    _variables_error(
        compile_prompt(api, "req", {"variables": {"b": "x"}}),
        "missing_variables",
        "Missing required variables: name.",
    )


def test_case_79_required_with_default_is_not_missing(api, world):
    api.create(
        "reqdef", "Hi {{name}}", variables={"name": {"type": "string", "required": True, "default": "you"}}
    )
    assert _compiled(api, "reqdef")["text"] == "Hi you"


def test_case_79_wrong_types(api, world):
    api.create(
        "typed",
        "{{n}} {{s}} {{b}}",
        variables={"n": {"type": "number"}, "s": {"type": "string"}, "b": {"type": "boolean"}},
    )
    number_text = "Variable 'n' must be of type number."
    _variables_error(compile_prompt(api, "typed", {"variables": {"n": True}}), "invalid_type", number_text)
    _variables_error(compile_prompt(api, "typed", {"variables": {"n": "3"}}), "invalid_type", number_text)
    _variables_error(
        compile_prompt(api, "typed", {"variables": {"s": 3}}),
        "invalid_type",
        "Variable 's' must be of type string.",
    )
    _variables_error(
        compile_prompt(api, "typed", {"variables": {"b": 1}}),
        "invalid_type",
        "Variable 'b' must be of type boolean.",
    )
    _variables_error(
        compile_prompt(api, "typed", {"variables": {"b": "true"}}),
        "invalid_type",
        "Variable 'b' must be of type boolean.",
    )


def test_case_79_unknown_variables(api, world):
    api.create("known", "Hi {{name}}", variables=NAME_VAR)
    _variables_error(
        compile_prompt(api, "known", {"variables": {"name": "Ada", "x": 1}}),
        "unknown_variables",
        "Unknown variables: x.",
    )
    # Several names: distinct and sorted.
    _variables_error(
        compile_prompt(api, "known", {"variables": {"z": 1, "x": 2}}),
        "unknown_variables",
        "Unknown variables: x, z.",
    )


def test_case_79_check_order(api, world):
    api.create(
        "ordered",
        "{{n}} {{m}}",
        variables={"n": {"type": "number", "required": True}, "m": {"type": "string", "required": True}},
    )
    _variables_error(
        compile_prompt(api, "ordered", {"variables": {"n": "3"}}),
        "missing_variables",
        "Missing required variables: m.",
    )
    _variables_error(
        compile_prompt(api, "ordered", {"variables": {"n": "3", "extra": 1}}),
        "unknown_variables",
        "Unknown variables: extra.",
    )


@pytest.mark.parametrize("value", [None, {"a": 1}, [1]])
def test_case_79_value_not_a_scalar(api, world, value):
    api.create("scalar", "Hi {{name}}")
    response = compile_prompt(api, "scalar", {"variables": {"name": value}})
    assert_error(response, 400, "variables", "Variable 'name' must be a string, number or boolean.")


@pytest.mark.parametrize("variables", ["x", [1], 3])
def test_case_79_variables_not_an_object(api, world, variables):
    api.create("notobj", "Hi")
    response = compile_prompt(api, "notobj", {"variables": variables})
    assert_error(response, 400, "variables", "Variables must be a JSON object.")


def test_case_79_body_validated_before_lookup(api, world):
    response = compile_prompt(api, "unknown", {"variables": "x"})
    assert_error(response, 400, "variables", "Variables must be a JSON object.")
    response = compile_prompt(api, "unknown", {"version": 0})
    assert response.status_code == 400
    assert (response.json()["attr"], response.json()["code"]) == ("version", "min_value")


def test_case_80_compile_version_and_label(api, world):
    api.create("sel", "one {{x}}")
    publish(api, "sel", 1, prompt="two {{x}}")
    publish(api, "sel", 2, prompt="three {{x}}")
    assert api.put("name/sel/labels/production/", {"version": 1}).status_code == 201

    assert _compiled(api, "sel", {"variables": {"x": "!"}}) == {
        "name": "sel",
        "version": 3,
        "label": None,
        "text": "three !",
    }
    assert _compiled(api, "sel", {"version": 2, "variables": {"x": "!"}}) == {
        "name": "sel",
        "version": 2,
        "label": None,
        "text": "two !",
    }
    assert _compiled(api, "sel", {"label": "production", "variables": {"x": "!"}}) == {
        "name": "sel",
        "version": 1,
        "label": "production",
        "text": "one !",
    }
    assert _compiled(api, "sel", {"label": "latest"}) == {
        "name": "sel",
        "version": 3,
        "label": "latest",
        "text": "three {{x}}",
    }


def test_case_80_compile_selection_errors(api, world):
    api.create("sel", "one")
    publish(api, "sel", 1, prompt="two")
    assert api.put("name/sel/labels/production/", {"version": 1}).status_code == 201

    response = compile_prompt(api, "sel", {"version": 1, "label": "production"})
    assert_error(response, 400, None, VERSION_AND_LABEL)

    response = compile_prompt(api, "sel", {"label": "staging"})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("sel")

    response = compile_prompt(api, "sel", {"version": 9})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("sel")

    response = compile_prompt(api, "unknown", {})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("unknown")


@pytest.mark.parametrize(
    "label, detail",
    [
        (
            "Production",
            "Use lowercase letters, numbers, dots (.), hyphens (-) and underscores (_), starting and ending with a letter or number.",
        ),
        ("LATEST", "'latest' is reserved and cannot be used as a label."),
        ("42", "Label names cannot be numbers only, to avoid confusion with version numbers."),
        ("a" * 129, "Label must be 128 characters or fewer."),
    ],
)
def test_case_80_compile_invalid_label(api, world, label, detail):
    response = compile_prompt(api, "unknown", {"label": label})
    assert_error(response, 400, "label", detail)


def test_case_80_compile_bad_version(api, world):
    api.create("v", "x")
    response = compile_prompt(api, "v", {"version": "abc"})
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": "A valid integer is required.",
        "attr": "version",
    }


def test_case_80_compile_archived(api, world):
    api.create("gone", "x")
    assert api.post("name/gone/archive/").status_code == 204
    response = compile_prompt(api, "gone", {})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("gone")


def test_case_80_compile_uses_the_selected_versions_declarations(api, world):
    api.create("decl", "Hi {{name}}", variables=NAME_VAR)
    publish(api, "decl", 1, prompt="Hi {{name}}", variables=None)
    # v2 has no declarations: extra values are ignored and nothing is required.
    assert _compiled(api, "decl", {"variables": {"x": 1}})["text"] == "Hi {{name}}"
    # v1 declares `name` as required.
    _variables_error(
        compile_prompt(api, "decl", {"version": 1}), "missing_variables", "Missing required variables: name."
    )


def test_case_81_compile_without_declarations(api, world):
    api.create(
        "free",
        "{{known}} {{unknown}} {{n}} {{b}} {{f}} {{ spaced }} {{user-id}} {{company.name}} {{known}}",
    )
    body = _compiled(
        api,
        "free",
        {
            "variables": {
                "known": "K",
                "extra": "ignored",
                "n": 3,
                "b": True,
                "f": 0.5,
                "spaced": "S",
                "user-id": "u1",
                "company.name": "Acme",
            }
        },
    )
    assert body["text"] == "K {{unknown}} 3 true 0.5 {{ spaced }} u1 Acme K"


def test_case_81_single_pass(api, world):
    api.create("once", "{{a}} and {{b}}")
    body = _compiled(api, "once", {"variables": {"a": "{{b}}", "b": "{{a}}"}})
    assert body["text"] == "{{b}} and {{a}}"
    api.create("once2", "{{a}}")
    assert _compiled(api, "once2", {"variables": {"a": "{{x}}", "x": "no"}})["text"] == "{{x}}"


def test_case_81_false_and_zero(api, world):
    api.create("falsy", "[{{a}}][{{b}}][{{c}}]")
    assert _compiled(api, "falsy", {"variables": {"a": False, "b": 0, "c": ""}})["text"] == "[false][0][]"


def test_case_82_compile_json_prompt(api, world):
    api.create("chat", [{"role": "system", "content": "Hi {{who}}"}])
    body = _compiled(api, "chat", {"variables": {"who": "Ada"}})
    assert json.loads(body["text"]) == [{"role": "system", "content": "Hi Ada"}]
    assert body["text"] == json.dumps([{"role": "system", "content": "Hi Ada"}], ensure_ascii=False)


def test_case_82_compile_nested_json(api, world):
    payload = {
        "messages": [
            {"role": "system", "content": "Hi {{who}}"},
            {"role": "user", "content": ["{{q}}", 3, True, None, {"deep": "é {{who}}"}]},
        ],
        "{{who}}": "key untouched, value {{who}}",
        "temperature": 0.5,
    }
    api.create(
        "nested", payload, variables={"who": {"type": "string"}, "q": {"type": "number", "default": 7}}
    )
    body = _compiled(api, "nested", {"variables": {"who": "Ada"}})
    assert json.loads(body["text"]) == {
        "messages": [
            {"role": "system", "content": "Hi Ada"},
            {"role": "user", "content": ["7", 3, True, None, {"deep": "é Ada"}]},
        ],
        "{{who}}": "key untouched, value Ada",
        "temperature": 0.5,
    }
    # The display text keeps non-ASCII and uses `", "` / `": "` separators.
    assert "é Ada" in body["text"]
    assert '"role": "system", "content": "Hi Ada"' in body["text"]


def test_case_83_compile_access(api, world, client):
    api.create("access", "Hi {{name}}")
    assert _compiled(api, "access", {"variables": {"name": "r"}}, key=read_key(world))["text"] == "Hi r"

    response = compile_prompt(api, "access", {}, key="")
    assert response.status_code == 401
    assert response.json() == not_authenticated()

    other = Api(client=client, base=f"/api/environments/{world.team2.id}/llm_prompts", key=world.k_all)
    other.create("elsewhere", "x")
    response = compile_prompt(api, "elsewhere", {}, key=world.k_all)
    assert response.status_code == 404
    assert response.json() == prompt_not_found("elsewhere")
