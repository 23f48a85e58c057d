"""Cached, conditional reads of prompts by name: the warm path's queries, ETag and 304, and that
every write (publish, archive, rename, duplicate) is seen by the very next read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prompts.models import LLMPrompt
from tests.api import bearer, clear_caches
from tests.prompts.helpers import active, expected_row, prompt_not_found, seed_history


def conditional(api, path: str, etag: str, data: dict | None = None):
    return api.client.get(api.url(path), data, HTTP_IF_NONE_MATCH=etag, **bearer(api.key))


def prompt_queries(captured) -> list[str]:
    """The queries of the prompt tables (authentication's are counted elsewhere)."""
    return [q["sql"] for q in captured.captured_queries if "llmprompt" in q["sql"]]


def warm_get(api, path: str, data: dict | None = None):
    for _ in range(2):  # the first reads fill the payload cache (and the key's last-used write)
        api.get(path, data)
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, data)
    assert response.status_code == 200, response.content
    return response, captured


@pytest.mark.parametrize("data", [None, {"version": 1}])
def test_warm_get_by_name_is_one_prompt_query(api, world, data, django_assert_max_num_queries):
    seed_history(world.team, "p", ["v1", "v2"], world.user)
    _, captured = warm_get(api, "name/p/", data)
    assert len(prompt_queries(captured)) == 1
    # Whatever authentication needs on top (it has its own cache) stays small.
    with django_assert_max_num_queries(4):
        api.get("name/p/", data)


def test_sdk_route_with_token_is_cached_and_tagged(client, world):
    seed_history(world.team, "p", ["v1"], world.user)
    url = f"/api/environments/@current/llm_prompts/name/p/?token={world.team.api_token}"
    first = client.get(url, **bearer(world.k_ro))
    second = client.get(url, **bearer(world.k_ro))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert first["ETag"].startswith('"') and first["ETag"].endswith('"')


def test_cached_body_is_the_exact_body(api, world):
    rows = seed_history(world.team, "p", ["v1", {"role": "system", "content": "v2"}], world.user)
    expected = expected_row(
        rows[1], latest_version=2, version_count=2, first_version_created_at=rows[0].created_at, public=True
    )
    assert api.get("name/p/").json() == expected  # cold
    assert api.get("name/p/").json() == expected  # warm
    old = api.get("name/p/", {"version": 1}).json()
    assert old == expected_row(
        rows[0],
        latest_version=2,
        version_count=2,
        first_version_created_at=rows[0].created_at,
        is_latest=False,
        public=True,
    )


# ---- ETag and If-None-Match ----------------------------------------------------------------------


