"""Labels: set, move, remove; label name rules, body errors, the per-prompt label cap, scopes,
project isolation, URL prefixes and the legacy id routes' effect on labels."""

import pytest

from prompts.models import LLMPrompt
from tests.api import bearer, iso, method_not_allowed, missing_scope, permission_denied, user_json, validation
from tests.factories import make_key
from tests.prompts.helpers import WRITE_SCOPE_DENIED, prompt_not_found, seed_history
from tests.prompts.label_helpers import (
    LABEL_KEYS,
    LIMIT_TEXT,
    LabelApi,
    bad_charset,
    label_not_found,
    label_row,
    label_rows,
    move_count,
    numbers_only,
    reserved,
    too_long,
    version_not_found,
)


def untouched(rows: list[LLMPrompt]) -> bool:
    """The version rows are stored exactly as they were read."""
    stored = LLMPrompt.objects.in_bulk([row.id for row in rows])
    return all(
        (stored[row.id].version, stored[row.id].is_latest, stored[row.id].deleted, stored[row.id].updated_at)
        == (row.version, row.is_latest, row.deleted, row.updated_at)
        for row in rows
    )


# ---- set, move, no-op ----------------------------------------------------------------------------


def test_case_1_set_creates_label(api, world, two_versions):
    response = api.set_label("p", "production", 1)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= LABEL_KEYS
    assert (body["name"], body["prompt_name"], body["version"]) == ("production", "p", 1)
    assert body["created_by"]["email"] == world.user.email
    assert body["created_by"] == user_json(world.user)
    row = label_row(world.team, "p", "production")
    assert body["id"] == str(row.id)
    assert row.prompt_id == two_versions[0].id
    assert row.created_by_id == world.user.id
    assert body["created_at"] == iso(row.created_at)
    assert body["updated_at"] == iso(row.updated_at)
    assert api.version_labels("p") == {1: ["production"], 2: []}
    assert move_count(world.team, "p", "production") == 1


def test_case_2_set_moves_label(api, world, two_versions):
    created = api.set_label("p", "production", 1).json()

    response = api.set_label("p", "production", 2)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == created["id"]
    assert (body["name"], body["prompt_name"], body["version"]) == ("production", "p", 2)
    assert body["created_at"] == created["created_at"]
    assert body["updated_at"] >= created["updated_at"]
    assert api.version_labels("p") == {1: [], 2: ["production"]}
    resolved = api.resolve("p")
    assert [(label["name"], label["version"]) for label in resolved["labels"]] == [("production", 2)]
    assert resolved["prompt"]["labels"] == ["production"]
    row = label_row(world.team, "p", "production")
    assert row.prompt_id == two_versions[1].id
    assert str(row.id) == created["id"]
    # Moving a label touches no version row.
    assert untouched(two_versions)
    assert move_count(world.team, "p", "production") == 2


def test_case_3_set_to_current_version_is_a_no_op(api, world, two_versions):
    api.set_label("p", "production", 1)
    moved = api.set_label("p", "production", 2).json()

    response = api.set_label("p", "production", 2)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == moved["id"]
    assert body["version"] == 2
    assert body["updated_at"] == moved["updated_at"]
    assert body == moved
    assert move_count(world.team, "p", "production") == 2
    assert iso(label_row(world.team, "p", "production").updated_at) == moved["updated_at"]


def test_case_4_two_labels_on_one_version_sorted(api, world, two_versions):
    assert api.set_label("p", "staging", 1).status_code == 201
    assert api.set_label("p", "production", 1).status_code == 201

    assert api.version_labels("p") == {1: ["production", "staging"], 2: []}
    resolved = api.resolve("p", version=1)
    assert resolved["prompt"]["labels"] == ["production", "staging"]
    assert [label["name"] for label in resolved["labels"]] == ["production", "staging"]
    assert label_rows(world.team, "p") == {"production": 1, "staging": 1}


def test_case_5_unknown_version_prompt_or_archived(api, world, two_versions):
    response = api.set_label("p", "production", 7)
    assert (response.status_code, response.json()) == (404, version_not_found(7, "p"))

    response = api.set_label("nope", "production", 1)
    assert (response.status_code, response.json()) == (404, prompt_not_found("nope"))

    api.create("gone", "x")
    assert api.post("name/gone/archive/").status_code == 204
    response = api.set_label("gone", "production", 1)
    assert (response.status_code, response.json()) == (404, prompt_not_found("gone"))

    assert label_rows(world.team, "p") == {}
    assert label_rows(world.team, "gone") == {}
    assert move_count(world.team, "p") == 0


