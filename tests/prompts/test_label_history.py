"""Label history: `GET P/name/{n}/labels/{label}/history/`, the label's move log, newest first."""

from datetime import datetime

import pytest

from tests.api import bearer, method_not_allowed, missing_scope, not_authenticated, user_json
from tests.factories import make_key
from tests.prompts.helpers import prompt_not_found
from tests.prompts.label_helpers import (
    MOVE_KEYS,
    LabelApi,
    assert_chain,
    bad_charset,
    label_not_found,
    label_rows,
    move_count,
    reserved,
)


@pytest.fixture
def p(two_versions):
    return two_versions


def pairs(results: list[dict]) -> list[tuple[int | None, int | None]]:
    return [(item["from_version"], item["to_version"]) for item in results]


def test_case_35_history_newest_first(api, world, p):
    assert api.set_label("p", "production", 1).status_code == 201
    assert api.set_label("p", "production", 2).status_code == 200
    assert api.set_label("p", "production", 2).status_code == 200
    assert api.set_label("p", "production", 1).status_code == 200
    assert api.remove_label("p", "production").status_code == 204

    response = api.history("p", "production")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], body["next"], body["previous"]) == (4, None, None)
    results = body["results"]
    assert pairs(results) == [(1, None), (2, 1), (1, 2), (None, 1)]
    for item in results:
        assert set(item) == MOVE_KEYS
        assert item["label"] == "production"
        assert item["moved_by"]["email"] == world.user.email
        assert item["moved_by"] == user_json(world.user)
        assert item["moved_at"].endswith("Z")
    moved_at = [datetime.fromisoformat(item["moved_at"].replace("Z", "+00:00")) for item in results]
    assert moved_at == sorted(moved_at, reverse=True)
    assert len({item["id"] for item in results}) == 4
    assert move_count(world.team, "p", "production") == 4


def test_case_35_history_ids_are_stable(api, p):
    api.label("p", "production", 1)
    first = api.history("p", "production").json()["results"]
    api.label("p", "production", 2)
    second = api.history("p", "production").json()["results"]
    assert second[1] == first[0]
    assert pairs(second) == [(1, 2), (None, 1)]


def test_removed_label_keeps_its_history(api, world, p):
    api.label("p", "production", 2)
    assert api.remove_label("p", "production").status_code == 204
    assert label_rows(world.team, "p") == {}

    response = api.history("p", "production")

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert pairs(results) == [(2, None), (None, 2)]
    assert results[0]["to_version"] is None

    # Set again: the history carries on from the removal.
    assert api.set_label("p", "production", 1).status_code == 201
    assert api.moves("p", "production") == [(None, 2), (2, None), (None, 1)]


def test_history_is_per_label(api, p):
    api.label("p", "production", 1)
    api.label("p", "staging", 2)
    api.label("p", "staging", 1)

    assert api.moves("p", "production") == [(None, 1)]
    assert api.moves("p", "staging") == [(None, 2), (2, 1)]
    assert {item["label"] for item in api.history("p", "staging").json()["results"]} == {"staging"}


def test_history_is_per_prompt(api, p):
    api.create("q", "q1")
    api.label("p", "production", 1)
    api.label("q", "production", 1)
    api.label("q", "production", 1)

    assert api.moves("p", "production") == [(None, 1)]
    assert api.moves("q", "production") == [(None, 1)]


def test_publish_is_not_logged(api, p):
    api.label("p", "production", 2)
    api.publish("p", "v3 text", 2)
    assert api.moves("p", "production") == [(None, 2)]


def test_case_36_history_pagination(api, p):
    for version in (1, 2, 1, 2, 1):
        api.label("p", "production", version)
    everything = api.history("p", "production").json()["results"]
    assert pairs(everything) == [(2, 1), (1, 2), (2, 1), (1, 2), (None, 1)]

    page = api.history("p", "production", limit=2)
    assert page.status_code == 200
    body = page.json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["results"] == everything[:2]
    assert body["next"].endswith("offset=2")
    assert body["previous"] is None

    middle = api.history("p", "production", limit=2, offset=2).json()
    assert middle["results"] == everything[2:4]
    assert middle["previous"] is not None

    last = api.history("p", "production", limit=2, offset=4).json()
    assert last["count"] == 5
    assert len(last["results"]) == 1
    assert last["results"] == everything[4:]
    assert last["next"] is None

    past = api.history("p", "production", offset=10).json()
    assert (past["count"], past["results"]) == (5, [])


