"""Approving AI data processing: `PATCH /api/organizations/@current/` and the admin action."""

import pytest

from llm_server.accounts.models import Organization, OrganizationMembership
from tests.api import bearer, missing_scope, not_authenticated
from tests.assist.helpers import completion, running_stub, use_stub
from tests.factories import make_key

APPROVE = {"is_ai_data_processing_approved": True}


@pytest.fixture
def admin_member(world):
    OrganizationMembership.objects.filter(user=world.user, organization=world.org_a).update(
        level=OrganizationMembership.Level.ADMIN
    )
    return world


def test_get_current(client, world):
    response = client.get("/api/organizations/@current/", **bearer(world.k_all))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(world.org_a.id)
    assert body["name"] == "Org A"
    assert body["is_ai_data_processing_approved"] is False


def test_unauthenticated_401(client, world):
    response = client.patch("/api/organizations/@current/", APPROVE, format="json")
    assert response.status_code == 401
    assert response.json() == not_authenticated()


def test_admin_approves_then_translate_works(client, admin_member, settings):
    world = admin_member
    with running_stub() as stub:
        use_stub(settings, stub)
        stub.default = completion("Hola")
        translate = f"/api/environments/{world.t}/llm_analytics/translate/"
        assert client.post(translate, {"text": "Hi"}, format="json", **bearer(world.k_all)).status_code == 403
        response = client.patch("/api/organizations/@current", APPROVE, format="json", **bearer(world.k_all))
        assert response.status_code == 200
        assert response.json()["is_ai_data_processing_approved"] is True
        world.org_a.refresh_from_db()
        assert world.org_a.is_ai_data_processing_approved is True
        response = client.post(translate, {"text": "Hi"}, format="json", **bearer(world.k_all))
        assert response.status_code == 200


def test_revoke(client, admin_member):
    world = admin_member
    client.patch("/api/organizations/@current/", APPROVE, format="json", **bearer(world.k_all))
    response = client.patch(
        f"/api/organizations/{world.org_a.id}/",
        {"is_ai_data_processing_approved": False},
        format="json",
        **bearer(world.k_all),
    )
    assert response.status_code == 200
    assert Organization.objects.get(pk=world.org_a.pk).is_ai_data_processing_approved is False


def test_plain_member_cannot_approve(client, world):
    response = client.patch("/api/organizations/@current/", APPROVE, format="json", **bearer(world.k_all))
    assert response.status_code == 403
    assert Organization.objects.get(pk=world.org_a.pk).is_ai_data_processing_approved is False


def test_needs_organization_write_scope(client, admin_member):
    world = admin_member
    reader = make_key(world.user, ["organization:read"])
    assert client.get("/api/organizations/@current/", **bearer(reader)).status_code == 200
    response = client.patch("/api/organizations/@current/", APPROVE, format="json", **bearer(reader))
    assert response.status_code == 403
    assert response.json() == missing_scope("organization:write")
    writer = make_key(world.user, ["organization:write"])
    assert (
        client.patch("/api/organizations/@current/", APPROVE, format="json", **bearer(writer)).status_code
        == 200
    )


def test_invalid_value_400(client, admin_member):
    response = client.patch(
        "/api/organizations/@current/",
        {"is_ai_data_processing_approved": "perhaps"},
        format="json",
        **bearer(admin_member.k_all),
    )
    assert response.status_code == 400
    assert response.json()["attr"] == "is_ai_data_processing_approved"


def test_other_organization_is_404(client, world):
    for segment in (str(world.org_b.id), "not-a-uuid"):
        response = client.patch(
            f"/api/organizations/{segment}/", APPROVE, format="json", **bearer(world.k_all)
        )
        assert response.status_code == 404
    assert Organization.objects.get(pk=world.org_b.pk).is_ai_data_processing_approved is False


def test_name_is_read_only(client, admin_member):
    response = client.patch(
        "/api/organizations/@current/", {"name": "Renamed"}, format="json", **bearer(admin_member.k_all)
    )
    assert response.status_code == 200
    assert Organization.objects.get(pk=admin_member.org_a.pk).name == "Org A"


def test_put_is_405(client, world):
    response = client.put("/api/organizations/@current/", APPROVE, format="json", **bearer(world.k_all))
    assert response.status_code == 405


def test_admin_action_approves(admin_client, world):
    response = admin_client.post(
        "/admin/accounts/organization/",
        {"action": "approve_ai_data_processing", "_selected_action": [str(world.org_a.pk)]},
    )
    assert response.status_code == 302
    assert Organization.objects.get(pk=world.org_a.pk).is_ai_data_processing_approved is True
    assert Organization.objects.get(pk=world.org_b.pk).is_ai_data_processing_approved is False
