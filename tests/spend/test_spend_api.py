"""@me/spend beyond the numbered cases: processing order, throttles, key scoping, the internal
project, isolation, sessions and query counts."""

import pytest

from tests.api import bearer, envelope, method_not_allowed, not_found, permission_denied, validation
from tests.factories import UserFactory, make_key, make_member, make_team
from tests.spend.helpers import NO_EMAIL, SPEND_URL, ai_event, capture, capture_for, get_spend

NOT_PROVISIONED = "Internal analytics team is not provisioned on this deployment."


@pytest.fixture
def throttled(settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_SPEND_BURST = "2/minute"
    return settings


def assert_throttled(response) -> None:
    assert response.status_code == 429
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == ("throttled_error", "throttled", None)
    assert body["detail"].startswith("Request was throttled. Expected available in ")
    assert int(response["Retry-After"]) > 0


def test_burst_throttle_per_key(client, world, throttled):
    for _ in range(2):
        assert get_spend(client, world.k_all).status_code == 200
    assert_throttled(get_spend(client, world.k_all))
    # Another key has its own budget.
    assert get_spend(client, make_key(world.user, ["user:read"])).status_code == 200


@pytest.mark.parametrize(
    ("setting", "rate"), [("RATE_LIMIT_SPEND_SUSTAINED", "2/hour"), ("RATE_LIMIT_SPEND_DAILY", "2/day")]
)
def test_hourly_and_daily_throttles(client, world, settings, setting, rate):
    settings.RATE_LIMIT_ENABLED = True
    setattr(settings, setting, rate)
    for _ in range(2):
        assert get_spend(client, world.k_all).status_code == 200
    assert_throttled(get_spend(client, world.k_all))


def test_sessions_are_throttled_per_user(client, world, throttled):
    client.force_login(world.user)
    for _ in range(2):
        assert client.get(SPEND_URL, {"product": "posthog_code"}).status_code == 200
    assert_throttled(client.get(SPEND_URL, {"product": "posthog_code"}))


def test_throttles_are_off_unless_enabled(client, world, settings):
    settings.RATE_LIMIT_SPEND_BURST = "1/minute"
    for _ in range(3):
        assert get_spend(client, world.k_all).status_code == 200


def test_order_scope_then_throttle_then_email_then_parameters(client, world, throttled):
    response = get_spend(client, make_key(world.user, ["dataset:read"]))
    assert response.status_code == 403
    no_email = UserFactory(email="")
    make_member(no_email, world.org_a)
    key = make_key(no_email, ["user:read"])
    for _ in range(2):
        assert get_spend(client, key, product=None).json() == permission_denied(NO_EMAIL)
    assert_throttled(get_spend(client, key, product=None))


def test_parameters_before_the_window(client, world):
    response = get_spend(client, world.k_all, product=None, date_from="wibble", limit="0")
    assert response.json() == validation("product", "required", "This field is required.")
    response = get_spend(client, world.k_all, date_from="wibble", limit="0")
    assert response.json()["attr"] == "limit"
    response = get_spend(client, world.k_all, date_from="x" * 33)
    assert response.json() == validation(
        "date_from", "max_length", "Ensure this field has no more than 32 characters."
    )


def test_empty_and_unknown_parameters(client, world):
    # Empty optional parameters take their defaults; unknown ones are ignored.
    response = get_spend(
        client, world.k_all, date_from="", date_to="", limit="", refresh="", bucket_minutes="5"
    )
    assert response.status_code == 200
    response = get_spend(client, world.k_all, refresh="maybe")
    assert response.json() == validation("refresh", "invalid_input", "Must be a valid boolean.")


@pytest.mark.parametrize("key_kind", ["projects", "organizations"])
def test_keys_scoped_to_projects_or_organizations_may_read_their_spend(client, world, key_kind):
    capture_for(world.team, world.user.email, ai_event(cost=1.0))
    scoping = (
        {"scoped_teams": [world.team_b.id]}
        if key_kind == "projects"
        else {"scoped_organizations": [str(world.org_b.id)]}
    )
    response = get_spend(client, make_key(world.user, ["user:read"], **scoping))
    assert response.status_code == 200
    assert response.json()["summary"]["total_cost_usd"] == 1.0
    assert get_spend(client, world.k_scoped).status_code == 200


def test_the_internal_project_setting(client, world, settings):
    capture_for(world.team, world.user.email, ai_event(cost=1.0))
    capture_for(world.team2, world.user.email, ai_event(cost=7.0))
    assert get_spend(client, world.k_all).json()["summary"]["total_cost_usd"] == 1.0
    settings.LLM_ANALYTICS_INTERNAL_TEAM_ID = world.team2.id
    assert get_spend(client, world.k_all, refresh="true").json()["summary"]["total_cost_usd"] == 7.0


def test_a_missing_internal_project_is_404_after_the_cache(client, world, settings):
    capture_for(world.team, world.user.email, ai_event(cost=1.0))
    cached = get_spend(client, world.k_all)
    settings.LLM_ANALYTICS_INTERNAL_TEAM_ID = world.missing_id
    assert get_spend(client, world.k_all).content == cached.content
    response = get_spend(client, world.k_all, refresh="true")
    assert response.status_code == 404
    assert response.json() == not_found(NOT_PROVISIONED)


def test_the_lowest_project_id_is_the_default_internal_project(client, world):
    assert world.team.id < world.team2.id
    newer = make_team(world.org_a, "Newer")
    capture_for(newer, world.user.email, ai_event(cost=9.0))
    capture_for(world.team, world.user.email, ai_event(cost=1.0))
    assert get_spend(client, world.k_all).json()["summary"]["total_cost_usd"] == 1.0


def test_isolation_other_projects_and_other_people(client, world, other_member):
    capture_for(world.team, world.user.email, ai_event(cost=1.0))
    # U's email in other projects, another person's events in the internal one, unidentified events.
    capture_for(world.team2, world.user.email, ai_event(cost=100.0))
    capture_for(world.team_b, world.user.email, ai_event(cost=200.0))
    capture_for(world.team, "b@example.com", ai_event("b-device", cost=300.0), distinct_id="b-device")
    capture(world.team, ai_event("anonymous-device", cost=400.0))
    assert get_spend(client, world.k_all).json()["summary"]["total_cost_usd"] == 1.0
    # The other user sees only their own.
    assert get_spend(client, other_member[1]).json()["summary"]["total_cost_usd"] == 300.0


def test_email_match_is_exact(client, world):
    capture_for(world.team, "U@EXAMPLE.COM", ai_event(cost=5.0))
    assert get_spend(client, world.k_all).json()["summary"]["event_count"] == 0


def test_events_without_a_person_profile_never_match(client, world):
    capture_for(world.team, world.user.email, ai_event(cost=1.0))
    capture(world.team, ai_event(cost=8.0, **{"$process_person_profile": False}))
    assert get_spend(client, world.k_all).json()["summary"]["total_cost_usd"] == 1.0


def test_session_authentication(client, world):
    capture_for(world.team, world.user.email, ai_event(cost=1.0))
    client.force_login(world.user)
    response = client.get(SPEND_URL, {"product": "posthog_code"})
    assert response.status_code == 200
    assert response.json()["summary"]["total_cost_usd"] == 1.0


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_other_methods(client, world, method):
    response = getattr(client, method)(SPEND_URL, **bearer(world.k_all))
    assert response.status_code == 405
    assert response.json() == method_not_allowed(method)


def test_no_trailing_slash(client, world):
    response = client.get(SPEND_URL.rstrip("/"), {"product": "posthog_code"}, **bearer(world.k_all))
    assert response.status_code == 200


def test_query_counts(client, world, django_assert_max_num_queries):
    capture_for(
        world.team, world.user.email, *(ai_event(cost=0.1, tools="a,b", model=f"m{i % 3}") for i in range(30))
    )
    get_spend(client, world.k_all, limit="7")  # the key's last-used time is written once
    # Key lookup, internal project, one aggregate statement.
    with django_assert_max_num_queries(3):
        assert get_spend(client, world.k_all, refresh="true").status_code == 200
    with django_assert_max_num_queries(1):
        assert get_spend(client, world.k_all, limit="7").status_code == 200


def test_error_bodies_are_envelopes(client, world, settings):
    settings.LLM_ANALYTICS_INTERNAL_TEAM_ID = world.missing_id
    response = get_spend(client, world.k_all)
    assert response.json() == envelope("invalid_request", "not_found", NOT_PROVISIONED)
