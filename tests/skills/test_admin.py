"""The skills admin: histories and files are browsable, never editable; archive works from it."""

import pytest

from skills.models import LLMSkill, LLMSkillFile


@pytest.fixture
def two_versions(api):
    api.create("pdf-tools", body="# PDF\nv1", files=[{"path": "scripts/run.sh", "content": "echo 1"}])
    api.publish("pdf-tools", 1, body="# PDF\nv2")
    return list(LLMSkill.objects.order_by("version"))


def test_changelists_list_versions_and_files(admin_client, two_versions):
    response = admin_client.get("/admin/skills/llmskill/")
    assert response.status_code == 200
    assert response.content.count(b"pdf-tools") >= 2
    response = admin_client.get("/admin/skills/llmskillfile/?q=run.sh")
    assert response.status_code == 200
    assert b"scripts/run.sh" in response.content
    response = admin_client.get("/admin/skills/llmskill/?q=pdf&is_latest__exact=1")
    assert response.status_code == 200


def test_change_page_shows_history_and_files_read_only(admin_client, two_versions):
    v1, v2 = two_versions
    response = admin_client.get(f"/admin/skills/llmskill/{v2.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "v1</a>" in page and "v2</a> (latest)" in page
    assert "scripts/run.sh" in page
    assert 'name="_save"' not in page  # no save button: rows are read-only
    # A POST cannot change a version's content either.
    admin_client.post(f"/admin/skills/llmskill/{v1.pk}/change/", {"body": "rewritten"})
    v1.refresh_from_db()
    assert v1.body == "# PDF\nv1"
    file_row = LLMSkillFile.objects.filter(skill_version=v1).get()
    assert admin_client.get(f"/admin/skills/llmskillfile/{file_row.pk}/change/").status_code == 200
    assert admin_client.get("/admin/skills/llmskill/add/").status_code == 403


def test_archive_action_archives_every_version(admin_client, two_versions):
    v1, _ = two_versions
    response = admin_client.post(
        "/admin/skills/llmskill/", {"action": "archive_histories", "_selected_action": [str(v1.pk)]}
    )
    assert response.status_code == 302
    assert list(LLMSkill.objects.values_list("deleted", "is_latest")) == [(True, False), (True, False)]
    assert LLMSkillFile.objects.count() == 2  # files are kept with their archived versions
