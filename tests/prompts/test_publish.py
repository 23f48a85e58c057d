"""PATCH P/name/{name}/: publishing versions (prompts spec §5.4; cases 14-18, 39)."""

from django.utils import timezone

from prompts.models import LLMPrompt
from tests.api import bearer, validation
from tests.factories import UserFactory, make_key, make_member
from tests.prompts.helpers import (
    FULL_KEYS,
    active,
    conflict,
    expected_row,
    history_state,
    prompt_not_found,
    seed_history,
)


def test_case_14_publish_new_version(api, world):
    v1 = api.create("my-prompt", "v1")

    response = api.patch("name/my-prompt/", {"prompt": "v2", "base_version": 1})

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == FULL_KEYS
    old, new = active(world.team, "my-prompt")
    assert body == expected_row(
        new, latest_version=2, version_count=2, first_version_created_at=old.created_at
    )
    assert body["id"] != v1["id"]
    assert (body["version"], body["is_latest"], body["latest_version"], body["version_count"]) == (
        2,
        True,
        2,
        2,
    )
    assert body["first_version_created_at"] == v1["created_at"]
    assert body["created_by"]["email"] == "u@example.com"
    assert body["prompt"] == "v2"

    # DB: the old row is kept with its content, only its flag moved; updated_at untouched.
    assert history_state(world.team, "my-prompt") == [(1, False, False), (2, True, False)]
    assert str(old.id) == v1["id"]
    assert old.prompt == "v1"
    assert old.updated_at.isoformat().replace("+00:00", "Z") == v1["updated_at"]

    latest = api.get("name/my-prompt/").json()
    assert (latest["prompt"], latest["version"], latest["id"]) == ("v2", 2, body["id"])

    first = api.get("name/my-prompt/", {"version": 1}).json()
    assert first == expected_row(
        old, latest_version=2, version_count=2, first_version_created_at=old.created_at, public=True
    )
    assert (first["prompt"], first["is_latest"], first["latest_version"], first["version_count"]) == (
        "v1",
        False,
        2,
        2,
    )
    assert first["id"] == v1["id"]


def test_case_14_identical_content_still_publishes(api, world):
    api.create("same", "text")
    assert api.publish("same", "text", 1)["version"] == 2
    assert [r.prompt for r in active(world.team, "same")] == ["text", "text"]


def test_case_14_publish_ignores_name_and_extra_keys(api, world):
    api.create("keep-name", "v1")
    response = api.patch(
        "name/keep-name/",
        {"prompt": "v2", "base_version": 1, "name": "other", "version": 40, "deleted": True},
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["version"], response.json()["deleted"]) == (
        "keep-name",
        2,
        False,
    )
    assert not LLMPrompt.objects.filter(name="other").exists()


def test_case_14_publisher_is_recorded(api, world):
    api.create("by-user", "v1")
    # A second member of org A publishes: created_by is the publisher of each version.
    colleague = UserFactory(email="colleague@example.com")
    make_member(colleague, world.org_a)
    response = api.client.patch(
        api.url("name/by-user/"),
        {"prompt": "v2", "base_version": 1},
        format="json",
        **bearer(make_key(colleague, ["llm_prompt:write"])),
    )
    assert response.status_code == 200
    assert response.json()["created_by"]["email"] == "colleague@example.com"
    v1, v2 = active(world.team, "by-user")
    assert (v1.created_by_id, v2.created_by_id) == (world.user.id, colleague.id)


def test_case_15_stale_publish_conflict(api, world):
    api.create("my-prompt", "v1")
    api.publish("my-prompt", "v2", 1)

    response = api.patch("name/my-prompt/", {"prompt": "x", "base_version": 1})
    assert response.status_code == 409
    assert response.json() == conflict(2)

    response = api.patch("name/my-prompt/", {"prompt": "x", "base_version": 5})
    assert response.status_code == 409
    assert response.json() == conflict(2)

    assert history_state(world.team, "my-prompt") == [(1, False, False), (2, True, False)]
    assert api.get("name/my-prompt/").json()["prompt"] == "v2"


