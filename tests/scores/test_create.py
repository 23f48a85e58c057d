"""POST score_definitions/: a scorer at version 1, and the rules of each field."""

import re

import pytest

from scores.models import ScoreDefinition, ScoreDefinitionVersion
from tests.api import iso, user_json, validation
from tests.scores.helpers import (
    GOOD_BAD,
    SCORE_DEFINITION_KEYS,
    YES_NO,
    definition_json,
    options,
    unsupported_keys,
    versions_of,
)

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"


def assert_rejected(scorers, body, expected) -> None:
    """The create is refused with exactly `expected`, and nothing is written."""
    response = scorers.post("", body)
    assert response.status_code == 400, response.content
    assert response.json() == expected
    assert not ScoreDefinition.objects.exists()
    assert not ScoreDefinitionVersion.objects.exists()


def test_case_38_create_categorical(scorers, world):
    response = scorers.post("", {"name": "Quality", "kind": "categorical", "config": GOOD_BAD})

    assert response.status_code == 201, response.content
    body = response.json()
    assert list(body) == SCORE_DEFINITION_KEYS
    stored = ScoreDefinition.objects.get()
    assert body == definition_json(stored)
    assert re.match(UUID_PATTERN, body["id"]) and re.match(UUID_PATTERN, body["current_version_id"])
    assert re.match(TIMESTAMP_PATTERN, body["created_at"]) and re.match(TIMESTAMP_PATTERN, body["updated_at"])
    assert (body["name"], body["kind"], body["current_version"], body["archived"], body["description"]) == (
        "Quality",
        "categorical",
        1,
        False,
        "",
    )
    assert body["config"] == GOOD_BAD
    assert body["created_by"] == user_json(world.user)
    assert body["team"] == world.t
    version = ScoreDefinitionVersion.objects.get()
    assert (version.definition_id, version.version, version.config) == (stored.id, 1, GOOD_BAD)
    assert str(version.id) == body["current_version_id"]
    assert version.created_by_id == world.user.id
    assert (stored.team_id, stored.created_by_id, stored.current_version_id) == (
        world.t,
        world.user.id,
        version.id,
    )


def test_case_39_create_multiple_selection(scorers):
    config = {
        "options": options("accurate", "helpful", "concise"),
        "selection_mode": "multiple",
        "min_selections": 1,
        "max_selections": 2,
    }
    body = scorers.create(name="Traits", kind="categorical", config=config)

    assert body["config"] == config
    assert versions_of(body["id"]) == [(1, config)]


def test_case_40_create_numeric_stores_floats(scorers):
    response = scorers.post(
        "", {"name": "Score", "kind": "numeric", "config": {"min": 0, "max": 5, "step": 1}}
    )

    assert response.status_code == 201
    for text in (b'"min":0.0', b'"max":5.0', b'"step":1.0'):
        assert text in response.content
    config = response.json()["config"]
    assert config == {"min": 0.0, "max": 5.0, "step": 1.0}
    assert all(isinstance(value, float) for value in config.values())
    assert versions_of(response.json()["id"]) == [(1, {"min": 0.0, "max": 5.0, "step": 1.0})]


@pytest.mark.parametrize("config", [YES_NO, {}])
def test_case_41_create_boolean(scorers, config):
    body = scorers.create(name="Resolved", kind="boolean", config=config)

    assert (body["kind"], body["config"], body["current_version"]) == ("boolean", config, 1)
    assert versions_of(body["id"]) == [(1, config)]


def test_case_42_archived_true_is_refused(scorers):
    body = {"name": "Quality", "kind": "categorical", "config": GOOD_BAD, "archived": True}
    assert_rejected(
        scorers, body, validation("archived", "invalid_input", "New scorers must be created as active.")
    )


def test_archived_false_is_accepted(scorers):
    body = scorers.create(name="Quality", kind="categorical", config=GOOD_BAD, archived=False)
    assert body["archived"] is False


def test_archived_check_comes_after_every_field(scorers):
    body = {"name": "Quality", "kind": "categorical", "config": {"options": []}, "archived": True}
    assert_rejected(
        scorers,
        body,
        validation("config__options", "invalid_input", "Provide at least one categorical option."),
    )
    body = {"name": "", "kind": "categorical", "config": GOOD_BAD, "archived": True}
    assert_rejected(scorers, body, validation("name", "blank", "This field may not be blank."))


def test_case_43_kind_must_be_a_valid_choice(scorers):
    assert_rejected(
        scorers,
        {"name": "Quality", "kind": "foo", "config": GOOD_BAD},
        validation("kind", "invalid_choice", '"foo" is not a valid choice.'),
    )
    assert_rejected(
        scorers,
        {"name": "Quality", "config": GOOD_BAD},
        validation("kind", "required", "This field is required."),
    )


