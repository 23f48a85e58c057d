"""@me/spend black-box behaviour, one test per numbered case: status and exact bodies.

U (u@example.com) reads the spend of the internal project T (the lowest project id); events are
captured through the real ingestion, their person identified with U's email.
"""

import re

import pytest

from tests.api import missing_scope, not_authenticated, permission_denied, validation
from tests.factories import UserFactory, make_key, make_member
from tests.spend.helpers import (
    EMPTY,
    NO_EMAIL,
    PRODUCT,
    ago,
    ai_event,
    body,
    capture,
    capture_for,
    get_spend,
    identify,
    window,
)

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


def ok(client, world, **params) -> dict:
    response = get_spend(client, world.k_all, **params)
    assert response.status_code == 200, response.content
    return response.json()


def test_case_01_no_credentials(client, world):
    response = get_spend(client, None)
    assert response.status_code == 401
    assert response.json() == not_authenticated()


def test_case_02_user_without_email_is_403_before_parameters(client, world):
    user = UserFactory(email="")
    make_member(user, world.org_a)
    response = get_spend(client, make_key(user, ["*"]), product=None)
    assert response.status_code == 403
    assert response.json() == permission_denied(NO_EMAIL)


def test_case_03_product_is_required(client, world):
    response = get_spend(client, world.k_all, product=None)
    assert response.status_code == 400
    assert response.json() == validation("product", "required", "This field is required.")


def test_case_04_unsupported_product(client, world):
    response = get_spend(client, world.k_all, product="background_agents")
    assert response.status_code == 400
    assert response.json() == validation(
        "product",
        "invalid_input",
        "product `background_agents` is not supported. Supported products: posthog_code.",
    )


def test_case_05_product_too_long_and_blank(client, world):
    response = get_spend(client, world.k_all, product="x" * 100)
    assert response.status_code == 400
    assert response.json() == validation(
        "product", "max_length", "Ensure this field has no more than 64 characters."
    )
    response = get_spend(client, world.k_all, product="")
    assert response.json() == validation("product", "blank", "This field may not be blank.")


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("0", validation("limit", "min_value", "Ensure this value is greater than or equal to 1.")),
        ("-1", validation("limit", "min_value", "Ensure this value is greater than or equal to 1.")),
        ("1000", validation("limit", "max_value", "Ensure this value is less than or equal to 200.")),
        ("201", validation("limit", "max_value", "Ensure this value is less than or equal to 200.")),
        ("abc", validation("limit", "invalid_input", "A valid integer is required.")),
        ("5.5", validation("limit", "invalid_input", "A valid integer is required.")),
    ],
)
def test_case_06_invalid_limits(client, world, limit, expected):
    response = get_spend(client, world.k_all, limit=limit)
    assert response.status_code == 400
    assert response.json() == expected


@pytest.mark.parametrize("limit", ["1", "50", "200", "5.0"])
def test_case_06_valid_limits(client, world, limit):
    assert get_spend(client, world.k_all, limit=limit).status_code == 200


def test_case_07_date_from(client, world):
    response = get_spend(client, world.k_all, date_from="wibble")
    assert response.status_code == 400
    assert response.json() == validation(
        "date_from",
        "invalid_input",
        "Could not parse `wibble`. Use an ISO date (e.g. `2026-04-23`) or relative shorthand (e.g. `-7d`).",
    )
    response = get_spend(client, world.k_all, date_from="-365d")
    assert response.status_code == 400
    assert response.json() == validation(
        "date_from", "invalid_input", "Window between `date_from` and `date_to` cannot exceed 90 days."
    )
    for value in ("-1d", "-30d", "-90d", "-12w", "7d"):
        assert get_spend(client, world.k_all, date_from=value).status_code == 200, value


def test_case_08_date_to_before_date_from(client, world):
    response = get_spend(client, world.k_all, date_from="-7d", date_to="-30d")
    assert response.status_code == 400
    assert response.json() == validation("date_to", "invalid_input", "Must be later than `date_from`.")


def test_case_09_no_data(client, world):
    params, dates = window()
    assert ok(client, world, **params) == body(dates)

    default = ok(client, world)
    assert default["summary"]["product"] == PRODUCT
    assert ISO_Z.match(default["summary"]["date_from"])
    assert ISO_Z.match(default["summary"]["date_to"])
    for block in ("by_product", "by_tool", "by_model", "top_traces"):
        assert default[block] == EMPTY


