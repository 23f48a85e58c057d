"""GET P/resolve/name/{name}/ (skills spec §4.5; cases 56-59)."""

import uuid
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skills.models import LLMSkill
from tests.api import iso, user_json, validation
from tests.factories import UserFactory
from tests.skills.helpers import (
    FULL_KEYS,
    SUMMARY_KEYS,
    expected_skill,
    seed_skill,
    seed_versions,
    skill_not_found,
    versions,
)

BOTH_PAGINGS = validation(None, "invalid_input", "Use either offset or before_version, not both.")


def summary(row: LLMSkill) -> dict[str, Any]:
    row.refresh_from_db()
    return {
        "id": str(row.id),
        "version": row.version,
        "created_by": user_json(row.created_by),
        "created_at": iso(row.created_at),
        "is_latest": row.is_latest,
    }


def numbers(body: dict) -> list[int]:
    return [v["version"] for v in body["versions"]]


@pytest.fixture
def two_versions(world, api, colleague) -> tuple[LLMSkill, LLMSkill]:
    """`s` v1 (by U, one file) and v2 (by a second member of org A, body and file edited)."""
    other, other_key = colleague
    api.create(
        "s", body="# One\n\nx", files=[{"path": "a.md", "content": "alpha", "content_type": "text/markdown"}]
    )
    replace(api, key=other_key).publish(
        "s", 1, body="# Two\n\ny", file_edits=[{"path": "a.md", "edits": [{"old": "alpha", "new": "beta"}]}]
    )
    v1, v2 = versions(world.team, "s")
    assert (v1.created_by_id, v2.created_by_id) == (world.user.id, other.id)
    return v1, v2


# ---- case 56 -------------------------------------------------------------------------------------


def test_case_56_resolve_latest_with_history(api, world, skill_keys, two_versions):
    v1, v2 = two_versions

    response = api.get("resolve/name/s/", key=skill_keys.read)

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["skill", "versions", "has_more"]
    assert list(body["skill"]) == FULL_KEYS
    assert body == {"skill": expected_skill(v2), "versions": [summary(v2), summary(v1)], "has_more": False}
    assert body["skill"]["version"] == 2
    assert numbers(body) == [2, 1]
    for item in body["versions"]:
        assert list(item) == SUMMARY_KEYS
    # Each summary names the user who produced that version.
    assert body["versions"][0]["created_by"]["email"] == "colleague@example.com"
    assert body["versions"][1]["created_by"] == user_json(world.user)
    assert [v["is_latest"] for v in body["versions"]] == [True, False]
    assert body["skill"]["files"] == [{"path": "a.md", "content_type": "text/markdown"}]


def test_case_56_resolve_without_trailing_slash_and_projects_prefix(api, projects_api, two_versions):
    first = api.get("resolve/name/s").json()
    assert projects_api.get("resolve/name/s/").json() == first
    assert numbers(first) == [2, 1]


def test_case_56_created_by_null_when_user_is_gone(api, world, two_versions):
    _, v2 = two_versions
    v2.created_by.delete()
    body = api.get("resolve/name/s/").json()
    assert body["versions"][0]["created_by"] is None
    assert body["skill"]["created_by"] is None
    assert body["versions"][1]["created_by"] == user_json(world.user)


def test_case_56_resolve_errors(api, world, two_versions):
    cases = [
        ("nope", {}, 404, skill_not_found("nope")),
        ("S", {}, 404, skill_not_found("S")),
        ("s", {"version": 3}, 404, skill_not_found("s")),
        (
            "s",
            {"version": 0},
            400,
            validation("version", "min_value", "Ensure this value is greater than or equal to 1."),
        ),
        ("s", {"version": "x"}, 400, validation("version", "invalid_input", "A valid integer is required.")),
        (
            "s",
            {"offset": -1},
            400,
            validation("offset", "min_value", "Ensure this value is greater than or equal to 0."),
        ),
        ("s", {"offset": "x"}, 400, validation("offset", "invalid_input", "A valid integer is required.")),
        (
            "s",
            {"before_version": 0},
            400,
            validation("before_version", "min_value", "Ensure this value is greater than or equal to 1."),
        ),
        ("s", {"limit": "x"}, 400, validation("limit", "invalid_input", "A valid integer is required.")),
        # validation comes before the lookup
        (
            "nope",
            {"limit": 0},
            400,
            validation("limit", "min_value", "Ensure this value is greater than or equal to 1."),
        ),
    ]
    for name, query, status, expected in cases:
        response = api.get(f"resolve/name/{name}/", query)
        assert (response.status_code, response.json()) == (status, expected), (name, query)


def test_case_56_resolve_archived_is_404(api, world, two_versions):
    assert api.post("name/s/archive/").status_code == 204
    response = api.get("resolve/name/s/")
    assert (response.status_code, response.json()) == (404, skill_not_found("s"))


