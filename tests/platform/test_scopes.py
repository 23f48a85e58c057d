"""Scopes and permission errors (platform spec §2, cases 9-14, 33, 34, 50)."""

from tests.api import bearer, envelope, not_found, permission_denied
from tests.factories import make_key
from tests.fixtures_app.models import Widget
from tests.platform.helpers import NOPUT_WIDGETS, make_widgets, url

UNSUPPORTED = "This action does not support personal API key access"
ME = "/api/test_me/"  # a test stand-in for un-nested identity endpoints (scope object `user`)


def test_case_09_read_only_key_lists(client, world):
    make_widgets(world.team, 2)
    response = client.get(url(world.t), **bearer(world.k_ro))
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 2
    assert [w["name"] for w in body["results"]] == ["w0", "w1"]


def test_case_10_read_only_key_cannot_create(client, world):
    response = client.post(url(world.t), {"name": "nope"}, format="json", **bearer(world.k_ro))
    assert response.status_code == 403
    assert response.json() == envelope(
        "authentication_error", "permission_denied", "API key missing required scope 'dataset:write'"
    )
    assert not Widget.objects.exists()


def test_case_11_write_implies_read(client, world):
    make_widgets(world.team, 1)
    response = client.get(url(world.t), **bearer(world.k_rw))
    assert response.status_code == 200
    assert response.json()["count"] == 1
    widget_id = response.json()["results"][0]["id"]
    assert client.get(url(world.t, object_id=widget_id), **bearer(world.k_rw)).status_code == 200


def test_case_12_scope_of_another_object_does_not_help(client, world):
    key = make_key(world.user, ["dataset:read"])
    response = client.get(url(world.t, "llm_prompts", prefix="environments"), **bearer(key))
    assert response.status_code == 403
    assert response.json() == permission_denied("API key missing required scope 'llm_prompt:read'")


def test_case_12_read_never_grants_write(client, world):
    key = make_key(world.user, ["llm_prompt:read"])
    response = client.post(
        url(world.t, "llm_prompts", prefix="environments"),
        {"name": "p", "prompt": "hi"},
        format="json",
        **bearer(key),
    )
    assert response.status_code == 403
    assert response.json() == permission_denied("API key missing required scope 'llm_prompt:write'")


def test_case_13_key_scoped_to_other_project(client, world):
    response = client.get(url(world.t), **bearer(world.k_scoped))
    assert response.status_code == 403
    assert response.json() == permission_denied(
        f"API key does not have access to the requested project: ID {world.t}."
    )
    # The project it is scoped to works, on both prefixes.
    assert client.get(url(world.team2.id), **bearer(world.k_scoped)).status_code == 200
    assert client.get(url(world.team2.id, prefix="environments"), **bearer(world.k_scoped)).status_code == 200


def test_case_13_scoped_key_on_missing_project_is_404(client, world):
    response = client.get(url(world.missing_id), **bearer(world.k_scoped))
    assert response.status_code == 404
    assert response.json() == not_found("Project not found.")


def test_case_14_project_of_another_organization(client, world):
    make_widgets(world.team_b, 1)
    response = client.get(url(world.team_b.id), **bearer(world.k_all))
    assert response.status_code == 403
    assert response.json() == permission_denied("You don't have access to the project.")
    response = client.post(url(world.team_b.id), {"name": "x"}, format="json", **bearer(world.k_all))
    assert response.status_code == 403
    assert response.json() == permission_denied("You don't have access to the project.")
    assert Widget.objects.count() == 1


def test_case_14_session_user_not_member(client, world):
    client.force_login(world.user)
    response = client.get(url(world.team_b.id))
    assert response.status_code == 403
    assert response.json() == permission_denied("You don't have access to the project.")


