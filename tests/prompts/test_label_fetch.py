"""Fetch and list by label: `GET P/name/{n}/?label=`, `GET P/?label=`, labels on list items and
resolve, labels across publish, archive, duplicate, and the SDK's path."""

import pytest

from prompts import services
from prompts.models import LLMPrompt
from tests.api import bearer, iso, user_json, validation
from tests.factories import UserFactory, make_member
from tests.prompts.helpers import (
    PUBLIC_KEYS,
    PUBLIC_NONE_KEYS,
    PUBLIC_PREVIEW_KEYS,
    expected_row,
    prompt_not_found,
    seed_history,
)
from tests.prompts.label_helpers import (
    BOTH_TEXT,
    LABEL_KEYS,
    LabelApi,
    bad_charset,
    label_not_found,
    label_rows,
    move_count,
    reserved,
)


def rows(team, name: str) -> list[LLMPrompt]:
    return list(LLMPrompt.objects.filter(team=team, name=name, deleted=False).order_by("version"))


def labeled_public(row: LLMPrompt, *, latest: int, count: int, first, label: str | None) -> dict:
    """The exact public shape (content=full) of one version row, with `label` when labeled."""
    body = expected_row(
        row,
        latest_version=latest,
        version_count=count,
        first_version_created_at=first,
        is_latest=row.version == latest,
        public=True,
    )
    body.update(config=None, variables=None, outline=[])
    if label is not None:
        body["label"] = label
    return body


@pytest.fixture
def p(api, two_versions):
    """p at v1 "v1 text" and v2 "v2 text", production on v1."""
    api.label("p", "production", 1)
    return two_versions


def test_case_13_fetch_by_label(api, world, p):
    response = api.fetch("p", "production")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["prompt"], body["label"]) == (1, "v1 text", "production")
    assert (body["is_latest"], body["latest_version"], body["version_count"]) == (False, 2, 2)
    assert body["id"] == str(p[0].id)
    assert body == labeled_public(p[0], latest=2, count=2, first=p[0].created_at, label="production")
    assert set(body) == PUBLIC_KEYS | {"label"}
    assert "created_by" not in body


def test_case_14_no_stale_read_after_move_and_delete(api, p):
    assert api.fetch("p", "production").json()["version"] == 1

    api.label("p", "production", 2)
    body = api.fetch("p", "production").json()
    assert (body["version"], body["prompt"], body["is_latest"], body["label"]) == (
        2,
        "v2 text",
        True,
        "production",
    )
    assert body["id"] == str(p[1].id)

    api.label("p", "production", 1)
    assert api.fetch("p", "production").json()["version"] == 1

    assert api.remove_label("p", "production").status_code == 204
    response = api.fetch("p", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("p"))

    api.label("p", "production", 2)
    assert api.fetch("p", "production").json()["version"] == 2


def test_case_14_labeled_fetch_under_projects_prefix_is_not_stale(api, client, world, p):
    projects = LabelApi(client=client, base=f"/api/projects/{world.t}/llm_prompts", key=world.k_all)
    assert projects.fetch("p", "production").json()["version"] == 1
    api.label("p", "production", 2)
    assert projects.fetch("p", "production").json()["version"] == 2


def test_case_15_label_and_version_together(api, p):
    for params in ({"version": 1}, {"version": 2}):
        response = api.fetch("p", "production", **params)
        assert response.status_code == 400
        assert response.json() == validation(None, "invalid_input", BOTH_TEXT)
    response = api.fetch("nope", "production", version=1)
    assert (response.status_code, response.json()) == (400, validation(None, "invalid_input", BOTH_TEXT))


def test_case_16_label_validation_and_misses(api, p):
    response = api.fetch("p", "Production")
    assert (response.status_code, response.json()) == (400, bad_charset("label"))
    response = api.fetch("nope", "Production")
    assert (response.status_code, response.json()) == (400, bad_charset("label"))
    response = api.fetch("nope", "a" * 129)
    assert response.status_code == 400
    assert response.json()["attr"] == "label"
    assert response.json()["detail"] == "Label must be 128 characters or fewer."
    response = api.fetch("p", "42")
    assert response.status_code == 400
    assert response.json()["attr"] == "label"
    assert response.json()["code"] == "invalid_label"

    response = api.fetch("p", "staging")
    assert (response.status_code, response.json()) == (404, prompt_not_found("p"))
    response = api.fetch("nope", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("nope"))

    response = api.fetch("p", "")
    assert response.status_code == 200
    assert "label" not in response.json()
    assert response.json() == api.get("name/p/").json()
    assert response.json()["version"] == 2


