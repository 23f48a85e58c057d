"""Scopes, authentication, project routing, URL prefixes and optional trailing slashes of every skill
route (skills spec §1; cases 62-64)."""

import pytest

from skills.models import LLMSkill, LLMSkillFile
from tests.api import bearer, not_authenticated, permission_denied
from tests.skills.helpers import (
    READ_SCOPE_DENIED,
    WRITE_SCOPE_DENIED,
    history_state,
    skill_not_found,
    versions,
)

NOT_AUTHENTICATED = not_authenticated()
NO_PROJECT_ACCESS = permission_denied("You don't have access to the project.")

# Every write route of a skill `s` whose v1 holds `a.md`: (label, method, path, payload, success status).
WRITE_ROUTES = [
    ("create", "post", "", {"name": "other", "description": "d", "body": "b"}, 201),
    ("publish", "patch", "name/s/", {"base_version": 1, "body": "v2"}, 200),
    ("archive", "post", "name/s/archive/", None, 204),
    ("duplicate", "post", "name/s/duplicate/", {"new_name": "the-copy"}, 201),
    ("file_create", "post", "name/s/files/", {"path": "b.md", "content": "b"}, 201),
    ("file_rename", "post", "name/s/files-rename/", {"old_path": "a.md", "new_path": "c.md"}, 200),
    ("file_delete", "delete", "name/s/files/a.md", None, 200),
]
WRITE_IDS = [route[0] for route in WRITE_ROUTES]

# Every read route: (label, method, path).
READ_ROUTES = [
    ("list", "get", ""),
    ("get", "get", "name/s/"),
    ("get_version", "get", "name/s/?version=1"),
    ("resolve", "get", "resolve/name/s/"),
    ("file_get", "get", "name/s/files/a.md"),
    ("file_head", "head", "name/s/files/a.md"),
]
READ_IDS = [route[0] for route in READ_ROUTES]


def call(client, method: str, url: str, payload=None, key: str | None = None):
    headers = bearer(key) if key else {}
    if method in ("get", "head"):
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, payload, format="json", **headers)


def snapshot(world) -> tuple:
    """Everything the skill routes could write."""
    return (
        sorted(LLMSkill.objects.values_list("team_id", "name", "version", "is_latest", "deleted")),
        sorted(LLMSkillFile.objects.values_list("skill_version_id", "path", "content", "content_type")),
    )


@pytest.fixture
def skill_s(api, world):
    """`s` at v1 with the file `a.md`."""
    return api.create(
        "s", body="# S\nbody", files=[{"path": "a.md", "content": "A", "content_type": "text/markdown"}]
    )


def check_write_effect(world, label: str, body) -> None:
    """The DB state each write route leaves behind when it succeeds."""
    if label == "create":
        assert history_state(world.team, "other") == [(1, True, False)]
        assert history_state(world.team, "s") == [(1, True, False)]
    elif label == "archive":
        assert history_state(world.team, "s") == [(1, False, True)]
    elif label == "duplicate":
        assert history_state(world.team, "the-copy") == [(1, True, False)]
        assert body["name"] == "the-copy"
    else:
        assert history_state(world.team, "s") == [(1, False, False), (2, True, False)]
        assert body["version"] == 2
        expected_paths = {
            "publish": ["a.md"],
            "file_create": ["a.md", "b.md"],
            "file_rename": ["c.md"],
            "file_delete": [],
        }[label]
        assert [f["path"] for f in body["files"]] == expected_paths
        v2 = versions(world.team, "s")[1]
        assert sorted(v2.files.values_list("path", flat=True)) == sorted(expected_paths)


# ---- case 62: scopes --------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "method", "path", "payload", "ok"), WRITE_ROUTES, ids=WRITE_IDS)
def test_case_62_read_only_key_cannot_write(
    api, client, world, skill_keys, skill_s, label, method, path, payload, ok
):
    before = snapshot(world)

    response = call(client, method, api.url(path), payload, skill_keys.read)

    assert response.status_code == 403, response.content
    assert response.json() == WRITE_SCOPE_DENIED
    assert snapshot(world) == before
    assert history_state(world.team, "s") == [(1, True, False)]


