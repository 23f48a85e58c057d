"""POST score_definitions/{id}/new_version/: versions are appended, never rewritten."""

import pytest

from scores.models import ScoreDefinition, ScoreDefinitionVersion
from tests.api import UNKNOWN_UUID, not_found, validation
from tests.scores.helpers import (
    GOOD_BAD,
    NUMERIC_0_5,
    PASS_FAIL,
    WRITE_DENIED,
    YES_NO,
    add_versions,
    conflict,
    definition_json,
    instant,
    later,
    make_definition,
    options,
    unsupported_keys,
    versions_of,
)


def test_case_58_new_version(scorers, quality, world):
    v1 = ScoreDefinitionVersion.objects.get(definition=quality)
    before = definition_json(quality)
    later()
    response = scorers.new_version(quality.id, {"config": PASS_FAIL})

    assert response.status_code == 200
    body = response.json()
    assert body == definition_json(quality)
    assert (body["current_version"], body["config"]) == (2, PASS_FAIL)
    assert body["current_version_id"] != before["current_version_id"]
    assert instant(body["updated_at"]) > instant(before["updated_at"])
    assert {key: body[key] for key in ("name", "kind", "archived", "created_at", "created_by")} == {
        key: before[key] for key in ("name", "kind", "archived", "created_at", "created_by")
    }
    assert versions_of(quality) == [(1, GOOD_BAD), (2, PASS_FAIL)]
    # The version earlier scores pinned is untouched.
    untouched = ScoreDefinitionVersion.objects.get(pk=v1.pk)
    assert (untouched.version, untouched.config, untouched.created_at) == (1, GOOD_BAD, v1.created_at)
    v2 = ScoreDefinitionVersion.objects.get(definition=quality, version=2)
    assert (str(v2.id), v2.created_by_id) == (body["current_version_id"], world.user.id)


def test_case_59_stale_base_version_is_a_conflict(scorers, quality):
    add_versions(quality, 1, PASS_FAIL)
    before = definition_json(quality)

    response = scorers.new_version(quality.id, {"base_version": 1, "config": GOOD_BAD})
    assert response.status_code == 409
    assert response.json() == conflict(2)
    assert response.json() == {
        "detail": "The scorer changed since you opened it. Reload the latest version and try again.",
        "current_version": 2,
    }
    assert definition_json(quality) == before
    assert versions_of(quality) == [(1, GOOD_BAD), (2, PASS_FAIL)]

    response = scorers.new_version(quality.id, {"base_version": 2, "config": GOOD_BAD})
    assert response.status_code == 200
    assert (response.json()["current_version"], response.json()["config"]) == (3, GOOD_BAD)
    assert versions_of(quality) == [(1, GOOD_BAD), (2, PASS_FAIL), (3, GOOD_BAD)]


@pytest.mark.parametrize("base_version", [3, 100, 10**20])
def test_a_base_version_ahead_is_a_conflict_too(scorers, quality, base_version):
    response = scorers.new_version(quality.id, {"base_version": base_version, "config": GOOD_BAD})
    assert response.status_code == 409
    assert response.json() == conflict(1)
    assert versions_of(quality) == [(1, GOOD_BAD)]


def test_case_60_config_is_checked_against_the_stored_kind(scorers, quality):
    before = definition_json(quality)
    response = scorers.new_version(quality.id, {"kind": "boolean", "config": {"true_label": "Yes"}})

    assert response.status_code == 400
    assert response.json() == validation(
        "config", "invalid_input", unsupported_keys("categorical", ["true_label"])
    )
    assert definition_json(quality) == before
    assert versions_of(quality) == [(1, GOOD_BAD)]


def test_body_kind_cannot_pick_the_schema_of_a_numeric_scorer(scorers, world):
    score = make_definition(world.team, "Score", "numeric")
    response = scorers.new_version(score.id, {"kind": "categorical", "config": GOOD_BAD})
    assert response.status_code == 400
    assert response.json() == validation("config", "invalid_input", unsupported_keys("numeric", ["options"]))

    response = scorers.new_version(score.id, {"kind": "categorical", "config": {"min": 1, "max": 10}})
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["config"]) == ("numeric", {"min": 1.0, "max": 10.0})
    assert ScoreDefinition.objects.get(pk=score.pk).kind == "numeric"


def test_case_61_invalid_or_missing_config(scorers, quality):
    before = definition_json(quality)
    response = scorers.new_version(quality.id, {"config": {"options": []}})
    assert response.status_code == 400
    assert response.json() == validation(
        "config__options", "invalid_input", "Provide at least one categorical option."
    )

    response = scorers.new_version(quality.id, {})
    assert response.status_code == 400
    assert response.json() == validation("config", "required", "This field is required.")

    response = scorers.new_version(quality.id, {"config": None, "base_version": 1})
    assert response.status_code == 400
    assert response.json() == validation("config", "null", "This field may not be null.")

    assert definition_json(quality) == before
    assert versions_of(quality) == [(1, GOOD_BAD)]


