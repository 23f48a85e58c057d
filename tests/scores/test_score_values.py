"""The rules a score must follow for a scorer's config (`scores.config.score_value_error`), as the
review app calls them. Pure functions: no database."""

from decimal import Decimal

import pytest

from scores.config import ScoreValueError, score_value_error, score_value_errors
from tests.scores.helpers import options

SINGLE = {"options": options("good", "bad")}
MULTIPLE = {
    "options": options("accurate", "helpful", "concise"),
    "selection_mode": "multiple",
    "min_selections": 2,
    "max_selections": 2,
}
NUMERIC = {"min": 0.0, "max": 5.0, "step": 0.5}


@pytest.mark.parametrize(
    ("kind", "config", "values", "expected"),
    [
        # categorical
        ("categorical", SINGLE, {"categorical_values": ["good"]}, None),
        ("categorical", SINGLE, {}, ("categorical_values", "This scorer requires `categorical_values`.")),
        (
            "categorical",
            SINGLE,
            {"numeric_value": Decimal(1)},
            ("categorical_values", "This scorer requires `categorical_values`."),
        ),
        (
            "categorical",
            SINGLE,
            {"categorical_values": ["excellent"]},
            ("categorical_values", "Select valid categorical option keys."),
        ),
        (
            "categorical",
            SINGLE,
            {"categorical_values": ["Good"]},
            ("categorical_values", "Select valid categorical option keys."),
        ),
        (
            "categorical",
            SINGLE,
            {"categorical_values": ["good", "bad"]},
            ("categorical_values", "This scorer allows exactly one categorical option."),
        ),
        (
            "categorical",
            SINGLE,
            {"categorical_values": []},
            ("categorical_values", "This scorer allows exactly one categorical option."),
        ),
        (
            "categorical",
            {**SINGLE, "selection_mode": "single"},
            {"categorical_values": ["bad", "good"]},
            ("categorical_values", "This scorer allows exactly one categorical option."),
        ),
        ("categorical", MULTIPLE, {"categorical_values": ["accurate", "concise"]}, None),
        (
            "categorical",
            MULTIPLE,
            {"categorical_values": ["accurate"]},
            ("categorical_values", "Select at least 2 categorical options."),
        ),
        (
            "categorical",
            MULTIPLE,
            {"categorical_values": ["accurate", "helpful", "concise"]},
            ("categorical_values", "Select no more than 2 categorical options."),
        ),
        (
            "categorical",
            MULTIPLE,
            {"categorical_values": ["accurate", "nope"]},
            ("categorical_values", "Select valid categorical option keys."),
        ),
        (
            "categorical",
            {**MULTIPLE, "min_selections": None, "max_selections": None},
            {"categorical_values": []},
            None,
        ),
        (
            "categorical",
            {"options": options("a", "b"), "selection_mode": "multiple"},
            {"categorical_values": ["a", "b"]},
            None,
        ),
        # numeric
        ("numeric", NUMERIC, {"numeric_value": Decimal("4.5")}, None),
        ("numeric", NUMERIC, {"numeric_value": Decimal("0")}, None),
        ("numeric", NUMERIC, {"numeric_value": Decimal("5.000000")}, None),
        ("numeric", NUMERIC, {}, ("numeric_value", "This scorer requires `numeric_value`.")),
        (
            "numeric",
            NUMERIC,
            {"boolean_value": True},
            ("numeric_value", "This scorer requires `numeric_value`."),
        ),
        (
            "numeric",
            NUMERIC,
            {"numeric_value": Decimal("5.1")},
            ("numeric_value", "Ensure this value is less than or equal to 5.0."),
        ),
        (
            "numeric",
            NUMERIC,
            {"numeric_value": Decimal("-0.5")},
            ("numeric_value", "Ensure this value is greater than or equal to 0.0."),
        ),
        (
            "numeric",
            NUMERIC,
            {"numeric_value": Decimal("4.25")},
            ("numeric_value", "Ensure this value increments by 0.5."),
        ),
        ("numeric", {"min": 1.0, "step": 2.0}, {"numeric_value": Decimal(3)}, None),
        (
            "numeric",
            {"min": 1.0, "step": 2.0},
            {"numeric_value": Decimal(4)},
            ("numeric_value", "Ensure this value increments by 2.0."),
        ),
        ("numeric", {"step": 0.1}, {"numeric_value": Decimal("0.3")}, None),
        (
            "numeric",
            {"step": 0.1},
            {"numeric_value": Decimal("0.35")},
            ("numeric_value", "Ensure this value increments by 0.1."),
        ),
        ("numeric", {"step": 1e-06}, {"numeric_value": Decimal("999999.000001")}, None),
        ("numeric", {"step": 1e-300}, {"numeric_value": Decimal("123456789012.5")}, None),
        ("numeric", {}, {"numeric_value": Decimal("-123456.123456")}, None),
        ("numeric", {"min": None, "max": None, "step": None}, {"numeric_value": Decimal(7)}, None),
        ("numeric", NUMERIC, {"numeric_value": 2.5}, None),
        ("numeric", NUMERIC, {"numeric_value": 3}, None),
        (
            "numeric",
            NUMERIC,
            {"numeric_value": 0.1 + 0.2},
            ("numeric_value", "Ensure this value increments by 0.5."),
        ),
        (
            "numeric",
            NUMERIC,
            {"numeric_value": Decimal("NaN")},
            ("numeric_value", "Provide a finite numeric value."),
        ),
        # boolean
        ("boolean", {}, {"boolean_value": False}, None),
        ("boolean", {"true_is_failure": True}, {"boolean_value": True}, None),
        ("boolean", {}, {}, ("boolean_value", "This scorer requires `boolean_value`.")),
        (
            "boolean",
            {},
            {"categorical_values": ["yes"]},
            ("boolean_value", "This scorer requires `boolean_value`."),
        ),
    ],
)
def test_score_value_rules(kind, config, values, expected):
    error = score_value_error(kind, config, **values)

    assert error == (ScoreValueError(*expected) if expected else None)
    assert score_value_errors(kind, config, **values) == (expected[1] if expected else None)


def test_bounds_are_shown_as_the_stored_numbers():
    assert score_value_errors("numeric", {"max": 5}, numeric_value=Decimal(6)) == (
        "Ensure this value is less than or equal to 5."
    )
    assert score_value_errors("numeric", {"min": 0.25}, numeric_value=Decimal(0)) == (
        "Ensure this value is greater than or equal to 0.25."
    )


def test_a_malformed_stored_config_does_not_crash():
    """Configs written before validation existed (or by hand) are read defensively."""
    assert (
        score_value_errors("categorical", {}, categorical_values=["a"])
        == "Select valid categorical option keys."
    )
    assert score_value_errors("categorical", {"options": "a"}, categorical_values=["a"]) == (
        "Select valid categorical option keys."
    )
    assert score_value_errors("categorical", {"options": ["a", {"key": 1}]}, categorical_values=["a"]) == (
        "Select valid categorical option keys."
    )
    assert (
        score_value_errors("numeric", {"min": "x", "max": True, "step": -1.0}, numeric_value=Decimal(3))
        is None
    )
    weird = {"options": options("a", "b"), "selection_mode": "multiple", "min_selections": "2"}
    assert score_value_errors("categorical", weird, categorical_values=["a"]) is None
