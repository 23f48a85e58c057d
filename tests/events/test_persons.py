"""Persons: distinct ids, `$set`/`$set_once`/`$unset`, `$identify`/`$create_alias` merges, and the
rule spend relies on (the events of the person whose email is e)."""

import pytest

from events.models import Event, Person, PersonDistinctId
from tests.events.helpers import capture, distinct_ids_of, events_of, generation, person_of, sdk_event

pytestmark = pytest.mark.django_db

AI_EVENTS = ["$ai_generation", "$ai_embedding"]


def events_for_email(team, email: str) -> list[Event]:
    """The matching rule documented in events/models.py."""
    return list(Event.objects.filter(team=team, person__email=email, event__in=AI_EVENTS).order_by("id"))


def identify(distinct_id: str, anon: str | None = None, **set_props):
    properties = {"$set": set_props} if set_props else {}
    if anon:
        properties["$anon_distinct_id"] = anon
    return sdk_event("$identify", distinct_id, properties=properties)


def sdk_set(distinct_id: str, key: str = "$set", **props):
    """`posthog.set()` / `set_once()`: the operation at the event's top level."""
    event = sdk_event(key, distinct_id)
    event[key] = props
    return event


def sdk_alias(previous_id: str, distinct_id: str):
    """`posthog.alias(previous_id, distinct_id)` as the SDK sends it."""
    return sdk_event(
        "$create_alias", previous_id, properties={"distinct_id": previous_id, "alias": distinct_id}
    )


def test_a_distinct_id_gets_one_person(client, world):
    capture(client, world.team, [sdk_event("a", "d1"), sdk_event("b", "d1")])
    capture(client, world.team, [sdk_event("c", "d1"), sdk_event("d", "d2")])
    rows = events_of(world.team)
    assert len({rows[0].person_id, rows[1].person_id, rows[2].person_id}) == 1
    assert rows[3].person_id != rows[0].person_id
    assert Person.objects.filter(team=world.team).count() == 2
    assert distinct_ids_of(person_of(world.team, "d1")) == {"d1"}


def test_set_in_properties_and_at_top_level(client, world):
    capture(
        client,
        world.team,
        [
            sdk_event("x", "d1", properties={"$set": {"email": "a@x.com", "plan": "free"}}),
            sdk_set("d1", plan="pro", name="Ada"),
        ],
    )
    person = person_of(world.team, "d1")
    assert person.properties == {"email": "a@x.com", "plan": "pro", "name": "Ada"}
    assert person.email == "a@x.com"
    # The top-level operation is kept in the stored event's properties.
    assert events_of(world.team)[1].properties["$set"] == {"plan": "pro", "name": "Ada"}


def test_set_once_never_overwrites_and_unset_removes(client, world):
    capture(client, world.team, [sdk_set("d1", "$set_once", first="one", email="e@x.com")])
    capture(client, world.team, [sdk_set("d1", "$set_once", first="two", other="o")])
    assert person_of(world.team, "d1").properties == {"first": "one", "email": "e@x.com", "other": "o"}
    capture(client, world.team, [sdk_event("x", "d1", properties={"$unset": ["email", "nope"]})])
    person = person_of(world.team, "d1")
    assert person.properties == {"first": "one", "other": "o"}
    assert person.email is None


def test_set_and_set_once_in_one_event_set_wins(client, world):
    capture(
        client,
        world.team,
        [sdk_event("x", "d1", properties={"$set": {"k": "set"}, "$set_once": {"k": "once"}})],
    )
    assert person_of(world.team, "d1").properties == {"k": "set"}


def test_email_set_later_matches_earlier_events(client, world):
    capture(client, world.team, [generation("d1"), generation("d1")])
    assert events_for_email(world.team, "u@example.com") == []
    capture(client, world.team, [sdk_set("d1", email="u@example.com")])
    assert len(events_for_email(world.team, "u@example.com")) == 2
    # Exact and case-sensitive.
    assert events_for_email(world.team, "U@example.com") == []


def test_email_changes_follow_the_current_properties(client, world):
    capture(client, world.team, [sdk_set("d1", email="old@x.com"), generation("d1")])
    capture(client, world.team, [sdk_set("d1", email="new@x.com")])
    assert events_for_email(world.team, "old@x.com") == []
    assert len(events_for_email(world.team, "new@x.com")) == 1


def test_non_string_email_is_not_an_email(client, world):
    capture(client, world.team, [sdk_set("d1", email=["a@x.com"])])
    assert person_of(world.team, "d1").email is None


def test_identify_merges_the_anonymous_person(client, world):
    capture(
        client, world.team, [generation("anon-1"), sdk_event("page", "anon-1", properties={"$set": {"a": 1}})]
    )
    capture(client, world.team, [sdk_set("user-1", email="u@example.com", a=2)])
    anon_person = person_of(world.team, "anon-1")
    capture(client, world.team, [identify("user-1", anon="anon-1", name="Ada")])

    person = person_of(world.team, "user-1")
    assert person_of(world.team, "anon-1") == person
    assert distinct_ids_of(person) == {"anon-1", "user-1"}
    assert person.is_identified
    # The identified person's properties win; the event's $set applies last.
    assert person.properties == {"a": 2, "email": "u@example.com", "name": "Ada"}
    assert not Person.objects.filter(pk=anon_person.pk).exists()
    assert {e.person_id for e in events_of(world.team)} == {person.pk}
    assert len(events_for_email(world.team, "u@example.com")) == 1


