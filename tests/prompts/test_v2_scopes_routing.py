"""Scopes, prefixes and routing of the v2 diff and compile routes and of the v2 read parameters
(prompts v2 spec §10; cases 84, 85)."""

import pytest

from tests.api import bearer, method_not_allowed, missing_scope, not_authenticated, permission_denied
from tests.factories import make_key
from tests.prompts.helpers import WRITE_SCOPE_DENIED, Api, prompt_not_found
from tests.prompts.v2_helpers import (
    compile_prompt,
    diff,
    no_prompt_scope_key,
    publish,
    read_key,
    row_count,
    write_key,
)

READ_SCOPE_DENIED = missing_scope("llm_prompt:read")
DIFF_QUERY = {"from": 1, "to": 2}


def _two_versions(api, name: str = "p"):
    api.create(name, "Hi {{name}}\nline")
    publish(api, name, 1, prompt="Hello {{name}}\nline")


def test_case_84_read_key_on_diff_and_compile(api, world):
    _two_versions(api)
    k_r = read_key(world)

    response = diff(api, "p", key=k_r, **DIFF_QUERY)
    assert response.status_code == 200, response.content
    assert response.json()["stats"] == {"additions": 1, "deletions": 1}

    response = compile_prompt(api, "p", {"variables": {"name": "Ada"}}, key=k_r)
    assert response.status_code == 200, response.content
    assert response.json()["text"] == "Hello Ada\nline"
    assert row_count() == 2

    # K_r still cannot write.
    response = api.patch("name/p/", {"prompt": "v3", "base_version": 2}, key=k_r)
    assert response.status_code == 403
    assert response.json() == WRITE_SCOPE_DENIED


@pytest.mark.parametrize("key_name", ["k_ro", "k_rw", "k_all", "k_w"])
def test_case_84_every_prompt_key_reads_diff_and_compile(api, world, key_name):
    _two_versions(api)
    key = write_key(world) if key_name == "k_w" else getattr(world, key_name)
    assert diff(api, "p", key=key, **DIFF_QUERY).status_code == 200
    assert compile_prompt(api, "p", {}, key=key).status_code == 200


def test_case_84_no_prompt_scope(api, world):
    _two_versions(api)
    key = no_prompt_scope_key(world)
    for response in (
        diff(api, "p", key=key, **DIFF_QUERY),
        compile_prompt(api, "p", {"variables": {"name": "x"}}, key=key),
        api.get("", {"content": "none"}, key=key),
        api.get("name/p/", {"content": "preview"}, key=key),
    ):
        assert response.status_code == 403
        assert response.json() == READ_SCOPE_DENIED


def test_case_84_scope_checked_before_validation(api, world):
    key = no_prompt_scope_key(world)
    response = diff(api, "unknown", key=key, **{"from": "abc"})
    assert response.status_code == 403
    assert response.json() == READ_SCOPE_DENIED
    response = compile_prompt(api, "unknown", {"version": "abc"}, key=key)
    assert response.status_code == 403
    assert response.json() == READ_SCOPE_DENIED


def test_case_84_no_credentials(api, world):
    _two_versions(api)
    for response in (
        diff(api, "p", key="", **DIFF_QUERY),
        compile_prompt(api, "p", {}, key=""),
        api.get("", {"content": "preview", "order_by": "prompt_size_bytes"}, key=""),
    ):
        assert response.status_code == 401
        assert response.json() == not_authenticated()


def test_case_85_projects_prefix_is_identical(api, projects_api, world):
    _two_versions(api)
    env_diff = diff(api, "p", **DIFF_QUERY)
    proj_diff = diff(projects_api, "p", **DIFF_QUERY)
    assert (proj_diff.status_code, env_diff.status_code) == (200, 200)
    assert proj_diff.json() == env_diff.json()

    body = {"variables": {"name": "Ada"}, "version": 1}
    env_compile = compile_prompt(api, "p", body)
    proj_compile = compile_prompt(projects_api, "p", body)
    assert (proj_compile.status_code, env_compile.status_code) == (200, 200)
    assert (
        proj_compile.json()
        == env_compile.json()
        == {
            "name": "p",
            "version": 1,
            "label": None,
            "text": "Hi Ada\nline",
        }
    )

    # Errors are the same too.
    assert diff(projects_api, "nope", **DIFF_QUERY).json() == prompt_not_found("nope")
    assert compile_prompt(projects_api, "nope", {}).json() == prompt_not_found("nope")
    assert diff(projects_api, "p", to=1).json() == diff(api, "p", to=1).json()