@pytest.mark.parametrize(("label", "method", "path", "payload", "ok"), WRITE_ROUTES, ids=WRITE_IDS)
def test_case_62_write_key_can_write(
    api, client, world, skill_keys, skill_s, label, method, path, payload, ok
):
    response = call(client, method, api.url(path), payload, skill_keys.write)

    assert response.status_code == ok, response.content
    body = response.json() if ok != 204 else None
    if ok == 204:
        assert response.content == b""
    check_write_effect(world, label, body)


@pytest.mark.parametrize(("label", "method", "path", "payload", "ok"), WRITE_ROUTES, ids=WRITE_IDS)
def test_case_62_key_without_skill_scope_cannot_write(
    api, client, world, skill_s, label, method, path, payload, ok
):
    before = snapshot(world)
    for key in (world.k_ro, world.k_rw):
        response = call(client, method, api.url(path), payload, key)
        assert response.status_code == 403, response.content
        assert response.json() == WRITE_SCOPE_DENIED
    assert snapshot(world) == before


@pytest.mark.parametrize(("label", "method", "path"), READ_ROUTES, ids=READ_IDS)
def test_case_62_read_key_can_read(api, client, skill_keys, skill_s, label, method, path):
    response = call(client, method, api.url(path), key=skill_keys.read)
    assert response.status_code == 200, response.content
    # Write implies read.
    with_write = call(client, method, api.url(path), key=skill_keys.write)
    assert with_write.status_code == 200
    if method == "get":
        assert response.json() == with_write.json()


def test_case_62_read_key_bodies(api, client, skill_keys, skill_s):
    key = skill_keys.read
    assert call(client, "get", api.url(), key=key).json()["count"] == 1
    assert call(client, "get", api.url("name/s/"), key=key).json()["body"] == "# S\nbody"
    resolved = call(client, "get", api.url("resolve/name/s/"), key=key).json()
    assert (resolved["skill"]["version"], resolved["has_more"]) == (1, False)
    assert call(client, "get", api.url("name/s/files/a.md"), key=key).json() == {
        "path": "a.md",
        "content": "A",
        "content_type": "text/markdown",
    }


@pytest.mark.parametrize(("label", "method", "path"), READ_ROUTES, ids=READ_IDS)
def test_case_62_key_without_skill_scope_cannot_read(api, client, world, skill_s, label, method, path):
    response = call(client, method, api.url(path), key=world.k_ro)
    assert response.status_code == 403
    if method == "get":
        assert response.json() == READ_SCOPE_DENIED


def test_case_62_file_delete_needs_write_although_get_shares_its_url(api, client, world, skill_keys, skill_s):
    url = api.url("name/s/files/a.md")
    assert call(client, "get", url, key=skill_keys.read).status_code == 200

    response = call(client, "delete", url, key=skill_keys.read)
    assert response.status_code == 403
    assert response.json() == WRITE_SCOPE_DENIED
    # Also with an otherwise-valid base_version.
    response = call(client, "delete", f"{url}?base_version=1", key=skill_keys.read)
    assert (response.status_code, response.json()) == (403, WRITE_SCOPE_DENIED)
    assert history_state(world.team, "s") == [(1, True, False)]

    response = call(client, "delete", url, key=skill_keys.write)
    assert response.status_code == 200
    assert history_state(world.team, "s") == [(1, False, False), (2, True, False)]


def test_case_62_scope_checked_before_validation_and_lookup(api, client, world, skill_keys):
    # An invalid payload or an unknown skill still answers 403 for a read-only key.
    cases = [
        ("post", "", {"name": "Bad Name"}),
        ("patch", "name/nope/", {}),
        ("post", "name/nope/archive/", None),
        ("delete", "name/nope/files/..%2Fx", None),
    ]
    for method, path, payload in cases:
        response = call(client, method, api.url(path), payload, skill_keys.read)
        assert (response.status_code, response.json()) == (403, WRITE_SCOPE_DENIED), path
    assert not LLMSkill.objects.exists()


