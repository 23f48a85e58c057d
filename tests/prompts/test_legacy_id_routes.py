"""Legacy id routes GET/PATCH/PUT/DELETE P/{id}/ (prompts spec §5.8; cases 36, 37)."""

import uuid

import pytest

from prompts.models import LLMPrompt
from tests.api import UNKNOWN_UUID, bearer, method_not_allowed, not_found, validation
from tests.prompts.helpers import (
    FULL_KEYS,
    NAME_TAKEN,
    WRITE_SCOPE_DENIED,
    active,
    conflict,
    expected_row,
    history_state,
    prompt_not_found,
    seed_history,
)

NOT_FOUND = not_found()


def test_case_36_get_by_id(api, world):
    created = api.create("my-prompt", "v1")

    response = api.get(f"{created['id']}/")
    assert response.status_code == 200
    assert response.json() == created
    assert set(response.json()) == FULL_KEYS

    # Read-only key, and no trailing slash.
    response = api.get(created["id"], key=world.k_ro)
    assert (response.status_code, response.json()) == (200, created)


@pytest.mark.parametrize("lookup", [UNKNOWN_UUID, "not-a-uuid", "12345"])
def test_case_36_get_unknown_id(api, lookup):
    api.create("my-prompt")
    response = api.get(f"{lookup}/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_case_36_other_team_and_deleted_rows_are_not_found(api, world):
    [theirs] = seed_history(world.team2, "theirs", ["x"])
    assert api.get(f"{theirs.id}/").json() == NOT_FOUND
    assert api.patch(f"{theirs.id}/", {"prompt": "hijack"}).status_code == 404
    assert active(world.team2, "theirs")[0].prompt == "x"

    mine = api.create("mine")
    api.post("name/mine/archive/")
    assert api.get(f"{mine['id']}/").json() == NOT_FOUND


def test_case_36_patch_prompt_publishes_new_row(api, world):
    v1 = api.create("my-prompt", "v1")

    response = api.patch(f"{v1['id']}/", {"prompt": "Updated"})

    assert response.status_code == 200, response.content
    body = response.json()
    old, new = active(world.team, "my-prompt")
    assert body == expected_row(
        new, latest_version=2, version_count=2, first_version_created_at=old.created_at
    )
    assert body["id"] != v1["id"]
    assert (body["version"], body["prompt"], body["is_latest"]) == (2, "Updated", True)
    assert body["created_by"]["email"] == "u@example.com"
    assert history_state(world.team, "my-prompt") == [(1, False, False), (2, True, False)]
    assert old.prompt == "v1"

    old_body = api.get(f"{v1['id']}/").json()
    assert (old_body["prompt"], old_body["is_latest"], old_body["version"], old_body["latest_version"]) == (
        "v1",
        False,
        1,
        2,
    )

    # PATCH through an older version's id is a stale edit.
    response = api.patch(f"{v1['id']}/", {"prompt": "stale"})
    assert response.status_code == 409
    assert response.json() == conflict(2)
    assert history_state(world.team, "my-prompt") == [(1, False, False), (2, True, False)]

    # Same content still publishes.
    response = api.patch(f"{body['id']}/", {"prompt": "Updated"})
    assert (response.status_code, response.json()["version"]) == (200, 3)


def test_case_36_patch_rename_onto_existing_name(api, world):
    a = api.create("prompt-a", "a")
    api.create("prompt-b", "b")

    response = api.patch(f"{a['id']}/", {"name": "prompt-b"})

    assert response.status_code == 400
    assert response.json() == NAME_TAKEN
    assert history_state(world.team, "prompt-a") == [(1, True, False)]
    assert history_state(world.team, "prompt-b") == [(1, True, False)]


def test_case_36_patch_rename_moves_whole_history(api, world):
    v1 = api.create("old-name", "v1")
    api.publish("old-name", "v2", 1)

    response = api.patch(f"{v1['id']}/", {"name": "new-name"})

    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["id"], response.json()["version"]) == (
        "new-name",
        v1["id"],
        1,
    )
    assert history_state(world.team, "old-name") == []
    assert history_state(world.team, "new-name") == [(1, False, False), (2, True, False)]
    assert api.get("name/new-name/").json()["prompt"] == "v2"
    assert api.get("name/old-name/").json() == prompt_not_found("old-name")


@pytest.mark.parametrize(
    ("name", "code"),
    [("has.dot", "invalid_name"), ("NEW", "reserved_name"), ("", "blank"), ("x" * 256, "max_length")],
)
def test_case_36_patch_rename_is_validated(api, world, name, code):
    row = api.create("keep")
    response = api.patch(f"{row['id']}/", {"name": name})
    assert response.status_code == 400
    assert (response.json()["attr"], response.json()["code"]) == ("name", code)
    assert history_state(world.team, "keep") == [(1, True, False)]


def test_case_36_patch_deleted_archives(api, world):
    row = api.create("prompt-a", "v1")
    api.create("prompt-b", "b")

    response = api.patch(f"{row['id']}/", {"deleted": True})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["deleted"] is True
    assert (body["id"], body["name"], body["prompt"]) == (row["id"], "prompt-a", "v1")
    assert history_state(world.team, "prompt-a") == [(1, False, True)]

    assert api.get(f"{row['id']}/").json() == NOT_FOUND
    assert api.get("name/prompt-a/").json() == prompt_not_found("prompt-a")
    assert [item["name"] for item in api.get().json()["results"]] == ["prompt-b"]
    assert api.create("prompt-a", "again")["version"] == 1