def test_case_33_put_not_allowed_405(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.put(
        url(world.t, NOPUT_WIDGETS, widget.id, prefix="environments"),
        {"name": "renamed"},
        format="json",
        **bearer(world.k_rw),
    )
    assert response.status_code == 405
    assert response.json() == envelope("invalid_request", "method_not_allowed", 'Method "PUT" not allowed.')
    widget.refresh_from_db()
    assert widget.name == "w0"
    # PATCH (the allowed update method) works.
    response = client.patch(
        url(world.t, NOPUT_WIDGETS, widget.id, prefix="environments"),
        {"name": "renamed"},
        format="json",
        **bearer(world.k_rw),
    )
    assert response.status_code == 200
    widget.refresh_from_db()
    assert widget.name == "renamed"


def test_case_33_put_with_read_only_key_is_403(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.put(
        url(world.t, NOPUT_WIDGETS, widget.id), {"name": "x"}, format="json", **bearer(world.k_ro)
    )
    assert response.status_code == 403
    assert response.json() == permission_denied("API key missing required scope 'llm_analytics:write'")


def test_case_34_delete_without_delete_action_is_403_for_keys(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.delete(
        url(world.t, NOPUT_WIDGETS, widget.id, prefix="environments"), **bearer(world.k_all)
    )
    assert response.status_code == 403
    assert response.json() == permission_denied(UNSUPPORTED)
    assert Widget.objects.filter(pk=widget.pk, deleted=False).exists()


def test_case_34_same_delete_with_session_is_405(client, world):
    widget = make_widgets(world.team, 1)[0]
    client.force_login(world.user)
    response = client.delete(url(world.t, NOPUT_WIDGETS, widget.id))
    assert response.status_code == 405
    assert response.json() == envelope(
        "invalid_request", "method_not_allowed", 'Method "DELETE" not allowed.'
    )
    assert Widget.objects.filter(pk=widget.pk, deleted=False).exists()


def test_unmapped_method_on_list_route_is_403_for_keys(client, world):
    response = client.put(url(world.t), {"name": "x"}, format="json", **bearer(world.k_all))
    assert response.status_code == 403
    assert response.json() == permission_denied(UNSUPPORTED)


def test_case_50_stand_in_user_scope_on_non_project_endpoint(client, world):
    """The part of case 50 that exists now: an un-nested `user`-scoped endpoint like `@me/spend`."""
    response = client.get(ME, **bearer(world.k_rw))
    assert response.status_code == 403
    assert response.json() == permission_denied("API key missing required scope 'user:read'")
    assert client.get(ME, **bearer(make_key(world.user, ["user:read"]))).json() == {"email": world.user.email}
    assert client.get(ME, **bearer(world.k_all)).status_code == 200
    assert client.get(ME).status_code == 401


def test_scoped_projects_key_on_non_project_endpoint(client, world):
    response = client.get(ME, **bearer(world.k_scoped))
    assert response.status_code == 403
    assert response.json() == permission_denied(
        "API keys with scoped projects are only supported on project-based endpoints."
    )


def test_scoped_organizations_key_on_non_project_endpoint_is_exempt(client, world):
    key = make_key(world.user, ["user:read"], scoped_organizations=[str(world.org_b.id)])
    assert client.get(ME, **bearer(key)).status_code == 200


def test_scoped_organizations_other_org_403(client, world):
    key = make_key(world.user, ["*"], scoped_organizations=[str(world.org_b.id)])
    response = client.get(url(world.t), **bearer(key))
    assert response.status_code == 403
    assert response.json() == permission_denied(
        f"API key does not have access to the requested organization: ID {world.org_a.id}."
    )


def test_scoped_organizations_own_org_allowed(client, world):
    key = make_key(world.user, ["dataset:read"], scoped_organizations=[str(world.org_a.id)])
    assert client.get(url(world.t), **bearer(key)).status_code == 200
    assert client.get(url(world.team2.id), **bearer(key)).status_code == 200


def test_scoped_teams_checked_before_scopes(client, world):
    """§2.3 order: the project scoping error wins over a missing scope."""
    key = make_key(world.user, ["llm_prompt:read"], scoped_teams=[world.team2.id])
    response = client.get(url(world.t), **bearer(key))
    assert response.status_code == 403
    assert (
        response.json()["detail"] == f"API key does not have access to the requested project: ID {world.t}."
    )


def test_missing_scope_checked_before_membership(client, world):
    """§2.3 order: scopes (step 5) come before project membership (step 6)."""
    key = make_key(world.user, ["llm_prompt:read"])
    response = client.get(url(world.team_b.id), **bearer(key))
    assert response.status_code == 403
    assert response.json()["detail"] == "API key missing required scope 'dataset:read'"


def test_options_needs_read_scope(client, world):
    assert client.options(url(world.t), **bearer(world.k_ro)).status_code == 200
    key = make_key(world.user, ["llm_prompt:read"])
    response = client.options(url(world.t), **bearer(key))
    assert response.status_code == 403
    assert response.json() == permission_denied("API key missing required scope 'dataset:read'")


def test_write_key_can_patch_and_read_key_cannot(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.patch(
        url(world.t, object_id=widget.id), {"name": "ro"}, format="json", **bearer(world.k_ro)
    )
    assert response.status_code == 403
    assert response.json() == permission_denied("API key missing required scope 'dataset:write'")
    response = client.patch(
        url(world.t, object_id=widget.id), {"name": "rw"}, format="json", **bearer(world.k_rw)
    )
    assert response.status_code == 200
    widget.refresh_from_db()
    assert widget.name == "rw"


def test_patch_on_list_url_needs_write(client, world):
    """§2.2 rule 3: a PATCH on a list URL is a write; with the scope, dispatch answers 405."""
    response = client.patch(url(world.t), {"name": "x"}, format="json", **bearer(world.k_ro))
    assert response.status_code == 403
    assert response.json() == permission_denied("API key missing required scope 'dataset:write'")
    response = client.patch(url(world.t), {"name": "x"}, format="json", **bearer(world.k_rw))
    assert response.status_code == 405
    assert response.json() == envelope("invalid_request", "method_not_allowed", 'Method "PATCH" not allowed.')
    assert not Widget.objects.exists()


def test_unmapped_method_on_detail_route_is_403_even_for_star_keys(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.post(
        url(world.t, object_id=widget.id), {"name": "x"}, format="json", **bearer(world.k_all)
    )
    assert response.status_code == 403
    assert response.json() == permission_denied(UNSUPPORTED)