def test_case_62_star_key_uses_every_route(api, client, world, skill_s):
    key = world.k_all
    for _, method, path in READ_ROUTES:
        assert call(client, method, api.url(path), key=key).status_code == 200, path
    steps = [
        ("patch", "name/s/", {"base_version": 1, "body": "v2"}, 200),
        ("post", "name/s/duplicate/", {"new_name": "the-copy"}, 201),
        ("post", "name/s/files/", {"path": "b.md", "content": "b", "base_version": 2}, 201),
        ("post", "name/s/files-rename/", {"old_path": "a.md", "new_path": "c.md", "base_version": 3}, 200),
        ("delete", "name/s/files/c.md?base_version=4", None, 200),
        ("post", "", {"name": "other", "description": "d", "body": "b"}, 201),
    ]
    for method, path, payload, ok in steps:
        response = call(client, method, api.url(path), payload, key)
        assert response.status_code == ok, (path, response.content)
    assert [f["path"] for f in api.get("name/s/").json()["files"]] == ["b.md"]
    assert call(client, "post", api.url("name/s/archive/"), key=key).status_code == 204
    assert history_state(world.team, "s") == [(v, False, True) for v in range(1, 6)]
    assert history_state(world.team, "the-copy") == [(1, True, False)]


# ---- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "method", "path"), READ_ROUTES, ids=READ_IDS)
def test_case_62_no_key_on_reads(api, client, skill_s, label, method, path):
    response = call(client, method, api.url(path))
    assert response.status_code == 401
    if method == "get":
        assert response.json() == NOT_AUTHENTICATED


@pytest.mark.parametrize(("label", "method", "path", "payload", "ok"), WRITE_ROUTES, ids=WRITE_IDS)
def test_case_62_no_key_on_writes(api, client, world, skill_s, label, method, path, payload, ok):
    before = snapshot(world)
    response = call(client, method, api.url(path), payload)
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    assert snapshot(world) == before


def test_case_62_invalid_key(api, client, world, skill_s):
    response = call(client, "get", api.url("name/s/"), key="phx_not_a_real_key_at_all")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    response = call(client, "post", api.url(), {"name": "x", "description": "d", "body": "b"}, "phx_nope")
    assert response.status_code == 401
    assert not LLMSkill.objects.filter(name="x").exists()


# ---- case 63: project isolation -----------------------------------------------------------------