def test_case_10_totals_and_scoped_totals(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=2.0),
        ai_event(cost=1.0, product="background_agents"),
        ai_event(event="$ai_embedding", cost=0.5),
    )
    params, dates = window()
    assert ok(client, world, **params) == body(
        dates,
        total=3.5,
        events=3,
        scoped=2.5,
        scoped_events=2,
        products=[(PRODUCT, 2, 2.5), ("background_agents", 1, 1.0)],
        tools=[(None, 1, 2.0, 0.8, 0.0)],
        models=[(None, 2, 2.5, 0, 0)],
    )


def test_case_11_tools_are_scoped_to_the_product(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=2.0, tools="Bash"),
        ai_event(cost=10.0, tools="Bash", product="background_agents"),
    )
    params, dates = window()
    assert ok(client, world, **params) == body(
        dates,
        total=12.0,
        events=2,
        scoped=2.0,
        scoped_events=1,
        products=[("background_agents", 1, 10.0), (PRODUCT, 1, 2.0)],
        tools=[("Bash", 1, 2.0, 1.0, 0.0)],
        models=[(None, 1, 2.0, 0, 0)],
    )


def test_case_12_no_tool_is_the_null_row(client, world):
    capture_for(world.team, world.user.email, ai_event(cost=2.0, tools="Bash"), ai_event(cost=0.5))
    tools = ok(client, world)["by_tool"]["items"]
    assert tools == [
        {
            "tool": "Bash",
            "generation_count": 1,
            "cost_usd": 2.0,
            "share_of_scoped": 0.8,
            "avg_input_tokens": 0.0,
        },
        {
            "tool": None,
            "generation_count": 1,
            "cost_usd": 0.5,
            "share_of_scoped": 0.2,
            "avg_input_tokens": 0.0,
        },
    ]


def test_case_13_multi_tool_generations_count_for_each_tool(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=2.0, tools="Bash,Read"),
        ai_event(cost=1.0, tools="Bash"),
        ai_event(cost=0.5, tools="Read"),
    )
    result = ok(client, world)
    assert result["summary"]["scoped_cost_usd"] == 3.5
    assert result["by_tool"] == {
        "items": [
            {
                "tool": "Bash",
                "generation_count": 2,
                "cost_usd": 3.0,
                "share_of_scoped": 3.0 / 3.5,
                "avg_input_tokens": 0.0,
            },
            {
                "tool": "Read",
                "generation_count": 2,
                "cost_usd": 2.5,
                "share_of_scoped": 2.5 / 3.5,
                "avg_input_tokens": 0.0,
            },
        ],
        "truncated": False,
    }


def test_case_14_share_of_scoped(client, world):
    capture_for(
        world.team, world.user.email, ai_event(cost=2.0, tools="Bash"), ai_event(cost=2.0, tools="Read")
    )
    shares = {row["tool"]: row["share_of_scoped"] for row in ok(client, world)["by_tool"]["items"]}
    assert shares == {"Bash": 0.5, "Read": 0.5}


def test_case_15_limit_truncates_every_breakdown(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=3.0, product="a"),
        ai_event(cost=2.0, product="b"),
        ai_event(cost=1.0, product="c"),
        ai_event(cost=0.3, tools="x", model="m1"),
        ai_event(cost=0.2, tools="y", model="m2"),
        ai_event(cost=0.1, tools="z", model="m3"),
    )
    params, dates = window()
    assert ok(client, world, limit="2", **params) == body(
        dates,
        total=6.6,
        events=6,
        scoped=0.6,
        scoped_events=3,
        products=[("a", 1, 3.0), ("b", 1, 2.0)],
        tools=[("x", 1, 0.3, 0.3 / 0.6, 0.0), ("y", 1, 0.2, 0.2 / 0.6, 0.0)],
        models=[("m1", 1, 0.3, 0, 0), ("m2", 1, 0.2, 0, 0)],
        truncated=(True, True, True),
    )
    assert ok(client, world, limit="4", **params)["by_product"]["truncated"] is False


def test_case_16_other_people_are_not_counted(client, world):
    capture_for(world.team, world.user.email, ai_event(cost=1.0))
    capture_for(
        world.team, "someone@example.com", ai_event("other-device", cost=999.99), distinct_id="other-device"
    )
    summary = ok(client, world)["summary"]
    assert (summary["total_cost_usd"], summary["event_count"]) == (1.0, 1)


