"""/llm_analytics/trace_reviews/: cases 68-73, every score-validation message, filters, edits."""

import re
import uuid
from decimal import Decimal

import pytest

from review.models import ReviewQueueItem, TraceReview, TraceReviewScore
from scores.models import ScoreDefinition
from tests.api import user_json, validation
from tests.factories import UserFactory, make_key, make_member
from tests.review.helpers import (
    NOT_FOUND,
    PUT_NOT_ALLOWED,
    QUALITY_CONFIG,
    RATING_CONFIG,
    RESOLVED_CONFIG,
    REVIEW_EXISTS,
    REVIEW_KEYS,
    SCORE_KEYS,
    TAGS_CONFIG,
    UUID_PATTERN,
    add_version,
    aged,
    api,
    make_item,
    make_review,
    make_scorer,
    pending,
    review_json,
    score_invalid,
    trace_ids,
)


@pytest.fixture
def scorers(world):
    """Quality (categorical, single), Rating (numeric 0..5 step 0.5), Resolved (boolean), Tags
    (categorical, exactly two of a/b/c)."""
    return {
        "quality": make_scorer(world.team, "Quality", "categorical", QUALITY_CONFIG),
        "rating": make_scorer(world.team, "Rating", "numeric", RATING_CONFIG),
        "resolved": make_scorer(world.team, "Resolved", "boolean", RESOLVED_CONFIG),
        "tags": make_scorer(world.team, "Tags", "categorical", TAGS_CONFIG),
    }


def score(definition, **value) -> dict:
    return {"definition_id": str(definition.id), **value}


# ---- create and queue clearing ------------------------------------------------------------------


def test_case_68_review_clears_the_pending_item(reviews, items, queues, world, q1):
    item = items.create(queue_id=str(q1.id), trace_id="trace_a")
    assert queues.get(f"{q1.id}/").json()["pending_item_count"] == 1

    response = reviews.post("", {"trace_id": "trace_a"})

    assert response.status_code == 201
    body = response.json()
    assert list(body) == REVIEW_KEYS
    assert re.match(UUID_PATTERN, body["id"])
    stored = TraceReview.objects.get(pk=body["id"])
    assert body == review_json(stored)
    assert (body["trace_id"], body["comment"], body["scores"], body["team"]) == ("trace_a", None, [], world.t)
    assert body["created_by"] == body["reviewed_by"] == user_json(world.user)
    assert items.get(f"{item['id']}/").json() == NOT_FOUND
    cleared = ReviewQueueItem.objects.get(pk=item["id"])
    assert cleared.deleted and cleared.deleted_at is not None
    assert queues.get(f"{q1.id}/").json()["pending_item_count"] == 0
    assert pending(world.team) == {}


def test_case_69_one_active_review_per_trace(reviews, world):
    reviews.create(trace_id="trace_a")

    response = reviews.post("", {"trace_id": "trace_a"})

    assert (response.status_code, response.json()) == (400, REVIEW_EXISTS)
    assert TraceReview.objects.filter(team=world.team).count() == 1
    # Trimmed before the check.
    assert reviews.post("", {"trace_id": " trace_a "}).json() == REVIEW_EXISTS


def test_case_70_deleted_review_frees_the_trace(reviews, items, world, q1):
    review = reviews.create(trace_id="trace_a")

    response = reviews.delete(f"{review['id']}/")

    assert (response.status_code, response.content) == (204, b"")
    stored = TraceReview.objects.get(pk=review["id"])
    assert stored.deleted and stored.deleted_at is not None
    for call in (reviews.get, reviews.delete):
        assert call(f"{review['id']}/").json() == NOT_FOUND
    assert reviews.patch(f"{review['id']}/", {"comment": "x"}).json() == NOT_FOUND
    assert reviews.rows() == []
    assert items.create(queue_id=str(q1.id), trace_id="trace_a")["trace_id"] == "trace_a"
    # And it can be reviewed again (which clears that item once more).
    again = reviews.create(trace_id="trace_a")
    assert again["id"] != review["id"]
    assert pending(world.team) == {}