@pytest.fixture
def b_skill(client, world, other_member):
    """`b-only` (with `a.md`) in T_B, created by a member of org B."""
    _, b_key = other_member
    response = client.post(
        f"/api/environments/{world.team_b.id}/llm_skills/",
        {"name": "b-only", "description": "d", "body": "secret", "files": [{"path": "a.md", "content": "x"}]},
        format="json",
        **bearer(b_key),
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_case_63_other_projects_skill_via_own_url_is_not_found(api, world, b_skill):
    for path in ("name/b-only/", "name/b-only/?version=1", "resolve/name/b-only/"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == skill_not_found("b-only")
    assert api.get("name/b-only/files/a.md").json() == skill_not_found("b-only")
    assert api.get().json()["count"] == 0
    assert api.get("", {"search": "b-only"}).json()["count"] == 0


def test_case_63_other_projects_skill_cannot_be_written_via_own_url(api, world, b_skill):
    before = snapshot(world)
    writes = [
        api.patch("name/b-only/", {"base_version": 1, "body": "hijack"}),
        api.post("name/b-only/archive/"),
        api.post("name/b-only/duplicate/", {"new_name": "stolen"}),
        api.post("name/b-only/files/", {"path": "b.md", "content": "x"}),
        api.post("name/b-only/files-rename/", {"old_path": "a.md", "new_path": "c.md"}),
        api.delete("name/b-only/files/a.md"),
    ]
    for response in writes:
        assert response.status_code == 404, response.content
        assert response.json() == skill_not_found("b-only")
    assert snapshot(world) == before
    assert history_state(world.team_b, "b-only") == [(1, True, False)]


def test_case_63_same_name_is_separate_per_project(api, world, b_skill):
    created = api.create("b-only", body="mine")
    assert created["version"] == 1
    assert api.get("name/b-only/").json()["body"] == "mine"
    assert versions(world.team_b, "b-only")[0].body == "secret"


@pytest.mark.parametrize("prefix", ["environments", "projects"])
def test_case_63_other_projects_url_with_our_key_is_forbidden(client, world, skill_keys, b_skill, prefix):
    base = f"/api/{prefix}/{world.team_b.id}/llm_skills"
    before = snapshot(world)
    for key in (skill_keys.read, skill_keys.write, world.k_all):
        for _, method, path in READ_ROUTES:
            response = call(client, method, f"{base}/{path.replace('name/s', 'name/b-only')}", key=key)
            assert response.status_code == 403, (path, response.content)
            if method == "get":
                assert response.json() == NO_PROJECT_ACCESS
    for key in (skill_keys.write, world.k_all):
        for _, method, path, payload, _ok in WRITE_ROUTES:
            response = call(client, method, f"{base}/{path.replace('name/s', 'name/b-only')}", payload, key)
            assert response.status_code == 403, (path, response.content)
            assert response.json() == NO_PROJECT_ACCESS
    assert snapshot(world) == before


def test_case_63_sibling_project_in_same_org_is_isolated(api, client, world):
    response = client.post(
        f"/api/environments/{world.team2.id}/llm_skills/",
        {"name": "t2-skill", "description": "d", "body": "b"},
        format="json",
        **bearer(world.k_all),
    )
    assert response.status_code == 201
    assert api.get("name/t2-skill/").json() == skill_not_found("t2-skill")
    assert api.get().json()["count"] == 0
    response = client.get(
        f"/api/environments/{world.team2.id}/llm_skills/name/t2-skill/", **bearer(world.k_all)
    )
    assert response.status_code == 200


def test_case_63_unknown_project(client, world):
    response = client.get(f"/api/environments/{world.missing_id}/llm_skills/", **bearer(world.k_all))
    assert response.status_code == 404


# ---- prefixes and @current ----------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["environments", "projects"])
@pytest.mark.parametrize(("label", "method", "path"), READ_ROUTES, ids=READ_IDS)
def test_case_64_both_prefixes_serve_reads(api, client, world, skill_s, prefix, label, method, path):
    base = f"/api/{prefix}/{world.t}/llm_skills"
    response = call(client, method, f"{base}/{path}", key=world.k_all)
    assert response.status_code == 200
    if method == "get":
        reference = call(client, "get", api.url(path), key=world.k_all)
        assert response.json() == reference.json()


@pytest.mark.parametrize("prefix", ["environments", "projects"])
@pytest.mark.parametrize(("label", "method", "path", "payload", "ok"), WRITE_ROUTES, ids=WRITE_IDS)
def test_case_64_both_prefixes_serve_writes(client, world, skill_s, prefix, label, method, path, payload, ok):
    base = f"/api/{prefix}/{world.t}/llm_skills"
    response = call(client, method, f"{base}/{path}", payload, world.k_all)
    assert response.status_code == ok, response.content
    check_write_effect(world, label, response.json() if ok != 204 else None)


@pytest.mark.parametrize("prefix", ["environments", "projects"])
@pytest.mark.parametrize(("label", "method", "path"), READ_ROUTES, ids=READ_IDS)
def test_case_64_current_project_alias_reads(api, client, world, skill_s, prefix, label, method, path):
    response = call(client, method, f"/api/{prefix}/@current/llm_skills/{path}", key=world.k_all)
    assert response.status_code == 200, response.content
    if method == "get":
        assert response.json() == call(client, "get", api.url(path), key=world.k_all).json()


@pytest.mark.parametrize("prefix", ["environments", "projects"])
@pytest.mark.parametrize(("label", "method", "path", "payload", "ok"), WRITE_ROUTES, ids=WRITE_IDS)
def test_case_64_current_project_alias_writes(
    client, world, skill_s, prefix, label, method, path, payload, ok
):
    response = call(client, method, f"/api/{prefix}/@current/llm_skills/{path}", payload, world.k_all)
    assert response.status_code == ok, response.content
    check_write_effect(world, label, response.json() if ok != 204 else None)


# ---- case 64: optional trailing slash -----------------------------------------------------------


@pytest.mark.parametrize("prefix", ["environments", "projects"])
@pytest.mark.parametrize(("label", "method", "path"), READ_ROUTES, ids=READ_IDS)
def test_case_64_reads_with_and_without_trailing_slash(client, world, skill_s, prefix, label, method, path):
    base = f"/api/{prefix}/{world.t}/llm_skills"
    head, _, query = path.partition("?")
    bare = head.rstrip("/")
    with_slash = f"{base}/{bare}/" if bare else f"{base}/"
    no_slash = f"{base}/{bare}" if bare else base
    if query:
        with_slash, no_slash = f"{with_slash}?{query}", f"{no_slash}?{query}"

    first = call(client, method, with_slash, key=world.k_all)
    second = call(client, method, no_slash, key=world.k_all)
    assert (first.status_code, second.status_code) == (200, 200), (with_slash, no_slash)
    if method == "get":
        assert first.json() == second.json()
    if label == "get":
        assert first.json()["name"] == "s"


@pytest.mark.parametrize("slash", [True, False], ids=["slash", "no_slash"])
@pytest.mark.parametrize(("label", "method", "path", "payload", "ok"), WRITE_ROUTES, ids=WRITE_IDS)
def test_case_64_writes_with_and_without_trailing_slash(
    client, world, skill_s, slash, label, method, path, payload, ok
):
    base = f"/api/environments/{world.t}/llm_skills"
    bare = path.rstrip("/")
    if bare:
        url = f"{base}/{bare}/" if slash else f"{base}/{bare}"
    else:
        url = f"{base}/" if slash else base
    response = call(client, method, url, payload, world.k_all)
    assert response.status_code == ok, (url, response.content)
    check_write_effect(world, label, response.json() if ok != 204 else None)


def test_case_64_spec_example_name_s(api, client, world, skill_s):
    no_slash = client.get(f"{api.base}/name/s", **bearer(world.k_all))
    slash = client.get(f"{api.base}/name/s/", **bearer(world.k_all))
    assert (no_slash.status_code, slash.status_code) == (200, 200)
    assert no_slash.json() == slash.json()
    assert no_slash.json()["version"] == 1
    # PATCH without a slash publishes too.
    response = client.patch(
        f"{api.base}/name/s", {"base_version": 1, "body": "# V2"}, format="json", **bearer(world.k_all)
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_case_64_trailing_slash_on_file_path_is_removed(api, client, world, skill_s):
    response = client.get(f"{api.base}/name/s/files/a.md/", **bearer(world.k_all))
    assert response.status_code == 200
    assert response.json()["path"] == "a.md"
    response = client.delete(f"{api.base}/name/s/files/a.md/", **bearer(world.k_all))
    assert response.status_code == 200
    assert response.json()["files"] == []


def test_case_64_no_redirects(api, client, world, skill_s):
    for url in (
        api.base,
        f"{api.base}/name/s",
        f"{api.base}/resolve/name/s",
        f"{api.base}/name/s/files/a.md",
    ):
        response = client.get(url, **bearer(world.k_all))
        assert response.status_code == 200, url
        assert "Location" not in response
