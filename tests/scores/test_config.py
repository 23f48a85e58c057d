"""Config rules per kind: every message, its attr, and what is stored. Each case is checked over
HTTP (create) and directly against `scores.config.validate_config`."""

import pytest
from rest_framework import serializers

from scores.config import validate_config
from scores.models import ScoreDefinition
from tests.api import validation
from tests.scores.helpers import options, unsupported_keys, versions_of

KEY_MESSAGE = "`key` must use lowercase letters, numbers, underscores, or hyphens."
NOT_A_NUMBER = "A valid number is required."
MULTIPLE = {"options": options("a", "b", "c"), "selection_mode": "multiple"}
TWO = {"options": options("a", "b")}


def with_(base: dict, **changes) -> dict:
    return {**base, **changes}


# (kind, config, attr, code, detail)
REJECTED = [
    # ---- not an object / unknown keys
    ("categorical", [], "config", "invalid_input", "Invalid data. Expected a dictionary, but got list."),
    ("numeric", "x", "config", "invalid_input", "Invalid data. Expected a dictionary, but got str."),
    ("boolean", 5, "config", "invalid_input", "Invalid data. Expected a dictionary, but got int."),
    ("boolean", True, "config", "invalid_input", "Invalid data. Expected a dictionary, but got bool."),
    (
        "categorical",
        {"zeta": 1, "options": options("a"), "alpha": 2},
        "config",
        "invalid_input",
        unsupported_keys("categorical", ["alpha", "zeta"]),
    ),
    # Unknown keys are reported before any field error.
    (
        "numeric",
        {"step": 0, "options": []},
        "config",
        "invalid_input",
        unsupported_keys("numeric", ["options"]),
    ),
    (
        "boolean",
        {"true_label": "", "Min": 1, "max": 2},
        "config",
        "invalid_input",
        unsupported_keys("boolean", ["Min", "max"]),
    ),
    # ---- categorical options
    ("categorical", {}, "config__options", "required", "This field is required."),
    ("categorical", {"options": None}, "config__options", "null", "This field may not be null."),
    (
        "categorical",
        {"options": "good"},
        "config__options",
        "not_a_list",
        'Expected a list of items but got type "str".',
    ),
    (
        "categorical",
        {"options": []},
        "config__options",
        "invalid_input",
        "Provide at least one categorical option.",
    ),
    (
        "categorical",
        {"options": ["good"]},
        "config__options__0",
        "invalid_input",
        "Invalid data. Expected a dictionary, but got str.",
    ),
    (
        "categorical",
        {"options": [{"label": "Good"}]},
        "config__options__0__key",
        "required",
        "This field is required.",
    ),
    (
        "categorical",
        {"options": [{"key": "   ", "label": "Good"}]},
        "config__options__0__key",
        "blank",
        "This field may not be blank.",
    ),
    (
        "categorical",
        {"options": [{"key": True, "label": "Good"}]},
        "config__options__0__key",
        "invalid_input",
        "Not a valid string.",
    ),
    (
        "categorical",
        {"options": [{"key": "k" * 129, "label": "Good"}]},
        "config__options__0__key",
        "max_length",
        "Ensure this field has no more than 128 characters.",
    ),
    *[
        (
            "categorical",
            {"options": [{"key": key, "label": "L"}]},
            "config__options__0__key",
            "invalid_input",
            KEY_MESSAGE,
        )
        for key in ["needs work", "a__b", "-a", "a-", "a_-b", "a.b", "é", "a/b"]
    ],
    (
        "categorical",
        {"options": [{"key": "a"}]},
        "config__options__0__label",
        "required",
        "This field is required.",
    ),
    (
        "categorical",
        {"options": [{"key": "a", "label": " "}]},
        "config__options__0__label",
        "blank",
        "This field may not be blank.",
    ),
    (
        "categorical",
        {"options": [{"key": "a", "label": "l" * 257}]},
        "config__options__0__label",
        "max_length",
        "Ensure this field has no more than 256 characters.",
    ),
    (
        "categorical",
        {"options": [{"key": "a", "label": "A"}, {"key": " A ", "label": "B"}]},
        "config__options",
        "invalid_input",
        "Categorical option keys must be unique.",
    ),
    # ---- selection mode and limits
    (
        "categorical",
        with_(TWO, selection_mode="Multiple"),
        "config__selection_mode",
        "invalid_choice",
        '"Multiple" is not a valid choice.',
    ),
    (
        "categorical",
        with_(TWO, selection_mode=None),
        "config__selection_mode",
        "null",
        "This field may not be null.",
    ),
    (
        "categorical",
        with_(TWO, max_selections=1),
        "config__max_selections",
        "invalid_input",
        "`max_selections` is only supported when `selection_mode` is `multiple`.",
    ),
    (
        "categorical",
        with_(TWO, selection_mode="single", max_selections=2),
        "config__max_selections",
        "invalid_input",
        "`max_selections` is only supported when `selection_mode` is `multiple`.",
    ),
    (
        "categorical",
        with_(TWO, min_selections=1, max_selections=1),
        "config__min_selections",
        "invalid_input",
        "`min_selections` is only supported when `selection_mode` is `multiple`.",
    ),
    (
        "categorical",
        with_(MULTIPLE, min_selections=4),
        "config__min_selections",
        "invalid_input",
        "Ensure `min_selections` is less than or equal to the number of options.",
    ),
    (
        "categorical",
        with_(MULTIPLE, max_selections=4),
        "config__max_selections",
        "invalid_input",
        "Ensure `max_selections` is less than or equal to the number of options.",
    ),
    (
        "categorical",
        with_(MULTIPLE, min_selections=3, max_selections=2),
        "config__max_selections",
        "invalid_input",
        "Ensure `max_selections` is greater than or equal to `min_selections`.",
    ),
    (
        "categorical",
        with_(MULTIPLE, max_selections=-1),
        "config__max_selections",
        "min_value",
        "Ensure this value is greater than or equal to 1.",
    ),
    (
        "categorical",
        with_(MULTIPLE, min_selections="two"),
        "config__min_selections",
        "invalid_input",
        "A valid integer is required.",
    ),
    (
        "categorical",
        with_(MULTIPLE, min_selections=1.5),
        "config__min_selections",
        "invalid_input",
        "A valid integer is required.",
    ),
    (
        "categorical",
        with_(MULTIPLE, min_selections=True),
        "config__min_selections",
        "invalid_input",
        "A valid integer is required.",
    ),
    # ---- categorical passing rule
    (
        "categorical",
        with_(TWO, passing_rule={"categories": ["a"], "threshold": 1}),
        "config__passing_rule",
        "invalid_input",
        "Only category keys may be configured in this rule.",
    ),
    (
        "categorical",
        with_(TWO, passing_rule=["a"]),
        "config__passing_rule",
        "invalid_input",
        "Invalid data. Expected a dictionary, but got list.",
    ),
    (
        "categorical",
        with_(TWO, passing_rule={}),
        "config__passing_rule__categories",
        "required",
        "This field is required.",
    ),
    (
        "categorical",
        with_(TWO, passing_rule={"categories": ["a", "A"]}),
        "config__passing_rule__categories",
        "invalid_input",
        "Select each passing category only once.",
    ),
    (
        "categorical",
        with_(TWO, passing_rule={"categories": ["a", "c"]}),
        "config__passing_rule__categories",
        "invalid_input",
        "Choose passing categories from the configured options.",
    ),
    (
        "categorical",
        with_(TWO, passing_rule={"categories": []}),
        "config__passing_rule__categories",
        "invalid_input",
        "Choose at least one passing category.",
    ),
    (
        "categorical",
        with_(TWO, selection_mode="single", passing_rule={"categories": []}),
        "config__passing_rule__categories",
        "invalid_input",
        "Choose at least one passing category.",
    ),
    # ---- numeric
    (
        "numeric",
        {"min": 5, "max": 1},
        "config__max",
        "invalid_input",
        "Ensure `max` is greater than or equal to `min`.",
    ),
    (
        "numeric",
        {"min": 0.5, "max": 0.25},
        "config__max",
        "invalid_input",
        "Ensure `max` is greater than or equal to `min`.",
    ),
    ("numeric", {"step": 0}, "config__step", "invalid_input", "Ensure `step` is greater than 0."),
    ("numeric", {"step": -0.5}, "config__step", "invalid_input", "Ensure `step` is greater than 0."),
    ("numeric", {"min": "low"}, "config__min", "invalid_input", NOT_A_NUMBER),
    ("numeric", {"max": True}, "config__max", "invalid_input", NOT_A_NUMBER),
    ("numeric", {"step": [1]}, "config__step", "invalid_input", NOT_A_NUMBER),
    ("numeric", {"min": 10**400}, "config__min", "invalid_input", NOT_A_NUMBER),
    ("numeric", {"step": "1e400"}, "config__step", "invalid_input", NOT_A_NUMBER),
    # ---- numeric passing rule
    (
        "numeric",
        {"passing_rule": {"operator": "gte", "threshold": 1, "zeta": 1, "alpha": 2}},
        "config__passing_rule",
        "invalid_input",
        "Unsupported passing rule keys: ['alpha', 'zeta'].",
    ),
    (
        "numeric",
        {"passing_rule": {"threshold": 1}},
        "config__passing_rule__operator",
        "required",
        "This field is required.",
    ),
    (
        "numeric",
        {"passing_rule": {"operator": "eq", "threshold": 1}},
        "config__passing_rule__operator",
        "invalid_choice",
        '"eq" is not a valid choice.',
    ),
    (
        "numeric",
        {"passing_rule": {"operator": "gte"}},
        "config__passing_rule__threshold",
        "required",
        "This field is required.",
    ),
    *[
        (
            "numeric",
            {"passing_rule": {"operator": "lte", "threshold": threshold}},
            "config__passing_rule__threshold",
            "invalid_input",
            "Provide a finite number.",
        )
        for threshold in ["0.5", True, False, [1], {"v": 1}, 10**400]
    ],
    (
        "numeric",
        {"passing_rule": {"operator": "lte", "threshold": None}},
        "config__passing_rule__threshold",
        "null",
        "This field may not be null.",
    ),
    (
        "numeric",
        {"min": 0, "max": 1, "passing_rule": {"operator": "gte", "threshold": -0.5}},
        "config__passing_rule__threshold",
        "invalid_input",
        "The passing threshold must be at least `min`.",
    ),
    (
        "numeric",
        {"min": 0, "max": 1, "passing_rule": {"operator": "gte", "threshold": 1.5}},
        "config__passing_rule__threshold",
        "invalid_input",
        "The passing threshold must be at most `max`.",
    ),
    # ---- boolean
    ("boolean", {"true_label": ""}, "config__true_label", "blank", "This field may not be blank."),
    ("boolean", {"false_label": "   "}, "config__false_label", "blank", "This field may not be blank."),
    ("boolean", {"true_label": None}, "config__true_label", "null", "This field may not be null."),
    ("boolean", {"false_label": False}, "config__false_label", "invalid_input", "Not a valid string."),
    (
        "boolean",
        {"true_is_failure": "maybe"},
        "config__true_is_failure",
        "invalid_input",
        "Must be a valid boolean.",
    ),
]

