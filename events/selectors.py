"""Reads of events and persons, always within one project."""

import uuid

from django.db.models import QuerySet

from events.domain import InvalidApiKey
from events.models import Event, Person
from llm_server.accounts.models import Team


def team_id_for_token(*, token: str) -> int:
    """The project a capture token (`phc_…`) writes into; unknown → InvalidApiKey."""
    # A NUL byte cannot be in any token (and PostgreSQL rejects it in a query).
    team_id = (
        None if "\x00" in token else Team.objects.filter(api_token=token).values_list("id", flat=True).first()
    )
    if team_id is None:
        raise InvalidApiKey()
    return team_id


def event_by_uuid(*, team: Team, event_uuid: uuid.UUID | str) -> Event | None:
    try:
        key = event_uuid if isinstance(event_uuid, uuid.UUID) else uuid.UUID(str(event_uuid))
    except ValueError:
        return None
    return Event.objects.filter(team=team, uuid=key).first()


def trace_events(*, team: Team, trace_id: str) -> QuerySet[Event]:
    """The events of one AI trace (`$ai_trace_id`), oldest first."""
    return Event.objects.filter(team=team, ai_trace_id=trace_id).order_by("timestamp", "id")


def person_for_distinct_id(*, team: Team, distinct_id: str) -> Person | None:
    return Person.objects.filter(team=team, distinct_ids__distinct_id=distinct_id).first()
