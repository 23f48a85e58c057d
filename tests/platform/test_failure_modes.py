"""Failures of dependencies and oversized input: an envelope with the right status, never a 200/500 mix-up."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from llm_server.accounts.models import Team, User
from tests.api import bearer, server_error
from tests.factories import UserFactory
from tests.platform.helpers import url

DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6399/5",  # nothing listens here
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "SOCKET_CONNECT_TIMEOUT": 0.5},
    }
}


def test_unreachable_cache_is_a_500_envelope_not_a_200(client, world, settings):
    """Redis errors carry `status_code = None`; it must not leak into the response status."""
    settings.CACHES = DEAD_REDIS
    settings.RATE_LIMIT_ENABLED = True
    response = client.get(url(world.t, "test_widgets"), **bearer(world.k_all))
    assert response.status_code == 500
    assert response.json() == server_error()


@pytest.mark.parametrize("token", ["%00", "a%00b"])
def test_nul_byte_in_project_token_is_incorrect_credentials(client, world, token):
    response = client.get(f"{url(world.t, 'test_widgets')}?token={token}", **bearer(world.k_all))
    assert response.status_code == 401
    assert response.json()["detail"] == "Incorrect authentication credentials."


def test_body_over_the_limit_is_413(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = "name=" + "x" * 2000
    response = client.post(
        url(world.t, "test_widgets"),
        body,
        content_type="application/x-www-form-urlencoded",
        **bearer(world.k_all),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert set(response.json()) == {"type", "code", "detail", "attr"}


def test_too_many_form_fields_is_400(client, world):
    body = "&".join(f"a{i}=1" for i in range(1100))
    response = client.post(
        url(world.t, "test_widgets"),
        body,
        content_type="application/x-www-form-urlencoded",
        **bearer(world.k_all),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"


def test_command_rejects_overlong_names_and_unknown_scoped_ids(db, world):
    with pytest.raises(CommandError, match="--organization must be 1 to 64 characters"):
        call_command("create_personal_api_key", email="long@example.com", organization="o" * 65)
    with pytest.raises(CommandError, match="--project must be 1 to 200 characters"):
        call_command("create_personal_api_key", email="long@example.com", project="p" * 201)
    with pytest.raises(CommandError, match=f"Unknown project id: {world.missing_id}"):
        call_command(
            "create_personal_api_key", email="long@example.com", scoped_projects=str(world.missing_id)
        )
    with pytest.raises(CommandError, match="Unknown organization id"):
        call_command(
            "create_personal_api_key",
            email="long@example.com",
            scoped_organizations="00000000-0000-0000-0000-000000000000",
        )
    assert not User.objects.filter(email="long@example.com").exists()


def test_emails_are_unique_regardless_of_case(db, world):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email=world.user.email.upper())


def test_moving_a_project_in_the_admin_moves_its_environment(client, world):
    admin = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        f"/admin/accounts/project/{world.t}/change/",
        {"organization": str(world.org_b.id), "name": "Moved"},
        format="multipart",
    )
    assert response.status_code == 302, response.content[:500]
    team = Team.objects.get(pk=world.t)
    assert (team.organization_id, team.name) == (world.org_b.id, "Moved")
    # U is not in org B: the API now refuses, as it would for any project of org B.
    client.logout()
    response = client.get(url(world.t, "test_widgets"), **bearer(world.k_all))
    assert response.status_code == 403


def test_multipart_body_over_the_limit_is_413_even_with_the_key_in_it(client, world, settings):
    """The key lookup reads multipart fields first; an oversized body is still a 413, not a 401."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        url(world.t, "test_widgets"),
        {"personal_api_key": world.k_all, "name": "x" * 2000},
        format="multipart",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
