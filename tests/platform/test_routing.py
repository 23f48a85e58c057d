"""Project routing (platform spec §3, §5; cases 15-22, 48, 49)."""

import pytest

from tests.api import authentication_failed, bearer, not_authenticated, not_found, permission_denied
from tests.factories import UserFactory, make_key, make_member
from tests.fixtures_app.models import Widget
from tests.platform.helpers import SOFT_WIDGETS, form, make_widgets, url

ENDPOINT_NOT_FOUND = not_found("Endpoint not found.")
PROJECT_NOT_FOUND = not_found("Project not found.")


def test_case_15_unknown_project_id(client, world):
    response = client.get(url(world.missing_id), **bearer(world.k_all))
    assert response.status_code == 404
    assert response.json() == PROJECT_NOT_FOUND


@pytest.mark.parametrize("segment", ["abc", "1.5", "-1", "0", "99999999999999999999999", "@me"])
def test_case_16_non_integer_project_id(client, world, segment):
    response = client.get(url(segment), **bearer(world.k_all))
    assert response.status_code == 404
    assert response.json() == PROJECT_NOT_FOUND


def test_case_17_current_project(client, world):
    make_widgets(world.team, 2)
    make_widgets(world.team2, 1)
    current = client.get(url("@current"), **bearer(world.k_all))
    explicit = client.get(url(world.t), **bearer(world.k_all))
    assert current.status_code == 200
    assert current.json()["count"] == 2
    assert current.json()["results"] == explicit.json()["results"]
    env = client.get(url("@current", prefix="environments"), **bearer(world.k_all))
    assert env.json()["results"] == explicit.json()["results"]


def test_case_17_current_project_create_lands_in_current_team(client, world):
    response = client.post(url("@current"), {"name": "cur"}, format="json", **bearer(world.k_all))
    assert response.status_code == 201
    assert Widget.objects.get(pk=response.json()["id"]).team_id == world.t


def test_case_17_current_falls_back_to_first_team_of_current_org(client, world):
    world.user.current_team = None
    world.user.save(update_fields=["current_team"])
    make_widgets(world.team, 1)
    response = client.get(url("@current"), **bearer(world.k_all))
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_current_without_any_team_is_404(client, world):
    user = UserFactory()
    key = make_key(user, ["*"])
    assert user.current_team_id is None and user.current_organization_id is None
    response = client.get(url("@current"), **bearer(key))
    assert response.status_code == 404
    assert response.json() == PROJECT_NOT_FOUND


def test_current_unauthenticated_is_401(client, world):
    response = client.get(url("@current"))
    assert response.status_code == 401
    assert response.json() == not_authenticated()


def test_unauthenticated_missing_project_is_401_not_404(client, world):
    for segment in (world.missing_id, "abc"):
        response = client.get(url(segment))
        assert response.status_code == 401
        assert response.json() == not_authenticated()


def test_bad_key_on_missing_project_is_401(client, world):
    response = client.get(url(world.missing_id), **bearer("phx_nope"))
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_case_18_both_prefixes_identical(client, world):
    make_widgets(world.team, 3)
    projects = client.get(url(world.t), **bearer(world.k_all))
    environments = client.get(url(world.t, prefix="environments"), **bearer(world.k_all))
    assert projects.status_code == environments.status_code == 200
    assert projects.json()["results"] == environments.json()["results"]
    assert projects.json()["count"] == environments.json()["count"] == 3


def test_case_18_object_created_via_one_prefix_visible_via_other(client, world):
    created = client.post(
        url(world.t, prefix="environments"), {"name": "env"}, format="json", **bearer(world.k_all)
    )
    assert created.status_code == 201
    wid = created.json()["id"]
    fetched = client.get(url(world.t, object_id=wid), **bearer(world.k_all))
    assert fetched.status_code == 200
    assert fetched.json() == created.json()

    created = client.post(url(world.t), {"name": "proj"}, format="json", **bearer(world.k_all))
    wid = created.json()["id"]
    fetched = client.get(url(world.t, object_id=wid, prefix="environments"), **bearer(world.k_all))
    assert fetched.json() == created.json()
    assert Widget.objects.filter(team=world.team).count() == 2


def test_case_19_trailing_slash_optional(client, world):
    widget = make_widgets(world.team, 1)[0]
    for path in (f"/api/projects/{world.t}/test_widgets", f"/api/environments/{world.t}/test_widgets"):
        response = client.get(path, **bearer(world.k_all))
        assert response.status_code == 200, path
        assert response.json()["count"] == 1
    response = client.get(f"/api/projects/{world.t}/test_widgets/{widget.id}", **bearer(world.k_all))
    assert response.status_code == 200
    assert response.json()["id"] == str(widget.id)
    # POST without the slash is not redirected (the body would be lost).
    response = client.post(
        f"/api/projects/{world.t}/test_widgets", {"name": "noslash"}, format="json", **bearer(world.k_all)
    )
    assert response.status_code == 201
    assert Widget.objects.filter(name="noslash").exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/{t}/no_such_resource/",
        "/api/projects/{t}/no_such_resource",
        "/api/environments/{t}/no_such_resource/",
        "/api/no_such_thing/",
        "/api/",
        "/api",
    ],
)
def test_case_20_unknown_endpoint(client, world, path):
    path = path.format(t=world.t)
    response = client.get(path, **bearer(world.k_all))
    assert response.status_code == 404
    assert response.json() == ENDPOINT_NOT_FOUND
    # No authentication needed to learn that.
    anonymous = client.get(path)
    assert anonymous.status_code == 404
    assert anonymous.json() == ENDPOINT_NOT_FOUND
    post = client.post(path, {"a": 1}, format="json")
    assert post.status_code == 404
    assert post.json() == ENDPOINT_NOT_FOUND


