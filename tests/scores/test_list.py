"""GET score_definitions/: filters, ordering and pagination."""

import pytest

from scores.models import ScoreDefinition
from tests.api import validation
from tests.scores.helpers import add_versions, definition_json, make_definition, names

KIND_CHOICE = "Select a valid choice. {} is not one of the available choices."


@pytest.fixture
def quality_and_resolved(world):
    """An active "Quality" (categorical) and an archived "Resolved" (boolean)."""
    quality = make_definition(world.team, "Quality", "categorical", description="How good the answer is")
    resolved = make_definition(world.team, "Resolved", "boolean", archived=True, description="Issue fixed?")
    return quality, resolved


def test_case_64_filters(scorers, quality_and_resolved):
    _, resolved = quality_and_resolved
    response = scorers.get(
        "", {"search": "resolved", "kind": "boolean", "archived": "true", "order_by": "name"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [definition_json(resolved)],
    }

    assert names(scorers.get("", {"archived": "false"})) == ["Quality"]
    assert names(scorers.get("")) == ["Quality"]
    assert names(scorers.get("", {"archived": "true"})) == ["Resolved"]

    response = scorers.get("", {"kind": "foo"})
    assert response.status_code == 400
    assert response.json() == validation("kind", "invalid_choice", KIND_CHOICE.format("foo"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", ["Resolved"]),
        ("TRUE", ["Resolved"]),
        ("True", ["Resolved"]),
        ("1", ["Resolved"]),
        (" true ", ["Resolved"]),
        ("false", ["Quality"]),
        ("FALSE", ["Quality"]),
        ("0", ["Quality"]),
        ("", ["Quality"]),
        ("   ", ["Quality"]),
        ("yes", ["Quality"]),
        ("maybe", ["Quality"]),
        ("2", ["Quality"]),
        ("\x00", ["Quality"]),
    ],
)
def test_archived_values(scorers, quality_and_resolved, value, expected):
    assert names(scorers.get("", {"archived": value})) == expected


def test_kind_filter(scorers, world):
    for kind in ("categorical", "numeric", "boolean"):
        make_definition(world.team, f"A {kind}", kind)
    for kind in ("categorical", "numeric", "boolean"):
        assert names(scorers.get("", {"kind": kind})) == [f"A {kind}"]
    assert len(names(scorers.get("", {"kind": ""}))) == 3
    for bad in ("Boolean", "bool", " numeric"):
        response = scorers.get("", {"kind": bad})
        assert response.status_code == 400
        assert response.json() == validation("kind", "invalid_choice", KIND_CHOICE.format(bad))


def test_case_65_search_matches_the_description(scorers, quality_and_resolved):
    assert names(scorers.get("", {"search": "ANSWER"})) == ["Quality"]
    assert names(scorers.get("", {"search": "fixed", "archived": "true"})) == ["Resolved"]
    assert names(scorers.get("", {"search": "qual"})) == ["Quality"]
    assert names(scorers.get("", {"search": "nothing like this"})) == []
    assert names(scorers.get("", {"search": ""})) == ["Quality"]
    assert names(scorers.get("", {"search": "   "})) == ["Quality"]
    assert names(scorers.get("", {"search": "a\x00b"})) == []


def test_search_is_a_literal_substring(scorers, world):
    make_definition(world.team, "100% sure")
    make_definition(world.team, "1000 sure")
    make_definition(world.team, "snake_case")
    make_definition(world.team, "snakeXcase")
    assert names(scorers.get("", {"search": "0%"})) == ["100% sure"]
    assert names(scorers.get("", {"search": "e_c"})) == ["snake_case"]


def test_case_66_order_by_version_and_kind(scorers, world):
    one = make_definition(world.team, "One version", "numeric")
    three = make_definition(world.team, "Three versions", "boolean")
    two = make_definition(world.team, "Two versions", "categorical")
    add_versions(three, 2)
    add_versions(two, 1)

    assert names(scorers.get("", {"order_by": "-current_version"})) == [
        "Three versions",
        "Two versions",
        "One version",
    ]
    assert names(scorers.get("", {"order_by": "current_version"})) == [
        "One version",
        "Two versions",
        "Three versions",
    ]
    assert [row["kind"] for row in scorers.get("", {"order_by": "kind"}).json()["results"]] == [
        "boolean",
        "categorical",
        "numeric",
    ]
    assert names(scorers.get("", {"order_by": "-kind"})) == ["One version", "Two versions", "Three versions"]
    assert {one.pk, two.pk, three.pk} == set(ScoreDefinition.objects.values_list("pk", flat=True))


def test_default_order_is_name_then_id(scorers, world):
    b = make_definition(world.team, "b")
    a2 = make_definition(world.team, "a")
    a1 = make_definition(world.team, "a")
    upper = make_definition(world.team, "B")
    expected = sorted([b, a1, a2, upper], key=lambda row: (row.name, row.id))
    response = scorers.get("")
    assert [row["id"] for row in response.json()["results"]] == [str(row.id) for row in expected]
    assert scorers.get("", {"order_by": ""}).json() == response.json()


def test_order_by_timestamps_and_several_keys(scorers, world):
    first = make_definition(world.team, "z first")
    second = make_definition(world.team, "a second")
    third = make_definition(world.team, "m third")
    assert names(scorers.get("", {"order_by": "created_at"})) == ["z first", "a second", "m third"]
    assert names(scorers.get("", {"order_by": "-created_at"})) == ["m third", "a second", "z first"]
    scorers.patch(f"{first.id}/", {"description": "touched"})
    assert names(scorers.get("", {"order_by": "-updated_at"}))[0] == "z first"
    assert names(scorers.get("", {"order_by": "kind,-name"})) == ["z first", "m third", "a second"]
    assert {second.pk, third.pk} <= set(ScoreDefinition.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "order_by", ["bogus", "id", "-description", "name,bogus", "current_version__version"]
)
def test_unknown_order_by(scorers, world, order_by):
    make_definition(world.team, "Quality")
    response = scorers.get("", {"order_by": order_by})
    assert response.status_code == 400
    assert response.json()["attr"] == "order_by"
    assert response.json()["code"] == "invalid_choice"
    assert response.json()["type"] == "validation_error"


def test_pagination(scorers, world):
    for index in range(5):
        make_definition(world.team, f"s{index}")
    body = scorers.get("", {"limit": 2, "offset": 2}).json()
    assert body["count"] == 5
    assert [row["name"] for row in body["results"]] == ["s2", "s3"]
    assert body["next"].endswith(
        f"/api/environments/{world.t}/llm_analytics/score_definitions/?limit=2&offset=4"
    )
    assert body["previous"].endswith(f"/api/environments/{world.t}/llm_analytics/score_definitions/?limit=2")
    assert scorers.get("", {"offset": 10}).json()["results"] == []
    assert len(scorers.get("").json()["results"]) == 5


def test_filters_compose_with_pagination(scorers, world):
    for index in range(3):
        make_definition(world.team, f"old {index}", archived=True)
    make_definition(world.team, "current")
    body = scorers.get("", {"archived": "1", "limit": 1}).json()
    assert body["count"] == 3
    assert "archived=1" in body["next"]


def test_only_the_projects_scorers(scorers, world):
    make_definition(world.team, "Ours")
    make_definition(world.team2, "Sibling project")
    make_definition(world.team_b, "Other organization")
    assert names(scorers.get("")) == ["Ours"]
