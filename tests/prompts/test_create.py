"""POST P/: creation and the validation rules of prompts spec §3 (cases 1-10)."""

import pytest

from prompts.models import LLMPrompt
from tests.api import bearer, validation
from tests.prompts.helpers import FULL_KEYS, NAME_TAKEN, PUBLIC_KEYS, active, expected_row, history_state

NAME_CHARACTERS = "Only letters, numbers, hyphens (-) and underscores (_) are allowed."
RESERVED = "'new' is a reserved name and cannot be used."
REQUIRED = "This field is required."


def test_case_01_create_prompt(api, world):
    response = api.post("", {"name": "my-prompt", "prompt": "You are helpful."})

    assert response.status_code == 201, response.content
    body = response.json()
    [row] = active(world.team, "my-prompt")
    assert body == expected_row(
        row, latest_version=1, version_count=1, first_version_created_at=row.created_at
    )
    assert set(body) == FULL_KEYS
    assert body["version"] == 1
    assert body["is_latest"] is True
    assert body["deleted"] is False
    assert body["first_version_created_at"] == body["created_at"]
    assert body["created_at"].endswith("Z")
    assert body["created_by"]["email"] == "u@example.com"
    assert body["created_by"]["id"] == world.user.id
    assert (row.prompt, row.version, row.is_latest, row.deleted) == ("You are helpful.", 1, True, False)
    assert row.created_by_id == world.user.id
    assert row.team_id == world.t


def test_case_02_duplicate_name_is_unique_error(api, world):
    api.create("my-prompt", "You are helpful.")

    response = api.post("", {"name": "my-prompt", "prompt": "You are helpful."})

    assert response.status_code == 400
    assert response.json() == NAME_TAKEN
    assert LLMPrompt.objects.filter(team=world.team).count() == 1


@pytest.mark.parametrize("name", ["invalid name with spaces", "has/slash", "has.dot", "café"])
def test_case_03_invalid_name_characters(api, world, name):
    response = api.post("", {"name": name, "prompt": "x"})

    assert response.status_code == 400
    assert response.json() == validation("name", "invalid_name", NAME_CHARACTERS)
    assert not LLMPrompt.objects.exists()


@pytest.mark.parametrize("name", ["new", "NEW", "New"])
def test_case_04_reserved_name(api, name):
    response = api.post("", {"name": name, "prompt": "x"})

    assert response.status_code == 400
    assert response.json() == validation("name", "reserved_name", RESERVED)
    assert not LLMPrompt.objects.exists()


def test_case_04_names_containing_new_are_allowed(api):
    assert api.create("new-prompt")["name"] == "new-prompt"
    assert api.create("renew")["name"] == "renew"


def test_case_05_valid_names_and_length_limit(api, world):
    assert api.create("valid-name_123")["name"] == "valid-name_123"

    long_name = "a" * 255
    assert api.create(long_name)["name"] == long_name

    response = api.post("", {"name": "b" * 256, "prompt": "x"})
    assert response.status_code == 400
    assert response.json() == validation(
        "name", "max_length", "Ensure this field has no more than 255 characters."
    )
    assert sorted(LLMPrompt.objects.values_list("name", flat=True)) == sorted([long_name, "valid-name_123"])


def test_name_rule_order_length_before_characters(api):
    # A 256-character name with invalid characters reports max_length first.
    response = api.post("", {"name": "a b" * 100, "prompt": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "max_length"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"prompt": "x"}, validation("name", "required", REQUIRED)),
        ({"name": "", "prompt": "x"}, validation("name", "blank", "This field may not be blank.")),
        # Name errors are reported before prompt errors.
        ({"name": "has.dot"}, validation("name", "invalid_name", NAME_CHARACTERS)),
        ({}, validation("name", "required", REQUIRED)),
    ],
)
def test_name_required_blank_and_ordering(api, payload, expected):
    response = api.post("", payload)
    assert response.status_code == 400
    assert response.json() == expected


def test_case_06_prompt_required_and_not_null(api):
    response = api.post("", {"name": "p"})
    assert response.status_code == 400
    assert response.json() == validation("prompt", "required", REQUIRED)

    response = api.post("", {"name": "p", "prompt": None})
    assert response.status_code == 400
    assert response.json() == validation("prompt", "null", "This field may not be null.")
    assert not LLMPrompt.objects.exists()


def test_case_07_prompt_size_limit(api, world):
    response = api.post("", {"name": "too-big", "prompt": "x" * 1_000_000})
    assert response.status_code == 400
    assert response.json() == validation(
        "prompt", "max_size", "Prompt payload must be 1000000 bytes or fewer."
    )
    assert "bytes or fewer" in response.json()["detail"]

    # N characters cost N+2 bytes: 999,999 fails, 999,998 fits exactly.
    response = api.post("", {"name": "too-big", "prompt": "x" * 999_999})
    assert response.status_code == 400
    assert response.json()["code"] == "max_size"

    body = api.create("just-fits", "x" * 999_998)
    assert body["version"] == 1
    [row] = active(world.team, "just-fits")
    assert len(row.prompt) == 999_998
    assert not LLMPrompt.objects.filter(name="too-big").exists()