def test_case_71_review_with_scores(reviews, world, scorers):
    response = reviews.post(
        "",
        {
            "trace_id": "trace_s",
            "comment": "  Looks fine  ",
            "scores": [
                score(scorers["resolved"], boolean_value=True),
                score(scorers["rating"], numeric_value="4.5"),
                score(scorers["quality"], categorical_values=["good"]),
            ],
        },
    )

    assert response.status_code == 201
    body = response.json()
    stored = TraceReview.objects.get(pk=body["id"])
    assert body == review_json(stored)
    assert body["comment"] == "Looks fine"
    assert [row["definition_name"] for row in body["scores"]] == ["Quality", "Rating", "Resolved"]
    assert all(list(row) == SCORE_KEYS for row in body["scores"])
    quality, rating, resolved = body["scores"]
    assert [row["definition_version"] for row in body["scores"]] == [1, 1, 1]
    assert (quality["categorical_values"], quality["numeric_value"], quality["boolean_value"]) == (
        ["good"],
        None,
        None,
    )
    assert rating["numeric_value"] == "4.500000"
    assert resolved["boolean_value"] is True
    assert (quality["definition_kind"], quality["definition_archived"]) == ("categorical", False)
    assert quality["definition_config"] == QUALITY_CONFIG
    assert quality["definition_version_id"] == str(scorers["quality"].current_version_id)
    rows = TraceReviewScore.objects.filter(review=stored)
    assert rows.count() == 3
    assert rows.get(definition=scorers["rating"]).numeric_value == Decimal("4.5")
    assert {row.created_by_id for row in rows} == {world.user.id}
    assert {row.team_id for row in rows} == {world.t}


@pytest.mark.parametrize(
    ("scores_of", "detail"),
    [
        (
            lambda s: [score(s["quality"], categorical_values=["excellent"])],
            "scores[0].categorical_values: Select valid categorical option keys.",
        ),
        (
            lambda s: [
                score(s["quality"], categorical_values=["good"]),
                score(s["quality"], categorical_values=["bad"]),
            ],
            "scores[1].definition_id: Each scorer can only appear once per review.",
        ),
        (
            lambda s: [score(s["quality"], categorical_values=["good", "bad"])],
            "scores[0].categorical_values: This scorer allows exactly one categorical option.",
        ),
        (
            lambda s: [score(s["rating"], numeric_value=5.1)],
            "scores[0].numeric_value: Ensure this value is less than or equal to 5.0.",
        ),
        (
            lambda s: [{"definition_id": str(uuid.uuid4()), "boolean_value": True}],
            "scores[0].definition_id: Unknown scorer definition.",
        ),
    ],
    ids=["unknown-option", "repeated-scorer", "two-on-single", "over-max", "unknown-scorer"],
)
def test_case_72_score_errors(reviews, world, scorers, scores_of, detail):
    response = reviews.post("", {"trace_id": "t", "scores": scores_of(scorers)})

    assert response.status_code == 400
    assert response.json() == score_invalid(detail)
    assert not TraceReview.objects.exists()
    assert not TraceReviewScore.objects.exists()


def test_case_73_empty_scores_clear_them(reviews, world, scorers):
    review = reviews.create(
        trace_id="t",
        scores=[score(scorers["quality"], categorical_values=["good"])],
    )
    assert len(review["scores"]) == 1

    response = reviews.patch(f"{review['id']}/", {"scores": []})

    assert response.status_code == 200
    assert response.json()["scores"] == []
    stored = TraceReview.objects.get(pk=review["id"])
    assert response.json() == review_json(stored)
    assert not stored.deleted
    assert not TraceReviewScore.objects.exists()