def test_case_5_archived_version_of_a_recreated_prompt_is_not_a_target(api, world):
    api.create("p", "old v1")
    api.publish("p", "old v2", 1)
    assert api.post("name/p/archive/").status_code == 204
    api.create("p", "new v1")

    response = api.set_label("p", "production", 2)

    assert (response.status_code, response.json()) == (404, version_not_found(2, "p"))
    assert label_rows(world.team, "p") == {}


@pytest.mark.parametrize(
    "body, expected",
    [
        ({}, validation("version", "required", "This field is required.")),
        (
            {"version": 0},
            validation("version", "min_value", "Ensure this value is greater than or equal to 1."),
        ),
        (
            {"version": -3},
            validation("version", "min_value", "Ensure this value is greater than or equal to 1."),
        ),
        ({"version": "abc"}, validation("version", "invalid_input", "A valid integer is required.")),
        ({"version": 1.5}, validation("version", "invalid_input", "A valid integer is required.")),
        ({"version": None}, validation("version", "null", "This field may not be null.")),
    ],
)
def test_case_6_body_errors(api, world, two_versions, body, expected):
    response = api.put("name/p/labels/production/", body)

    assert response.status_code == 400
    assert response.json() == expected
    assert label_rows(world.team, "p") == {}


def test_case_6_body_is_checked_before_the_lookup_and_after_the_label_name(api):
    response = api.put("name/nope/labels/production/", {})
    assert (response.status_code, response.json()) == (
        400,
        validation("version", "required", "This field is required."),
    )

    response = api.put("name/nope/labels/Production/", {"version": "abc"})
    assert (response.status_code, response.json()) == (400, bad_charset("label_name"))


@pytest.mark.parametrize(
    "label, expected",
    [
        ("Production", bad_charset("label_name")),
        ("-prod", bad_charset("label_name")),
        ("prod.", bad_charset("label_name")),
        ("prod_", bad_charset("label_name")),
        ("my%20label", bad_charset("label_name")),
        ("caf%C3%A9", bad_charset("label_name")),
        ("a" * 129, too_long("label_name")),
    ],
)
def test_case_7_invalid_label_names(api, world, two_versions, label, expected):
    response = api.set_label("p", label, 1)

    assert response.status_code == 400
    assert response.json() == expected
    assert label_rows(world.team, "p") == {}


def test_case_7_invalid_label_name_on_unknown_prompt_and_delete(api):
    response = api.set_label("nope", "Production", 1)
    assert (response.status_code, response.json()) == (400, bad_charset("label_name"))
    response = api.remove_label("nope", "my%20label")
    assert (response.status_code, response.json()) == (400, bad_charset("label_name"))
    response = api.remove_label("nope", "a" * 129)
    assert (response.status_code, response.json()) == (400, too_long("label_name"))


@pytest.mark.parametrize("label", ["latest", "LATEST", "Latest"])
def test_case_8_latest_is_reserved(api, world, two_versions, label):
    response = api.set_label("p", label, 1)
    assert (response.status_code, response.json()) == (400, reserved("label_name"))

    response = api.remove_label("p", label)
    assert (response.status_code, response.json()) == (400, reserved("label_name"))
    assert label_rows(world.team, "p") == {}


@pytest.mark.parametrize("label", ["42", "3"])
def test_case_8_numbers_only(api, world, two_versions, label):
    response = api.set_label("p", label, 1)
    assert (response.status_code, response.json()) == (400, numbers_only("label_name"))

    response = api.remove_label("p", label)
    assert (response.status_code, response.json()) == (400, numbers_only("label_name"))
    assert label_rows(world.team, "p") == {}


def test_case_9_valid_label_names(api, world, two_versions):
    names = ["a", "v2.rollout", "staging-eu", "tenant_b", "a" * 128, "production", "1a"]
    for name in names:
        response = api.set_label("p", name, 1)
        assert response.status_code == 201, (name, response.content)
        assert response.json()["name"] == name

    assert label_rows(world.team, "p") == dict.fromkeys(names, 1)
    assert api.version_labels("p")[1] == sorted(names)


# ---- remove --------------------------------------------------------------------------------------