def test_case_37_history_errors(api, p):
    response = api.history("nope", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("nope"))

    response = api.history("p", "production")
    assert (response.status_code, response.json()) == (404, label_not_found("production", "p"))

    response = api.history("p", "Bad")
    assert (response.status_code, response.json()) == (400, bad_charset("label_name"))
    response = api.history("nope", "Bad")
    assert (response.status_code, response.json()) == (400, bad_charset("label_name"))

    for spelling in ("latest", "LATEST"):
        response = api.history("p", spelling)
        assert (response.status_code, response.json()) == (400, reserved("label_name"))

    api.create("gone", "x")
    api.label("gone", "production", 1)
    assert api.post("name/gone/archive/").status_code == 204
    response = api.history("gone", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("gone"))


def test_history_other_methods(api, p):
    api.label("p", "production", 1)
    path = "name/p/labels/production/history/"
    response = api.post(path, {})
    assert (response.status_code, response.json()) == (405, method_not_allowed("POST"))
    response = api.delete(path)
    assert (response.status_code, response.json()) == (405, method_not_allowed("DELETE"))
    response = api.put(path, {"version": 1})
    assert (response.status_code, response.json()) == (405, method_not_allowed("PUT"))
    assert api.moves("p", "production") == [(None, 1)]


def test_case_38_rollback(api, world, p):
    api.label("p", "production", 2)
    v1 = api.get("name/p/", {"version": 1}).json()

    response = api.set_label("p", "production", 1)
    assert response.status_code == 200

    body = api.fetch("p", "production").json()
    assert (body["id"], body["prompt"], body["version"]) == (v1["id"], "v1 text", 1)
    assert body["created_at"] == v1["created_at"]
    assert body["updated_at"] == v1["updated_at"]
    newest = api.history("p", "production").json()["results"][0]
    assert (newest["from_version"], newest["to_version"]) == (2, 1)
    assert_chain(api.moves("p", "production"), 1)


def test_case_84_history_scopes(api, world, p):
    api.label("p", "production", 1)
    k_r = make_key(world.user, ["llm_prompt:read"])
    no_scope = make_key(world.user, ["dataset:read"])

    response = api.history("p", "production", key=k_r)
    assert response.status_code == 200
    assert response.json() == api.history("p", "production").json()
    response = api.history("p", "production", key=world.k_ro)
    assert response.status_code == 200

    response = api.history("p", "production", key=no_scope)
    assert (response.status_code, response.json()) == (403, missing_scope("llm_prompt:read"))

    response = api.history("p", "production", key="")
    assert (response.status_code, response.json()) == (401, not_authenticated())


def test_case_85_history_under_both_prefixes(api, client, world, p):
    api.label("p", "production", 1)
    api.label("p", "production", 2)
    projects = LabelApi(client=client, base=f"/api/projects/{world.t}/llm_prompts", key=world.k_all)

    environments = api.history("p", "production")
    under_projects = projects.history("p", "production")
    assert under_projects.status_code == 200
    assert under_projects.json() == environments.json()
    assert (
        projects.history("p", "production", limit=1).json()["results"] == environments.json()["results"][:1]
    )
    response = client.get(
        "/api/environments/@current/llm_prompts/name/p/labels/production/history/", **bearer(world.k_all)
    )
    assert response.json() == environments.json()
    response = projects.history("nope", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("nope"))


def test_history_follows_a_legacy_rename_and_dies_with_an_archive(api, world, p):
    api.label("p", "production", 1)
    api.label("p", "production", 2)
    v2_id = api.get("name/p/").json()["id"]

    assert api.patch(f"{v2_id}/", {"name": "q"}).status_code == 200
    assert api.moves("q", "production") == [(None, 1), (1, 2)]
    response = api.history("p", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("p"))

    assert api.post("name/q/archive/").status_code == 204
    assert move_count(world.team, "q") == 0
    api.create("q", "fresh")
    response = api.history("q", "production")
    assert (response.status_code, response.json()) == (404, label_not_found("production", "q"))


def test_history_paging_falls_back_like_the_list(api, p):
    for version in (1, 2, 1):
        api.label("p", "production", version)
    everything = api.history("p", "production").json()
    assert everything["count"] == 3

    for params in ({"limit": "abc"}, {"limit": 0}, {"limit": -1}, {"offset": "abc"}, {"offset": -2}):
        response = api.history("p", "production", **params)
        assert response.status_code == 200, (params, response.content)
        assert response.json()["results"] == everything["results"], params

    page = api.history("p", "production", limit=1).json()
    assert page["next"].startswith("http")
    assert "/name/p/labels/production/history/" in page["next"]