# ---- every score message ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "detail", "code"),
    [
        ({}, "scores[0].definition_id: This field is required.", "required"),
        (
            {"definition_id": "nope", "boolean_value": True},
            "scores[0].definition_id: Must be a valid UUID.",
            "invalid_input",
        ),
        ("x", "scores[0]: Invalid data. Expected a dictionary, but got str.", "invalid_input"),
        ({"definition_id": "{id}"}, "scores[0]: Provide exactly one score value field.", "invalid_input"),
        (
            {"definition_id": "{id}", "boolean_value": True, "numeric_value": 1},
            "scores[0]: Provide exactly one score value field.",
            "invalid_input",
        ),
        (
            {"definition_id": "{id}", "categorical_values": ["a", " A "]},
            "scores[0].categorical_values: Provide unique categorical option keys.",
            "invalid_input",
        ),
        (
            {"definition_id": "{id}", "categorical_values": []},
            "scores[0].categorical_values: This list may not be empty.",
            "empty",
        ),
        (
            {"definition_id": "{id}", "categorical_values": "good"},
            'scores[0].categorical_values: Expected a list of items but got type "str".',
            "not_a_list",
        ),
        (
            {"definition_id": "{id}", "categorical_values": ["good", True]},
            "scores[0].categorical_values[1]: Not a valid string.",
            "invalid_input",
        ),
        (
            {"definition_id": "{id}", "categorical_values": ["x" * 129]},
            "scores[0].categorical_values[0]: Ensure this field has no more than 128 characters.",
            "max_length",
        ),
        (
            {"definition_id": "{id}", "numeric_value": "abc"},
            "scores[0].numeric_value: A valid number is required.",
            "invalid_input",
        ),
        (
            {"definition_id": "{id}", "numeric_value": "1.1234567"},
            "scores[0].numeric_value: Ensure that there are no more than 6 decimal places.",
            "max_decimal_places",
        ),
        (
            {"definition_id": "{id}", "numeric_value": "1234567.5"},
            "scores[0].numeric_value: Ensure that there are no more than 6 digits before the decimal point.",
            "max_whole_digits",
        ),
        (
            {"definition_id": "{id}", "numeric_value": True},
            "scores[0].numeric_value: A valid number is required.",
            "invalid_input",
        ),
        (
            {"definition_id": "{id}", "boolean_value": "maybe"},
            "scores[0].boolean_value: Must be a valid boolean.",
            "invalid_input",
        ),
        (
            {"definition_id": "{id}", "definition_version_id": 7, "boolean_value": True},
            "scores[0].definition_version_id: Must be a valid UUID.",
            "invalid_input",
        ),
    ],
)
def test_score_field_errors(reviews, scorers, entry, detail, code):
    if isinstance(entry, dict) and entry.get("definition_id") == "{id}":
        entry = {**entry, "definition_id": str(scorers["resolved"].id)}
    response = reviews.post("", {"trace_id": "t", "scores": [entry]})
    assert response.status_code == 400
    assert response.json() == score_invalid(detail, code)
    assert not TraceReview.objects.exists()


@pytest.mark.parametrize(
    ("value", "code", "detail"),
    [
        (None, "null", "This field may not be null."),
        ({"a": 1}, "not_a_list", 'Expected a list of items but got type "dict".'),
        ("x", "not_a_list", 'Expected a list of items but got type "str".'),
    ],
)
def test_scores_must_be_a_list(reviews, value, code, detail):
    response = reviews.post("", {"trace_id": "t", "scores": value})
    assert response.json() == validation("scores", code, detail)


def test_at_most_100_scores(reviews, scorers):
    entries = [score(scorers["resolved"], boolean_value=True)] * 101
    response = reviews.post("", {"trace_id": "t", "scores": entries})
    assert response.json() == validation(
        "scores", "max_length", "Ensure this field has no more than 100 elements."
    )


def test_later_score_field_errors_come_before_scorer_checks(reviews, scorers):
    response = reviews.post(
        "",
        {
            "trace_id": "t",
            "scores": [
                {"definition_id": str(uuid.uuid4()), "boolean_value": True},
                {"definition_id": str(scorers["resolved"].id)},
            ],
        },
    )
    assert response.json() == score_invalid("scores[1]: Provide exactly one score value field.")


def test_option_keys_are_normalized(reviews, scorers):
    body = reviews.create(trace_id="t", scores=[score(scorers["quality"], categorical_values=["  GOOD "])])
    assert body["scores"][0]["categorical_values"] == ["good"]
    response = reviews.post(
        "", {"trace_id": "u", "scores": [score(scorers["quality"], categorical_values=["needs work"])]}
    )
    assert response.json() == score_invalid(
        "scores[0].categorical_values[0]: `key` must use lowercase letters, numbers, underscores, or hyphens."
    )