def test_case_16_publish_validation(api, world):
    api.create("my-prompt", "v1")

    response = api.patch("name/my-prompt/", {"prompt": "v2"})
    assert response.status_code == 400
    assert response.json() == validation("base_version", "required", "This field is required.")

    response = api.patch("name/my-prompt/", {"prompt": "v2", "base_version": 0})
    assert response.status_code == 400
    assert response.json() == validation(
        "base_version", "min_value", "Ensure this value is greater than or equal to 1."
    )

    response = api.patch("name/my-prompt/", {"prompt": "v2", "base_version": "one"})
    assert response.status_code == 400
    assert response.json() == validation("base_version", "invalid_input", "A valid integer is required.")

    response = api.patch("name/my-prompt/", {"base_version": 1})
    assert response.status_code == 400
    assert response.json() == validation("prompt", "required", "This field is required.")

    response = api.patch("name/my-prompt/", {"prompt": None, "base_version": 1})
    assert response.status_code == 400
    assert response.json() == validation("prompt", "null", "This field may not be null.")

    response = api.patch("name/my-prompt/", {"prompt": "x" * 1_000_000, "base_version": 1})
    assert response.status_code == 400
    assert response.json() == validation(
        "prompt", "max_size", "Prompt payload must be 1000000 bytes or fewer."
    )

    # A prompt error is reported before a base_version error.
    response = api.patch("name/my-prompt/", {})
    assert response.status_code == 400
    assert response.json()["attr"] == "prompt"

    assert history_state(world.team, "my-prompt") == [(1, True, False)]


def test_case_17_publish_unknown_name(api, world):
    response = api.patch("name/nope/", {"prompt": "x", "base_version": 1})
    assert response.status_code == 404
    assert response.json() == prompt_not_found("nope")

    # Validation comes before the lookup.
    response = api.patch("name/nope/", {})
    assert response.status_code == 400
    assert response.json() == validation("prompt", "required", "This field is required.")
    assert not LLMPrompt.objects.exists()


def test_case_18_version_ceiling(api, world):
    now = timezone.now()
    LLMPrompt.objects.bulk_create(
        [
            LLMPrompt(
                team=world.team,
                name="busy",
                prompt=f"v{v}",
                version=v,
                is_latest=v == 2000,
                created_by=world.user,
                created_at=now,
            )
            for v in range(1, 2001)
        ],
        batch_size=500,
    )

    response = api.patch("name/busy/", {"prompt": "one too many", "base_version": 2000})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Prompt has reached the maximum of 2000 versions. "
        "Archive and recreate the prompt to continue publishing."
    }
    assert "2000" in response.json()["detail"]
    assert "Archive and recreate" in response.json()["detail"]
    assert LLMPrompt.objects.filter(team=world.team, name="busy", deleted=False).count() == 2000
    assert list(LLMPrompt.objects.filter(name="busy", is_latest=True).values_list("version", flat=True)) == [
        2000
    ]
    assert not LLMPrompt.objects.filter(prompt="one too many").exists()

    # The 409 check comes first; the latest read still works.
    response = api.patch("name/busy/", {"prompt": "x", "base_version": 1999})
    assert response.status_code == 409
    assert response.json() == conflict(2000)
    latest = api.get("name/busy/").json()
    assert (latest["version"], latest["latest_version"], latest["version_count"]) == (2000, 2000, 2000)

    # Archive and recreate frees the name.
    assert api.post("name/busy/archive/").status_code == 204
    assert api.create("busy", "fresh")["version"] == 1
    assert api.publish("busy", "fresh v2", 1)["version"] == 2


def test_case_18_version_1999_can_still_publish(api, world):
    now = timezone.now()
    LLMPrompt.objects.bulk_create(
        [
            LLMPrompt(
                team=world.team, name="nearly", prompt="p", version=v, is_latest=v == 1999, created_at=now
            )
            for v in (1, 1998, 1999)
        ]
    )
    assert api.publish("nearly", "last", 1999)["version"] == 2000
    response = api.patch("name/nearly/", {"prompt": "x", "base_version": 2000})
    assert response.status_code == 400


def test_case_39_publish_keeps_old_row(api, world):
    v1 = api.create("my-prompt", "v1")
    api.publish("my-prompt", "v2", 1)

    response = api.get(f"{v1['id']}/")

    assert response.status_code == 200
    body = response.json()
    old = LLMPrompt.objects.get(pk=v1["id"])
    assert body == expected_row(
        old, latest_version=2, version_count=2, first_version_created_at=old.created_at
    )
    assert (body["prompt"], body["is_latest"], body["latest_version"], body["version"]) == ("v1", False, 2, 1)


def test_publish_after_many_versions_keeps_first_version_created_at(api, world):
    rows = seed_history(world.team, "long", ["a", "b", "c", "d"], world.user)
    body = api.publish("long", "e", 4)
    assert body["first_version_created_at"] == api.get("name/long/", {"version": 1}).json()["created_at"]
    assert (
        body["first_version_created_at"]
        == expected_row(
            rows[0], latest_version=1, version_count=1, first_version_created_at=rows[0].created_at
        )["created_at"]
    )
    assert (body["version"], body["version_count"]) == (5, 5)
    assert [r.version for r in active(world.team, "long")] == [1, 2, 3, 4, 5]
    assert LLMPrompt.objects.filter(team=world.team, name="long", is_latest=True).count() == 1
