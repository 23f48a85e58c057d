"""The auth cache (llm_server.auth_cache): a warm request reads no account rows, and every change to
keys, users, memberships, projects or organizations is seen by the very next request."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from llm_server.accounts import services
from llm_server.accounts.models import (
    Organization,
    OrganizationMembership,
    PersonalAPIKey,
    Team,
    User,
    hash_key_value,
)
from llm_server.ids import generate_project_api_token
from tests.api import bearer
from tests.assist.helpers import completion, running_stub, use_stub
from tests.factories import UserFactory, make_key, make_member

PROMPT = "cached-prompt"
ACCOUNT_QUERY = re.compile(r'^(SELECT .*? FROM|UPDATE|INSERT INTO|DELETE FROM) "accounts_')


@pytest.fixture
def prompt_world(client, world):
    response = client.post(
        f"/api/projects/{world.t}/llm_prompts/",
        {"name": PROMPT, "prompt": "Hi"},
        format="json",
        **bearer(world.k_all),
    )
    assert response.status_code == 201, response.content
    return world


def by_id(world) -> str:
    return f"/api/projects/{world.t}/llm_prompts/name/{PROMPT}/"


def by_token(team: Team) -> str:
    return f"/api/environments/@current/llm_prompts/name/{PROMPT}/?token={team.api_token}"


def key_row(raw: str) -> PersonalAPIKey:
    return PersonalAPIKey.objects.get(secure_value=hash_key_value(raw))


def account_queries(captured) -> list[str]:
    """Queries on account tables (the prompt query itself only joins them)."""
    return [query["sql"] for query in captured if ACCOUNT_QUERY.match(query["sql"])]


def get(client, path: str, key: str):
    return client.get(path, **bearer(key))


# ---- warm requests ------------------------------------------------------------------------------


@pytest.mark.parametrize("path_of", [by_id, lambda world: by_token(world.team)], ids=["project-id", "token"])
def test_warm_prompt_get_reads_no_account_rows(client, prompt_world, path_of, django_assert_max_num_queries):
    world = prompt_world
    path = path_of(world)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert get(client, path, world.k_all).status_code == 200
    assert len(account_queries(cold)) >= 2  # key, then project with membership
    with CaptureQueriesContext(connection) as warm:
        response = get(client, path, world.k_all)
    assert response.status_code == 200
    assert response.json()["prompt"] == "Hi"
    assert account_queries(warm) == []
    with django_assert_max_num_queries(len(cold) - 2):
        assert get(client, path, world.k_all).status_code == 200


def test_cache_disabled_reads_account_rows_every_time(client, prompt_world, settings):
    settings.AUTH_CACHE_SECONDS = 0
    world = prompt_world
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert get(client, by_id(world), world.k_all).status_code == 200
        assert len(account_queries(captured)) >= 2
    # Changes apply as before, with nothing cached.
    key_row(world.k_all).delete()
    assert get(client, by_id(world), world.k_all).status_code == 401


def test_cleared_cache_gives_the_same_answers(client, prompt_world, other_member):
    world = prompt_world
    requests = [
        (by_id(world), world.k_all),
        (by_token(world.team), world.k_all),
        (f"/api/projects/{world.team_b.id}/llm_prompts/name/{PROMPT}/", world.k_all),  # not a member
        (by_id(world), world.k_scoped),  # scoped to t2
        (by_id(world), other_member[1]),
        (by_id(world), "phx_not_a_key"),
        (f"/api/projects/{world.missing_id}/llm_prompts/name/{PROMPT}/", world.k_all),
    ]

    def answers() -> list[tuple[int, bytes]]:
        return [(r.status_code, r.content) for r in (get(client, p, k) for p, k in requests)]

    cold = answers()
    assert [status for status, _ in cold] == [200, 200, 403, 403, 403, 401, 404]
    assert answers() == cold  # warm
    cache.clear()
    assert answers() == cold


# ---- changes seen by the very next request ------------------------------------------------------


def warm(client, world, path=None, key=None) -> None:
    path, key = path or by_id(world), key or world.k_all
    for _ in range(2):
        assert get(client, path, key).status_code == 200


def test_deleted_key_401(client, prompt_world):
    warm(client, prompt_world)
    key_row(prompt_world.k_all).delete()
    assert get(client, by_id(prompt_world), prompt_world.k_all).status_code == 401


def test_key_deleted_with_its_user_401(client, prompt_world):
    user = UserFactory()
    make_member(user, prompt_world.org_a)
    key = make_key(user, ["*"])
    warm(client, prompt_world, key=key)
    user.delete()
    assert get(client, by_id(prompt_world), key).status_code == 401


@pytest.mark.parametrize("write", ["save", "update"])
def test_scopes_changed(client, prompt_world, write):
    warm(client, prompt_world)
    if write == "save":
        key = key_row(prompt_world.k_all)
        key.scopes = ["dataset:read"]
        key.save()
    else:
        PersonalAPIKey.objects.filter(secure_value=hash_key_value(prompt_world.k_all)).update(
            scopes=["dataset:read"]
        )
    response = get(client, by_id(prompt_world), prompt_world.k_all)
    assert response.status_code == 403
    assert response.json()["detail"] == "API key missing required scope 'llm_prompt:read'"


def test_scoped_teams_changed(client, prompt_world):
    world = prompt_world
    warm(client, world)
    key = key_row(world.k_all)
    key.scoped_teams = [world.team2.id]
    key.save()
    response = get(client, by_id(world), world.k_all)
    assert response.status_code == 403
    assert (
        response.json()["detail"] == f"API key does not have access to the requested project: ID {world.t}."
    )
    key.scoped_teams = [world.t]
    key.save()
    assert get(client, by_id(world), world.k_all).status_code == 200


@pytest.mark.parametrize("path_of", [by_id, lambda world: by_token(world.team)], ids=["project-id", "token"])
def test_membership_removed_then_added(client, prompt_world, path_of):
    world = prompt_world
    path = path_of(world)
    warm(client, world, path)
    OrganizationMembership.objects.filter(user=world.user, organization=world.org_a).delete()
    response = get(client, path, world.k_all)
    assert response.status_code == 403
    assert response.json()["detail"] == "You don't have access to the project."
    services.add_member(user=world.user, organization=world.org_a)
    assert get(client, path, world.k_all).status_code == 200


@pytest.mark.parametrize("write", ["save", "update"])
def test_user_deactivated(client, prompt_world, write):
    world = prompt_world
    warm(client, world)
    if write == "save":
        world.user.is_active = False
        world.user.save(update_fields=["is_active"])
    else:
        User.objects.filter(pk=world.user.pk).update(is_active=False)
    assert get(client, by_id(world), world.k_all).status_code == 401


def test_current_project_changed(client, prompt_world):
    world = prompt_world
    current = f"/api/environments/@current/llm_prompts/name/{PROMPT}/"
    warm(client, world, current)
    world.user.current_team = world.team2
    world.user.save(update_fields=["current_team"])
    response = get(client, current, world.k_all)
    assert response.status_code == 404  # the prompt is in T, not T2


def test_project_token_rotated(client, prompt_world):
    world = prompt_world
    old = by_token(world.team)
    warm(client, world, old)
    team = Team.objects.get(pk=world.t)
    team.api_token = generate_project_api_token()
    team.save(update_fields=["api_token"])
    assert get(client, old, world.k_all).status_code == 401
    assert get(client, by_token(team), world.k_all).status_code == 200


def test_project_deleted(client, prompt_world):
    world = prompt_world
    warm(client, world)
    Team.objects.filter(pk=world.t).delete()
    assert get(client, by_id(world), world.k_all).status_code == 404


def test_ai_approval_flipped_by_the_organization_patch(client, world, settings):
    OrganizationMembership.objects.filter(user=world.user, organization=world.org_a).update(
        level=OrganizationMembership.Level.ADMIN
    )
    translate = f"/api/environments/{world.t}/llm_analytics/translate/"
    with running_stub() as stub:
        use_stub(settings, stub)
        stub.default = completion("Hola")
        for _ in range(2):
            response = client.post(translate, {"text": "Hi"}, format="json", **bearer(world.k_all))
            assert response.status_code == 403
        approve = {"is_ai_data_processing_approved": True}
        response = client.patch("/api/organizations/@current/", approve, format="json", **bearer(world.k_all))
        assert response.status_code == 200
        response = client.post(translate, {"text": "Hi"}, format="json", **bearer(world.k_all))
        assert response.status_code == 200
        services.set_ai_data_processing_approved(organization_ids=[world.org_a.pk], approved=False)
        response = client.post(translate, {"text": "Hi"}, format="json", **bearer(world.k_all))
        assert response.status_code == 403
        Organization.objects.filter(pk=world.org_a.pk).update(is_ai_data_processing_approved=True)
        response = client.post(translate, {"text": "Hi"}, format="json", **bearer(world.k_all))
        assert response.status_code == 200


def test_other_users_writes_keep_the_callers_entries(client, prompt_world):
    world = prompt_world
    warm(client, world)
    newcomer = UserFactory()
    make_member(newcomer, world.org_a)
    make_key(newcomer, ["*"])
    with CaptureQueriesContext(connection) as captured:
        assert get(client, by_id(world), world.k_all).status_code == 200
    assert account_queries(captured) == []


# ---- last_used_at -------------------------------------------------------------------------------


def test_cached_key_records_use_once_an_hour(client, prompt_world, monkeypatch):
    world = prompt_world
    warm(client, world, key=world.k_ro)
    first = key_row(world.k_ro).last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as captured:
        assert get(client, by_id(world), world.k_ro).status_code == 200
    assert account_queries(captured) == []  # neither read nor written

    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with CaptureQueriesContext(connection) as captured:
        assert get(client, by_id(world), world.k_ro).status_code == 200
    writes = [sql for sql in account_queries(captured) if sql.startswith("UPDATE")]
    assert len(writes) == 1
    assert key_row(world.k_ro).last_used_at == later
    # Written once: the entry is read again once, then neither read nor written that hour.
    assert get(client, by_id(world), world.k_ro).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert get(client, by_id(world), world.k_ro).status_code == 200
    assert account_queries(captured) == []