@pytest.mark.parametrize("kind", [None, "", "Categorical", " numeric", 1, ["boolean"]])
def test_kind_error_comes_before_the_config_error(scorers, kind):
    response = scorers.post("", {"name": "Quality", "kind": kind, "config": {"bogus": 1}})

    assert response.status_code == 400
    assert response.json()["attr"] == "kind"
    assert not ScoreDefinition.objects.exists()


def test_case_44_config_is_required(scorers):
    assert_rejected(
        scorers,
        {"name": "Quality", "kind": "categorical"},
        validation("config", "required", "This field is required."),
    )
    assert_rejected(
        scorers,
        {"name": "Quality", "kind": "categorical", "config": None},
        validation("config", "null", "This field may not be null."),
    )


def test_case_45_categorical_needs_an_option(scorers):
    assert_rejected(
        scorers,
        {"name": "Quality", "kind": "categorical", "config": {"options": []}},
        validation("config__options", "invalid_input", "Provide at least one categorical option."),
    )


def test_case_46_option_keys_unique_after_normalization(scorers):
    config = {"options": [{"key": "Good", "label": "Good"}, {"key": "good", "label": "Also good"}]}
    assert_rejected(
        scorers,
        {"name": "Quality", "kind": "categorical", "config": config},
        validation("config__options", "invalid_input", "Categorical option keys must be unique."),
    )

    body = scorers.create(
        name="Quality", kind="categorical", config={"options": [{"key": "Good", "label": "Good"}]}
    )
    assert body["config"] == {"options": [{"key": "good", "label": "Good"}]}
    assert versions_of(body["id"]) == [(1, {"options": [{"key": "good", "label": "Good"}]})]


def test_case_47_option_key_characters(scorers):
    config = {"options": [{"key": "good", "label": "Good"}, {"key": "needs work", "label": "Needs work"}]}
    response = scorers.post("", {"name": "Quality", "kind": "categorical", "config": config})
    assert response.status_code == 400
    assert response.json()["attr"].startswith("config__options")
    assert response.json() == validation(
        "config__options__1__key",
        "invalid_input",
        "`key` must use lowercase letters, numbers, underscores, or hyphens.",
    )
    assert not ScoreDefinition.objects.exists()

    body = scorers.create(name="Quality", kind="categorical", config={"options": options("needs_work")})
    assert body["config"] == {"options": [{"key": "needs_work", "label": "Needs_work"}]}


def test_case_48_selection_limits_need_multiple_mode(scorers):
    config = {"options": options("good", "bad"), "selection_mode": "single", "min_selections": 1}
    assert_rejected(
        scorers,
        {"name": "Quality", "kind": "categorical", "config": config},
        validation(
            "config__min_selections",
            "invalid_input",
            "`min_selections` is only supported when `selection_mode` is `multiple`.",
        ),
    )


def test_case_49_selection_limits_in_multiple_mode(scorers):
    def body(**limits):
        config = {"options": options("good", "bad"), "selection_mode": "multiple", **limits}
        return {"name": "Quality", "kind": "categorical", "config": config}

    assert_rejected(
        scorers,
        body(max_selections=3),
        validation(
            "config__max_selections",
            "invalid_input",
            "Ensure `max_selections` is less than or equal to the number of options.",
        ),
    )
    assert_rejected(
        scorers,
        body(min_selections=2, max_selections=1),
        validation(
            "config__max_selections",
            "invalid_input",
            "Ensure `max_selections` is greater than or equal to `min_selections`.",
        ),
    )
    assert_rejected(
        scorers,
        body(min_selections=0),
        validation("config__min_selections", "min_value", "Ensure this value is greater than or equal to 1."),
    )


def test_case_50_numeric_bounds_and_step(scorers):
    assert_rejected(
        scorers,
        {"name": "Score", "kind": "numeric", "config": {"min": 5, "max": 1}},
        validation("config__max", "invalid_input", "Ensure `max` is greater than or equal to `min`."),
    )
    assert_rejected(
        scorers,
        {"name": "Score", "kind": "numeric", "config": {"step": 0}},
        validation("config__step", "invalid_input", "Ensure `step` is greater than 0."),
    )
    body = scorers.create(name="Score", kind="numeric", config={"min": 1, "max": 1})
    assert body["config"] == {"min": 1.0, "max": 1.0}


@pytest.mark.parametrize(
    ("kind", "config", "unknown"),
    [
        ("numeric", {"min": 0, "options": options("good")}, ["options"]),
        ("boolean", {"true_label": "Yes", "min": 0}, ["min"]),
        ("categorical", {"true_label": "Yes"}, ["true_label"]),
    ],
)
def test_case_51_keys_of_another_kind(scorers, kind, config, unknown):
    assert_rejected(
        scorers,
        {"name": "Mixed", "kind": kind, "config": config},
        validation("config", "invalid_input", unsupported_keys(kind, unknown)),
    )