@pytest.mark.parametrize(
    ("kind_key", "value", "detail"),
    [
        (
            "quality",
            {"boolean_value": True},
            "scores[0].categorical_values: This scorer requires `categorical_values`.",
        ),
        (
            "rating",
            {"categorical_values": ["a"]},
            "scores[0].numeric_value: This scorer requires `numeric_value`.",
        ),
        ("resolved", {"numeric_value": 1}, "scores[0].boolean_value: This scorer requires `boolean_value`."),
        (
            "tags",
            {"categorical_values": ["a"]},
            "scores[0].categorical_values: Select at least 2 categorical options.",
        ),
        (
            "tags",
            {"categorical_values": ["a", "b", "c"]},
            "scores[0].categorical_values: Select no more than 2 categorical options.",
        ),
        (
            "tags",
            {"categorical_values": ["a", "z"]},
            "scores[0].categorical_values: Select valid categorical option keys.",
        ),
        (
            "rating",
            {"numeric_value": -0.5},
            "scores[0].numeric_value: Ensure this value is greater than or equal to 0.0.",
        ),
        (
            "rating",
            {"numeric_value": "4.25"},
            "scores[0].numeric_value: Ensure this value increments by 0.5.",
        ),
    ],
)
def test_scorer_value_messages(reviews, scorers, kind_key, value, detail):
    response = reviews.post("", {"trace_id": "t", "scores": [score(scorers[kind_key], **value)]})
    assert response.status_code == 400
    assert response.json() == score_invalid(detail)
    assert not TraceReview.objects.exists()


def test_accepted_values_at_the_edges(reviews, scorers):
    body = reviews.create(
        trace_id="t",
        scores=[
            score(scorers["tags"], categorical_values=["c", "a"]),
            score(scorers["rating"], numeric_value=0),
            score(scorers["resolved"], boolean_value="false"),
        ],
    )
    by_name = {row["definition_name"]: row for row in body["scores"]}
    assert by_name["Tags"]["categorical_values"] == ["c", "a"]
    assert by_name["Rating"]["numeric_value"] == "0.000000"
    assert by_name["Resolved"]["boolean_value"] is False
    assert (
        reviews.create(trace_id="u", scores=[score(scorers["rating"], numeric_value=5)])["scores"][0][
            "numeric_value"
        ]
        == "5.000000"
    )


def test_step_counts_from_min(reviews, world):
    offset = make_scorer(world.team, "Offset", "numeric", {"min": 0.25, "step": 0.5})
    assert (
        reviews.post("", {"trace_id": "t", "scores": [score(offset, numeric_value="0.75")]}).status_code
        == 201
    )
    response = reviews.post("", {"trace_id": "u", "scores": [score(offset, numeric_value="1")]})
    assert response.json() == score_invalid("scores[0].numeric_value: Ensure this value increments by 0.5.")


def test_foreign_scorer_is_unknown(reviews, world, other_member):
    foreign = make_scorer(world.team_b, "Theirs", "boolean", {})
    sibling = make_scorer(world.team2, "Sibling", "boolean", {})
    for definition in (foreign, sibling):
        response = reviews.post("", {"trace_id": "t", "scores": [score(definition, boolean_value=True)]})
        assert response.json() == score_invalid("scores[0].definition_id: Unknown scorer definition.")


def test_scorer_without_a_current_version(reviews, world):
    bare = ScoreDefinition.objects.create(team=world.team, name="Bare", kind="boolean")
    response = reviews.post("", {"trace_id": "t", "scores": [score(bare, boolean_value=True)]})
    assert response.json() == score_invalid(
        "scores[0].definition_id: This scorer does not have a current version."
    )


def test_version_checks(reviews, world, scorers, other_member):
    quality, rating = scorers["quality"], scorers["rating"]
    foreign = make_scorer(world.team_b, "Theirs", "categorical", QUALITY_CONFIG)
    cases = [
        (str(uuid.uuid4()), "scores[0].definition_version_id: Unknown scorer version."),
        (str(foreign.current_version_id), "scores[0].definition_version_id: Unknown scorer version."),
        (
            str(rating.current_version_id),
            "scores[0].definition_version_id: This scorer version does not belong to the scorer.",
        ),
    ]
    for version_id, detail in cases:
        entry = score(quality, definition_version_id=version_id, categorical_values=["good"])
        response = reviews.post("", {"trace_id": "t", "scores": [entry]})
        assert response.json() == score_invalid(detail)
    assert not TraceReview.objects.exists()