def test_case_17_latest_is_implicit(api, world, p):
    response = api.fetch("p", "latest")
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["prompt"], body["is_latest"], body["label"]) == (
        2,
        "v2 text",
        True,
        "latest",
    )
    assert body == labeled_public(p[1], latest=2, count=2, first=p[0].created_at, label="latest")

    api.publish("p", "v3 text", 2)
    body = api.fetch("p", "latest").json()
    assert (body["version"], body["prompt"], body["label"]) == (3, "v3 text", "latest")

    for spelling in ("LATEST", "Latest"):
        response = api.fetch("p", spelling)
        assert (response.status_code, response.json()) == (400, reserved("label"))

    # `latest` is never listed as a label.
    assert api.version_labels("p") == {1: ["production"], 2: [], 3: []}
    assert [label["name"] for label in api.resolve("p")["labels"]] == ["production"]
    assert api.list_items()[0]["all_labels"] == [{"name": "production", "version": 1}]
    assert label_rows(world.team, "p") == {"production": 1}
    response = api.fetch("nope", "latest")
    assert (response.status_code, response.json()) == (404, prompt_not_found("nope"))


def test_case_18_publish_does_not_move_the_label(api, world, p):
    before = api.list_items()[0]["all_labels"]
    api.publish("p", "v3 text", 2)

    body = api.fetch("p", "production").json()
    assert (body["version"], body["prompt"], body["latest_version"], body["version_count"]) == (
        1,
        "v1 text",
        3,
        3,
    )
    item = api.list_items()[0]
    assert item["version"] == 3
    assert item["all_labels"] == before == [{"name": "production", "version": 1}]
    assert item["labels"] == []
    assert label_rows(world.team, "p") == {"production": 1}


def test_case_19_archive_and_recreate(api, world, p):
    api.label("p", "staging", 2)
    assert api.post("name/p/archive/").status_code == 204

    for label in ("production", "staging"):
        response = api.fetch("p", label)
        assert (response.status_code, response.json()) == (404, prompt_not_found("p"))
    assert label_rows(world.team, "p") == {}
    assert move_count(world.team, "p") == 0

    api.create("p", "new v1")
    response = api.fetch("p", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("p"))
    assert api.resolve("p")["labels"] == []
    assert api.version_labels("p") == {1: []}
    response = api.history("p", "production")
    assert (response.status_code, response.json()) == (404, label_not_found("production", "p"))

    response = api.set_label("p", "production", 1)
    assert response.status_code == 201, response.content
    body = api.fetch("p", "production").json()
    assert (body["version"], body["prompt"]) == (1, "new v1")
    assert api.moves("p", "production") == [(None, 1)]


def test_case_20_duplicate_copies_no_labels(api, world, p):
    response = api.post("name/p/duplicate/", {"new_name": "copy"})

    assert response.status_code == 201, response.content
    assert response.json()["labels"] == []
    assert response.json()["prompt"] == "v2 text"
    assert api.resolve("copy")["labels"] == []
    items = {item["name"]: item for item in api.list_items()}
    assert items["copy"]["all_labels"] == []
    assert items["p"]["all_labels"] == [{"name": "production", "version": 1}]
    assert label_rows(world.team, "copy") == {}
    response = api.fetch("copy", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("copy"))


def test_case_21_resolve_labels_cover_every_page(api, world, p):
    api.publish("p", "v3 text", 2)
    label = api.set_label("p", "production", 1).json()

    resolved = api.resolve("p", limit=1)

    assert [item["version"] for item in resolved["versions"]] == [3]
    assert resolved["versions"][0]["labels"] == []
    assert resolved["has_more"] is True
    assert len(resolved["labels"]) == 1
    entry = resolved["labels"][0]
    assert set(entry) == LABEL_KEYS
    assert (entry["name"], entry["prompt_name"], entry["version"]) == ("production", "p", 1)
    assert entry == label
    assert entry["created_by"] == user_json(world.user)
    assert resolved["prompt"]["version"] == 3
    assert resolved["prompt"]["labels"] == []


