"""Auth, scopes and project routing of the prompt routes (prompts spec §6; cases 31-35)."""

import pytest

from prompts.models import LLMPrompt
from tests.api import authentication_failed, bearer, missing_scope, not_authenticated, permission_denied
from tests.factories import make_key
from tests.prompts.helpers import WRITE_SCOPE_DENIED, history_state, prompt_not_found, seed_history


def test_case_31_read_key(api, world):
    v1 = api.create("my-prompt", "v1")
    ro = world.k_ro

    assert api.get("", key=ro).status_code == 200
    assert api.get("", key=ro).json()["count"] == 1
    assert api.get("name/my-prompt/", key=ro).status_code == 200
    assert api.get("resolve/name/my-prompt/", key=ro).status_code == 200
    assert api.get(f"{v1['id']}/", key=ro).status_code == 200

    denied = [
        api.post("", {"name": "other", "prompt": "x"}, key=ro),
        api.patch("name/my-prompt/", {"prompt": "v2", "base_version": 1}, key=ro),
        api.post("name/my-prompt/archive/", key=ro),
        api.post("name/my-prompt/duplicate/", {"new_name": "copy"}, key=ro),
        api.patch(f"{v1['id']}/", {"prompt": "v2"}, key=ro),
        api.put(f"{v1['id']}/", {"name": "my-prompt", "prompt": "v2"}, key=ro),
    ]
    for response in denied:
        assert response.status_code == 403
        assert response.json() == WRITE_SCOPE_DENIED
    assert history_state(world.team, "my-prompt") == [(1, True, False)]
    assert LLMPrompt.objects.count() == 1


def test_case_31_read_scope_is_checked(api, world):
    no_prompt_scope = make_key(world.user, ["dataset:read"])
    api.create("my-prompt")
    for path in ("", "name/my-prompt/", "resolve/name/my-prompt/"):
        response = api.get(path, key=no_prompt_scope)
        assert response.status_code == 403
        assert response.json() == missing_scope("llm_prompt:read")


@pytest.mark.parametrize("key_name", ["k_rw", "k_all"])
def test_case_31_write_and_star_keys_use_every_endpoint(api, world, key_name):
    key = getattr(world, key_name)
    response = api.post("", {"name": "full", "prompt": "v1"}, key=key)
    assert response.status_code == 201
    v1_id = response.json()["id"]
    assert api.get("", key=key).status_code == 200
    assert api.get("name/full/", key=key).status_code == 200
    assert api.patch("name/full/", {"prompt": "v2", "base_version": 1}, key=key).status_code == 200
    assert api.get("resolve/name/full/", key=key).status_code == 200
    assert api.post("name/full/duplicate/", {"new_name": "full-copy"}, key=key).status_code == 201
    assert api.get(f"{v1_id}/", key=key).status_code == 200
    latest_id = api.get("name/full/", key=key).json()["id"]
    assert api.patch(f"{latest_id}/", {"prompt": "v3"}, key=key).status_code == 200
    assert api.post("name/full/archive/", key=key).status_code == 204
    assert history_state(world.team, "full") == [(1, False, True), (2, False, True), (3, False, True)]
    assert history_state(world.team, "full-copy") == [(1, True, False)]


def test_case_32_authentication(api, world):
    api.create("my-prompt")

    response = api.get("name/my-prompt/", key="")
    assert response.status_code == 401
    assert response.json() == not_authenticated()

    for bad in (world.team.api_token, "phc_projectkey", "phx_garbage_key_that_does_not_exist"):
        response = api.get("name/my-prompt/", key=bad)
        assert response.status_code == 401
        assert response.json() == authentication_failed(
            "Personal API key found in request Authorization header is invalid."
        )

    response = api.post("", {"name": "anon", "prompt": "x"}, key="")
    assert response.status_code == 401
    assert not LLMPrompt.objects.filter(name="anon").exists()