def test_scores_are_checked_against_the_named_or_current_version(reviews, world, scorers):
    quality = scorers["quality"]
    v1 = quality.current_version
    v2 = add_version(
        quality, {"options": [{"key": "pass", "label": "Pass"}, {"key": "fail", "label": "Fail"}]}
    )

    # The current version (v2) no longer has "good".
    response = reviews.post("", {"trace_id": "t", "scores": [score(quality, categorical_values=["good"])]})
    assert response.json() == score_invalid(
        "scores[0].categorical_values: Select valid categorical option keys."
    )

    pinned = reviews.create(
        trace_id="t", scores=[score(quality, definition_version_id=str(v1.id), categorical_values=["good"])]
    )
    current = reviews.create(trace_id="u", scores=[score(quality, categorical_values=["pass"])])
    assert (pinned["scores"][0]["definition_version"], pinned["scores"][0]["definition_version_id"]) == (
        1,
        str(v1.id),
    )
    assert pinned["scores"][0]["definition_config"] == QUALITY_CONFIG
    assert (current["scores"][0]["definition_version"], current["scores"][0]["definition_version_id"]) == (
        2,
        str(v2.id),
    )
    assert current["scores"][0]["definition_config"] == v2.config
    row = TraceReviewScore.objects.get(review_id=pinned["id"])
    assert (row.definition_version_id, row.definition_version_number, row.definition_config) == (
        v1.id,
        1,
        QUALITY_CONFIG,
    )


def test_archived_scorers_can_be_scored_and_show_live_metadata(reviews, world):
    archived = make_scorer(world.team, "Old", "boolean", {}, archived=True)
    body = reviews.create(trace_id="t", scores=[score(archived, boolean_value=False)])
    assert body["scores"][0]["definition_archived"] is True

    archived.name, archived.archived = "Renamed", False
    archived.save()
    shown = reviews.get(f"{body['id']}/").json()["scores"][0]
    assert (shown["definition_name"], shown["definition_archived"]) == ("Renamed", False)


def test_scores_are_ordered_by_scorer_name_then_id(reviews, world):
    first = make_scorer(world.team, "Same", "boolean", {})
    second = make_scorer(world.team, "Same", "boolean", {})
    alpha = make_scorer(world.team, "Alpha", "boolean", {})
    body = reviews.create(
        trace_id="t",
        scores=[
            score(second, boolean_value=True),
            score(alpha, boolean_value=True),
            score(first, boolean_value=True),
        ],
    )
    ids = [row["id"] for row in body["scores"]]
    stored = TraceReviewScore.objects.filter(review_id=body["id"])
    assert [row["definition_name"] for row in body["scores"]] == ["Alpha", "Same", "Same"]
    assert ids[1:] == sorted(str(row.id) for row in stored if row.definition.name == "Same")


# ---- create: other fields ------------------------------------------------------------------------


def test_create_field_rules(reviews):
    response = reviews.post("", {})
    assert response.json() == validation("trace_id", "required", "This field is required.")
    response = reviews.post("", {"trace_id": "  "})
    assert response.json() == validation("trace_id", "blank", "This field may not be blank.")
    response = reviews.post("", {"trace_id": "x" * 256})
    assert response.json()["code"] == "max_length"
    response = reviews.post("", {"trace_id": True})
    assert response.json() == validation("trace_id", "invalid_input", "Not a valid string.")
    response = reviews.post("", {"trace_id": "t", "comment": 5, "queue_id": "nope"})
    assert response.json() == validation("queue_id", "invalid_input", "Must be a valid UUID.")
    assert not TraceReview.objects.exists()

    assert reviews.create(trace_id=123)["trace_id"] == "123"
    assert reviews.create(trace_id="b", comment="   ")["comment"] is None
    assert reviews.create(trace_id="c", comment=None)["comment"] is None
    assert reviews.create(trace_id="d", comment=7)["comment"] == "7"


def test_queue_id_limits_which_item_is_cleared(reviews, world, q1, q2):
    make_item(q1, "in_q1")
    make_item(q2, "in_q2")

    reviews.create(trace_id="in_q1", queue_id=str(q2.id))
    reviews.create(trace_id="in_q2", queue_id=str(q2.id))

    # The item in another queue is left alone (an edge case the rule accepts).
    assert pending(world.team) == {"in_q1": "Q1"}
    reviews.create(trace_id="elsewhere", queue_id=None)


# ---- PATCH ------------------------------------------------------------------------------------------