def test_case_52_selection_mode_choices(scorers):
    config = {"options": options("good"), "selection_mode": "some"}
    assert_rejected(
        scorers,
        {"name": "Quality", "kind": "categorical", "config": config},
        validation("config__selection_mode", "invalid_choice", '"some" is not a valid choice.'),
    )


def test_case_63_names_need_not_be_unique(scorers, world):
    first = scorers.create(name="Quality", kind="categorical", config=GOOD_BAD)
    second = scorers.create(name="Quality", kind="boolean", config={})

    assert first["id"] != second["id"]
    assert ScoreDefinition.objects.filter(team=world.team, name="Quality").count() == 2


# ---- name and description ----------------------------------------------------------------------


def test_name_is_required(scorers):
    assert_rejected(
        scorers, {"kind": "boolean", "config": {}}, validation("name", "required", "This field is required.")
    )


@pytest.mark.parametrize(
    ("name", "code", "detail"),
    [
        ("", "blank", "This field may not be blank."),
        ("   ", "blank", "This field may not be blank."),
        (None, "null", "This field may not be null."),
        (True, "invalid_input", "Not a valid string."),
        (["x"], "invalid_input", "Not a valid string."),
        ("x" * 256, "max_length", "Ensure this field has no more than 255 characters."),
        ("  " + "x" * 256 + "  ", "max_length", "Ensure this field has no more than 255 characters."),
    ],
)
def test_invalid_names(scorers, name, code, detail):
    assert_rejected(
        scorers, {"name": name, "kind": "boolean", "config": {}}, validation("name", code, detail)
    )


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("  Padded  ", "Padded"),
        ("x" * 255, "x" * 255),
        ("  " + "y" * 255 + " ", "y" * 255),
        (42, "42"),
        (1.5, "1.5"),
    ],
)
def test_names_are_trimmed_and_numbers_become_text(scorers, sent, stored):
    body = scorers.create(name=sent, kind="boolean", config={})
    assert body["name"] == stored
    assert ScoreDefinition.objects.get().name == stored


@pytest.mark.parametrize(
    ("sent", "stored"), [(None, ""), ("", ""), ("   ", ""), ("  Why  ", "Why"), (7, "7")]
)
def test_description_is_trimmed_and_never_null(scorers, sent, stored):
    body = scorers.create(name="Quality", kind="boolean", config={}, description=sent)
    assert body["description"] == stored
    assert ScoreDefinition.objects.get().description == stored


def test_description_must_be_text(scorers):
    assert_rejected(
        scorers,
        {"name": "Quality", "kind": "boolean", "config": {}, "description": False},
        validation("description", "invalid_input", "Not a valid string."),
    )


def test_server_set_fields_and_unknown_keys_are_ignored(scorers, world, other_member):
    body = scorers.create(
        name="Quality",
        kind="boolean",
        config={},
        id="00000000-0000-0000-0000-000000000001",
        created_by=other_member[0].id,
        team=world.team_b.id,
        current_version=7,
        created_at="2001-01-01T00:00:00Z",
        bogus=True,
    )
    stored = ScoreDefinition.objects.get()
    assert body["id"] == str(stored.id) != "00000000-0000-0000-0000-000000000001"
    assert (stored.team_id, stored.created_by_id, body["current_version"]) == (world.t, world.user.id, 1)
    assert body["created_at"] == iso(stored.created_at) != "2001-01-01T00:00:00Z"


def test_first_error_in_field_order(scorers):
    assert_rejected(scorers, {}, validation("name", "required", "This field is required."))
    assert_rejected(
        scorers,
        {"name": "Quality", "description": [], "kind": "nope"},
        validation("description", "invalid_input", "Not a valid string."),
    )


def test_body_must_be_an_object(scorers):
    assert_rejected(
        scorers,
        [{"name": "Quality"}],
        validation(None, "invalid_input", "Invalid data. Expected a dictionary, but got list."),
    )


def test_form_body_with_config_as_json_text(scorers):
    response = scorers.post(
        "",
        {"name": "Form", "kind": "categorical", "config": '{"options": [{"key": "OK", "label": "Ok"}]}'},
        fmt="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["config"] == {"options": [{"key": "ok", "label": "Ok"}]}
    assert response.json()["archived"] is False


def test_the_created_row_is_what_a_read_returns(scorers):
    body = scorers.create(name="Quality", kind="categorical", config=GOOD_BAD, description="d")
    assert scorers.get(f"{body['id']}/").json() == body