def test_case_10_delete_label(api, world, two_versions):
    api.label("p", "production", 1)

    response = api.remove_label("p", "production")

    assert response.status_code == 204
    assert response.content == b""
    assert api.version_labels("p") == {1: [], 2: []}
    assert api.resolve("p")["labels"] == []
    response = api.fetch("p", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("p"))
    response = api.remove_label("p", "production")
    assert (response.status_code, response.json()) == (404, label_not_found("production", "p"))
    assert label_rows(world.team, "p") == {}
    # The versions are untouched.
    assert untouched(two_versions)
    # Created, then removed.
    assert move_count(world.team, "p", "production") == 2


def test_case_10_delete_label_never_set(api, two_versions):
    response = api.remove_label("p", "staging")
    assert (response.status_code, response.json()) == (404, label_not_found("staging", "p"))


def test_case_10_delete_leaves_other_labels(api, world, two_versions):
    api.label("p", "production", 1)
    api.label("p", "staging", 2)

    assert api.remove_label("p", "production").status_code == 204

    assert label_rows(world.team, "p") == {"staging": 2}
    assert api.fetch("p", "staging").json()["version"] == 2


def test_case_11_delete_unknown_prompt_and_other_methods(api, world, two_versions):
    response = api.remove_label("nope", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("nope"))

    api.label("p", "production", 1)
    path = "name/p/labels/production/"
    response = api.get(path)
    assert (response.status_code, response.json()) == (405, method_not_allowed("GET"))
    response = api.post(path, {"version": 2})
    assert (response.status_code, response.json()) == (405, method_not_allowed("POST"))
    response = api.patch(path, {"version": 2})
    assert (response.status_code, response.json()) == (405, method_not_allowed("PATCH"))
    assert label_rows(world.team, "p") == {"production": 1}


def test_case_11_delete_on_archived_prompt(api, world, two_versions):
    api.label("p", "production", 1)
    assert api.post("name/p/archive/").status_code == 204

    response = api.remove_label("p", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("p"))


# ---- the cap -------------------------------------------------------------------------------------


def test_case_12_label_limit(api, world, two_versions):
    for index in range(50):
        response = api.set_label("p", f"l{index}", 1)
        assert response.status_code == 201, (index, response.content)

    response = api.set_label("p", "one-too-many", 1)
    assert (response.status_code, response.json()) == (400, {"detail": LIMIT_TEXT})
    assert len(label_rows(world.team, "p")) == 50

    response = api.set_label("p", "l7", 2)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    response = api.set_label("p", "l7", 2)
    assert response.status_code == 200
    assert label_rows(world.team, "p")["l7"] == 2
    assert len(label_rows(world.team, "p")) == 50
    assert "one-too-many" not in label_rows(world.team, "p")

    # Removing one frees a place.
    assert api.remove_label("p", "l0").status_code == 204
    assert api.set_label("p", "one-more", 1).status_code == 201
    assert len(label_rows(world.team, "p")) == 50


def test_case_12_limit_is_per_prompt(api, world, two_versions):
    for index in range(50):
        assert api.set_label("p", f"l{index}", 1).status_code == 201
    api.create("other", "x")
    assert api.set_label("other", "l1", 1).status_code == 201


# ---- publish never moves labels ------------------------------------------------------------------


def test_publish_does_not_move_labels(api, world, two_versions):
    api.label("p", "production", 2)
    published = api.publish("p", "v3 text", 2)

    assert published["labels"] == []
    assert label_rows(world.team, "p") == {"production": 2}
    assert api.version_labels("p") == {1: [], 2: ["production"], 3: []}


def test_write_responses_have_empty_labels(api):
    created = api.create("fresh", "x")
    assert created["labels"] == []
    api.label("fresh", "production", 1)
    assert api.publish("fresh", "y", 1)["labels"] == []
    response = api.post("name/fresh/duplicate/", {"new_name": "copy"})
    assert response.status_code == 201
    assert response.json()["labels"] == []


def test_resolve_prompt_labels_follow_the_selected_row(api, two_versions):
    api.label("p", "production", 1)
    api.label("p", "canary", 2)

    assert api.resolve("p", version=1)["prompt"]["labels"] == ["production"]
    assert api.resolve("p")["prompt"]["labels"] == ["canary"]
    response = api.get(f"{two_versions[0].id}/")
    assert response.json()["labels"] == ["production"]


# ---- isolation, scopes, prefixes -----------------------------------------------------------------