def test_matching_if_none_match_is_304_without_body(api, world):
    seed_history(world.team, "p", ["v1"], world.user)
    etag = api.get("name/p/")["ETag"]
    clear_caches()  # a 304 needs no cached payload: the tag comes from the cheap query
    with CaptureQueriesContext(connection) as captured:
        response = conditional(api, "name/p/", etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert len(prompt_queries(captured)) == 1


@pytest.mark.parametrize(
    "header",
    ["{etag}", "W/{etag}", '"other", {etag}', '"a",W/{etag} , "b"', "*"],
)
def test_if_none_match_forms(api, world, header):
    seed_history(world.team, "p", ["v1"], world.user)
    etag = api.get("name/p/")["ETag"]
    response = conditional(api, "name/p/", header.format(etag=etag))
    assert response.status_code == 304
    assert response.content == b""


@pytest.mark.parametrize("header", ['"nope"', 'W/"nope"', "", "garbage"])
def test_if_none_match_mismatch_is_200(api, world, header):
    seed_history(world.team, "p", ["v1"], world.user)
    plain = api.get("name/p/")
    response = conditional(api, "name/p/", header)
    assert response.status_code == 200
    assert response.content == plain.content
    assert response["ETag"] == plain["ETag"]


def test_if_none_match_star_on_missing_prompt_is_404(api):
    response = conditional(api, "name/nope/", "*")
    assert response.status_code == 404
    assert response.json() == prompt_not_found("nope")


def test_each_version_and_route_variant_has_its_tag(api, projects_api, world):
    seed_history(world.team, "p", ["v1", "v2"], world.user)
    latest = api.get("name/p/")
    assert projects_api.get("name/p/")["ETag"] == latest["ETag"]
    assert api.get("name/p/", {"version": 2})["ETag"] == latest["ETag"]  # the same body
    assert api.get("name/p/", {"version": 1})["ETag"] != latest["ETag"]


# ---- writes are seen by the very next read -------------------------------------------------------


def test_publish_changes_etag_and_is_seen_by_the_next_read(api, world):
    seed_history(world.team, "p", ["v1"], world.user)
    before = api.get("name/p/")
    old_v1 = api.get("name/p/", {"version": 1})
    api.publish("p", "v2", base_version=1)

    after = api.get("name/p/")
    assert after.json()["version"] == 2
    assert after.json()["prompt"] == "v2"
    assert after["ETag"] != before["ETag"]
    assert conditional(api, "name/p/", before["ETag"]).status_code == 200

    # An old version still shows the history as it stands now.
    v1 = api.get("name/p/", {"version": 1})
    assert (v1.json()["is_latest"], v1.json()["latest_version"], v1.json()["version_count"]) == (False, 2, 2)
    assert v1["ETag"] != old_v1["ETag"]
    assert conditional(api, "name/p/", old_v1["ETag"], {"version": 1}).status_code == 200


def test_a_second_worker_with_an_empty_cache_answers_the_same(api, world):
    """Another worker (here: the cache emptied between requests) serves the same bytes and tag."""
    seed_history(world.team, "p", ["v1"], world.user)
    warm = api.get("name/p/")
    api.publish("p", "v2", base_version=1)
    fresh_on_warm = api.get("name/p/")
    clear_caches()
    fresh_on_cold = api.get("name/p/")
    assert fresh_on_warm.content == fresh_on_cold.content
    assert fresh_on_warm["ETag"] == fresh_on_cold["ETag"] != warm["ETag"]


def test_a_write_outside_the_services_is_seen_too(api, world):
    """Keys come from the database, not from hooks in the write paths."""
    rows = seed_history(world.team, "p", ["v1"], world.user)
    api.get("name/p/")
    LLMPrompt.objects.filter(pk=rows[0].pk).update(is_latest=False)
    LLMPrompt.objects.create(team=world.team, name="p", version=2, is_latest=True, prompt="direct")
    assert api.get("name/p/").json()["prompt"] == "direct"
    assert api.get("name/p/", {"version": 1}).json()["latest_version"] == 2


def test_archive_makes_the_next_read_404(api, world):
    seed_history(world.team, "p", ["v1", "v2"], world.user)
    latest = api.get("name/p/")
    api.get("name/p/", {"version": 1})
    api.get("resolve/name/p/")
    assert api.post("name/p/archive/").status_code == 204

    assert api.get("name/p/").json() == prompt_not_found("p")
    assert api.get("name/p/", {"version": 1}).status_code == 404
    assert api.get("resolve/name/p/").status_code == 404
    assert conditional(api, "name/p/", latest["ETag"]).status_code == 404
    assert conditional(api, "name/p/", "*").status_code == 404


def test_archive_and_create_again_is_a_new_history(api, world):
    seed_history(world.team, "p", ["v1", "v2"], world.user)
    old = api.get("name/p/")
    api.post("name/p/archive/")
    api.create("p", "again")
    new = api.get("name/p/")
    assert (new.json()["version"], new.json()["prompt"], new.json()["version_count"]) == (1, "again", 1)
    assert new["ETag"] != old["ETag"]


def test_legacy_rename_is_seen_by_the_next_read(api, world):
    rows = seed_history(world.team, "p", ["v1", "v2"], world.user)
    api.get("name/p/")
    response = api.patch(f"{rows[1].id}/", {"name": "renamed"})
    assert response.status_code == 200, response.content

    assert api.get("name/p/").json() == prompt_not_found("p")
    moved = api.get("name/renamed/").json()
    assert (moved["name"], moved["id"], moved["version_count"]) == ("renamed", str(rows[1].id), 2)
    # Renamed back: the history is the same, and so is its answer.
    api.patch(f"{rows[1].id}/", {"name": "p"})
    assert api.get("name/p/").json()["name"] == "p"
    assert api.get("name/renamed/").status_code == 404


def test_legacy_deleted_flag_archives(api, world):
    rows = seed_history(world.team, "p", ["v1"], world.user)
    api.get("name/p/")
    assert api.patch(f"{rows[0].id}/", {"deleted": True}).status_code == 200
    assert api.get("name/p/").status_code == 404


def test_duplicate_is_its_own_history(api, world):
    seed_history(world.team, "p", ["v1", "v2"], world.user)
    source = api.get("name/p/")
    response = api.post("name/p/duplicate/", {"new_name": "copy"})
    assert response.status_code == 201, response.content

    copy = api.get("name/copy/")
    assert (copy.json()["version"], copy.json()["prompt"], copy.json()["version_count"]) == (1, "v2", 1)
    assert copy["ETag"] != source["ETag"]
    assert api.get("name/p/").content == source.content


def test_admin_archive_action_is_seen(admin_client, api, world):
    rows = seed_history(world.team, "p", ["v1"], world.user)
    api.get("name/p/")
    response = admin_client.post(
        "/admin/prompts/llmprompt/",
        {"action": "archive_histories", "_selected_action": [str(rows[0].pk)]},
    )
    assert response.status_code == 302
    assert active(world.team, "p") == []
    assert api.get("name/p/").status_code == 404


# ---- resolve -----------------------------------------------------------------------------------


def test_resolve_is_tagged_and_answers_304(api, world):
    seed_history(world.team, "p", ["v1", "v2"], world.user)
    first = api.get("resolve/name/p/")
    assert api.get("resolve/name/p/").content == first.content
    response = conditional(api, "resolve/name/p/", first["ETag"])
    assert (response.status_code, response.content) == (304, b"")
    assert api.get("resolve/name/p/", {"limit": 1})["ETag"] != first["ETag"]

    api.publish("p", "v3", base_version=2)
    after = api.get("resolve/name/p/")
    assert after["ETag"] != first["ETag"]
    assert [v["version"] for v in after.json()["versions"]] == [3, 2, 1]


def test_resolve_shows_a_renamed_creator(api, world):
    seed_history(world.team, "p", ["v1"], world.user)
    before = api.get("resolve/name/p/")
    world.user.first_name = "Renamed"
    world.user.save(update_fields=["first_name"])
    after = api.get("resolve/name/p/")
    assert after["ETag"] != before["ETag"]
    assert after.json()["prompt"]["created_by"]["first_name"] == "Renamed"
    assert after.json()["versions"][0]["created_by"]["first_name"] == "Renamed"


# ---- lists ---------------------------------------------------------------------------------------


def test_list_queries_do_not_grow_with_rows(api, world):
    seed_history(world.team, "one", ["v1"], world.user)
    api.get("", {"limit": 100})
    with CaptureQueriesContext(connection) as small:
        api.get("", {"limit": 100})
    for i in range(30):
        seed_history(world.team, f"p-{i:02}", ["v1", "v2"], world.user)
    with CaptureQueriesContext(connection) as large:
        response = api.get("", {"limit": 100})
    assert response.json()["count"] == 31
    # The count, the page, and the page's labels.
    assert len(prompt_queries(large)) == len(prompt_queries(small)) <= 3
