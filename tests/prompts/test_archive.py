"""POST P/name/{name}/archive/ and re-creating an archived name (prompts spec §5.5; cases 24, 25)."""

from prompts import services
from prompts.models import LLMPrompt
from tests.prompts.helpers import active, expected_row, history_state, prompt_not_found


def test_case_24_archive(api, world):
    api.create("prompt-a", "v1")
    api.publish("prompt-a", "v2", 1)
    api.create("prompt-b", "b")

    # The body is ignored (the docs' name/prompt parameters are a schema artifact).
    response = api.post("name/prompt-a/archive/", {"name": "zzz", "prompt": "ignored"})

    assert response.status_code == 204
    assert response.content == b""
    assert history_state(world.team, "prompt-a") == [(1, False, True), (2, False, True)]
    assert all(row.deleted_at is not None for row in LLMPrompt.objects.filter(name="prompt-a"))
    assert [r.prompt for r in LLMPrompt.objects.filter(name="prompt-a").order_by("version")] == ["v1", "v2"]
    assert history_state(world.team, "prompt-b") == [(1, True, False)]

    assert api.get("name/prompt-a/").json() == prompt_not_found("prompt-a")
    assert api.get("name/prompt-a/").status_code == 404
    response = api.get("name/prompt-a/", {"version": 1})
    assert (response.status_code, response.json()) == (404, prompt_not_found("prompt-a"))

    listing = api.get().json()
    assert listing["count"] == 1
    assert [item["name"] for item in listing["results"]] == ["prompt-b"]

    response = api.post("name/prompt-a/archive/")
    assert (response.status_code, response.json()) == (404, prompt_not_found("prompt-a"))

    response = api.patch("name/prompt-a/", {"prompt": "x", "base_version": 2})
    assert (response.status_code, response.json()) == (404, prompt_not_found("prompt-a"))

    resolve = api.get("resolve/name/prompt-a/")
    assert (resolve.status_code, resolve.json()) == (404, prompt_not_found("prompt-a"))


def test_case_24_archive_unknown_name(api):
    response = api.post("name/never-existed/archive/")
    assert response.status_code == 404
    assert response.json() == prompt_not_found("never-existed")


def test_case_24_archive_is_per_team(api, world):
    api.create("prompt-a", "mine")
    services.create_prompt(team=world.team2, name="prompt-a", prompt="theirs", created_by=None)
    assert api.post("name/prompt-a/archive/").status_code == 204
    assert history_state(world.team2, "prompt-a") == [(1, True, False)]


def test_case_25_recreate_after_archive(api, world):
    old_v1 = api.create("prompt-a", "v1")
    api.publish("prompt-a", "v2", 1)
    assert api.post("name/prompt-a/archive/").status_code == 204

    response = api.post("", {"name": "prompt-a", "prompt": "fresh"})

    assert response.status_code == 201, response.content
    body = response.json()
    [row] = active(world.team, "prompt-a")
    assert body == expected_row(
        row, latest_version=1, version_count=1, first_version_created_at=row.created_at
    )
    assert (body["version"], body["latest_version"], body["version_count"]) == (1, 1, 1)
    assert body["first_version_created_at"] == body["created_at"]
    assert body["first_version_created_at"] != old_v1["created_at"]

    fetched = api.get("name/prompt-a/", {"version": 1}).json()
    assert (fetched["prompt"], fetched["id"]) == ("fresh", body["id"])
    assert fetched["id"] != old_v1["id"]
    # Archived rows stay in the database next to the new history.
    assert history_state(world.team, "prompt-a") == [(1, True, False), (1, False, True), (2, False, True)]

    # The new history publishes from version 1 again.
    assert api.publish("prompt-a", "fresh v2", 1)["version"] == 2
