"""The prompts admin: versions are read-only, each prompt shows its labels and their moves, and
labels are set, moved and removed through the same services as the API (move log included)."""

import pytest

from prompts.models import LLMPrompt, LLMPromptLabel, LLMPromptLabelMove


@pytest.fixture
def two_versions(api):
    api.create("greeting", "Hello v1", config={"temperature": 0})
    api.publish("greeting", "Hello v2", 1)
    return list(LLMPrompt.objects.order_by("version"))


def moves() -> list[tuple]:
    return list(
        LLMPromptLabelMove.objects.order_by("moved_at").values_list("label", "from_version", "to_version")
    )


def test_prompt_page_shows_labels_and_moves(admin_client, api, two_versions):
    _, v2 = two_versions
    assert api.put("name/greeting/labels/production/", {"version": 1}).status_code == 201
    assert api.put("name/greeting/labels/production/", {"version": 2}).status_code == 200

    page = admin_client.get(f"/admin/prompts/llmprompt/{v2.pk}/change/").content.decode()
    assert "production</a> &rarr; v2 (this version)" in page
    assert "production: v1 &rarr; v2 by u@example.com" in page
    assert "production: - &rarr; v1" in page
    assert "temperature" in page  # the version's config
    assert 'name="_save"' not in page  # versions stay read-only


def test_setting_a_label_from_the_admin_uses_the_service(admin_client, admin_user, world, two_versions):
    response = admin_client.post(
        "/admin/prompts/llmpromptlabel/add/",
        {"team": world.team.pk, "prompt_name": "greeting", "name": "production", "version": 1},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    label = LLMPromptLabel.objects.get()
    assert (label.name, label.prompt.version, label.created_by) == ("production", 1, admin_user)
    assert moves() == [("production", None, 1)]

    # Moving it: only the version is editable.
    response = admin_client.post(f"/admin/prompts/llmpromptlabel/{label.pk}/change/", {"version": 2})
    assert response.status_code == 302
    label.refresh_from_db()
    assert label.prompt.version == 2
    assert moves() == [("production", None, 1), ("production", 1, 2)]

    # Deleting it logs the removal.
    response = admin_client.post(f"/admin/prompts/llmpromptlabel/{label.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not LLMPromptLabel.objects.exists()
    assert moves()[-1] == ("production", 2, None)


def test_admin_refuses_what_the_api_refuses(admin_client, world, two_versions):
    for name, version, text in (
        ("latest", 1, "&#x27;latest&#x27; is reserved"),
        ("Production", 1, "Use lowercase letters"),
        ("production", 9, "Version 9 of prompt &#x27;greeting&#x27; not found."),
    ):
        response = admin_client.post(
            "/admin/prompts/llmpromptlabel/add/",
            {"team": world.team.pk, "prompt_name": "greeting", "name": name, "version": version},
        )
        assert response.status_code == 200
        assert text in response.content.decode()
    response = admin_client.post(
        "/admin/prompts/llmpromptlabel/add/",
        {"team": world.team.pk, "prompt_name": "unknown", "name": "production", "version": 1},
    )
    assert "No active prompt named &#x27;unknown&#x27;" in response.content.decode()
    assert not LLMPromptLabel.objects.exists()
    assert not LLMPromptLabelMove.objects.exists()


def test_move_log_is_read_only_and_searchable(admin_client, api, two_versions):
    api.put("name/greeting/labels/canary/", {"version": 2})
    response = admin_client.get("/admin/prompts/llmpromptlabelmove/?q=canary")
    assert response.status_code == 200
    assert b"canary" in response.content
    move = LLMPromptLabelMove.objects.get()
    assert admin_client.get(f"/admin/prompts/llmpromptlabelmove/{move.pk}/change/").status_code == 200
    assert admin_client.get("/admin/prompts/llmpromptlabelmove/add/").status_code == 403
    assert admin_client.get("/admin/prompts/llmpromptlabel/?q=greeting").status_code == 200


def test_archive_from_the_admin_removes_labels(admin_client, api, two_versions):
    v1, _ = two_versions
    api.put("name/greeting/labels/production/", {"version": 1})
    response = admin_client.post(
        "/admin/prompts/llmprompt/", {"action": "archive_histories", "_selected_action": [str(v1.pk)]}
    )
    assert response.status_code == 302
    assert not LLMPromptLabel.objects.exists()
    assert not LLMPromptLabelMove.objects.exists()


def test_adding_an_existing_label_moves_it(admin_client, world, api, two_versions):
    api.put("name/greeting/labels/production/", {"version": 1})
    response = admin_client.post(
        "/admin/prompts/llmpromptlabel/add/",
        {"team": world.team.pk, "prompt_name": "greeting", "name": "production", "version": 2},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [(label.name, label.prompt.version) for label in LLMPromptLabel.objects.all()] == [
        ("production", 2)
    ]
    assert moves() == [("production", None, 1), ("production", 1, 2)]


def test_admin_refuses_a_label_past_the_limit(admin_client, world, api, two_versions):
    for index in range(50):
        assert api.put(f"name/greeting/labels/l{index}/", {"version": 1}).status_code == 201
    response = admin_client.post(
        "/admin/prompts/llmpromptlabel/add/",
        {"team": world.team.pk, "prompt_name": "greeting", "name": "one-more", "version": 1},
    )
    assert response.status_code == 200
    assert "A prompt can have at most 50 labels." in response.content.decode()
    # Moving one of the fifty is still allowed.
    response = admin_client.post(
        "/admin/prompts/llmpromptlabel/add/",
        {"team": world.team.pk, "prompt_name": "greeting", "name": "l0", "version": 2},
    )
    assert response.status_code == 302
    assert LLMPromptLabel.objects.count() == 50
