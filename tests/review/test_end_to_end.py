"""A reviewer's whole day through the HTTP API only: scorers, a queue, queued traces, reviews with
scores, the queue emptying, and a scorer's config changing under reviews already given."""

from tests.review.helpers import api


def test_review_workflow_end_to_end(client, world):
    scorers = api(client, world.t, "score_definitions", world.k_rw)
    queues = api(client, world.t, "review_queues", world.k_rw)
    items = api(client, world.t, "review_queue_items", world.k_rw)
    reviews = api(client, world.t, "trace_reviews", world.k_rw)

    # Scorers of each kind.
    quality = scorers.create(
        name="Quality",
        kind="categorical",
        config={"options": [{"key": "Good", "label": "Good"}, {"key": "bad", "label": "Bad"}]},
    )
    rating = scorers.create(name="Rating", kind="numeric", config={"min": 0, "max": 5, "step": 0.5})
    resolved = scorers.create(
        name="Resolved", kind="boolean", config={"true_label": "Yes", "false_label": "No"}
    )
    assert quality["config"]["options"][0]["key"] == "good"
    assert quality["current_version"] == rating["current_version"] == 1

    # A queue with three traces waiting.
    queue = queues.create(name="  Escalations ")
    assert (queue["name"], queue["pending_item_count"]) == ("Escalations", 0)
    for trace in ("trace-1", "trace-2", "trace-3"):
        items.create(queue_id=queue["id"], trace_id=trace)
    assert queues.get(f"{queue['id']}/").json()["pending_item_count"] == 3
    assert [row["queue_name"] for row in items.rows({"queue_id": queue["id"]})] == ["Escalations"] * 3

    # Each is reviewed, which takes it off the queue.
    given = []
    for count_left, (trace, label, number, ok) in zip(
        (2, 1, 0),
        (("trace-1", "good", "4.5", True), ("trace-2", "bad", 1, False), ("trace-3", "GOOD", "5", True)),
        strict=True,
    ):
        review = reviews.create(
            trace_id=trace,
            comment=f"checked {trace}",
            queue_id=queue["id"],
            scores=[
                {"definition_id": quality["id"], "categorical_values": [label]},
                {"definition_id": rating["id"], "numeric_value": number},
                {"definition_id": resolved["id"], "boolean_value": ok},
            ],
        )
        given.append(review)
        assert [row["definition_name"] for row in review["scores"]] == ["Quality", "Rating", "Resolved"]
        assert queues.get(f"{queue['id']}/").json()["pending_item_count"] == count_left
    assert items.rows() == []
    assert given[0]["scores"][1]["numeric_value"] == "4.500000"
    assert given[2]["scores"][0]["categorical_values"] == ["good"]
    # A reviewed trace cannot be queued again.
    response = items.post("", {"queue_id": queue["id"], "trace_id": "trace-1"})
    assert response.json()["detail"] == "This trace is already reviewed and cannot be added to a queue."

    # The quality scorer's options change: version 2.
    changed = scorers.post(
        f"{quality['id']}/new_version/",
        {
            "base_version": 1,
            "config": {"options": [{"key": "pass", "label": "Pass"}, {"key": "fail", "label": "Fail"}]},
        },
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["current_version"] == 2

    # Reviews given before still point at version 1, with its config.
    for review in given:
        shown = reviews.get(f"{review['id']}/").json()
        assert shown == review
        quality_score = shown["scores"][0]
        assert (quality_score["definition_version"], quality_score["definition_version_id"]) == (
            1,
            quality["current_version_id"],
        )
        assert [option["key"] for option in quality_score["definition_config"]["options"]] == ["good", "bad"]

    # New scores are checked against version 2; version 1 can still be named explicitly.
    response = reviews.post(
        "",
        {"trace_id": "trace-4", "scores": [{"definition_id": quality["id"], "categorical_values": ["good"]}]},
    )
    assert response.json()["detail"] == "scores[0].categorical_values: Select valid categorical option keys."
    fresh = reviews.create(
        trace_id="trace-4", scores=[{"definition_id": quality["id"], "categorical_values": ["pass"]}]
    )
    assert fresh["scores"][0]["definition_version"] == 2
    assert fresh["scores"][0]["definition_version_id"] == changed.json()["current_version_id"]
    pinned = reviews.create(
        trace_id="trace-5",
        scores=[
            {
                "definition_id": quality["id"],
                "definition_version_id": quality["current_version_id"],
                "categorical_values": ["bad"],
            }
        ],
    )
    assert pinned["scores"][0]["definition_version"] == 1

    # Editing an old review re-checks its new scores against the current version.
    edited = reviews.patch(
        f"{given[1]['id']}/", {"scores": [{"definition_id": quality["id"], "categorical_values": ["fail"]}]}
    ).json()
    assert [(row["definition_name"], row["definition_version"]) for row in edited["scores"]] == [
        ("Quality", 2)
    ]

    # Filter reviews by scorer, and archiving a scorer keeps it scoreable.
    assert len(reviews.rows({"definition_id": rating["id"]})) == 2
    assert scorers.patch(f"{resolved['id']}/", {"archived": True}).status_code == 200
    archived_score = reviews.create(
        trace_id="trace-6", scores=[{"definition_id": resolved["id"], "boolean_value": False}]
    )
    assert archived_score["scores"][0]["definition_archived"] is True
    assert reviews.get(f"{given[0]['id']}/").json()["scores"][2]["definition_archived"] is True