def test_patch_comment_keeps_scores_and_sets_reviewer(client, reviews, world, scorers):
    review = reviews.create(
        trace_id="t", comment="first", scores=[score(scorers["resolved"], boolean_value=True)]
    )
    stored = aged(TraceReview.objects.get(pk=review["id"]), 5)
    before = stored.updated_at
    colleague = UserFactory(email="colleague@example.com")
    make_member(colleague, world.org_a)
    theirs = api(client, world.t, "trace_reviews", make_key(colleague, ["llm_analytics:write"]))

    response = theirs.patch(f"{review['id']}/", {"comment": " second "})

    assert response.status_code == 200
    assert response.json() == review_json(stored)
    assert (stored.comment, stored.created_by_id, stored.reviewed_by_id) == (
        "second",
        world.user.id,
        colleague.id,
    )
    assert stored.updated_at > before
    assert response.json()["scores"] == review["scores"]

    # Every PATCH counts as a save, even an empty one.
    body = reviews.patch(f"{review['id']}/", {}).json()
    assert body["reviewed_by"] == user_json(world.user)
    assert body["comment"] == "second"
    assert reviews.patch(f"{review['id']}/", {"comment": ""}).json()["comment"] is None


def test_patch_replaces_scores(reviews, scorers):
    review = reviews.create(
        trace_id="t",
        scores=[
            score(scorers["quality"], categorical_values=["good"]),
            score(scorers["resolved"], boolean_value=True),
        ],
    )
    response = reviews.patch(
        f"{review['id']}/",
        {
            "scores": [
                score(scorers["rating"], numeric_value=2),
                score(scorers["quality"], categorical_values=["bad"]),
            ]
        },
    )
    body = response.json()
    assert [
        (row["definition_name"], row["categorical_values"], row["numeric_value"]) for row in body["scores"]
    ] == [
        ("Quality", ["bad"], None),
        ("Rating", None, "2.000000"),
    ]
    assert set(TraceReviewScore.objects.values_list("definition__name", flat=True)) == {"Quality", "Rating"}


def test_patch_with_a_bad_score_changes_nothing(reviews, scorers):
    review = reviews.create(
        trace_id="t", comment="c", scores=[score(scorers["resolved"], boolean_value=True)]
    )
    response = reviews.patch(
        f"{review['id']}/", {"comment": "new", "scores": [score(scorers["rating"], numeric_value=9)]}
    )
    assert response.json() == score_invalid(
        "scores[0].numeric_value: Ensure this value is less than or equal to 5.0."
    )
    assert reviews.get(f"{review['id']}/").json() == review


def test_patch_trace_id_only_unchanged(reviews):
    review = reviews.create(trace_id="t")
    assert reviews.patch(f"{review['id']}/", {"trace_id": " t "}).status_code == 200
    response = reviews.patch(f"{review['id']}/", {"trace_id": "other"})
    assert response.json() == validation(
        "trace_id", "invalid_input", "Trace ID cannot be changed once a review is created."
    )
    assert TraceReview.objects.get().trace_id == "t"


def test_patch_clears_a_pending_item_again(reviews, world, q1, q2):
    review = reviews.create(trace_id="t")
    make_item(q1, "t")  # inserted directly, against the rules
    assert reviews.patch(f"{review['id']}/", {"queue_id": str(q2.id)}).status_code == 200
    assert pending(world.team) == {"t": "Q1"}
    assert reviews.patch(f"{review['id']}/", {"queue_id": str(q1.id)}).status_code == 200
    assert pending(world.team) == {}


def test_put_is_not_allowed(reviews):
    review = reviews.create(trace_id="t")
    response = reviews.put(f"{review['id']}/", {"trace_id": "t"})
    assert (response.status_code, response.json()) == (405, PUT_NOT_ALLOWED)


# ---- list and retrieve ----------------------------------------------------------------------------


@pytest.fixture
def three(world, scorers):
    """Reviews of alpha (oldest save), beta, gamma (newest); beta scores Quality, gamma Rating."""
    alpha = aged(make_review(world.team, "alpha", comment="All FINE"), 30)
    beta = make_review(world.team, "beta")
    TraceReviewScore.objects.create(
        team=world.team,
        review=beta,
        definition=scorers["quality"],
        definition_version=scorers["quality"].current_version,
        definition_version_number=1,
        definition_config=QUALITY_CONFIG,
        categorical_values=["good"],
    )
    beta = aged(beta, 20)
    gamma = make_review(world.team, "gamma")
    TraceReviewScore.objects.create(
        team=world.team,
        review=gamma,
        definition=scorers["rating"],
        definition_version=scorers["rating"].current_version,
        definition_version_number=1,
        definition_config=RATING_CONFIG,
        numeric_value=Decimal("1.5"),
    )
    gamma = aged(gamma, 10)
    make_review(world.team, "deleted", deleted=True)
    make_review(world.team_b, "foreign")
    return alpha, beta, gamma


