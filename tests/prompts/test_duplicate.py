"""POST P/name/{name}/duplicate/ (prompts spec §5.7; case 38)."""

from tests.api import validation
from tests.prompts.helpers import active, expected_row, history_state, prompt_not_found


def test_case_38_duplicate(api, world):
    api.create("prompt-a", "v1")
    api.publish("prompt-a", {"system": "v2"}, 1)

    response = api.post("name/prompt-a/duplicate/", {"new_name": "copy"})

    assert response.status_code == 201, response.content
    [row] = active(world.team, "copy")
    assert response.json() == expected_row(
        row, latest_version=1, version_count=1, first_version_created_at=row.created_at
    )
    body = response.json()
    assert (body["name"], body["version"], body["prompt"], body["is_latest"]) == (
        "copy",
        1,
        {"system": "v2"},
        True,
    )
    assert body["created_by"]["email"] == "u@example.com"
    assert history_state(world.team, "prompt-a") == [(1, False, False), (2, True, False)]
    assert [r.prompt for r in active(world.team, "prompt-a")] == ["v1", {"system": "v2"}]


def test_case_38_duplicate_errors(api, world):
    api.create("prompt-a", "a")
    api.create("taken", "t")

    response = api.post("name/prompt-a/duplicate/", {"new_name": "taken"})
    assert response.status_code == 400
    assert "already exists" in response.json()["detail"]
    assert response.json() == validation("new_name", "unique", "A prompt with this name already exists.")

    response = api.post("name/unknown/duplicate/", {"new_name": "copy"})
    assert (response.status_code, response.json()) == (404, prompt_not_found("unknown"))

    response = api.post("name/prompt-a/duplicate/", {"new_name": "has.dot"})
    assert response.status_code == 400
    assert (response.json()["attr"], response.json()["code"]) == ("new_name", "invalid_name")

    response = api.post("name/prompt-a/duplicate/", {"new_name": "NEW"})
    assert response.status_code == 400
    assert (response.json()["attr"], response.json()["code"]) == ("new_name", "reserved_name")

    response = api.post("name/prompt-a/duplicate/", {})
    assert response.json() == validation("new_name", "required", "This field is required.")
    response = api.post("name/prompt-a/duplicate/", {"new_name": "y" * 256})
    assert (response.status_code, response.json()["code"]) == (400, "max_length")

    assert history_state(world.team, "copy") == []
    assert history_state(world.team, "taken") == [(1, True, False)]


def test_case_38_archived_name_is_reusable(api, world):
    api.create("prompt-a", "source")
    api.create("old", "old content")
    assert api.post("name/old/archive/").status_code == 204

    response = api.post("name/prompt-a/duplicate/", {"new_name": "old"})

    assert response.status_code == 201, response.content
    assert (response.json()["prompt"], response.json()["version"]) == ("source", 1)
    assert history_state(world.team, "old") == [(1, True, False), (1, False, True)]


def test_case_38_archived_source_is_not_found(api):
    api.create("gone", "x")
    api.post("name/gone/archive/")
    response = api.post("name/gone/duplicate/", {"new_name": "copy"})
    assert (response.status_code, response.json()) == (404, prompt_not_found("gone"))