def test_case_56_scopes(api, world, skill_keys, two_versions):
    assert api.get("resolve/name/s/", key=skill_keys.read).status_code == 200
    response = api.get("resolve/name/s/", key=world.k_ro)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


# ---- case 57: paging -----------------------------------------------------------------------------


def test_case_57_limit_one_has_more(api, two_versions):
    _, v2 = two_versions
    body = api.get("resolve/name/s/", {"limit": 1}).json()
    assert (body["versions"], body["has_more"]) == ([summary(v2)], True)
    assert body["skill"]["version"] == 2


def test_case_57_before_version(api, two_versions):
    v1, _ = two_versions
    body = api.get("resolve/name/s/", {"before_version": 2}).json()
    assert (body["versions"], body["has_more"]) == ([summary(v1)], False)
    body = api.get("resolve/name/s/", {"before_version": 1}).json()
    assert (body["versions"], body["has_more"]) == ([], False)
    body = api.get("resolve/name/s/", {"before_version": 99}).json()
    assert numbers(body) == [2, 1]


def test_case_57_offset(api, two_versions):
    v1, _ = two_versions
    body = api.get("resolve/name/s/", {"offset": 1, "limit": 1}).json()
    assert (body["versions"], body["has_more"]) == ([summary(v1)], False)
    body = api.get("resolve/name/s/", {"offset": 0, "limit": 1}).json()
    assert (numbers(body), body["has_more"]) == ([2], True)
    body = api.get("resolve/name/s/", {"offset": 2}).json()
    assert (body["versions"], body["has_more"]) == ([], False)
    body = api.get("resolve/name/s/", {"offset": 10**12}).json()
    assert (body["versions"], body["has_more"]) == ([], False)


def test_case_57_paging_a_longer_history(api, world):
    seed_versions(world.team, "long", 7, world.user)
    body = api.get("resolve/name/long/", {"before_version": 6, "limit": 2}).json()
    assert (numbers(body), body["has_more"]) == ([5, 4], True)
    body = api.get("resolve/name/long/", {"before_version": 3, "limit": 2}).json()
    assert (numbers(body), body["has_more"]) == ([2, 1], False)
    body = api.get("resolve/name/long/", {"offset": 3, "limit": 3}).json()
    assert (numbers(body), body["has_more"]) == ([4, 3, 2], True)
    body = api.get("resolve/name/long/", {"offset": 4, "limit": 3}).json()
    assert (numbers(body), body["has_more"]) == ([3, 2, 1], False)


def test_case_57_limit_defaults_to_50(api, world):
    rows = seed_versions(world.team, "many", 51, world.user)
    body = api.get("resolve/name/many/").json()
    assert numbers(body) == list(range(51, 1, -1))
    assert body["has_more"] is True
    assert body["versions"][0] == summary(rows[-1])
    body = api.get("resolve/name/many/", {"limit": 100}).json()
    assert (numbers(body), body["has_more"]) == (list(range(51, 0, -1)), False)
    body = api.get("resolve/name/many/", {"limit": 50, "offset": 50}).json()
    assert (numbers(body), body["has_more"]) == ([1], False)
    # Blank query values count as absent.
    body = api.get("resolve/name/many/", {"limit": "", "offset": " "}).json()
    assert (len(body["versions"]), body["has_more"]) == (50, True)


def test_case_57_limit_100_is_the_maximum(api, world):
    seed_versions(world.team, "many", 101, world.user)
    body = api.get("resolve/name/many/", {"limit": 100}).json()
    assert (len(body["versions"]), body["has_more"]) == (100, True)
    assert numbers(body)[-1] == 2


def test_case_57_archived_rows_are_not_listed(api, world):
    api.create("s")
    api.publish("s", 1, body="two")
    assert api.post("name/s/archive/").status_code == 204
    api.create("s", body="fresh")
    body = api.get("resolve/name/s/").json()
    (row,) = versions(world.team, "s")
    assert body == {"skill": expected_skill(row), "versions": [summary(row)], "has_more": False}


# ---- case 58: query errors -----------------------------------------------------------------------


def test_case_58_offset_with_before_version_is_400(api, two_versions):
    for query in ({"offset": 0, "before_version": 2}, {"offset": 1, "before_version": 5}):
        response = api.get("resolve/name/s/", query)
        assert (response.status_code, response.json()) == (400, BOTH_PAGINGS), query


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (0, validation("limit", "min_value", "Ensure this value is greater than or equal to 1.")),
        (-5, validation("limit", "min_value", "Ensure this value is greater than or equal to 1.")),
        (101, validation("limit", "max_value", "Ensure this value is less than or equal to 100.")),
    ],
)
def test_case_58_limit_out_of_range_is_400(api, two_versions, limit, expected):
    response = api.get("resolve/name/s/", {"limit": limit})
    assert (response.status_code, response.json()) == (400, expected)