def test_list_is_exact_and_newest_first(reviews, three):
    alpha, beta, gamma = three
    assert reviews.get().json() == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": [review_json(gamma), review_json(beta), review_json(alpha)],
    }


def test_list_filters(reviews, scorers, three):
    quality, rating = scorers["quality"], scorers["rating"]
    assert trace_ids(reviews.rows({"trace_id": "beta"})) == ["beta"]
    assert trace_ids(reviews.rows({"trace_id__in": "alpha,gamma,nope"})) == ["gamma", "alpha"]
    assert trace_ids(reviews.rows({"definition_id": str(quality.id)})) == ["beta"]
    assert trace_ids(reviews.rows({"definition_id__in": f"{quality.id},{rating.id}"})) == ["gamma", "beta"]
    assert trace_ids(reviews.rows({"search": "fine"})) == ["alpha"]
    assert trace_ids(reviews.rows({"search": "MM"})) == ["gamma"]
    assert trace_ids(reviews.rows({"order_by": "created_at"})) == ["alpha", "beta", "gamma"]
    assert trace_ids(reviews.rows({"order_by": "-created_at"})) == ["gamma", "beta", "alpha"]
    assert trace_ids(reviews.rows({"order_by": "updated_at"})) == ["alpha", "beta", "gamma"]

    for params, attr in (
        ({"definition_id": "bad"}, "definition_id"),
        ({"definition_id__in": f"{quality.id},bad"}, "definition_id__in"),
    ):
        response = reviews.get("", params)
        assert response.status_code == 400
        assert response.json() == validation(attr, "invalid_input", "Enter a valid UUID.")
    response = reviews.get("", {"order_by": "trace_id"})
    assert (response.status_code, response.json()["attr"]) == (400, "order_by")


def test_retrieve(reviews, world, three):
    alpha, _, _ = three
    assert reviews.get(f"{alpha.id}/").json() == review_json(alpha)
    for missing in (uuid.uuid4(), "nope"):
        assert reviews.get(f"{missing}/").json() == NOT_FOUND
    deleted = TraceReview.objects.get(trace_id="deleted")
    foreign = TraceReview.objects.get(trace_id="foreign")
    for hidden in (deleted, foreign):
        assert reviews.get(f"{hidden.id}/").json() == NOT_FOUND
        assert reviews.patch(f"{hidden.id}/", {"comment": "x"}).json() == NOT_FOUND
        assert reviews.delete(f"{hidden.id}/").json() == NOT_FOUND


def test_form_encoded_bodies(reviews, items, world, scorers, q1):
    body = items.post("", {"queue_id": str(q1.id), "trace_id": " form-trace "}, fmt="multipart")
    assert (body.status_code, body.json()["trace_id"]) == (201, "form-trace")
    scores = f'[{{"definition_id": "{scorers["resolved"].id}", "boolean_value": true}}]'
    response = reviews.post("", {"trace_id": "form-trace", "comment": "c", "scores": scores}, fmt="multipart")
    assert response.status_code == 201, response.content
    assert [row["boolean_value"] for row in response.json()["scores"]] == [True]
    assert pending(world.team) == {}
    response = reviews.post("", {"trace_id": "other", "scores": "[not json"}, fmt="multipart")
    assert response.json() == validation(
        "scores", "not_a_list", 'Expected a list of items but got type "str".'
    )


def test_trace_errors_come_before_score_errors(reviews, world):
    review = reviews.create(trace_id="t")
    bad = [{"definition_id": str(uuid.uuid4()), "boolean_value": True}]
    assert reviews.post("", {"trace_id": "t", "scores": bad}).json() == REVIEW_EXISTS
    response = reviews.patch(f"{review['id']}/", {"trace_id": "other", "scores": bad})
    assert response.json()["attr"] == "trace_id"
    response = reviews.post("", {"trace_id": "u", "scores": bad})
    assert response.json() == score_invalid("scores[0].definition_id: Unknown scorer definition.")