def test_case_85_trailing_slash_is_optional(api, world):
    _two_versions(api)
    headers = bearer(world.k_rw)
    response = api.client.get(f"{api.base}/name/p/diff", DIFF_QUERY, **headers)
    assert response.status_code == 200
    assert response.json() == diff(api, "p", **DIFF_QUERY).json()
    response = api.client.post(f"{api.base}/name/p/compile", {"version": 2}, format="json", **headers)
    assert response.status_code == 200
    assert response.json()["text"] == "Hello {{name}}\nline"


def test_case_85_current_and_token(api, client, world):
    _two_versions(api)
    headers = bearer(world.k_rw)
    response = client.get("/api/environments/@current/llm_prompts/name/p/diff/", DIFF_QUERY, **headers)
    assert response.status_code == 200
    assert response.json()["name"] == "p"
    response = client.post(
        "/api/projects/@current/llm_prompts/name/p/compile/",
        {"variables": {"name": "x"}},
        format="json",
        **headers,
    )
    assert response.status_code == 200
    assert response.json()["text"] == "Hello x\nline"

    # ?token= binds a GET to the token's project.
    other = Api(client=client, base=f"/api/environments/{world.team2.id}/llm_prompts", key=world.k_all)
    other.create("p", "T2 one")
    publish(other, "p", 1, prompt="T2 two")
    response = client.get(
        f"/api/environments/{world.t}/llm_prompts/name/p/diff/",
        {**DIFF_QUERY, "token": world.team2.api_token},
        **headers,
    )
    assert response.status_code == 200
    assert response.json()["diff"] == "--- p@v1\n+++ p@v2\n@@ -1 +1 @@\n-T2 one\n+T2 two"


def test_case_85_other_project_and_organization(api, client, world):
    other = Api(client=client, base=f"/api/environments/{world.team2.id}/llm_prompts", key=world.k_all)
    other.create("t2-only", "x")
    response = diff(api, "t2-only", key=world.k_all, **{"from": 1, "to": 1})
    assert (response.status_code, response.json()) == (404, prompt_not_found("t2-only"))

    foreign = Api(client=client, base=f"/api/environments/{world.team_b.id}/llm_prompts", key=world.k_all)
    denied = permission_denied("You don't have access to the project.")
    response = diff(foreign, "x", **{"from": 1, "to": 1})
    assert (response.status_code, response.json()) == (403, denied)
    response = compile_prompt(foreign, "x", {})
    assert (response.status_code, response.json()) == (403, denied)


def test_case_85_project_scoped_key(api, world):
    _two_versions(api)
    # k_scoped is limited to T2.
    response = diff(api, "p", key=world.k_scoped, **DIFF_QUERY)
    assert response.status_code == 403
    assert response.json() == permission_denied(
        f"API key does not have access to the requested project: ID {world.t}."
    )
    response = compile_prompt(api, "p", {}, key=world.k_scoped)
    assert response.status_code == 403


def test_case_85_methods(api, world):
    _two_versions(api)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(api, method)("name/p/diff/?from=1&to=2")
        assert response.status_code == 405, method
        assert response.json() == method_not_allowed(method)
    for method in ("get", "put", "patch", "delete"):
        response = getattr(api, method)("name/p/compile/")
        assert response.status_code == 405, method
        assert response.json() == method_not_allowed(method)
    assert row_count() == 2


def test_case_85_read_key_gets_405_not_403_on_compile_get(api, world):
    _two_versions(api)
    response = api.get("name/p/compile/", key=make_key(world.user, ["llm_prompt:read"]))
    assert response.status_code == 405
