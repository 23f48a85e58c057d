"""Scopes on every route, both prefixes, @current, trailing slashes, and project/organization
isolation, for the three review resources."""

import pytest

from review.models import ReviewQueue, ReviewQueueItem, TraceReview
from tests.api import bearer
from tests.factories import make_key
from tests.review.helpers import (
    NOT_FOUND,
    PUT_NOT_ALLOWED,
    READ_DENIED,
    WRITE_DENIED,
    api,
    denied,
    item_json,
    make_item,
    make_queue,
    make_review,
    queue_json,
    review_json,
)

RESOURCES = ["review_queues", "review_queue_items", "trace_reviews"]


def seed(world, resource: str, team=None):
    """One row of the resource in `team` (default T), and a valid create and PATCH body for it."""
    team = team or world.team
    queue = make_queue(team, f"Q of {team.id}")
    if resource == "review_queues":
        return queue, {"name": "New"}, {"name": "Renamed"}
    if resource == "review_queue_items":
        other = make_queue(team, f"Other of {team.id}")
        return (
            make_item(queue, "t1"),
            {"queue_id": str(queue.id), "trace_id": "t2"},
            {"queue_id": str(other.id)},
        )
    return make_review(team, "t1"), {"trace_id": "t2"}, {"comment": "c"}


def body_of(row) -> dict:
    if isinstance(row, ReviewQueue):
        return queue_json(row)
    if isinstance(row, ReviewQueueItem):
        return item_json(row)
    return review_json(row)


def still_live(row) -> bool:
    return type(row).objects.filter(pk=row.pk, deleted=False).exists()


@pytest.mark.parametrize("resource", RESOURCES)
def test_read_scope(client, world, resource):
    row, _, _ = seed(world, resource)
    for key in (world.k_ro, world.k_rw, world.k_all):
        signed = api(client, world.t, resource, key)
        assert signed.get().status_code == 200
        assert signed.get(f"{row.pk}/").json() == body_of(row)
    other_scopes = api(client, world.t, resource, make_key(world.user, ["dataset:read", "llm_prompt:write"]))
    for response in (other_scopes.get(), other_scopes.get(f"{row.pk}/")):
        assert (response.status_code, response.json()) == (403, READ_DENIED)


@pytest.mark.parametrize("resource", RESOURCES)
def test_write_scope(client, world, resource):
    row, create, patch = seed(world, resource)
    rows_before = type(row).objects.count()
    read_only = api(client, world.t, resource, world.k_ro)
    for response in (
        read_only.post("", create),
        read_only.patch(f"{row.pk}/", patch),
        read_only.delete(f"{row.pk}/"),
        read_only.put(f"{row.pk}/", create),
    ):
        assert (response.status_code, response.json()) == (403, WRITE_DENIED)
    assert type(row).objects.count() == rows_before
    assert still_live(row)

    writer = api(client, world.t, resource, world.k_rw)
    assert writer.post("", create).status_code == 201
    assert writer.patch(f"{row.pk}/", patch).status_code == 200
    assert writer.delete(f"{row.pk}/").status_code == 204
    assert not still_live(row)


@pytest.mark.parametrize("resource", RESOURCES)
def test_unauthenticated_and_invalid_keys(client, world, resource):
    row, create, _ = seed(world, resource)
    anonymous = api(client, world.t, resource, "")
    for response in (anonymous.get(), anonymous.get(f"{row.pk}/"), anonymous.post("", create)):
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert response.has_header("WWW-Authenticate")
    bogus = api(client, world.t, resource, "phx_bogus")
    assert bogus.get().json()["code"] == "authentication_failed"


@pytest.mark.parametrize("resource", RESOURCES)
def test_project_checks(client, world, resource):
    row, _, _ = seed(world, resource)
    scoped = api(client, world.t, resource, world.k_scoped)
    assert scoped.get().json() == denied(
        f"API key does not have access to the requested project: ID {world.t}."
    )
    foreign = api(client, world.team_b.id, resource, world.k_all)
    assert foreign.get().json() == denied("You don't have access to the project.")
    missing = api(client, world.missing_id, resource, world.k_all)
    response = missing.get()
    assert (response.status_code, response.json()["detail"]) == (404, "Project not found.")
    assert still_live(row)