# (kind, config sent, config stored)
ACCEPTED = [
    (
        "categorical",
        {"options": [{"key": " Good ", "label": " Good answer ", "color": "green"}]},
        {"options": [{"key": "good", "label": "Good answer"}]},
    ),
    ("categorical", {"options": [{"key": 1, "label": 2}]}, {"options": [{"key": "1", "label": "2"}]}),
    (
        "categorical",
        {"options": [{"key": "k" * 128, "label": "l" * 256}]},
        {"options": [{"key": "k" * 128, "label": "l" * 256}]},
    ),
    (
        "categorical",
        {"options": options("a-b_c", "v2", "x-1-y")},
        {"options": options("a-b_c", "v2", "x-1-y")},
    ),
    ("categorical", with_(TWO, selection_mode="single"), with_(TWO, selection_mode="single")),
    # Null limits are allowed in single mode, and stored as sent.
    (
        "categorical",
        with_(TWO, min_selections=None, max_selections=None),
        with_(TWO, min_selections=None, max_selections=None),
    ),
    (
        "categorical",
        with_(MULTIPLE, min_selections=3, max_selections=3),
        with_(MULTIPLE, min_selections=3, max_selections=3),
    ),
    (
        "categorical",
        with_(MULTIPLE, min_selections="2", max_selections=2.0),
        with_(MULTIPLE, min_selections=2, max_selections=2),
    ),
    ("categorical", with_(TWO, passing_rule=None), with_(TWO, passing_rule=None)),
    (
        "categorical",
        with_(MULTIPLE, passing_rule={"categories": []}),
        with_(MULTIPLE, passing_rule={"categories": []}),
    ),
    (
        "categorical",
        with_(MULTIPLE, passing_rule={"categories": ["C", " a "]}),
        with_(MULTIPLE, passing_rule={"categories": ["a", "c"]}),
    ),
    ("numeric", {}, {}),
    ("numeric", {"min": None, "max": None, "step": None}, {"min": None, "max": None, "step": None}),
    ("numeric", {"min": -1, "max": "2.5", "step": 0.5}, {"min": -1.0, "max": 2.5, "step": 0.5}),
    (
        "numeric",
        {"min": 0, "max": 1, "passing_rule": {"operator": "gte", "threshold": 1}},
        {"min": 0.0, "max": 1.0, "passing_rule": {"operator": "gte", "threshold": 1.0}},
    ),
    (
        "numeric",
        {"passing_rule": {"operator": "lte", "threshold": -7}},
        {"passing_rule": {"operator": "lte", "threshold": -7.0}},
    ),
    ("numeric", {"passing_rule": None}, {"passing_rule": None}),
    ("boolean", {}, {}),
    ("boolean", {"true_label": "  Yes ", "false_label": 0}, {"true_label": "Yes", "false_label": "0"}),
    ("boolean", {"true_is_failure": True}, {"true_is_failure": True}),
    (
        "boolean",
        {"true_is_failure": None, "true_label": "Toxic"},
        {"true_is_failure": None, "true_label": "Toxic"},
    ),
    ("boolean", {"true_label": "x" * 10_000}, {"true_label": "x" * 10_000}),
]