def test_case_25_project_isolation(api, client, world):
    seed_history(world.team, "shared", ["a1 v1"], world.user)
    seed_history(world.team2, "shared", ["a2 v1"], world.user)
    seed_history(world.team2, "a2-only", ["a2 v1"], world.user)
    a2 = LabelApi(client=client, base=f"/api/environments/{world.team2.id}/llm_prompts", key=world.k_all)
    assert a2.set_label("shared", "production", 1).status_code == 201
    assert a2.set_label("a2-only", "production", 1).status_code == 201

    response = api.fetch("shared", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("shared"))
    response = api.fetch("a2-only", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("a2-only"))
    response = api.set_label("a2-only", "production", 1)
    assert (response.status_code, response.json()) == (404, prompt_not_found("a2-only"))
    response = api.remove_label("shared", "production")
    assert (response.status_code, response.json()) == (404, label_not_found("production", "shared"))
    response = api.remove_label("a2-only", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("a2-only"))
    response = api.get("", {"label": "production"})
    assert (response.status_code, response.json()["count"], response.json()["results"]) == (200, 0, [])
    assert [item["all_labels"] for item in api.list_items()] == [[]]

    assert label_rows(world.team2, "shared") == {"production": 1}
    assert label_rows(world.team, "shared") == {}
    assert a2.fetch("shared", "production").json()["prompt"] == "a2 v1"

    # A label set in A1 under the same name stays in A1.
    assert api.set_label("shared", "staging", 1).status_code == 201
    assert label_rows(world.team2, "shared") == {"production": 1}
    assert a2.fetch("shared", "staging").status_code == 404


def test_case_26_scopes(api, world, two_versions):
    k_r = make_key(world.user, ["llm_prompt:read"])
    k_w = make_key(world.user, ["llm_prompt:write"])
    api.label("p", "production", 1)

    response = api.set_label("p", "staging", 1, key=k_r)
    assert (response.status_code, response.json()) == (403, WRITE_SCOPE_DENIED)
    response = api.set_label("p", "production", 2, key=k_r)
    assert (response.status_code, response.json()) == (403, WRITE_SCOPE_DENIED)
    response = api.remove_label("p", "production", key=k_r)
    assert (response.status_code, response.json()) == (403, WRITE_SCOPE_DENIED)
    response = api.fetch("p", "production", key=k_r)
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert label_rows(world.team, "p") == {"production": 1}

    response = api.set_label("p", "staging", 2, key=k_w)
    assert response.status_code == 201, response.content
    response = api.remove_label("p", "staging", key=k_w)
    assert response.status_code == 204
    assert label_rows(world.team, "p") == {"production": 1}


def test_case_26_scope_is_checked_before_the_label_name(api, world, two_versions):
    k_r = make_key(world.user, ["llm_prompt:read"])
    response = api.set_label("p", "latest", 1, key=k_r)
    assert (response.status_code, response.json()) == (403, WRITE_SCOPE_DENIED)
    response = api.remove_label("p", "Bad", key=k_r)
    assert (response.status_code, response.json()) == (403, WRITE_SCOPE_DENIED)


def test_case_26_no_prompt_scope_and_no_credentials(api, world, two_versions):
    no_scope = make_key(world.user, ["dataset:read"])
    api.label("p", "production", 1)

    response = api.fetch("p", "production", key=no_scope)
    assert (response.status_code, response.json()) == (403, missing_scope("llm_prompt:read"))
    response = api.set_label("p", "production", 2, key=no_scope)
    assert response.status_code == 403
    response = api.remove_label("p", "production", key=no_scope)
    assert response.status_code == 403

    assert api.set_label("p", "production", 2, key="").status_code == 401
    assert api.remove_label("p", "production", key="").status_code == 401
    assert api.fetch("p", "production", key="").status_code == 401
    assert label_rows(world.team, "p") == {"production": 1}


def test_case_27_other_organization(api, client, world, other_member, two_versions):
    _, foreign_key = other_member
    api.label("p", "production", 1)
    denied = permission_denied("You don't have access to the project.")

    responses = [
        api.set_label("p", "production", 2, key=foreign_key),
        api.set_label("p", "staging", 1, key=foreign_key),
        api.remove_label("p", "production", key=foreign_key),
        api.fetch("p", "production", key=foreign_key),
        api.history("p", "production", key=foreign_key),
        api.get("", {"label": "production"}, key=foreign_key),
    ]
    for response in responses:
        assert (response.status_code, response.json()) == (403, denied)
    assert label_rows(world.team, "p") == {"production": 1}

    # And A1's key on the other organization's project.
    seed_history(world.team_b, "b", ["x"])
    b_path = f"/api/environments/{world.team_b.id}/llm_prompts/name/b/labels/production/"
    response = client.put(b_path, {"version": 1}, format="json", **bearer(world.k_all))
    assert (response.status_code, response.json()) == (403, denied)
    assert label_rows(world.team_b, "b") == {}


