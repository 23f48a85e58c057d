"""GET and PATCH score_definitions/{id}/: PATCH changes metadata only."""

import pytest

from scores.models import ScoreDefinition
from tests.api import UNKNOWN_UUID, not_found, validation
from tests.scores.helpers import (
    GOOD_BAD,
    NUMERIC_0_5,
    definition_json,
    instant,
    later,
    make_definition,
    versions_of,
)


def test_case_53_retrieve(scorers, quality):
    response = scorers.get(f"{quality.id}/")

    assert response.status_code == 200
    assert response.json() == definition_json(quality)
    assert response.json()["config"] == GOOD_BAD

    for missing in (UNKNOWN_UUID, "not-a-uuid", "1", f"{quality.id}x"):
        response = scorers.get(f"{missing}/")
        assert response.status_code == 404, missing
        assert response.json() == not_found()


def test_archived_scorers_can_be_retrieved(scorers, world):
    archived = make_definition(world.team, "Old", "boolean", archived=True)
    response = scorers.get(f"{archived.id}/")
    assert response.status_code == 200
    assert response.json() == definition_json(archived)
    assert response.json()["archived"] is True


def test_retrieve_ignores_list_filters(scorers, world):
    archived = make_definition(world.team, "Old", "boolean", archived=True)
    response = scorers.get(f"{archived.id}/", {"archived": "false", "kind": "bogus", "order_by": "x"})
    assert response.status_code == 200


def test_case_54_patch_metadata(scorers, quality):
    before = definition_json(quality)
    later()
    response = scorers.patch(f"{quality.id}/", {"name": "Updated", "description": "d", "archived": True})

    assert response.status_code == 200
    body = response.json()
    assert body == definition_json(quality)
    assert (body["name"], body["description"], body["archived"]) == ("Updated", "d", True)
    assert (body["current_version"], body["current_version_id"], body["config"]) == (
        1,
        before["current_version_id"],
        GOOD_BAD,
    )
    assert instant(body["updated_at"]) > instant(before["updated_at"])
    assert body["created_at"] == before["created_at"]
    assert versions_of(quality) == [(1, GOOD_BAD)]


def test_case_55_kind_and_config_are_ignored(scorers, quality):
    before = definition_json(quality)
    later()
    response = scorers.patch(f"{quality.id}/", {"config": NUMERIC_0_5, "kind": "numeric"})

    assert response.status_code == 200
    assert response.json() == before
    assert definition_json(quality) == before
    assert versions_of(quality) == [(1, GOOD_BAD)]


def test_case_56_blank_name_and_null_description(scorers, quality):
    before = definition_json(quality)
    response = scorers.patch(f"{quality.id}/", {"name": "  "})
    assert response.status_code == 400
    assert response.json() == validation("name", "blank", "This field may not be blank.")
    assert definition_json(quality) == before

    ScoreDefinition.objects.filter(pk=quality.pk).update(description="something")
    response = scorers.patch(f"{quality.id}/", {"description": None})
    assert response.status_code == 200
    assert response.json()["description"] == ""
    assert ScoreDefinition.objects.get(pk=quality.pk).description == ""


def test_case_57_unarchive(scorers, world):
    archived = make_definition(world.team, "Old", "boolean", archived=True)
    response = scorers.patch(f"{archived.id}/", {"archived": False})

    assert response.status_code == 200
    assert response.json()["archived"] is False
    assert ScoreDefinition.objects.get(pk=archived.pk).archived is False
    assert archived.name in [row["name"] for row in scorers.get("").json()["results"]]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "Quality"},
        {"name": "  Quality "},
        {"description": ""},
        {"description": None},
        {"archived": False},
    ],
)
def test_updated_at_moves_only_on_a_real_change(scorers, quality, body):
    before = definition_json(quality)
    later()
    response = scorers.patch(f"{quality.id}/", {**body, "kind": "boolean", "config": {}})

    assert response.status_code == 200
    assert response.json() == before
    assert definition_json(quality) == before


def test_each_changed_field_moves_updated_at(scorers, quality):
    for body in ({"name": "Renamed"}, {"description": "why"}, {"archived": True}, {"archived": False}):
        before = definition_json(quality)
        later()
        response = scorers.patch(f"{quality.id}/", body)
        assert response.status_code == 200
        assert instant(response.json()["updated_at"]) > instant(before["updated_at"]), body
        assert response.json() == definition_json(quality)


@pytest.mark.parametrize(
    ("body", "attr", "code", "detail"),
    [
        ({"name": None}, "name", "null", "This field may not be null."),
        ({"name": ""}, "name", "blank", "This field may not be blank."),
        ({"name": "x" * 256}, "name", "max_length", "Ensure this field has no more than 255 characters."),
        ({"name": False}, "name", "invalid_input", "Not a valid string."),
        ({"description": {"a": 1}}, "description", "invalid_input", "Not a valid string."),
        ({"archived": None}, "archived", "null", "This field may not be null."),
        ({"archived": "sometimes"}, "archived", "invalid_input", "Must be a valid boolean."),
        ({"name": "", "archived": None}, "name", "blank", "This field may not be blank."),
    ],
)
def test_invalid_patches_change_nothing(scorers, quality, body, attr, code, detail):
    before = definition_json(quality)
    response = scorers.patch(f"{quality.id}/", body)

    assert response.status_code == 400
    assert response.json() == validation(attr, code, detail)
    assert definition_json(quality) == before


def test_patch_trims_and_converts(scorers, quality):
    response = scorers.patch(f"{quality.id}/", {"name": "  Trimmed ", "description": 12, "archived": "true"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["description"], response.json()["archived"]) == (
        "Trimmed",
        "12",
        True,
    )


def test_form_patch_leaves_unsent_fields_alone(scorers, quality, world):
    ScoreDefinition.objects.filter(pk=quality.pk).update(archived=True)
    response = scorers.client.patch(
        scorers.url(f"{quality.id}/"),
        "name=Form",
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=f"Bearer {world.k_rw}",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["archived"]) == ("Form", True)


def test_patch_unknown_or_malformed_id_is_404(scorers):
    for missing in (UNKNOWN_UUID, "not-a-uuid"):
        response = scorers.patch(f"{missing}/", {"name": "x"})
        assert response.status_code == 404
        assert response.json() == not_found()


def test_patch_body_is_parsed_before_the_lookup(scorers, world):
    response = scorers.client.patch(
        scorers.url(f"{UNKNOWN_UUID}/"),
        "{bad",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.k_rw}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_patch_archived_scorer(scorers, world):
    archived = make_definition(world.team, "Old", "boolean", archived=True)
    response = scorers.patch(f"{archived.id}/", {"name": "Still archived"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["archived"]) == ("Still archived", True)