def test_case_62_needs_the_write_scope(scorers, quality, world):
    response = scorers.new_version(quality.id, {"config": PASS_FAIL}, key=world.k_ro)
    assert response.status_code == 403
    assert response.json() == WRITE_DENIED
    assert versions_of(quality) == [(1, GOOD_BAD)]

    response = scorers.new_version(quality.id, {"config": PASS_FAIL}, key=world.k_rw)
    assert response.status_code == 200
    assert versions_of(quality) == [(1, GOOD_BAD), (2, PASS_FAIL)]


@pytest.mark.parametrize(
    ("base_version", "code", "detail"),
    [
        (0, "min_value", "Ensure this value is greater than or equal to 1."),
        (-3, "min_value", "Ensure this value is greater than or equal to 1."),
        (None, "null", "This field may not be null."),
        ("one", "invalid_input", "A valid integer is required."),
        (1.5, "invalid_input", "A valid integer is required."),
        (True, "invalid_input", "A valid integer is required."),
    ],
)
def test_invalid_base_version(scorers, quality, base_version, code, detail):
    response = scorers.new_version(quality.id, {"base_version": base_version, "config": PASS_FAIL})
    assert response.status_code == 400
    assert response.json() == validation("base_version", code, detail)
    assert versions_of(quality) == [(1, GOOD_BAD)]


def test_config_errors_come_before_base_version_errors(scorers, quality):
    response = scorers.new_version(quality.id, {"base_version": 0, "config": {"options": []}})
    assert response.json()["attr"] == "config__options"


def test_base_version_as_text(scorers, quality):
    response = scorers.new_version(quality.id, {"base_version": "1", "config": PASS_FAIL})
    assert response.status_code == 200
    assert response.json()["current_version"] == 2


def test_identical_config_still_makes_a_version(scorers, quality):
    first = scorers.new_version(quality.id, {"config": GOOD_BAD}).json()
    second = scorers.new_version(quality.id, {"config": GOOD_BAD}).json()

    assert (first["current_version"], second["current_version"]) == (2, 3)
    assert first["current_version_id"] != second["current_version_id"]
    assert versions_of(quality) == [(1, GOOD_BAD), (2, GOOD_BAD), (3, GOOD_BAD)]


def test_archived_scorer_gets_new_versions(scorers, world):
    archived = make_definition(world.team, "Old", "boolean", YES_NO, archived=True)
    response = scorers.new_version(archived.id, {"config": {"true_is_failure": True}})

    assert response.status_code == 200
    assert (response.json()["archived"], response.json()["current_version"]) == (True, 2)
    assert versions_of(archived) == [(1, YES_NO), (2, {"true_is_failure": True})]


def test_new_version_normalizes_like_create(scorers, world):
    score = make_definition(world.team, "Score", "numeric", NUMERIC_0_5)
    response = scorers.new_version(score.id, {"config": {"min": 0, "step": "0.5"}})
    assert response.json()["config"] == {"min": 0.0, "step": 0.5}

    quality = make_definition(world.team, "Quality")
    response = scorers.new_version(quality.id, {"config": {"options": [{"key": " OK ", "label": "Fine"}]}})
    assert response.json()["config"] == {"options": [{"key": "ok", "label": "Fine"}]}


def test_new_version_author_is_the_caller(scorers, world):
    # The scorer keeps its creator (here: none); the new version records the caller.
    definition = make_definition(world.team, "Quality", created_by=None)
    response = scorers.new_version(definition.id, {"config": PASS_FAIL})
    assert response.json()["created_by"] is None
    assert ScoreDefinitionVersion.objects.get(definition=definition, version=2).created_by_id == world.user.id


def test_unknown_malformed_or_foreign_id_is_404(scorers, world):
    foreign = make_definition(world.team_b, "Theirs")
    for missing in (UNKNOWN_UUID, "not-a-uuid", foreign.id):
        response = scorers.new_version(missing, {"config": PASS_FAIL})
        assert response.status_code == 404, missing
        assert response.json() == not_found()
    assert versions_of(foreign) == [(1, GOOD_BAD)]


def test_body_is_parsed_before_the_lookup(scorers, world):
    response = scorers.client.post(
        scorers.url(f"{UNKNOWN_UUID}/new_version/"),
        "{bad",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.k_rw}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_form_body(scorers, quality):
    response = scorers.post(
        f"{quality.id}/new_version/",
        {"config": '{"options": [{"key": "yes", "label": "Yes"}]}', "base_version": "1"},
        fmt="multipart",
    )
    assert response.status_code == 200, response.content
    assert response.json()["config"] == {"options": options("yes")}


def test_versions_stay_contiguous(scorers, quality):
    for expected in range(2, 7):
        response = scorers.new_version(quality.id, {"config": GOOD_BAD, "base_version": expected - 1})
        assert response.json()["current_version"] == expected
    assert [number for number, _ in versions_of(quality)] == [1, 2, 3, 4, 5, 6]