def test_case_58_version_id_not_a_uuid_is_400(api, two_versions):
    response = api.get("resolve/name/s/", {"version_id": "not-a-uuid"})
    assert (response.status_code, response.json()) == (
        400,
        validation("version_id", "invalid_input", "Must be a valid UUID."),
    )


# ---- case 59: choosing the skill -----------------------------------------------------------------


def test_case_59_version_id_selects_that_version(api, two_versions):
    v1, v2 = two_versions
    body = api.get("resolve/name/s/", {"version_id": str(v1.id)}).json()
    assert body == {"skill": expected_skill(v1), "versions": [summary(v2), summary(v1)], "has_more": False}
    assert (body["skill"]["version"], body["skill"]["is_latest"], body["skill"]["latest_version"]) == (
        1,
        False,
        2,
    )
    assert body["skill"]["body"] == "# One\n\nx"
    assert body["skill"]["created_by"] == user_json(v1.created_by)


def test_case_59_version_selects_that_version(api, two_versions):
    v1, v2 = two_versions
    body = api.get("resolve/name/s/", {"version": 1}).json()
    assert body == {"skill": expected_skill(v1), "versions": [summary(v2), summary(v1)], "has_more": False}


def test_case_59_version_and_version_id_must_both_match(api, two_versions):
    v1, _ = two_versions
    body = api.get("resolve/name/s/", {"version_id": str(v1.id), "version": 1}).json()
    assert body["skill"]["id"] == str(v1.id)
    response = api.get("resolve/name/s/", {"version_id": str(v1.id), "version": 2})
    assert (response.status_code, response.json()) == (404, skill_not_found("s"))


def test_case_59_version_id_of_another_name_is_404(api, world, two_versions):
    other = api.create("other")
    response = api.get("resolve/name/s/", {"version_id": other["id"]})
    assert (response.status_code, response.json()) == (404, skill_not_found("s"))
    v1, _ = two_versions
    response = api.get("resolve/name/other/", {"version_id": str(v1.id)})
    assert (response.status_code, response.json()) == (404, skill_not_found("other"))
    response = api.get("resolve/name/s/", {"version_id": str(uuid.uuid4())})
    assert (response.status_code, response.json()) == (404, skill_not_found("s"))


def test_case_59_version_id_of_an_archived_row_is_404(api, world):
    archived = api.create("s", body="old")
    assert api.post("name/s/archive/").status_code == 204
    api.create("s", body="new")
    response = api.get("resolve/name/s/", {"version_id": archived["id"]})
    assert (response.status_code, response.json()) == (404, skill_not_found("s"))
    # And `version=1` now means the new history's v1.
    assert api.get("resolve/name/s/", {"version": 1}).json()["skill"]["body"] == "new"


def test_case_59_versions_do_not_depend_on_the_chosen_skill(api, world):
    rows = seed_versions(world.team, "four", 4, world.user)
    for query in (
        {},
        {"version": 1},
        {"version_id": str(rows[1].id)},
        {"version": 3, "version_id": str(rows[2].id)},
    ):
        body = api.get("resolve/name/four/", {**query, "limit": 2}).json()
        assert (body["versions"], body["has_more"]) == ([summary(rows[3]), summary(rows[2])], True), query
    body = api.get("resolve/name/four/", {"version": 1, "limit": 2}).json()
    assert body["skill"]["version"] == 1


def test_case_59_bounded_query_count(api, world):
    """The number of queries does not grow with the history or the files."""

    def queries_for(name: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(f"resolve/name/{name}/", {"limit": 100})
        assert response.status_code == 200
        return len(captured.captured_queries)

    seed_versions(world.team, "small", 2, world.user, files=[("a.md", "a")])
    big = seed_versions(world.team, "big", 90, world.user, files=[(f"f{i}.md", "x") for i in range(40)])
    # Different creators on every version of the big history.
    for index, row in enumerate(big[:10]):
        user = UserFactory(email=f"u{index}@example.com")
        LLMSkill.objects.filter(pk=row.pk).update(created_by=user)

    queries_for("small")  # warm-up: the first request of a key may record its use
    assert queries_for("small") == queries_for("big")
    assert queries_for("big") <= 10


def test_resolve_does_not_read_file_contents(world, api):
    seed_skill(world, description="d", body="b", files=[("a.md", "secret content", "text/plain")])
    response = api.get("resolve/name/s/")
    assert "secret content" not in response.content.decode()
    assert response.json()["skill"]["files"] == [{"path": "a.md", "content_type": "text/plain"}]
