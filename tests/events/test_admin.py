"""Operator pages: events and persons, read-only, searchable, filtered by project and event name."""

import pytest

from events.models import Event, Person
from tests.events.helpers import capture, generation, person_of, sdk_event

pytestmark = pytest.mark.django_db

EVENTS = "/admin/events/event/"
PERSONS = "/admin/events/person/"


@pytest.fixture
def stored(client, world):
    capture(
        client,
        world.team,
        [
            generation("alice", **{"$ai_trace_id": "trace-abc"}),
            sdk_event("$identify", "alice", properties={"$set": {"email": "alice@x.com"}}),
            sdk_event("page", "bob"),
        ],
    )
    capture(client, world.team_b, [sdk_event("other-project", "carol")])
    return Event.objects.order_by("id")


def listed(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_event_list_and_filters(admin_client, stored):
    page = listed(admin_client.get(EVENTS))
    assert "other-project" in page and "$ai_generation" in page
    page = listed(admin_client.get(EVENTS, {"event": "$ai_generation"}))
    assert "$ai_generation" in page and "other-project" not in page and ">page<" not in page


def test_event_list_by_project_isolates(admin_client, world, stored):
    page = listed(admin_client.get(EVENTS, {"team__id__exact": world.team_b.id}))
    assert "other-project" in page and "alice" not in page
    page = listed(admin_client.get(EVENTS, {"team__id__exact": world.team.id}))
    assert "other-project" not in page and "alice" in page


@pytest.mark.parametrize(
    ("term", "expected"),
    [("bob", ["page"]), ("$identify", ["$identify"]), ("trace-abc", ["$ai_generation"]), ("nobody", [])],
)
def test_event_search(admin_client, stored, term, expected):
    response = admin_client.get(EVENTS, {"q": term})
    assert sorted(row.event for row in response.context["cl"].result_list) == expected


def test_event_search_by_uuid(admin_client, stored):
    target = stored[2]
    response = admin_client.get(EVENTS, {"q": str(target.uuid)})
    assert list(response.context["cl"].result_list) == [target]
    # Not a uuid and not a name: no match, no error.
    assert list(admin_client.get(EVENTS, {"q": "1234-zz"}).context["cl"].result_list) == []
    assert admin_client.get(EVENTS, {"q": "a\x00b"}).status_code == 200


def test_events_are_read_only(admin_client, stored):
    event = stored[0]
    page = listed(admin_client.get(f"{EVENTS}{event.pk}/change/"))
    assert "trace-abc" in page
    assert admin_client.get(f"{EVENTS}add/").status_code == 403
    admin_client.post(f"{EVENTS}{event.pk}/change/", {"event": "renamed"})
    event.refresh_from_db()
    assert event.event == "$ai_generation"
    assert admin_client.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_person_list_search_and_distinct_ids(admin_client, world, stored):
    page = listed(admin_client.get(PERSONS))
    assert "alice@x.com" in page and "carol" in page
    response = admin_client.get(PERSONS, {"q": "alice@x.com"})
    assert [p.email for p in response.context["cl"].result_list] == ["alice@x.com"]
    response = admin_client.get(PERSONS, {"q": "bob"})
    assert list(response.context["cl"].result_list) == [person_of(world.team, "bob")]
    alice = person_of(world.team, "alice")
    assert list(admin_client.get(PERSONS, {"q": str(alice.uuid)}).context["cl"].result_list) == [alice]
    page = listed(admin_client.get(f"{PERSONS}{alice.pk}/change/"))
    assert "alice" in page and "alice@x.com" in page
    assert admin_client.post(f"{PERSONS}{alice.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Person.objects.filter(pk=alice.pk).exists()
    page = listed(admin_client.get(PERSONS, {"team__id__exact": world.team_b.id}))
    assert "carol" in page and "alice" not in page
