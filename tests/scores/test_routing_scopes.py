"""Methods, scopes, projects and prefixes of every scorer route."""

import pytest

from scores.models import ScoreDefinition
from tests.api import (
    bearer,
    method_not_allowed,
    not_authenticated,
    not_found,
    permission_denied,
)
from tests.factories import make_key
from tests.scores.helpers import (
    GOOD_BAD,
    PASS_FAIL,
    READ_DENIED,
    RESOURCE,
    WRITE_DENIED,
    definition_json,
    make_definition,
    scores_api,
    versions_of,
)

UNSUPPORTED = permission_denied("This action does not support personal API key access")


def test_case_67_delete_and_put(scorers, quality, world, client):
    before = definition_json(quality)

    response = scorers.delete(f"{quality.id}/", key=world.k_all)
    assert response.status_code == 403
    assert response.json() == UNSUPPORTED

    response = scorers.put(f"{quality.id}/", {"name": "x", "kind": "boolean", "config": {}})
    assert response.status_code == 405
    assert response.json() == method_not_allowed("PUT")

    client.force_login(world.user)
    response = client.delete(scorers.url(f"{quality.id}/"))
    assert response.status_code == 405
    assert response.json() == method_not_allowed("DELETE")
    response = client.put(scorers.url(f"{quality.id}/"), {"name": "x"}, format="json")
    assert response.status_code == 405
    assert response.json() == method_not_allowed("PUT")

    assert definition_json(quality) == before
    assert ScoreDefinition.objects.count() == 1


def test_put_with_a_read_only_key_is_a_scope_error(scorers, quality, world):
    response = scorers.put(f"{quality.id}/", {"name": "x"}, key=world.k_ro)
    assert response.status_code == 403
    assert response.json() == WRITE_DENIED


@pytest.mark.parametrize("key_name", ["k_all", "k_rw", "k_ro"])
def test_delete_is_never_granted_to_keys(scorers, quality, world, key_name):
    response = scorers.delete(f"{quality.id}/", key=getattr(world, key_name))
    assert response.status_code == 403
    assert response.json() == UNSUPPORTED
    assert ScoreDefinition.objects.filter(pk=quality.pk).exists()


def test_unmapped_methods_on_the_list_and_new_version_routes(scorers, quality, world):
    assert scorers.delete("", key=world.k_all).json() == UNSUPPORTED
    response = scorers.client.patch(scorers.url(), {}, format="json", **bearer(world.k_rw))
    assert response.status_code == 405
    assert response.json() == method_not_allowed("PATCH")
    response = scorers.get(f"{quality.id}/new_version/")
    assert response.status_code == 405
    assert response.json() == method_not_allowed("GET")
    assert scorers.get(f"{quality.id}/new_version/", key=world.k_ro).json() == WRITE_DENIED


def test_read_key_reads_but_cannot_write(scorers, quality, world):
    read = scores_api(scorers.client, world.t, world.k_ro)
    assert read.get("").status_code == 200
    assert read.get(f"{quality.id}/").status_code == 200
    assert read.client.head(read.url(f"{quality.id}/"), **bearer(world.k_ro)).status_code == 200

    for response in (
        read.post("", {"name": "New", "kind": "boolean", "config": {}}),
        read.patch(f"{quality.id}/", {"name": "Renamed"}),
        read.new_version(quality.id, {"config": PASS_FAIL}),
    ):
        assert response.status_code == 403
        assert response.json() == WRITE_DENIED
    assert ScoreDefinition.objects.count() == 1
    assert ScoreDefinition.objects.get().name == "Quality"
    assert versions_of(quality) == [(1, GOOD_BAD)]


def test_write_key_reads_too(scorers, quality):
    assert scorers.get("").status_code == 200
    assert scorers.get(f"{quality.id}/").status_code == 200


def test_keys_without_the_scope_object(scorers, quality, world):
    other = make_key(world.user, ["dataset:write", "llm_prompt:write"])
    assert scorers.get("", key=other).json() == READ_DENIED
    assert scorers.get(f"{quality.id}/", key=other).json() == READ_DENIED
    assert scorers.post("", {"name": "x", "kind": "boolean", "config": {}}, key=other).json() == WRITE_DENIED
    assert scorers.new_version(quality.id, {"config": PASS_FAIL}, key=other).json() == WRITE_DENIED