@pytest.mark.parametrize("resource", RESOURCES)
def test_rows_of_other_projects_are_invisible(client, world, other_member, resource):
    foreign_row, _, foreign_patch = seed(world, resource, team=world.team_b)
    sibling_row, _, sibling_patch = seed(world, resource, team=world.team2)
    mine = api(client, world.t, resource, world.k_all)

    assert mine.rows() == []
    for row, patch in ((foreign_row, foreign_patch), (sibling_row, sibling_patch)):
        assert mine.get(f"{row.pk}/").json() == NOT_FOUND
        assert mine.patch(f"{row.pk}/", patch).json() == NOT_FOUND
        assert mine.delete(f"{row.pk}/").json() == NOT_FOUND
        assert still_live(row)
    # Each project's own members see its rows.
    sibling = api(client, world.team2.id, resource, world.k_all)
    assert sibling.get(f"{sibling_row.pk}/").json() == body_of(sibling_row)
    owner = api(client, world.team_b.id, resource, other_member[1])
    assert owner.get(f"{foreign_row.pk}/").json() == body_of(foreign_row)
    assert [row["id"] for row in owner.rows()] == [str(foreign_row.pk)]


@pytest.mark.parametrize("resource", RESOURCES)
def test_both_prefixes_and_current(client, world, resource):
    row, create, _ = seed(world, resource)
    environments = api(client, world.t, resource, world.k_rw, prefix="environments")
    projects = api(client, world.t, resource, world.k_rw, prefix="projects")
    current = api(client, "@current", resource, world.k_rw, prefix="projects")

    assert environments.get().json() == projects.get().json() == current.get().json()
    created = projects.post("", create).json()
    assert environments.get(f"{created['id']}/").json() == created
    assert current.get(f"{created['id']}/").json() == created
    assert environments.get(f"{row.pk}/").json() == projects.get(f"{row.pk}/").json() == body_of(row)

    listing = environments.get("", {"limit": 1})
    assert listing["Deprecation"] == "true"
    assert listing["Link"] == (
        f'</api/projects/{world.t}/llm_analytics/{resource}/?limit=1>; rel="successor-version"'
    )
    assert not projects.get().has_header("Deprecation")


@pytest.mark.parametrize("resource", RESOURCES)
def test_trailing_slash_is_optional(client, world, resource):
    row, create, patch = seed(world, resource)
    base = f"/api/environments/{world.t}/llm_analytics/{resource}"
    for path in (base, f"{base}/", f"{base}/{row.pk}", f"{base}/{row.pk}/"):
        assert client.get(path, **bearer(world.k_ro)).status_code == 200, path
    assert client.post(base, create, format="json", **bearer(world.k_rw)).status_code == 201
    assert client.patch(f"{base}/{row.pk}", patch, format="json", **bearer(world.k_rw)).status_code == 200
    assert client.delete(f"{base}/{row.pk}", **bearer(world.k_rw)).status_code == 204


@pytest.mark.parametrize("resource", RESOURCES)
def test_put_and_unmapped_methods_are_405(client, world, resource):
    row, create, _ = seed(world, resource)
    writer = api(client, world.t, resource, world.k_all)
    for response in (writer.put(f"{row.pk}/", create), writer.put("", create)):
        assert (response.status_code, response.json()) == (405, PUT_NOT_ALLOWED)
    response = client.patch(writer.url(), {}, format="json", **bearer(world.k_all))
    assert response.status_code == 405
    response = client.delete(writer.url(), **bearer(world.k_all))
    assert response.status_code == 405
    assert still_live(row)


@pytest.mark.parametrize("resource", RESOURCES)
def test_malformed_ids_are_404(client, world, resource):
    writer = api(client, world.t, resource, world.k_all)
    for bad in ("not-a-uuid", "1", "%00", "00000000-0000-0000-0000-00000000000g"):
        for response in (writer.get(f"{bad}/"), writer.delete(f"{bad}/"), writer.patch(f"{bad}/", {})):
            assert (response.status_code, response.json()) == (404, NOT_FOUND), bad


def test_unknown_llm_analytics_route(client, world):
    response = client.get(f"/api/environments/{world.t}/llm_analytics/review_things/", **bearer(world.k_all))
    assert response.status_code == 404
    assert response.json()["detail"] == "Endpoint not found."


def test_other_projects_rows_never_leak_into_counts(client, world):
    mine = make_queue(world.team, "Shared name")
    theirs = make_queue(world.team_b, "Shared name")
    make_item(theirs, "t")
    signed = api(client, world.t, "review_queues", world.k_ro)
    assert signed.get(f"{mine.id}/").json()["pending_item_count"] == 0
    assert TraceReview.objects.count() == 0