def case_id(case: tuple) -> str:
    return f"{case[0]}-{case[2] if len(case) == 5 else 'ok'}"


@pytest.mark.parametrize(
    ("kind", "config", "attr", "code", "detail"), REJECTED, ids=[case_id(c) for c in REJECTED]
)
def test_rejected_configs_over_http(scorers, kind, config, attr, code, detail):
    response = scorers.post("", {"name": "Scorer", "kind": kind, "config": config})

    assert response.status_code == 400, response.content
    assert response.json() == validation(attr, code, detail)
    assert not ScoreDefinition.objects.exists()


@pytest.mark.parametrize(
    ("kind", "config", "attr", "code", "detail"), REJECTED, ids=[case_id(c) for c in REJECTED]
)
def test_rejected_configs_directly(kind, config, attr, code, detail):
    with pytest.raises(serializers.ValidationError) as raised:
        validate_config(kind, config)

    error = raised.value.detail
    path = attr.split("__")[1:]
    for segment in path:
        assert isinstance(error, dict), error
        # List items are keyed by their index (only the failing ones).
        error = error[int(segment) if segment.isdigit() else segment]
    if isinstance(error, dict):  # an error of a nested object as a whole
        error = error["non_field_errors"]
    assert [str(message) for message in error][:1] == [detail]


@pytest.mark.parametrize(("kind", "sent", "stored"), ACCEPTED, ids=[case_id(c) for c in ACCEPTED])
def test_accepted_configs_are_stored_normalized(scorers, kind, sent, stored):
    body = scorers.create(name="Scorer", kind=kind, config=sent)

    assert body["config"] == stored
    assert versions_of(body["id"]) == [(1, stored)]
    assert validate_config(kind, sent) == stored


def test_stored_config_is_plain_json():
    config = validate_config("categorical", with_(MULTIPLE, passing_rule={"categories": ["b"]}))
    assert type(config) is dict
    assert type(config["options"]) is list and all(type(option) is dict for option in config["options"])
    assert type(config["passing_rule"]) is dict


def test_defaults_are_not_filled_in():
    assert validate_config("categorical", TWO) == TWO
    assert "selection_mode" not in validate_config("categorical", TWO)


def test_unknown_kind():
    with pytest.raises(serializers.ValidationError) as raised:
        validate_config("stars", {})
    assert [str(message) for message in raised.value.detail] == ["Unsupported score definition kind."]