def test_case_17_top_traces_is_always_empty(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=1.0, **{"$ai_trace_id": "t1"}),
        ai_event(event="$ai_trace", **{"$ai_trace_id": "t1"}),
    )
    assert ok(client, world)["top_traces"] == {"items": [], "truncated": False}


def test_case_18_model_tokens(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=1.0, model="X", input_tokens=100_000, output_tokens=500),
        ai_event(cost=1.0, model="X", input_tokens=100_000, output_tokens=500),
    )
    assert ok(client, world)["by_model"] == {
        "items": [
            {
                "model": "X",
                "generation_count": 2,
                "cost_usd": 2.0,
                "input_tokens": 200_000,
                "output_tokens": 1000,
            }
        ],
        "truncated": False,
    }


def test_case_19_average_input_tokens(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=1.0, tools="Bash", input_tokens=100_000),
        ai_event(cost=1.0, tools="Bash", input_tokens=100_000),
    )
    assert ok(client, world)["by_tool"]["items"] == [
        {
            "tool": "Bash",
            "generation_count": 2,
            "cost_usd": 2.0,
            "share_of_scoped": 1.0,
            "avg_input_tokens": 100000.0,
        }
    ]


def test_case_20_default_window_is_30_days(client, world):
    capture_for(world.team, world.user.email, ai_event(cost=1.0, at=ago(days=40)))
    assert ok(client, world)["summary"]["event_count"] == 0
    assert ok(client, world, date_from="-45d")["summary"]["event_count"] == 1


def test_case_21_cached_until_refresh(client, world):
    capture_for(world.team, world.user.email, ai_event(cost=1.0))
    first = get_spend(client, world.k_all)
    capture(world.team, ai_event(cost=5.0))
    again = get_spend(client, world.k_all)
    assert again.content == first.content
    refreshed = ok(client, world, refresh="true")
    assert refreshed["summary"]["total_cost_usd"] == 6.0
    # The refresh is what the cache holds now.
    assert ok(client, world)["summary"]["total_cost_usd"] == 6.0


def test_case_22_cache_is_per_parameters(client, world):
    capture_for(world.team, world.user.email, ai_event(cost=1.0))
    get_spend(client, world.k_all)
    get_spend(client, world.k_all, date_from="-7d")
    capture(world.team, ai_event(cost=5.0))
    assert ok(client, world, limit="10")["summary"]["total_cost_usd"] == 6.0
    assert ok(client, world, date_from="-8d")["summary"]["total_cost_usd"] == 6.0
    assert ok(client, world, date_from="-7d")["summary"]["total_cost_usd"] == 1.0
    assert ok(client, world)["summary"]["total_cost_usd"] == 1.0


@pytest.mark.parametrize("scopes", [["*"], ["user:read"], ["user:write"], ["dataset:read", "user:read"]])
def test_case_23_keys_with_user_read(client, world, scopes):
    assert get_spend(client, make_key(world.user, scopes)).status_code == 200


@pytest.mark.parametrize("scopes", [["insight:read"], ["llm_analytics:write"]])
def test_case_23_keys_without_user_read(client, world, scopes):
    response = get_spend(client, make_key(world.user, scopes))
    assert response.status_code == 403
    assert response.json() == missing_scope("user:read")


def test_case_24_spans_and_traces_never_count(client, world):
    capture_for(
        world.team,
        world.user.email,
        ai_event(cost=1.0),
        ai_event(event="$ai_span", cost=50.0),
        ai_event(event="$ai_trace", cost=70.0),
        ai_event(event="$pageview", cost=90.0),
    )
    summary = ok(client, world)["summary"]
    assert (summary["total_cost_usd"], summary["event_count"]) == (1.0, 1)


def test_case_25_email_set_later_matches_earlier_events(client, world):
    capture(
        world.team, ai_event("laptop", cost=1.5, at=ago(days=2)), ai_event("laptop", cost=0.5, at=ago(days=1))
    )
    assert ok(client, world, refresh="true")["summary"]["event_count"] == 0
    capture(world.team, identify("laptop", world.user.email, at=ago(minutes=1)))
    summary = ok(client, world, refresh="true")["summary"]
    assert (summary["total_cost_usd"], summary["event_count"]) == (2.0, 2)