def test_case_33_current_and_token(client, world, other_member):
    seed_history(world.team, "my-prompt", ["from T"])
    seed_history(world.team_b, "my-prompt", ["from T_B"])
    headers = bearer(world.k_rw)

    response = client.get(
        f"/api/environments/@current/llm_prompts/name/my-prompt/?token={world.team.api_token}", **headers
    )
    assert response.status_code == 200
    assert response.json()["prompt"] == "from T"

    response = client.get("/api/environments/@current/llm_prompts/name/my-prompt/", **headers)
    assert (response.status_code, response.json()["prompt"]) == (200, "from T")

    response = client.get(
        "/api/environments/@current/llm_prompts/name/my-prompt/?token=phc_unknown", **headers
    )
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"

    # The token wins over the project in the path: B's member reads B through a path naming A.
    _, b_key = other_member
    response = client.get(
        f"/api/environments/{world.t}/llm_prompts/name/my-prompt/?token={world.team_b.api_token}",
        **bearer(b_key),
    )
    assert (response.status_code, response.json()["prompt"]) == (200, "from T_B")

    # The token of T2 (same org) with a path naming T reads T2.
    seed_history(world.team2, "my-prompt", ["from T2"])
    response = client.get(
        f"/api/environments/{world.t}/llm_prompts/name/my-prompt/?api_key={world.team2.api_token}", **headers
    )
    assert (response.status_code, response.json()["prompt"]) == (200, "from T2")

    # U is not a member of B: the token binds the request to B, and access is refused.
    response = client.get(
        f"/api/environments/{world.t}/llm_prompts/name/my-prompt/?token={world.team_b.api_token}", **headers
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You don't have access to the project."


def test_case_33_token_is_ignored_on_writes(client, world):
    seed_history(world.team, "my-prompt", ["v1"])
    response = client.patch(
        f"/api/environments/{world.t}/llm_prompts/name/my-prompt/?token={world.team2.api_token}",
        {"prompt": "v2", "base_version": 1},
        format="json",
        **bearer(world.k_rw),
    )
    assert response.status_code == 200
    assert history_state(world.team, "my-prompt") == [(1, False, False), (2, True, False)]


def test_case_34_projects_prefix_is_identical(api, projects_api, world):
    created = projects_api.create("my-prompt", "v1")
    assert api.get("name/my-prompt/").json() == projects_api.get("name/my-prompt/").json()
    assert api.get().json()["results"] == projects_api.get().json()["results"]

    published = projects_api.publish("my-prompt", "v2", 1)
    assert published["version"] == 2
    stale = projects_api.patch("name/my-prompt/", {"prompt": "x", "base_version": 1})
    assert (stale.status_code, stale.json()["current_version"]) == (409, 2)
    assert projects_api.get("resolve/name/my-prompt/").json() == api.get("resolve/name/my-prompt/").json()
    assert projects_api.get(f"{created['id']}/").json() == api.get(f"{created['id']}/").json()
    assert projects_api.get("name/nope/").json() == prompt_not_found("nope")
    assert projects_api.post("name/my-prompt/archive/").status_code == 204
    assert history_state(world.team, "my-prompt") == [(1, False, True), (2, False, True)]


def test_case_34_trailing_slash_is_optional(api, world):
    created = api.create("my-prompt", "v1")
    no_slash = api.client.get(f"{api.base}/name/my-prompt", **bearer(world.k_rw))
    assert no_slash.status_code == 200
    assert no_slash.json() == api.get("name/my-prompt/").json()

    response = api.client.post(
        api.base, {"name": "other", "prompt": "x"}, format="json", **bearer(world.k_rw)
    )
    assert response.status_code == 201
    assert api.client.get(api.base, **bearer(world.k_rw)).json()["count"] == 2
    response = api.client.patch(
        f"{api.base}/name/my-prompt", {"prompt": "v2", "base_version": 1}, format="json", **bearer(world.k_rw)
    )
    assert response.status_code == 200
    assert api.client.get(f"{api.base}/resolve/name/my-prompt", **bearer(world.k_rw)).status_code == 200
    assert api.client.get(f"{api.base}/{created['id']}", **bearer(world.k_rw)).status_code == 200
    assert api.client.post(f"{api.base}/name/other/archive", **bearer(world.k_rw)).status_code == 204


def test_case_35_cross_team_isolation(api, client, world, other_member):
    seed_history(world.team_b, "b-only", ["secret"])

    response = api.get("name/b-only/")
    assert (response.status_code, response.json()) == (404, prompt_not_found("b-only"))

    response = client.get(
        f"/api/environments/{world.team_b.id}/llm_prompts/name/b-only/", **bearer(world.k_rw)
    )
    assert response.status_code == 403
    assert response.json() == permission_denied("You don't have access to the project.")
    response = client.post(
        f"/api/environments/{world.team_b.id}/llm_prompts/",
        {"name": "x", "prompt": "y"},
        format="json",
        **bearer(world.k_rw),
    )
    assert response.status_code == 403

    response = client.get(f"/api/environments/{world.missing_id}/llm_prompts/", **bearer(world.k_rw))
    assert response.status_code == 404
    assert response.json()["detail"] == "Project not found."
    assert not LLMPrompt.objects.filter(team=world.team_b, name="x").exists()


def test_scoped_key_only_reaches_its_project(client, world):
    seed_history(world.team, "in-t", ["x"])
    seed_history(world.team2, "in-t2", ["y"])
    response = client.get(f"/api/environments/{world.t}/llm_prompts/name/in-t/", **bearer(world.k_scoped))
    assert response.status_code == 403
    assert (
        response.json()["detail"] == f"API key does not have access to the requested project: ID {world.t}."
    )
    response = client.get(
        f"/api/environments/{world.team2.id}/llm_prompts/name/in-t2/", **bearer(world.k_scoped)
    )
    assert response.status_code == 200