def test_case_07_size_is_measured_in_utf8_bytes(api):
    # "é" is two bytes in UTF-8 (non-ASCII is kept as is, not \\u-escaped).
    response = api.post("", {"name": "accents", "prompt": "é" * 500_000})
    assert response.status_code == 400
    assert response.json()["code"] == "max_size"
    assert api.create("accents", "é" * 499_999)["prompt"] == "é" * 499_999


def test_case_08_json_prompts_round_trip(api, world):
    obj = {"system": "hi", "temperature": 0.7}
    created = api.create("obj-prompt", obj)
    assert created["prompt"] == obj

    response = api.get("name/obj-prompt/")
    assert response.status_code == 200
    assert response.json()["prompt"] == obj
    assert active(world.team, "obj-prompt")[0].prompt == obj

    messages = [{"role": "user", "content": "hi"}]
    assert api.create("list-prompt", messages)["prompt"] == messages
    assert api.get("name/list-prompt/").json()["prompt"] == messages


@pytest.mark.parametrize("value", ["", {}, [], 42, 1.5, True, "multi\nline ✓"])
def test_case_08_any_non_null_json_is_accepted(api, world, value):
    body = api.create("anything", value)
    assert body["prompt"] == value
    assert active(world.team, "anything")[0].prompt == value


def test_case_09_read_only_fields_are_ignored(api, world):
    response = api.post(
        "",
        {
            "name": "ignore-me",
            "prompt": "x",
            "deleted": True,
            "version": 7,
            "is_latest": False,
            "id": "00000000-0000-0000-0000-000000000001",
            "created_by": 12345,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["deleted"] is False
    assert body["version"] == 1
    assert body["is_latest"] is True
    assert body["id"] != "00000000-0000-0000-0000-000000000001"
    assert body["created_by"]["id"] == world.user.id
    assert history_state(world.team, "ignore-me") == [(1, True, False)]


def test_case_10_same_name_in_two_projects(api, client, world):
    api.create("shared-name", "in T")
    response = client.post(
        f"/api/environments/{world.team2.id}/llm_prompts/",
        {"name": "shared-name", "prompt": "in T2"},
        format="json",
        **bearer(world.k_rw),
    )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    assert [r.prompt for r in active(world.team, "shared-name")] == ["in T"]
    assert [r.prompt for r in active(world.team2, "shared-name")] == ["in T2"]


def test_names_are_case_sensitive(api, world):
    api.create("Foo", "upper")
    assert api.create("foo", "lower")["version"] == 1
    assert sorted(LLMPrompt.objects.filter(team=world.team).values_list("name", flat=True)) == ["Foo", "foo"]


def test_form_encoded_create(api, world):
    # DRF's JSONField reads a form value as JSON text (as upstream), so a string prompt is quoted.
    response = api.client.post(
        api.url(),
        'name=urlencoded&prompt="hello world"',
        content_type="application/x-www-form-urlencoded",
        **bearer(world.k_rw),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["prompt"], body["version"], body["is_latest"]) == (
        "urlencoded",
        "hello world",
        1,
        True,
    )
    assert active(world.team, "urlencoded")[0].prompt == "hello world"

    response = api.post("", {"name": "multipart", "prompt": '{"system": "hi"}'}, fmt="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["prompt"] == {"system": "hi"}
    assert active(world.team, "multipart")[0].prompt == {"system": "hi"}


def test_form_encoded_validation_uses_the_envelope(api, world):
    response = api.client.post(
        api.url(),
        "name=has.dot&prompt=%22x%22",
        content_type="application/x-www-form-urlencoded",
        **bearer(world.k_rw),
    )
    assert response.status_code == 400
    assert response.json() == validation("name", "invalid_name", NAME_CHARACTERS)


def test_json_list_body_is_invalid_input(api):
    response = api.post("", [{"name": "a", "prompt": "b"}])
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert body["code"] == "invalid_input"
    assert body["attr"] is None
    assert not LLMPrompt.objects.exists()


def test_malformed_json_body(api, world):
    response = api.client.post(api.url(), "{not json", content_type="application/json", **bearer(world.k_rw))
    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == ("invalid_request", "parse_error", None)
    assert body["detail"].startswith("JSON parse error - ")
    assert not LLMPrompt.objects.exists()


def test_create_response_of_get_by_name_matches(api):
    created = api.create("round-trip", "You are helpful.")
    fetched = api.get("name/round-trip/").json()
    assert set(fetched) == PUBLIC_KEYS
    assert fetched == {k: v for k, v in created.items() if k in PUBLIC_KEYS}


def test_uniqueness_is_checked_after_both_fields_are_valid(api, world):
    api.create("taken", "v1")
    response = api.post("", {"name": "taken", "prompt": None})
    assert response.status_code == 400
    assert response.json() == validation("prompt", "null", "This field may not be null.")
    response = api.post("", {"name": "taken"})
    assert response.json() == validation("prompt", "required", REQUIRED)
    assert history_state(world.team, "taken") == [(1, True, False)]