def test_case_21_object_of_other_team_is_404(client, world, other_member):
    _, key_b = other_member
    created = client.post(url(world.team_b.id), {"name": "theirs"}, format="json", **bearer(key_b))
    assert created.status_code == 201
    wid = created.json()["id"]
    response = client.get(url(world.t, object_id=wid), **bearer(world.k_all))
    assert response.status_code == 404
    assert response.json() == not_found()
    response = client.patch(
        url(world.t, object_id=wid), {"name": "mine"}, format="json", **bearer(world.k_all)
    )
    assert response.status_code == 404
    assert response.json() == not_found()
    response = client.delete(url(world.t, SOFT_WIDGETS, wid), **bearer(world.k_all))
    assert response.status_code == 404
    assert Widget.objects.get(pk=wid).name == "theirs"
    assert not Widget.objects.get(pk=wid).deleted
    # Also invisible in the list, and the same object in another team of the same org is 404 too.
    assert client.get(url(world.t), **bearer(world.k_all)).json()["count"] == 0
    assert client.get(url(world.team2.id, object_id=wid), **bearer(world.k_all)).status_code == 404


@pytest.mark.parametrize("object_id", ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g"])
def test_case_22_malformed_object_id(client, world, object_id):
    response = client.get(url(world.t, object_id=object_id), **bearer(world.k_all))
    assert response.status_code == 404
    assert response.json() == not_found()


def test_unknown_uuid_object_is_404(client, world):
    response = client.get(
        url(world.t, object_id="0190e0c2-6a1b-7000-8b5e-0c6e7d1d2f11"), **bearer(world.k_all)
    )
    assert response.status_code == 404
    assert response.json() == not_found()


def test_case_48_project_token_overrides_url(client, world):
    make_widgets(world.team, 2)
    make_widgets(world.team2, 1)
    response = client.get(url(world.missing_id), {"token": world.team.api_token}, **bearer(world.k_all))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {w["name"] for w in body["results"]} == {"w0", "w1"}
    # Also overrides an existing id, and `api_key` is an alias.
    response = client.get(url(world.team2.id), {"api_key": world.team.api_token}, **bearer(world.k_all))
    assert response.json()["count"] == 2


def test_case_48_token_does_not_authenticate_alone(client, world):
    response = client.get(url(world.t), {"token": world.team.api_token})
    assert response.status_code == 401
    assert response.json() == not_authenticated()


def test_case_48_token_of_foreign_team_needs_membership(client, world):
    response = client.get(url(world.t), {"token": world.team_b.api_token}, **bearer(world.k_all))
    assert response.status_code == 403
    assert response.json() == permission_denied("You don't have access to the project.")


def test_case_48_token_in_form_body_on_post(client, world):
    response = client.post(
        url(world.missing_id), **form({"token": world.team.api_token, "name": "form"}), **bearer(world.k_all)
    )
    assert response.status_code == 201, response.content
    assert Widget.objects.get(name="form").team_id == world.t


def test_case_48_token_in_json_body_is_ignored(client, world):
    response = client.post(
        url(world.missing_id),
        {"token": world.team.api_token, "name": "json"},
        format="json",
        **bearer(world.k_all),
    )
    assert response.status_code == 404
    assert response.json() == PROJECT_NOT_FOUND
    assert not Widget.objects.exists()


def test_case_49_unknown_project_token_401(client, world):
    make_widgets(world.team, 1)
    response = client.get(url(world.t), {"token": "phc_bogus"}, **bearer(world.k_all))
    assert response.status_code == 401
    assert response.json() == authentication_failed("Incorrect authentication credentials.")


def test_allow_header_on_responses(client, world):
    response = client.get(url(world.t), **bearer(world.k_all))
    assert response.status_code == 200
    assert set(response["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_member_of_second_org_uses_both(client, world, other_member):
    user = UserFactory()
    make_member(user, world.org_a)
    make_member(user, world.org_b)
    key = make_key(user, ["dataset:read"])
    assert client.get(url(world.t), **bearer(key)).status_code == 200
    assert client.get(url(world.team_b.id), **bearer(key)).status_code == 200


def test_case_48_query_token_only_on_get(client, world):
    response = client.post(
        f"{url(world.missing_id)}?token={world.team.api_token}",
        {"name": "q"},
        format="json",
        **bearer(world.k_all),
    )
    assert response.status_code == 404
    assert response.json() == PROJECT_NOT_FOUND
    assert not Widget.objects.exists()


@pytest.mark.parametrize("segment", ["+{t}", "%20{t}", "{t}.0", "\uff11", "-{t}"])
def test_project_id_must_be_ascii_digits(client, world, segment):
    response = client.get(f"/api/projects/{segment.format(t=world.t)}/llm_prompts/", **bearer(world.k_all))
    assert response.status_code == 404
    assert response.json()["detail"] == "Project not found."


def test_environments_prefix_points_to_its_projects_successor(client, world):
    response = client.get(f"/api/environments/{world.t}/test_widgets/?limit=5", **bearer(world.k_all))
    assert response.status_code == 200
    assert response["Deprecation"] == "true"
    assert response["Link"] == f'</api/projects/{world.t}/test_widgets/?limit=5>; rel="successor-version"'
    response = client.get(f"/api/projects/{world.t}/test_widgets/", **bearer(world.k_all))
    assert "Deprecation" not in response.headers and "Link" not in response.headers
