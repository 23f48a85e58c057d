"""Publish with `edits`, and the order of the publish checks (prompts v2 spec §0.2, §6; cases 52-59)."""

import json

import pytest
from django.utils import timezone

from prompts.models import LLMPrompt
from tests.api import validation
from tests.prompts.helpers import active, conflict, history_state, prompt_not_found
from tests.prompts.v2_helpers import (
    CONFIG_INVALID,
    DESCRIPTION_TOO_LONG,
    EDIT_NOT_FOUND,
    EDIT_TOO_BIG,
    EMPTY_EDITS,
    PROMPT_AND_EDITS,
    PROMPT_REQUIRED,
    V2_FULL_KEYS,
    assert_error,
    edit_failure,
    edit_matches,
    get_by_name,
    invalid_variables,
    publish,
    row_count,
    undeclared,
)

# ---- applying edits (§6.3) ------------------------------------------------------------------------


def test_case_52_edit_replaces_once(api, world):
    v1 = api.create("assistant", "You are a helpful assistant.")

    response = api.patch(
        "name/assistant/",
        {"edits": [{"old": "helpful assistant", "new": "expert coding assistant"}], "base_version": 1},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == V2_FULL_KEYS
    assert (body["version"], body["prompt"]) == (2, "You are a expert coding assistant.")
    assert (body["is_latest"], body["latest_version"], body["version_count"]) == (True, 2, 2)
    assert body["id"] != v1["id"]
    assert body["created_by"]["email"] == world.user.email
    old, new = active(world.team, "assistant")
    assert (old.prompt, new.prompt) == ("You are a helpful assistant.", "You are a expert coding assistant.")
    assert get_by_name(api, "assistant")["prompt"] == "You are a expert coding assistant."


def test_case_53_edits_apply_in_sequence(api, world):
    api.create("seq", "Hello world. Goodbye world.")
    body = publish(
        api,
        "seq",
        1,
        edits=[
            {"old": "Hello world.", "new": "Hi there."},
            {"old": "Goodbye world.", "new": "See you later."},
        ],
    )
    assert body["prompt"] == "Hi there. See you later."


def test_case_53_second_edit_sees_the_first_ones_result(api, world):
    api.create("chain", "alpha beta")
    body = publish(
        api,
        "chain",
        1,
        edits=[{"old": "alpha", "new": "gamma delta"}, {"old": "gamma delta beta", "new": "done"}],
    )
    assert body["prompt"] == "done"
    assert [row.prompt for row in active(world.team, "chain")] == ["alpha beta", "done"]


def test_case_53_old_and_new_are_trimmed(api, world):
    api.create("trim", "one two three")
    body = publish(api, "trim", 1, edits=[{"old": "  two  ", "new": " 2 "}])
    assert body["prompt"] == "one 2 three"


def test_case_54_text_not_found(api, world):
    api.create("miss", "You are a helpful assistant.")
    response = api.patch("name/miss/", {"edits": [{"old": "nowhere", "new": "x"}], "base_version": 1})
    assert response.status_code == 400
    assert response.json() == edit_failure(EDIT_NOT_FOUND, 0)
    assert "type" not in response.json()
    assert row_count() == 1


def test_case_54_text_matches_several_times(api, world):
    api.create("many", "foo bar foo")
    response = api.patch("name/many/", {"edits": [{"old": "foo", "new": "baz"}], "base_version": 1})
    assert response.status_code == 400
    assert response.json() == edit_failure(edit_matches(2), 0)
    assert response.json()["detail"] == (
        "Text to replace matches 2 times \u2014 provide more context to make it unique."
    )
    assert row_count() == 1


def test_case_54_matches_count_non_overlapping(api, world):
    api.create("overlap", "aaaa")
    response = api.patch("name/overlap/", {"edits": [{"old": "aa", "new": "b"}], "base_version": 1})
    assert response.status_code == 400
    assert response.json() == edit_failure(edit_matches(2), 0)


def test_case_54_failing_second_edit(api, world):
    api.create("second", "foo bar foo")
    response = api.patch(
        "name/second/",
        {"edits": [{"old": "bar", "new": "baz"}, {"old": "foo", "new": "qux"}], "base_version": 1},
    )
    assert response.status_code == 400
    assert response.json() == edit_failure(edit_matches(2), 1)
    response = api.patch(
        "name/second/",
        {"edits": [{"old": "bar", "new": "baz"}, {"old": "bar", "new": "qux"}], "base_version": 1},
    )
    assert response.status_code == 400
    assert response.json() == edit_failure(EDIT_NOT_FOUND, 1)
    assert history_state(world.team, "second") == [(1, True, False)]
    assert row_count() == 1


def test_case_55_prompt_and_edits_together(api, world):
    api.create("both", "text")
    response = api.patch(
        "name/both/", {"prompt": "x", "edits": [{"old": "text", "new": "y"}], "base_version": 1}
    )
    assert_error(response, 400, None, PROMPT_AND_EDITS)
    assert row_count() == 1


def test_case_55_edit_list_validation(api, world):
    api.create("lists", "text")

    response = api.patch("name/lists/", {"edits": [], "base_version": 1})
    assert_error(response, 400, "edits", EMPTY_EDITS)

    response = api.patch("name/lists/", {"edits": [{"old": "text", "new": ""}], "base_version": 1})
    assert response.status_code == 400
    assert response.json() == validation("edits__0__new", "blank", "This field may not be blank.")

    response = api.patch("name/lists/", {"edits": [{"old": "text", "new": "   "}], "base_version": 1})
    assert response.status_code == 400
    assert response.json() == validation("edits__0__new", "blank", "This field may not be blank.")

    response = api.patch("name/lists/", {"edits": [{"new": "x"}], "base_version": 1})
    assert response.status_code == 400
    assert response.json() == validation("edits__0__old", "required", "This field is required.")

    response = api.patch(
        "name/lists/", {"edits": [{"old": "text", "new": "ok"}, {"old": "", "new": "x"}], "base_version": 1}
    )
    assert response.status_code == 400
    assert response.json() == validation("edits__1__old", "blank", "This field may not be blank.")

    response = api.patch("name/lists/", {"edits": [{"old": "text"}], "base_version": 1})
    assert response.status_code == 400
    assert response.json() == validation("edits__0__new", "required", "This field is required.")

    assert row_count() == 1


def test_case_56_edit_a_json_prompt(api, world):
    api.create("json", {"system": "You are helpful.", "temperature": 0.7})
    body = publish(api, "json", 1, edits=[{"old": "You are helpful.", "new": "You are terse."}])
    assert body["prompt"] == {"system": "You are terse.", "temperature": 0.7}
    assert active(world.team, "json")[1].prompt == {"system": "You are terse.", "temperature": 0.7}


def test_case_56_json_is_edited_as_indented_text(api, world):
    api.create("json-indent", {"system": "You are helpful.", "temperature": 0.7})
    # The edit text has 2-space indentation and `": "` separators.
    body = publish(api, "json-indent", 1, edits=[{"old": '"temperature": 0.7', "new": '"temperature": 0.2'}])
    assert body["prompt"] == {"system": "You are helpful.", "temperature": 0.2}
    body = publish(api, "json-indent", 2, edits=[{"old": '\n  "system"', "new": '\n  "role"'}])
    assert body["prompt"] == {"role": "You are helpful.", "temperature": 0.2}


def test_case_56_edit_text_keeps_non_ascii(api, world):
    api.create("json-utf", ["héllo wörld"])
    body = publish(api, "json-utf", 1, edits=[{"old": "wörld", "new": "welt"}])
    assert body["prompt"] == ["héllo welt"]


def test_case_56_edits_producing_invalid_json(api, world):
    api.create("json-bad", {"system": "You are helpful.", "temperature": 0.7})
    response = api.patch(
        "name/json-bad/",
        {
            "edits": [
                {"old": "helpful", "new": "kind"},
                {"old": '"temperature": 0.7', "new": '"temperature": }'},
            ],
            "base_version": 1,
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "edit_index"}
    assert body["detail"].startswith("Edits produced invalid JSON")
    assert body["detail"].startswith("Edits produced invalid JSON: ")
    assert body["edit_index"] == 1
    assert row_count() == 1


def test_case_57_oversized_result(api, world):
    # 999,993 characters; the edit adds 6: 999,999 characters are 1,000,001 bytes.
    api.create("grow", "x" * 999_990 + "END")
    response = api.patch("name/grow/", {"edits": [{"old": "END", "new": "THE END!!"}], "base_version": 1})
    assert response.status_code == 400
    assert response.json() == edit_failure(EDIT_TOO_BIG, 0)
    assert row_count() == 1


def test_case_57_oversized_result_reports_last_edit(api, world):
    api.create("grow2", "x" * 999_990 + "AB")
    response = api.patch(
        "name/grow2/",
        {"edits": [{"old": "A", "new": "AAAAAA"}, {"old": "B", "new": "BBBBBB"}], "base_version": 1},
    )
    assert response.status_code == 400
    assert response.json() == edit_failure(EDIT_TOO_BIG, 1)


def test_case_57_result_at_the_limit(api, world):
    # A string of N characters is N + 2 bytes: 999,998 characters is exactly the limit.
    api.create("limit", "x" * 999_994 + "END")
    body = publish(api, "limit", 1, edits=[{"old": "END", "new": "ENDS"}])
    assert len(body["prompt"]) == 999_998


def test_case_58_edits_on_unknown_name(api, world):
    response = api.patch("name/nope/", {"edits": [{"old": "a", "new": "b"}], "base_version": 1})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("nope")


def test_case_58_stale_base_version_before_edits(api, world):
    api.create("stale", "v1")
    publish(api, "stale", 1, prompt="v2")
    response = api.patch("name/stale/", {"edits": [{"old": "not there", "new": "b"}], "base_version": 1})
    assert response.status_code == 409
    assert response.json() == conflict(2)
    response = api.patch("name/stale/", {"edits": [{"old": "v", "new": "b"}], "base_version": 3})
    assert response.status_code == 409
    assert response.json() == conflict(2)
    assert row_count() == 2


def test_case_58_archived_name_is_not_found(api, world):
    api.create("gone", "v1")
    assert api.post("name/gone/archive/").status_code == 204
    response = api.patch("name/gone/", {"edits": [{"old": "v1", "new": "v2"}], "base_version": 1})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("gone")


def test_case_58_version_ceiling_before_edits(api, world):
    now = timezone.now()
    LLMPrompt.objects.bulk_create(
        [
            LLMPrompt(
                team=world.team, name="full", prompt="p", version=v, is_latest=v == 2000, created_at=now
            )
            for v in (1, 2000)
        ]
    )
    response = api.patch("name/full/", {"edits": [{"old": "missing", "new": "b"}], "base_version": 2000})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Prompt has reached the maximum of 2000 versions. "
        "Archive and recreate the prompt to continue publishing."
    }
    assert row_count() == 2


@pytest.mark.parametrize("body", [{}, {"base_version": 1}])
def test_case_59_neither_prompt_nor_edits(api, world, body):
    api.create("empty", "v1")
    response = api.patch("name/empty/", body)
    assert response.status_code == 400
    assert response.json() == PROMPT_REQUIRED
    assert row_count() == 1


# ---- §6.1 order of checks --------------------------------------------------------------------------


def test_case_59_description_alone_is_not_a_publish(api, world):
    api.create("desc-only", "v1")
    response = api.patch("name/desc-only/", {"version_description": "x", "base_version": 1})
    assert response.status_code == 400
    assert response.json() == PROMPT_REQUIRED
    # Checked before every other field error.
    response = api.patch("name/desc-only/", {"version_description": "d" * 401, "base_version": 0})
    assert response.json() == PROMPT_REQUIRED
    assert row_count() == 1


def test_case_59_required_prompt_on_unknown_name(api, world):
    response = api.patch("name/nope/", {"base_version": 1})
    assert response.status_code == 400
    assert response.json() == PROMPT_REQUIRED


def test_case_59_field_errors_in_field_order(api, world):
    api.create("order", "v1")
    long_description = "d" * 401

    def check(body, expected):
        response = api.patch("name/order/", body)
        assert response.status_code == 400, body
        assert response.json() == expected, body

    # prompt first.
    check(
        {"prompt": None, "edits": [], "config": "x", "variables": 1, "version_description": long_description},
        validation("prompt", "null", "This field may not be null."),
    )
    # then edits.
    response = api.patch(
        "name/order/",
        {
            "edits": [],
            "config": "x",
            "variables": 1,
            "version_description": long_description,
            "base_version": 0,
        },
    )
    assert_error(response, 400, "edits", EMPTY_EDITS)
    # then config.
    check(
        {"config": "x", "variables": 1, "version_description": long_description, "base_version": 0},
        CONFIG_INVALID,
    )
    # then variables.
    check(
        {"config": {}, "variables": 1, "version_description": long_description, "base_version": 0},
        invalid_variables("Variables must be a JSON object or null."),
    )
    # then version_description.
    check({"prompt": "v2", "version_description": long_description, "base_version": 0}, DESCRIPTION_TOO_LONG)
    # then base_version.
    check({"prompt": "v2"}, validation("base_version", "required", "This field is required."))
    response = api.patch("name/order/", {"prompt": "v2", "base_version": 0})
    assert response.status_code == 400
    assert (response.json()["attr"], response.json()["code"]) == ("base_version", "min_value")
    assert row_count() == 1


def test_case_59_field_errors_before_prompt_and_edits_conflict(api, world):
    api.create("both-order", "v1")
    response = api.patch("name/both-order/", {"prompt": "x", "edits": [], "base_version": 1})
    assert_error(response, 400, "edits", EMPTY_EDITS)
    response = api.patch("name/both-order/", {"prompt": "x", "edits": [{"old": "v1", "new": "b"}]})
    assert response.status_code == 400
    assert response.json() == validation("base_version", "required", "This field is required.")
    response = api.patch(
        "name/both-order/",
        {"prompt": "x", "edits": [{"old": "v1", "new": "b"}], "config": 5, "base_version": 1},
    )
    assert response.json() == CONFIG_INVALID
    assert row_count() == 1


def test_case_59_validation_before_lookup(api, world):
    # Field errors and the prompt/edits conflict are reported on an unknown name.
    response = api.patch("name/nope/", {"config": "x", "base_version": 1})
    assert response.status_code == 400
    assert response.json() == CONFIG_INVALID
    response = api.patch(
        "name/nope/", {"prompt": "x", "edits": [{"old": "a", "new": "b"}], "base_version": 1}
    )
    assert_error(response, 400, None, PROMPT_AND_EDITS)
    response = api.patch("name/nope/", {"edits": [], "base_version": 1})
    assert_error(response, 400, "edits", EMPTY_EDITS)
    # 404 comes before 409.
    response = api.patch("name/nope/", {"prompt": "x", "base_version": 7})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("nope")


def test_case_59_edits_before_placeholder_check(api, world):
    api.create("vars", "Hi {{name}}", variables={"name": {"type": "string"}})
    # A failing edit is reported as the edit failure.
    response = api.patch("name/vars/", {"edits": [{"old": "absent", "new": "{{extra}}"}], "base_version": 1})
    assert response.status_code == 400
    assert response.json() == edit_failure(EDIT_NOT_FOUND, 0)
    # The placeholder check runs on the edited text.
    response = api.patch("name/vars/", {"edits": [{"old": "Hi", "new": "Hi {{extra}}"}], "base_version": 1})
    assert response.status_code == 400
    assert response.json() == undeclared("extra")
    # An edit that removes the undeclared placeholder is fine.
    api.create("vars2", "Hi {{name}}")
    body = publish(
        api,
        "vars2",
        1,
        edits=[{"old": "Hi {{name}}", "new": "Hi {{who}}"}],
        variables={"who": {"type": "string"}},
    )
    assert body["prompt"] == "Hi {{who}}"
    assert row_count() == 3


def test_case_59_edits_combine_with_other_fields(api, world):
    api.create("combo", "Hello world", config={"a": 1})
    body = publish(
        api,
        "combo",
        1,
        edits=[{"old": "world", "new": "{{who}}"}],
        config={"b": 2},
        variables={"who": {"type": "string", "default": "you"}},
        version_description="Edited",
    )
    assert body["prompt"] == "Hello {{who}}"
    assert body["config"] == {"b": 2}
    assert body["variables"] == {"who": {"type": "string", "default": "you"}}
    assert body["version_description"] == "Edited"
    row = active(world.team, "combo")[1]
    assert (row.prompt, row.config, row.version_description) == ("Hello {{who}}", {"b": 2}, "Edited")


def test_case_56_json_edit_of_an_array_prompt(api, world):
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    api.create("msgs", messages)
    body = publish(api, "msgs", 1, edits=[{"old": "Be brief.", "new": "Be thorough."}])
    assert body["prompt"] == [
        {"role": "system", "content": "Be thorough."},
        {"role": "user", "content": "Hi"},
    ]
    assert json.loads(json.dumps(body["prompt"])) == body["prompt"]