def test_case_21_resolve_label_objects_sorted(api, world, p):
    api.label("p", "canary", 2)
    api.label("p", "alpha", 1)

    labels = api.resolve("p", limit=1, offset=1)["labels"]

    assert [(label["name"], label["version"]) for label in labels] == [
        ("alpha", 1),
        ("canary", 2),
        ("production", 1),
    ]
    assert all(set(label) == LABEL_KEYS for label in labels)


def test_case_22_list_labels_and_all_labels(api):
    api.create("a", "a1")
    api.publish("a", "a2", 1)
    api.label("a", "production", 1)
    api.label("a", "canary", 2)
    api.create("b", "b1")

    items = {item["name"]: item for item in api.list_items()}

    assert items["a"]["version"] == 2
    assert items["a"]["labels"] == ["canary"]
    assert items["a"]["all_labels"] == [
        {"name": "canary", "version": 2},
        {"name": "production", "version": 1},
    ]
    assert items["b"]["labels"] == []
    assert items["b"]["all_labels"] == []


def test_case_23_list_by_label(api, world):
    api.create("a", "a v1")
    api.publish("a", "a v2", 1)
    api.label("a", "l-release", 1)
    api.create("b", "b v1")
    api.label("b", "l-release", 1)
    api.create("c", "c v1")
    api.label("c", "other", 1)
    a1 = rows(world.team, "a")[0]

    response = api.get("", {"label": "l-release", "order_by": "name"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    assert [(item["name"], item["version"]) for item in body["results"]] == [("a", 1), ("b", 1)]
    a = body["results"][0]
    assert (a["is_latest"], a["latest_version"], a["version_count"]) == (False, 2, 2)
    assert a["prompt"] == "a v1"
    assert a["id"] == str(a1.id)
    assert a["labels"] == ["l-release"]
    assert a["first_version_created_at"] == iso(a1.created_at)
    assert body["results"][1]["is_latest"] is True

    response = api.get("", {"label": "l-release", "order_by": "-name"})
    assert [(item["name"], item["version"]) for item in response.json()["results"]] == [("b", 1), ("a", 1)]
    response = api.get("", {"label": "l-release", "search": "a"})
    assert [item["name"] for item in response.json()["results"]] == ["a"]
    assert response.json()["count"] == 1
    response = api.get("", {"label": "l-release", "order_by": "name", "limit": 1, "offset": 1})
    assert response.json()["count"] == 2
    assert [item["name"] for item in response.json()["results"]] == ["b"]
    response = api.get("", {"label": "nobody-has-it"})
    assert (response.json()["count"], response.json()["results"]) == (0, [])


def test_case_23_list_by_label_content_modes(api, world):
    api.create("a", "a v1")
    api.publish("a", "a v2", 1)
    api.label("a", "l-release", 1)

    preview = api.get("", {"label": "l-release", "content": "preview"}).json()["results"][0]
    assert "prompt" not in preview
    assert preview["prompt_preview"] == "a v1"
    assert preview["version"] == 1
    none = api.get("", {"label": "l-release", "content": "none"}).json()["results"][0]
    assert "prompt" not in none
    assert "prompt_preview" not in none
    assert none["version"] == 1


def test_case_24_list_label_errors_and_latest(api):
    api.create("a", "a v1")
    api.publish("a", "a v2", 1)
    api.label("a", "production", 1)
    api.create("b", "b v1")

    response = api.get("", {"label": "Bad"})
    assert (response.status_code, response.json()) == (400, bad_charset("label"))
    response = api.get("", {"label": "LATEST"})
    assert (response.status_code, response.json()) == (400, reserved("label"))

    plain = api.get("", {"order_by": "name"}).json()
    latest = api.get("", {"label": "latest", "order_by": "name"})
    assert latest.status_code == 200
    assert latest.json() == plain
    assert [(item["name"], item["version"]) for item in plain["results"]] == [("a", 2), ("b", 1)]
    empty = api.get("", {"label": "", "order_by": "name"})
    assert empty.json() == plain


def test_case_29_sdk_path(api, client, world, p):
    headers = bearer(world.k_all)
    token = world.team.api_token
    for prefix in ("/api/environments", "/api/projects"):
        response = client.get(
            f"{prefix}/@current/llm_prompts/name/p/?token={token}&label=production", **headers
        )
        assert response.status_code == 200, (prefix, response.content)
        body = response.json()
        assert (body["version"], body["prompt"], body["label"]) == (1, "v1 text", "production")
        assert body == api.fetch("p", "production").json()


# ---- content modes, key sets, ETag ---------------------------------------------------------------


def test_labeled_fetch_key_sets_per_content_mode(api, p):
    full = api.fetch("p", "production", content="full").json()
    assert set(full) == PUBLIC_KEYS | {"label"}
    preview = api.fetch("p", "production", content="preview").json()
    assert set(preview) == PUBLIC_PREVIEW_KEYS | {"label"}
    none = api.fetch("p", "production", content="none").json()
    assert set(none) == PUBLIC_NONE_KEYS | {"label"}
    for body in (full, preview, none):
        assert (body["version"], body["label"], body["is_latest"]) == (1, "production", False)
    assert preview["prompt_preview"] == "v1 text"
    plain = api.get("name/p/", {"content": "preview"}).json()
    assert set(plain) == PUBLIC_PREVIEW_KEYS
    assert plain["version"] == 2


def test_labeled_fetch_preview_of_a_long_prompt(api):
    api.create("long", "x" * 200)
    api.publish("long", "short", 1)
    api.label("long", "production", 1)

    body = api.fetch("long", "production", content="preview").json()

    assert body["prompt_preview"] == "x" * 160 + "..."
    assert "prompt" not in body
    assert body["label"] == "production"
    response = api.fetch("long", "Bad", content="preview")
    assert (response.status_code, response.json()) == (400, bad_charset("label"))


def test_labeled_fetch_etag_changes_after_a_move(api, p):
    first = api.fetch("p", "production")
    etag = first["ETag"]
    assert etag

    same = api.client.get(
        api.url("name/p/"), {"label": "production"}, HTTP_IF_NONE_MATCH=etag, **bearer(api.key)
    )
    assert same.status_code == 304

    api.label("p", "production", 2)
    after = api.client.get(
        api.url("name/p/"), {"label": "production"}, HTTP_IF_NONE_MATCH=etag, **bearer(api.key)
    )
    assert after.status_code == 200
    assert after.json()["version"] == 2
    assert after.json()["prompt"] == "v2 text"
    assert after["ETag"] != etag

    again = api.client.get(
        api.url("name/p/"), {"label": "production"}, HTTP_IF_NONE_MATCH=after["ETag"], **bearer(api.key)
    )
    assert again.status_code == 304

    # Moving back serves v1 again, not the cached v2.
    api.label("p", "production", 1)
    back = api.client.get(
        api.url("name/p/"), {"label": "production"}, HTTP_IF_NONE_MATCH=after["ETag"], **bearer(api.key)
    )
    assert back.status_code == 200
    assert back.json()["version"] == 1


def test_labeled_fetch_etag_differs_from_the_unlabeled_one(api, p):
    """The labeled body carries `label`, so it is not the same representation as `?version=1`."""
    labeled = api.fetch("p", "production")
    by_version = api.get("name/p/", {"version": 1})
    assert labeled.json()["id"] == by_version.json()["id"]
    assert labeled["ETag"] != by_version["ETag"]
    response = api.client.get(
        api.url("name/p/"), {"version": 1}, HTTP_IF_NONE_MATCH=labeled["ETag"], **bearer(api.key)
    )
    assert response.status_code == 200
    assert "label" not in response.json()


def test_labeled_fetch_after_delete_with_old_etag(api, p):
    etag = api.fetch("p", "production")["ETag"]
    assert api.remove_label("p", "production").status_code == 204
    response = api.client.get(
        api.url("name/p/"), {"label": "production"}, HTTP_IF_NONE_MATCH=etag, **bearer(api.key)
    )
    assert (response.status_code, response.json()) == (404, prompt_not_found("p"))


def test_labeled_fetch_of_a_json_prompt(api):
    payload = {"system": "You are helpful.", "temperature": 0.7}
    api.create("j", payload)
    api.publish("j", "text now", 1)
    api.label("j", "production", 1)

    body = api.fetch("j", "production").json()
    assert body["prompt"] == payload
    preview = api.fetch("j", "production", content="preview").json()
    assert preview["prompt_preview"] == '{"system": "You are helpful.", "temperature": 0.7}'


def test_labeled_fetch_content_choice_is_checked(api, p):
    response = api.fetch("p", "production", content="bogus")
    assert (response.status_code, response.json()) == (
        400,
        validation("content", "invalid_choice", '"bogus" is not a valid choice.'),
    )
    response = api.fetch("p", "production", content="")
    assert response.json() == api.fetch("p", "production").json()


def test_list_by_label_filters_on_the_labeled_rows_publisher(api, world):
    colleague = UserFactory(email="colleague@example.com")
    make_member(colleague, world.org_a)
    seed_history(world.team, "a", ["a v1"], colleague)
    services.publish_prompt(team=world.team, name="a", prompt="a v2", base_version=1, created_by=world.user)
    api.label("a", "l-release", 1)
    api.label("a", "canary", 2)

    def names(**params) -> list[tuple[str, int]]:
        return [(item["name"], item["version"]) for item in api.list_items(**params)]

    assert names(label="l-release", created_by_id=colleague.id) == [("a", 1)]
    assert names(label="l-release", created_by_id=world.user.id) == []
    assert names(label="canary", created_by_id=world.user.id) == [("a", 2)]
    assert names(label="canary", created_by_id=colleague.id) == []
    item = api.list_items(label="l-release")[0]
    assert item["created_by"]["email"] == "colleague@example.com"
    assert item["labels"] == ["l-release"]
    assert item["all_labels"] == [{"name": "canary", "version": 2}, {"name": "l-release", "version": 1}]


def test_warm_labeled_fetch_is_dropped_by_archive_rename_and_soft_delete(api, world):
    for name in ("arch", "ren", "soft"):
        api.create(name, f"{name} v1")
        api.publish(name, f"{name} v2", 1)
        api.label(name, "production", 1)
        assert api.fetch(name, "production").json()["version"] == 1

    assert api.post("name/arch/archive/").status_code == 204
    response = api.fetch("arch", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("arch"))

    ren_id = api.get("name/ren/").json()["id"]
    assert api.patch(f"{ren_id}/", {"name": "renamed"}).status_code == 200
    response = api.fetch("ren", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("ren"))
    assert api.fetch("renamed", "production").json()["prompt"] == "ren v1"

    soft_id = api.get("name/soft/").json()["id"]
    assert api.patch(f"{soft_id}/", {"deleted": True}).status_code == 200
    response = api.fetch("soft", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("soft"))

    # Re-created under the old names: no label comes back from a cache.
    for name in ("arch", "ren", "soft"):
        api.create(name, f"{name} again")
        response = api.fetch(name, "production")
        assert (response.status_code, response.json()) == (404, prompt_not_found(name))
        api.label(name, "production", 1)
        assert api.fetch(name, "production").json()["prompt"] == f"{name} again"


def test_duplicate_onto_an_archived_labeled_name_starts_without_labels(api, world):
    api.create("old", "old v1")
    api.label("old", "production", 1)
    api.fetch("old", "production")
    assert api.post("name/old/archive/").status_code == 204
    api.create("src", "src v1")

    response = api.post("name/src/duplicate/", {"new_name": "old"})

    assert response.status_code == 201, response.content
    assert response.json()["labels"] == []
    response = api.fetch("old", "production")
    assert (response.status_code, response.json()) == (404, prompt_not_found("old"))
    assert api.resolve("old")["labels"] == []
    assert label_rows(world.team, "old") == {}