def test_no_or_bad_credentials(scorers, quality):
    response = scorers.get("", key="")
    assert response.status_code == 401
    assert response.json() == not_authenticated()
    assert scorers.post("", {"name": "x"}, key="phx_not_a_key").status_code == 401
    assert scorers.new_version(quality.id, {"config": PASS_FAIL}, key="").status_code == 401


def test_another_projects_scorer_is_not_found(scorers, world):
    theirs = make_definition(world.team_b, "Theirs")
    sibling = make_definition(world.team2, "Sibling")
    for definition in (theirs, sibling):
        before = definition_json(definition)
        assert scorers.get(f"{definition.id}/").json() == not_found()
        assert scorers.patch(f"{definition.id}/", {"name": "mine"}).json() == not_found()
        assert scorers.new_version(definition.id, {"config": PASS_FAIL}).json() == not_found()
        assert definition_json(definition) == before
        assert versions_of(definition) == [(1, GOOD_BAD)]


def test_another_organizations_project_is_forbidden(client, world, other_member):
    theirs = make_definition(world.team_b, "Theirs")
    api = scores_api(client, world.team_b.id, world.k_all)
    denied = permission_denied("You don't have access to the project.")
    assert api.get("").json() == denied
    assert api.get(f"{theirs.id}/").json() == denied
    assert api.post("", {"name": "x", "kind": "boolean", "config": {}}).json() == denied
    assert api.patch(f"{theirs.id}/", {"name": "x"}).json() == denied
    assert api.new_version(theirs.id, {"config": PASS_FAIL}).json() == denied
    assert versions_of(theirs) == [(1, GOOD_BAD)]
    # Its own members see it.
    assert scores_api(client, world.team_b.id, other_member[1]).get(f"{theirs.id}/").status_code == 200


def test_unknown_project(client, world):
    api = scores_api(client, world.missing_id, world.k_all)
    assert api.get("").json() == not_found("Project not found.")


def test_key_scoped_to_another_project(scorers, quality, world):
    response = scorers.get("", key=world.k_scoped)
    assert response.status_code == 403
    assert response.json() == permission_denied(
        f"API key does not have access to the requested project: ID {world.t}."
    )


@pytest.mark.parametrize("write_prefix", ["projects", "environments"])
def test_both_prefixes_and_current(client, world, write_prefix):
    writer = scores_api(client, world.t, world.k_rw, prefix=write_prefix)
    created = writer.create(name="Quality", kind="categorical", config=GOOD_BAD)
    bodies = []
    for prefix in ("projects", "environments"):
        for project in (world.t, "@current"):
            api = scores_api(client, project, world.k_rw, prefix=prefix)
            assert api.get(f"{created['id']}/").json() == created
            bodies.append(api.get("").json())
            response = api.new_version(created["id"], {"config": GOOD_BAD})
            assert response.status_code == 200
            created = response.json()
            response = api.patch(f"{created['id']}/", {"description": f"{prefix} {project}"})
            assert response.status_code == 200
            created = response.json()
    assert created["current_version"] == 5
    assert [body["count"] for body in bodies] == [1, 1, 1, 1]


def test_trailing_slash_is_optional(client, world, quality):
    base = f"/api/environments/{world.t}/{RESOURCE}"
    headers = bearer(world.k_rw)
    assert client.get(base, **headers).status_code == 200
    assert client.get(f"{base}/{quality.id}", **headers).status_code == 200
    response = client.post(
        f"{base}/{quality.id}/new_version", {"config": PASS_FAIL}, format="json", **headers
    )
    assert response.status_code == 200
    response = client.patch(f"{base}/{quality.id}", {"name": "No slash"}, format="json", **headers)
    assert response.status_code == 200
    response = client.post(base, {"name": "x", "kind": "boolean", "config": {}}, format="json", **headers)
    assert response.status_code == 201


def test_environments_prefix_points_at_projects(scorers, quality):
    response = scorers.get(f"{quality.id}/")
    assert response["Deprecation"] == "true"
    assert "/api/projects/" in response["Link"]


def test_allow_header_lists_the_allowed_methods(scorers, quality):
    response = scorers.get(f"{quality.id}/")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH", "HEAD", "OPTIONS"}
    response = scorers.get("")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST", "HEAD", "OPTIONS"}


def test_session_login_needs_no_scopes(client, world, quality):
    client.force_login(world.user)
    api = scores_api(client, world.t, "")
    assert api.get(f"{quality.id}/").status_code == 200
    response = api.new_version(quality.id, {"config": PASS_FAIL})
    assert response.status_code == 200, response.content
    assert response.json()["current_version"] == 2