def test_identify_with_a_new_anonymous_id_links_it(client, world):
    capture(client, world.team, [identify("user-1", anon="anon-new", email="u@example.com")])
    person = person_of(world.team, "user-1")
    assert distinct_ids_of(person) == {"anon-new", "user-1"}
    assert person.is_identified and person.email == "u@example.com"
    capture(client, world.team, [generation("anon-new")])
    assert len(events_for_email(world.team, "u@example.com")) == 1


def test_identify_of_an_unknown_user_adopts_the_anonymous_person(client, world):
    capture(client, world.team, [generation("anon-1")])
    anon = person_of(world.team, "anon-1")
    capture(client, world.team, [identify("user-1", anon="anon-1", email="u@example.com")])
    assert person_of(world.team, "user-1") == anon
    assert len(events_for_email(world.team, "u@example.com")) == 1


def test_identify_never_merges_an_identified_person(client, world):
    capture(client, world.team, [identify("user-a", email="a@x.com"), identify("user-b", email="b@x.com")])
    capture(client, world.team, [identify("user-b", anon="user-a")])
    assert person_of(world.team, "user-a") != person_of(world.team, "user-b")
    assert person_of(world.team, "user-a").email == "a@x.com"


def test_merge_dangerously_merges_identified_persons(client, world):
    capture(client, world.team, [identify("user-a", email="a@x.com"), generation("user-a")])
    capture(client, world.team, [identify("user-b", email="b@x.com")])
    capture(client, world.team, [sdk_event("$merge_dangerously", "user-b", properties={"alias": "user-a"})])
    person = person_of(world.team, "user-a")
    assert person == person_of(world.team, "user-b")
    assert person.email == "b@x.com"
    assert len(events_for_email(world.team, "b@x.com")) == 1


def test_create_alias_as_the_sdk_sends_it(client, world):
    capture(client, world.team, [generation("anon-1")])
    capture(client, world.team, [sdk_set("user-1", email="u@example.com")])
    capture(client, world.team, [sdk_alias("anon-1", "user-1")])
    assert person_of(world.team, "anon-1") == person_of(world.team, "user-1")
    assert len(events_for_email(world.team, "u@example.com")) == 1
    assert Person.objects.filter(team=world.team).count() == 1


def test_merge_within_one_batch(client, world):
    capture(
        client,
        world.team,
        [
            generation("anon-1"),
            generation("anon-1"),
            sdk_set("user-1", email="u@example.com"),
            identify("user-1", anon="anon-1"),
            generation("user-1"),
        ],
    )
    assert Person.objects.filter(team=world.team).count() == 1
    assert len(events_for_email(world.team, "u@example.com")) == 3


def test_chain_of_merges_within_one_batch(client, world):
    capture(client, world.team, [generation("a"), generation("b"), generation("c")])
    capture(
        client,
        world.team,
        [sdk_alias("a", "b"), sdk_alias("b", "c"), sdk_set("c", email="abc@x.com"), generation("a")],
    )
    assert Person.objects.filter(team=world.team).count() == 1
    assert len(events_for_email(world.team, "abc@x.com")) == 4
    assert PersonDistinctId.objects.filter(team=world.team).count() == 3


@pytest.mark.parametrize("anon", ["anonymous", "null", "undefined", "0", "None", "[object Object]"])
def test_illegal_distinct_ids_never_merge(client, world, anon):
    capture(client, world.team, [generation(anon), identify("user-1", anon=anon, email="u@x.com")])
    assert person_of(world.team, anon) != person_of(world.team, "user-1")
    assert events_for_email(world.team, "u@x.com") == []


def test_personless_events_have_no_person_and_never_match(client, world):
    capture(client, world.team, [sdk_set("user-1", email="u@example.com")])
    capture(
        client,
        world.team,
        [
            generation("user-1", **{"$process_person_profile": False}),
            generation("trace-as-id", **{"$process_person_profile": False}),
        ],
    )
    personless = events_of(world.team)[1:]
    assert [e.person_id for e in personless] == [None, None]
    assert events_for_email(world.team, "u@example.com") == []
    assert not PersonDistinctId.objects.filter(team=world.team, distinct_id="trace-as-id").exists()


def test_persons_are_per_project(client, world):
    capture(client, world.team, [sdk_set("d1", email="u@example.com"), generation("d1")])
    capture(client, world.team_b, [generation("d1")])
    assert len(events_for_email(world.team, "u@example.com")) == 1
    assert events_for_email(world.team_b, "u@example.com") == []
    assert person_of(world.team_b, "d1").properties == {}


def test_person_created_at_is_the_first_event_time(client, world):
    event = sdk_event("x", "d1", timestamp="2026-01-01T00:00:00+00:00")
    capture(client, world.team, [event], path="/batch/")
    # With sent_at the timestamp is skew-corrected; the person starts at the event's time.
    assert person_of(world.team, "d1").created_at == events_of(world.team)[0].timestamp