def test_case_28_prefixes_and_trailing_slash(api, client, world, two_versions):
    projects = LabelApi(client=client, base=f"/api/projects/{world.t}/llm_prompts", key=world.k_all)

    created = projects.set_label("p", "production", 1)
    assert created.status_code == 201, created.content
    fetched = api.fetch("p", "production")
    assert fetched.status_code == 200
    assert fetched.json()["version"] == 1
    assert projects.fetch("p", "production").json() == fetched.json()

    headers = bearer(world.k_all)
    moved = client.put(f"{api.base}/name/p/labels/production", {"version": 2}, format="json", **headers)
    assert moved.status_code == 200, moved.content
    assert moved.json()["id"] == created.json()["id"]
    assert moved.json()["version"] == 2
    assert api.fetch("p", "production").json()["version"] == 2

    with_slash = api.history("p", "production")
    no_slash = client.get(f"{api.base}/name/p/labels/production/history", **headers)
    assert no_slash.status_code == 200
    assert no_slash.json() == with_slash.json()
    assert projects.history("p", "production").json() == with_slash.json()

    removed = client.delete(f"{projects.base}/name/p/labels/production", **headers)
    assert removed.status_code == 204
    assert removed.content == b""
    assert label_rows(world.team, "p") == {}

    again = client.put(f"{projects.base}/name/p/labels/production", {"version": 1}, format="json", **headers)
    assert again.status_code == 201
    assert api.fetch("p", "production").json()["version"] == 1


def test_case_28_current_project(api, client, world, two_versions):
    headers = bearer(world.k_all)
    response = client.put(
        "/api/environments/@current/llm_prompts/name/p/labels/production/",
        {"version": 1},
        format="json",
        **headers,
    )
    assert response.status_code == 201, response.content
    assert label_rows(world.team, "p") == {"production": 1}
    response = client.delete("/api/projects/@current/llm_prompts/name/p/labels/production/", **headers)
    assert response.status_code == 204
    assert label_rows(world.team, "p") == {}


# ---- legacy id routes ----------------------------------------------------------------------------


def test_case_30_legacy_rename_moves_labels(api, world, two_versions):
    api.label("p", "production", 1)
    api.label("p", "canary", 2)
    api.label("p", "production", 2)
    api.label("p", "production", 1)

    response = api.patch(f"{two_versions[0].id}/", {"name": "q"})
    assert response.status_code == 200, response.content

    fetched = api.fetch("q", "production")
    assert fetched.status_code == 200
    body = fetched.json()
    assert (body["name"], body["version"], body["id"], body["prompt"]) == (
        "q",
        1,
        str(two_versions[0].id),
        "v1 text",
    )
    assert body["label"] == "production"
    assert api.fetch("q", "canary").json()["version"] == 2
    response = api.fetch("p", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("p"))
    assert label_rows(world.team, "q") == {"production": 1, "canary": 2}
    assert label_rows(world.team, "p") == {}
    # The move log goes with the labels.
    assert api.moves("q", "production") == [(None, 1), (1, 2), (2, 1)]
    assert move_count(world.team, "p") == 0
    assert api.version_labels("q") == {1: ["production"], 2: ["canary"]}

    # The old name is free, and starts without labels.
    api.create("p", "new")
    response = api.fetch("p", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("p"))
    assert api.resolve("p")["labels"] == []


def test_case_31_legacy_soft_delete_removes_labels(api, world, two_versions):
    api.label("p", "production", 1)
    api.label("p", "staging", 2)

    response = api.patch(f"{two_versions[1].id}/", {"deleted": True})
    assert response.status_code == 200, response.content

    response = api.fetch("p", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("p"))
    assert label_rows(world.team, "p") == {}
    assert move_count(world.team, "p") == 0

    recreated = api.create("p", "again")
    assert recreated["labels"] == []
    assert api.resolve("p")["labels"] == []
    assert api.version_labels("p") == {1: []}
    for label in ("production", "staging"):
        response = api.fetch("p", label)
        assert (response.status_code, response.json()) == (404, prompt_not_found("p"))
    assert [item["all_labels"] for item in api.list_items(search="p")] == [[]]
