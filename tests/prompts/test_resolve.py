"""GET P/resolve/name/{name}/ (prompts spec §5.6; cases 26-30)."""

import uuid

import pytest
from django.utils import timezone

from prompts.models import LLMPrompt
from tests.api import iso, user_json, validation
from tests.prompts.helpers import SUMMARY_KEYS, expected_row, prompt_not_found, seed_history


def summary(row) -> dict:
    return {
        "id": str(row.id),
        "version": row.version,
        "created_by": user_json(row.created_by),
        "created_at": iso(row.created_at),
        "is_latest": row.is_latest,
        "version_description": row.version_description,
        "labels": [],
    }


def test_case_26_resolve_version_with_history(api, world):
    v1, v2 = seed_history(world.team, "prompt-a", ["v1", "v2"], world.user)

    response = api.get("resolve/name/prompt-a/", {"version": 1})

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "prompt": expected_row(v1, latest_version=2, version_count=2, first_version_created_at=v1.created_at),
        "versions": [summary(v2), summary(v1)],
        "has_more": False,
        "labels": [],
    }
    assert body["prompt"]["id"] == str(v1.id)
    assert (body["prompt"]["version"], body["prompt"]["latest_version"]) == (1, 2)
    assert body["prompt"]["created_by"]["email"] == "u@example.com"
    assert [v["version"] for v in body["versions"]] == [2, 1]
    assert body["versions"][0]["is_latest"] is True
    assert set(body["versions"][0]) == SUMMARY_KEYS


def test_case_26_resolve_latest_by_default(api, world):
    _, v2 = seed_history(world.team, "prompt-a", ["v1", "v2"], world.user)
    body = api.get("resolve/name/prompt-a").json()
    assert body["prompt"]["id"] == str(v2.id)
    assert body["prompt"]["is_latest"] is True


def test_case_27_resolve_pagination(api, world):
    seed_history(world.team, "prompt-a", ["v1", "v2", "v3"])

    body = api.get("resolve/name/prompt-a/", {"limit": 2}).json()
    assert [v["version"] for v in body["versions"]] == [3, 2]
    assert body["has_more"] is True
    assert body["prompt"]["version"] == 3

    body = api.get("resolve/name/prompt-a/", {"before_version": 2, "limit": 2}).json()
    assert [v["version"] for v in body["versions"]] == [1]
    assert body["has_more"] is False

    body = api.get("resolve/name/prompt-a/", {"offset": 2, "limit": 2}).json()
    assert [v["version"] for v in body["versions"]] == [1]
    assert body["has_more"] is False

    body = api.get("resolve/name/prompt-a/", {"offset": 10}).json()
    assert (body["versions"], body["has_more"]) == ([], False)

    # The page is independent of the selected prompt (spec §5.6 example).
    seed_history(world.team, "four", ["1", "2", "3", "4"])
    body = api.get("resolve/name/four/", {"version": 1, "limit": 2}).json()
    assert body["prompt"]["version"] == 1
    assert [v["version"] for v in body["versions"]] == [4, 3]
    assert body["has_more"] is True


def test_resolve_default_limit_is_50(api, world):
    now = timezone.now()
    LLMPrompt.objects.bulk_create(
        [
            LLMPrompt(team=world.team, name="many", prompt="p", version=v, is_latest=v == 60, created_at=now)
            for v in range(1, 61)
        ]
    )
    body = api.get("resolve/name/many/").json()
    assert [v["version"] for v in body["versions"]] == list(range(60, 10, -1))
    assert body["has_more"] is True
    body = api.get("resolve/name/many/", {"limit": 100}).json()
    assert len(body["versions"]) == 60
    assert body["has_more"] is False


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"offset": 0, "before_version": 1},
            validation(None, "invalid_input", "Use either offset or before_version, not both."),
        ),
        ({"limit": 0}, validation("limit", "min_value", "Ensure this value is greater than or equal to 1.")),
        ({"limit": 101}, validation("limit", "max_value", "Ensure this value is less than or equal to 100.")),
        ({"version_id": "xyz"}, validation("version_id", "invalid_input", "Must be a valid UUID.")),
        (
            {"offset": -1},
            validation("offset", "min_value", "Ensure this value is greater than or equal to 0."),
        ),
        (
            {"before_version": 0},
            validation("before_version", "min_value", "Ensure this value is greater than or equal to 1."),
        ),
        ({"version": "abc"}, validation("version", "invalid_input", "A valid integer is required.")),
    ],
)
def test_case_28_resolve_query_validation(api, world, query, expected):
    seed_history(world.team, "prompt-a", ["v1"])
    response = api.get("resolve/name/prompt-a/", query)
    assert response.status_code == 400
    assert response.json() == expected
    if "before_version" in query and "offset" in query:
        assert "offset or before_version" in response.json()["detail"]


def test_case_29_resolve_by_version_id(api, world):
    v1, _v2 = seed_history(world.team, "prompt-a", ["v1", "v2"])

    response = api.get("resolve/name/prompt-a/", {"version": 1, "version_id": str(v1.id)})
    assert response.status_code == 200
    assert response.json()["prompt"]["id"] == str(v1.id)

    response = api.get("resolve/name/prompt-a/", {"version_id": str(v1.id)})
    assert response.status_code == 200
    assert response.json()["prompt"]["version"] == 1

    response = api.get("resolve/name/prompt-a/", {"version": 2, "version_id": str(v1.id)})
    assert (response.status_code, response.json()) == (404, prompt_not_found("prompt-a"))

    response = api.get("resolve/name/prompt-a/", {"version_id": str(uuid.uuid4())})
    assert (response.status_code, response.json()) == (404, prompt_not_found("prompt-a"))

    # A version_id of another name is a 404 too.
    [other] = seed_history(world.team, "prompt-b", ["b"])
    response = api.get("resolve/name/prompt-a/", {"version_id": str(other.id)})
    assert response.status_code == 404

    assert api.post("name/prompt-a/archive/").status_code == 204
    api.create("prompt-a", "fresh")
    response = api.get("resolve/name/prompt-a/", {"version_id": str(v1.id)})
    assert (response.status_code, response.json()) == (404, prompt_not_found("prompt-a"))
    body = api.get("resolve/name/prompt-a/").json()
    assert (body["prompt"]["prompt"], [v["version"] for v in body["versions"]]) == ("fresh", [1])


def test_case_29_missing_version(api, world):
    seed_history(world.team, "prompt-a", ["v1"])
    response = api.get("resolve/name/prompt-a/", {"version": 5})
    assert (response.status_code, response.json()) == (404, prompt_not_found("prompt-a"))


def test_case_30_resolve_unknown_name(api):
    response = api.get("resolve/name/missing/")
    assert response.status_code == 404
    assert response.json() == prompt_not_found("missing")
