"""GET P/name/{name}/ (prompts spec §5.3; cases 11-13, 19)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prompts.models import LLMPrompt
from tests.api import iso, validation
from tests.prompts.helpers import PUBLIC_KEYS, active, expected_row, prompt_not_found, seed_history


def test_case_11_get_by_name_public_shape(api, world):
    created = api.create("my-prompt", "You are helpful.")

    response = api.get("name/my-prompt/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PUBLIC_KEYS
    assert "created_by" not in body
    [row] = active(world.team, "my-prompt")
    assert body == expected_row(
        row, latest_version=1, version_count=1, first_version_created_at=row.created_at, public=True
    )
    assert body["id"] == created["id"]
    assert body["prompt"] == "You are helpful."


def test_case_11_read_only_key_can_get(api, world):
    api.create("my-prompt")
    response = api.get("name/my-prompt/", key=world.k_ro)
    assert response.status_code == 200
    assert response.json()["name"] == "my-prompt"


def test_case_12_unknown_name(api):
    response = api.get("name/non-existent/")
    assert response.status_code == 404
    assert response.json() == prompt_not_found("non-existent")


def test_case_13_lookup_is_case_sensitive(api):
    api.create("my-prompt")
    response = api.get("name/My-Prompt/")
    assert response.status_code == 404
    assert response.json() == prompt_not_found("My-Prompt")


def test_name_is_url_decoded_and_echoed(api):
    # A name that could never be valid simply gives 404, echoed as decoded.
    response = api.get("name/has%20space/")
    assert response.status_code == 404
    assert response.json() == prompt_not_found("has space")


def test_historical_version(api, world):
    rows = seed_history(world.team, "hist", ["v1", "v2", "v3"], world.user)

    response = api.get("name/hist/", {"version": 2})
    assert response.status_code == 200
    assert response.json() == expected_row(
        rows[1], latest_version=3, version_count=3, first_version_created_at=rows[0].created_at, public=True
    )
    assert response.json()["is_latest"] is False

    response = api.get("name/hist/", {"version": 3})
    assert response.json() == expected_row(
        rows[2], latest_version=3, version_count=3, first_version_created_at=rows[0].created_at, public=True
    )
    assert response.json()["is_latest"] is True


def test_case_19_version_query(api, world):
    created = api.create("my-prompt", "v1")

    response = api.get("name/my-prompt/", {"version": 99})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("my-prompt")

    response = api.get("name/my-prompt/", {"version": "abc"})
    assert response.status_code == 400
    assert response.json() == validation("version", "invalid_input", "A valid integer is required.")

    for bad in ("0", "-3"):
        response = api.get("name/my-prompt/", {"version": bad})
        assert response.status_code == 400
        assert response.json() == validation(
            "version", "min_value", "Ensure this value is greater than or equal to 1."
        )

    response = api.get("name/my-prompt/?version=")
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]
    assert response.json()["version"] == 1


@pytest.mark.parametrize("query", ["version=abc", "version=0"])
def test_case_19_query_is_validated_before_the_lookup(api, query):
    response = api.get(f"name/unknown-name/?{query}")
    assert response.status_code == 400
    assert response.json()["attr"] == "version"


def test_other_team_prompt_is_not_found(api, world):
    seed_history(world.team2, "elsewhere", ["t2"])
    response = api.get("name/elsewhere/")
    assert response.status_code == 404
    assert response.json() == prompt_not_found("elsewhere")


def test_no_stale_reads_after_writes(api, world):
    # Prompts spec §7.1: publish, archive and recreate are visible immediately.
    api.create("cached", "v1")
    assert api.get("name/cached/").json()["prompt"] == "v1"
    assert api.get("name/cached/", {"version": 1}).json()["prompt"] == "v1"
    api.publish("cached", "v2", 1)
    assert api.get("name/cached/").json()["prompt"] == "v2"
    assert api.post("name/cached/archive/").status_code == 204
    assert api.get("name/cached/").status_code == 404
    assert api.get("name/cached/", {"version": 1}).status_code == 404
    recreated = api.create("cached", "fresh")
    again = api.get("name/cached/", {"version": 1}).json()
    assert (again["prompt"], again["id"]) == ("fresh", recreated["id"])


def test_first_version_created_at_follows_version_1(api, world):
    """§2.1: it is v1's created_at even when a later version carries an earlier timestamp."""
    now = timezone.now()
    LLMPrompt.objects.bulk_create(
        [
            LLMPrompt(team=world.team, name="skewed", prompt="1", version=1, is_latest=False, created_at=now),
            LLMPrompt(
                team=world.team,
                name="skewed",
                prompt="2",
                version=2,
                is_latest=True,
                created_at=now - timedelta(days=1),
            ),
        ]
    )
    expected = iso(now)
    assert api.get("name/skewed/").json()["first_version_created_at"] == expected
    assert api.get("name/skewed/", {"version": 2}).json()["first_version_created_at"] == expected
    assert api.get().json()["results"][0]["first_version_created_at"] == expected
    assert api.get("resolve/name/skewed/").json()["prompt"]["first_version_created_at"] == expected


def test_outline_entries_keep_their_documented_key_order(api):
    """PostgreSQL's jsonb reorders keys ("text" before "level"); the API answers level, text."""
    api.create("headed", "# Title\n## Section")
    for body in (api.get("name/headed/").json(), api.get("").json()["results"][0]):
        assert [list(entry) for entry in body["outline"]] == [["level", "text"], ["level", "text"]]
