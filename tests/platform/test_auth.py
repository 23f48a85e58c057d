"""Personal API key authentication (platform spec §1, cases 1-8 and 51)."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from llm_server.accounts.models import PersonalAPIKey, mask_key_value
from tests.api import authentication_failed, bearer, not_authenticated
from tests.factories import UserFactory, make_key, make_member
from tests.fixtures_app.models import Widget
from tests.platform.helpers import form, url

KEY_PATTERN = re.compile(r"^phx_[2-9A-HJ-NP-Za-km-z]{48,49}$")


def key_record(raw: str) -> PersonalAPIKey:
    return PersonalAPIKey.objects.get(secure_value="sha256$" + hashlib.sha256(raw.encode()).hexdigest())


# ---- the numbered cases ---------------------------------------------------------------------------


def test_case_01_no_credentials_401(client, world):
    response = client.get(url(world.t))
    assert response.status_code == 401
    assert response.json() == not_authenticated()
    assert response["Content-Type"] == "application/json"


def test_case_02_unknown_key_in_header_401(client, world):
    response = client.get(url(world.t), **bearer("phx_doesnotexist"))
    assert response.status_code == 401
    assert response.json() == authentication_failed(
        "Personal API key found in request Authorization header is invalid."
    )


def test_case_03_unknown_key_in_query_string_401(client, world):
    response = client.get(url(world.t), {"personal_api_key": "phx_bogus"})
    assert response.status_code == 401
    assert response.json() == authentication_failed(
        "Personal API key found in request query string is invalid."
    )


def test_case_04_unknown_key_in_body_401(client, world):
    response = client.post(url(world.t), {"personal_api_key": "phx_bad", "name": "x"}, format="json")
    assert response.status_code == 401
    assert response.json() == authentication_failed("Personal API key found in request body is invalid.")
    assert not Widget.objects.exists()


def test_case_04_unknown_key_in_form_body_401(client, world):
    response = client.post(url(world.t), **form({"personal_api_key": "phx_bad", "name": "x"}))
    assert response.status_code == 401
    assert response.json()["detail"] == "Personal API key found in request body is invalid."


def test_case_06_valid_key_in_form_body_on_create(client, world):
    response = client.post(url(world.t), **form({"personal_api_key": world.k_all, "name": "form"}))
    assert response.status_code == 201, response.content
    assert Widget.objects.get().name == "form"


def test_case_05_valid_key_in_query_string(client, world):
    response = client.get(url(world.t), {"personal_api_key": world.k_all})
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_case_06_valid_key_in_body_on_create(client, world):
    response = client.post(url(world.t), {"personal_api_key": world.k_all, "name": "body"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "body"
    assert "personal_api_key" not in body
    widget = Widget.objects.get()
    assert str(widget.id) == body["id"]
    assert widget.team_id == world.t
    assert widget.created_by_id == world.user.id


def test_case_07_header_wins_no_fallback(client, world):
    response = client.get(url(world.t), {"personal_api_key": world.k_all}, **bearer("phx_doesnotexist"))
    assert response.status_code == 401
    assert response.json() == authentication_failed(
        "Personal API key found in request Authorization header is invalid."
    )


def test_case_07_body_wins_over_query(client, world):
    response = client.post(
        f"{url(world.t)}?personal_api_key={world.k_all}",
        {"personal_api_key": "phx_bad", "name": "x"},
        format="json",
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Personal API key found in request body is invalid."
    assert not Widget.objects.exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer phx_doesnotexist"},
        {"QUERY_STRING": "personal_api_key=phx_bogus"},
    ],
    ids=["no-credentials", "bad-header", "bad-query"],
)
def test_case_08_401_has_www_authenticate(client, world, kwargs):
    response = client.get(url(world.t), **kwargs)
    assert response.status_code == 401
    assert response.has_header("WWW-Authenticate")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_case_51_key_of_deactivated_user_401(client, world):
    assert client.get(url(world.t), **bearer(world.k_all)).status_code == 200
    world.user.is_active = False
    world.user.save(update_fields=["is_active"])
    response = client.get(url(world.t), **bearer(world.k_all))
    assert response.status_code == 401
    assert response.json() == authentication_failed(
        "Personal API key found in request Authorization header is invalid."
    )
    assert response.has_header("WWW-Authenticate")


# ---- beyond the numbered cases --------------------------------------------------------------------


def test_key_of_inactive_user_rejected_in_every_location(client, world):
    world.user.is_active = False
    world.user.save(update_fields=["is_active"])
    response = client.get(url(world.t), {"personal_api_key": world.k_all})
    assert response.status_code == 401
    assert response.json()["detail"] == "Personal API key found in request query string is invalid."
    response = client.post(url(world.t), {"personal_api_key": world.k_all, "name": "x"}, format="json")
    assert response.status_code == 401
    assert response.json()["detail"] == "Personal API key found in request body is invalid."
    assert not Widget.objects.exists()


def test_lowercase_bearer_scheme_accepted(client, world):
    response = client.get(url(world.t), HTTP_AUTHORIZATION=f"bearer {world.k_all}")
    assert response.status_code == 200
    response = client.get(url(world.t), HTTP_AUTHORIZATION=f"BEARER {world.k_all}")
    assert response.status_code == 200


def test_oauth_access_token_in_header_is_skipped(client, world):
    response = client.get(url(world.t), **bearer("pha_someoauthaccesstoken"))
    assert response.status_code == 401
    assert response.json() == not_authenticated()
    # Skipped, so the next location is tried.
    response = client.get(
        url(world.t), {"personal_api_key": world.k_all}, **bearer("pha_someoauthaccesstoken")
    )
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["Token {key}", "Basic {key}", "Bearer x", "Bearer"])
def test_other_schemes_are_no_key_in_header(client, world, header):
    response = client.get(url(world.t), HTTP_AUTHORIZATION=header.format(key=world.k_all))
    assert response.status_code == 401
    assert response.json() == not_authenticated()
    response = client.get(
        url(world.t), {"personal_api_key": world.k_all}, HTTP_AUTHORIZATION=header.format(key=world.k_all)
    )
    assert response.status_code == 200


def test_key_format_and_storage_only_hash(world):
    raw = world.k_all
    assert KEY_PATTERN.match(raw), raw
    record = key_record(raw)
    assert record.secure_value == "sha256$" + hashlib.sha256(raw.encode()).hexdigest()
    assert re.fullmatch(r"sha256\$[0-9a-f]{64}", record.secure_value)
    for field in record._meta.concrete_fields:
        assert raw not in str(getattr(record, field.attname)), field.name
    assert not PersonalAPIKey.objects.filter(secure_value=raw).exists()


def test_mask_value_format(world):
    raw = world.k_all
    record = key_record(raw)
    assert record.mask_value == f"{raw[:4]}...{raw[-4:]}"
    assert record.mask_value.startswith("phx_...")
    assert len(record.mask_value) == 11
    assert mask_key_value("short_key") == "********"
    assert mask_key_value("x" * 15) == "********"
    assert mask_key_value("abcdefghijklmnop") == "abcd...mnop"


def test_last_used_at_set_on_first_use_then_hour_granularity(client, world):
    record = key_record(world.k_ro)
    assert record.last_used_at is None

    before = timezone.now()
    assert client.get(url(world.t), **bearer(world.k_ro)).status_code == 200
    record.refresh_from_db()
    first = record.last_used_at
    assert first is not None and first >= before

    # Within the hour: not written again.
    assert client.get(url(world.t), **bearer(world.k_ro)).status_code == 200
    record.refresh_from_db()
    assert record.last_used_at == first

    # 59 minutes old: still not refreshed.
    almost = timezone.now() - timedelta(minutes=59)
    PersonalAPIKey.objects.filter(pk=record.pk).update(last_used_at=almost)
    assert client.get(url(world.t), **bearer(world.k_ro)).status_code == 200
    record.refresh_from_db()
    assert record.last_used_at == almost

    # Older than an hour: refreshed.
    stale = timezone.now() - timedelta(hours=2)
    PersonalAPIKey.objects.filter(pk=record.pk).update(last_used_at=stale)
    before = timezone.now()
    assert client.get(url(world.t), **bearer(world.k_ro)).status_code == 200
    record.refresh_from_db()
    assert record.last_used_at >= before


def test_last_used_at_untouched_by_invalid_key_and_other_keys(client, world):
    assert client.get(url(world.t), **bearer(world.k_all)).status_code == 200
    assert key_record(world.k_all).last_used_at is not None
    assert key_record(world.k_ro).last_used_at is None
    assert key_record(world.k_rw).last_used_at is None


def test_session_auth_works_without_scopes(client, world):
    client.force_login(world.user)
    response = client.post(url(world.t), {"name": "sess"}, format="json")
    assert response.status_code == 201
    assert Widget.objects.get().created_by_id == world.user.id


def test_second_user_key_sees_own_membership(client, world):
    """Keys authenticate their own user: a member of org A only can't use org B's project."""
    user = UserFactory()
    make_member(user, world.org_a)
    key = make_key(user, ["dataset:read"])
    assert client.get(url(world.t), **bearer(key)).status_code == 200
    assert client.get(url(world.team_b.id), **bearer(key)).status_code == 403


def test_key_and_token_in_a_multipart_body(client, world):
    """A multipart body is a form body too: its `personal_api_key` (and `token`) count."""
    response = client.post(
        f"/api/projects/{world.missing_id}/test_widgets/",
        {"personal_api_key": world.k_all, "token": world.team.api_token, "name": "multi"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert Widget.objects.filter(team=world.team, name="multi").exists()
    response = client.post(
        f"/api/projects/{world.t}/test_widgets/",
        {"personal_api_key": "phx_bad", "name": "x"},
        format="multipart",
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Personal API key found in request body is invalid."
