"""Operator pages: search and filters, the read-only version history, metadata edits through the
service, and no add, delete or version edits."""

import pytest

from scores.models import ScoreDefinition, ScoreDefinitionVersion
from tests.scores.helpers import (
    GOOD_BAD,
    PASS_FAIL,
    add_versions,
    definition_json,
    instant,
    later,
    make_definition,
    versions_of,
)

CHANGELIST = "/admin/scores/scoredefinition/"
VERSIONS = "/admin/scores/scoredefinitionversion/"


@pytest.fixture
def seeded(world):
    quality = make_definition(
        world.team, "Quality", description="How good the answer is", created_by=world.user
    )
    add_versions(quality, 1, PASS_FAIL)
    resolved = make_definition(world.team, "Resolved", "boolean", archived=True)
    theirs = make_definition(world.team_b, "Other org scorer", "numeric")
    return quality, resolved, theirs


def test_changelist_search_and_filters(admin_client, seeded):
    _, _, theirs = seeded

    def listed(params=None) -> set[str]:
        response = admin_client.get(CHANGELIST, params or {})
        assert response.status_code == 200
        return {row.name for row in response.context["cl"].result_list}

    assert listed() == {"Quality", "Resolved", "Other org scorer"}
    assert listed({"q": "answer"}) == {"Quality"}
    assert listed({"q": str(theirs.id)}) == {"Other org scorer"}
    assert listed({"kind__exact": "boolean"}) == {"Resolved"}
    assert listed({"archived__exact": "1"}) == {"Resolved"}
    assert listed({"team__id__exact": theirs.team_id}) == {"Other org scorer"}


def test_change_page_shows_the_version_history(admin_client, seeded):
    quality, _, _ = seeded
    response = admin_client.get(f"{CHANGELIST}{quality.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Version history" in content
    assert "&quot;pass&quot;" in content and "&quot;good&quot;" in content
    formset = response.context["inline_admin_formsets"][0]
    assert [form.original.version for form in formset] == [2, 1]
    assert not formset.has_add_permission and not formset.has_change_permission
    assert not formset.has_delete_permission


def test_metadata_edit_goes_through_the_service(admin_client, seeded):
    quality, _, _ = seeded
    before = definition_json(quality)
    later()
    response = admin_client.post(
        f"{CHANGELIST}{quality.pk}/change/",
        {
            "name": "  Renamed  ",
            "description": before["description"],
            "archived": "on",
            # The read-only inline's management form.
            "versions-TOTAL_FORMS": "2",
            "versions-INITIAL_FORMS": "2",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content
    after = definition_json(quality)
    assert (after["name"], after["archived"]) == ("Renamed", True)
    assert instant(after["updated_at"]) > instant(before["updated_at"])
    assert {key: after[key] for key in ("kind", "current_version", "config", "created_by")} == {
        key: before[key] for key in ("kind", "current_version", "config", "created_by")
    }
    assert versions_of(quality) == [(1, GOOD_BAD), (2, PASS_FAIL)]


def test_saving_without_changes_keeps_updated_at(admin_client, seeded):
    quality, _, _ = seeded
    before = definition_json(quality)
    response = admin_client.post(
        f"{CHANGELIST}{quality.pk}/change/",
        {
            "name": before["name"],
            "description": before["description"],
            "versions-TOTAL_FORMS": "2",
            "versions-INITIAL_FORMS": "2",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    assert definition_json(quality) == before


def test_no_add_no_delete(admin_client, seeded):
    quality, _, _ = seeded
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{quality.pk}/delete/").status_code == 403
    admin_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [str(quality.pk)]})
    assert ScoreDefinition.objects.filter(pk=quality.pk).exists()


def test_versions_are_read_only(admin_client, seeded):
    quality, _, theirs = seeded
    version = ScoreDefinitionVersion.objects.get(definition=quality, version=2)
    response = admin_client.get(VERSIONS)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 4
    assert admin_client.get(VERSIONS, {"q": "Quality"}).context["cl"].result_count == 2
    assert admin_client.get(VERSIONS, {"definition__kind__exact": "numeric"}).context["cl"].result_count == 1
    assert (
        admin_client.get(VERSIONS, {"definition__team__id__exact": theirs.team_id}).context["cl"].result_count
        == 1
    )

    response = admin_client.get(f"{VERSIONS}{version.pk}/change/")
    assert response.status_code == 200
    assert b"&quot;fail&quot;" in response.content
    admin_client.post(f"{VERSIONS}{version.pk}/change/", {"version": "9", "config": "{}"})
    assert versions_of(quality)[1] == (2, PASS_FAIL)
    assert admin_client.get(f"{VERSIONS}add/").status_code == 403
    assert admin_client.get(f"{VERSIONS}{version.pk}/delete/").status_code == 403