def test_case_36_patch_deleted_archives_whole_history(api, world):
    v1 = api.create("multi", "v1")
    api.publish("multi", "v2", 1)
    response = api.patch(f"{v1['id']}/", {"deleted": True})
    assert (response.status_code, response.json()["deleted"]) == (200, True)
    assert history_state(world.team, "multi") == [(1, False, True), (2, False, True)]


def test_case_36_patch_read_only_fields_ignored(api, world):
    row = api.create("fixed", "v1")
    response = api.patch(f"{row['id']}/", {"version": 9, "is_latest": False})
    assert response.status_code == 200
    assert response.json() == row
    assert history_state(world.team, "fixed") == [(1, True, False)]


def test_case_36_put_requires_name_and_prompt(api, world):
    row = api.create("put-me", "v1")

    response = api.put(f"{row['id']}/", {"prompt": "v2"})
    assert response.status_code == 400
    assert response.json() == validation("name", "required", "This field is required.")

    response = api.put(f"{row['id']}/", {"name": "put-me", "prompt": "v2"})
    assert response.status_code == 200, response.content
    assert (response.json()["version"], response.json()["prompt"], response.json()["name"]) == (
        2,
        "v2",
        "put-me",
    )
    assert history_state(world.team, "put-me") == [(1, False, False), (2, True, False)]


def test_case_36_patch_needs_write_scope(api, world):
    row = api.create("scoped")
    response = api.patch(f"{row['id']}/", {"prompt": "x"}, key=world.k_ro)
    assert (response.status_code, response.json()) == (403, WRITE_SCOPE_DENIED)
    assert history_state(world.team, "scoped") == [(1, True, False)]


def test_case_37_delete_is_405(api, world):
    row = api.create("keep-me")

    for target in (row["id"], str(uuid.uuid4()), "not-a-uuid"):
        response = api.delete(f"{target}/")
        assert response.status_code == 405
        assert response.content == b""
    assert history_state(world.team, "keep-me") == [(1, True, False)]

    response = api.delete(f"{row['id']}/", key=world.k_ro)
    assert response.status_code == 403
    assert response.json() == WRITE_SCOPE_DENIED

    response = api.delete("name/x/")
    assert response.status_code == 405
    assert response.json() == method_not_allowed("DELETE")
    assert LLMPrompt.objects.filter(deleted=False).count() == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "name/x/"),
        ("get", "name/x/archive/"),
        ("get", "name/x/duplicate/"),
        ("post", "resolve/name/x/"),
    ],
)
def test_unsupported_methods_are_405(api, method, path):
    call = getattr(api.client, method)
    response = call(api.url(path), **bearer(api.key))
    assert response.status_code == 405
    assert response.json() == method_not_allowed(method)


def test_delete_on_list_route_is_405_for_a_session(api, world):
    # Prompts spec §4: `DELETE /` is 405. With a personal key the platform spec (§2.2 rule 4) answers
    # a method the route does not map with 403 "does not support personal API key access" first.
    api.create("keep")
    api.client.force_login(world.user)
    response = api.client.delete(api.url())
    assert response.status_code == 405
    assert response.json() == method_not_allowed("DELETE")
    assert history_state(world.team, "keep") == [(1, True, False)]


def test_patch_rename_and_prompt_together(api, world):
    row = api.create("before", "v1")
    response = api.patch(f"{row['id']}/", {"name": "after", "prompt": "v2"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["version"], body["prompt"], body["is_latest"]) == ("after", 2, "v2", True)
    assert history_state(world.team, "before") == []
    assert history_state(world.team, "after") == [(1, False, False), (2, True, False)]


def test_patch_rename_onto_archived_name(api, world):
    api.create("archived", "old")
    api.post("name/archived/archive/")
    row = api.create("live", "v1")
    response = api.patch(f"{row['id']}/", {"name": "archived"})
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "archived"
    assert history_state(world.team, "archived") == [(1, True, False), (1, False, True)]


def test_patch_rename_failure_changes_nothing(api, world):
    row = api.create("solo", "v1")
    api.create("other", "o")
    response = api.patch(f"{row['id']}/", {"name": "other", "prompt": "v2"})
    assert response.status_code == 400
    assert response.json() == NAME_TAKEN
    assert history_state(world.team, "solo") == [(1, True, False)]
    assert [r.prompt for r in active(world.team, "solo")] == ["v1"]


def test_patch_deleted_false_is_a_no_op(api, world):
    row = api.create("stay", "v1")
    response = api.patch(f"{row['id']}/", {"deleted": False})
    assert (response.status_code, response.json()) == (200, row)
    assert history_state(world.team, "stay") == [(1, True, False)]


def test_unparseable_body_is_reported_before_the_id_lookup(client, world):
    """Platform spec §5: a parse error (400) or unsupported media type (415) comes before 404."""
    url = f"/api/environments/{world.t}/llm_prompts/{uuid.uuid4()}/"
    response = client.generic("PATCH", url, "{bad", content_type="application/json", **bearer(world.k_rw))
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    response = client.generic("PATCH", url, "x", content_type="text/plain", **bearer(world.k_rw))
    assert response.status_code == 415
