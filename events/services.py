"""Every write of the events app: storing a captured batch and keeping its persons up to date.

A batch costs a bounded number of queries whatever its size: one lookup of the distinct ids it
names, at most one insert of new persons, of new distinct ids and of events, one bulk update of
changed persons, and, when persons merge, one re-pointing of distinct ids and events and one delete.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Case, Value, When
from django.db.models.constants import OnConflict
from django.utils import timezone

from events.models import Event, Person, PersonDistinctId
from events.normalize import MERGING_EVENTS, PreparedEvent, prepare

LOOKUP_CHUNK = 500
PERSON_ATTEMPTS = 3
# Distinct ids that clients send by mistake; they never merge two persons.
ILLEGAL_MERGE_IDS = frozenset(
    {"anonymous", "guest", "distinctid", "distinct_id", "id", "not_authenticated", "email", "undefined",
     "true", "false", "null", "none", "nan", "0", "[object object]"}
)  # fmt: skip


@dataclass(frozen=True)
class CaptureResult:
    accepted: int
    dropped: int


def capture_events(
    *, team_id: int, events: list[Any], sent_at: Any = None, received_at: datetime | None = None
) -> CaptureResult:
    """Stores a batch: events lacking a name or distinct id are dropped, a uuid already stored for
    the project (a retry) is skipped, the rest go in with one insert, after their persons."""
    now = received_at or timezone.now()
    prepared: list[PreparedEvent] = []
    seen: set[uuid.UUID] = set()
    dropped = 0
    for raw in events:
        event = prepare(raw, sent_at=sent_at, now=now)
        if event is None:
            dropped += 1
        elif event.uuid not in seen:
            seen.add(event.uuid)
            prepared.append(event)
    if not prepared:
        return CaptureResult(accepted=0, dropped=dropped)
    for attempt in range(PERSON_ATTEMPTS):
        try:
            _store(team_id=team_id, events=prepared, now=now)
            break
        except IntegrityError:
            # A concurrent merge deleted a person this batch linked its events to (the foreign
            # key is checked at commit, when nothing is written yet): read the persons again.
            if attempt == PERSON_ATTEMPTS - 1 or transaction.get_connection().in_atomic_block:
                raise
    return CaptureResult(accepted=len(prepared), dropped=dropped)


def _store(*, team_id: int, events: list[PreparedEvent], now: datetime) -> None:
    """The batch's persons, then its events with one insert, in one transaction."""
    with transaction.atomic():
        person_ids = _persons_for(team_id=team_id, events=events)
        _insert_events(
            [
                {
                    "team_id": team_id,
                    "uuid": event.uuid,
                    "event": event.event,
                    "distinct_id": event.distinct_id,
                    "person_id": person_id,
                    "timestamp": event.timestamp,
                    "created_at": now,
                    "properties": event.properties,
                    "ai_trace_id": event.ai_trace_id,
                    **event.spend_columns,
                }
                for event, person_id in zip(events, person_ids, strict=True)
            ]
        )


# Columns taken as they are (text and ids); the others are converted by their field.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.ForeignKey)


def _insert_events(rows: list[dict[str, Any]]) -> None:
    """What `Event.objects.bulk_create(..., ignore_conflicts=True)` does (a retried uuid is
    skipped), as one `executemany` whatever the batch size: Django splits a bulk insert at SQLite's
    most conservative parameter limit (~66 events here), and this was measured faster on PostgreSQL
    (psycopg pipelines the rows) than its multi-row insert, without building model instances."""
    connection = transaction.get_connection()
    fields = [field for field in Event._meta.concrete_fields if not field.primary_key]
    ops = connection.ops
    sql = (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {ops.quote_name(Event._meta.db_table)} "
        f"({', '.join(ops.quote_name(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"{ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)}"
    )
    converters = [
        (field.attname, None if isinstance(field, _PLAIN_FIELDS) else field.get_db_prep_save)
        for field in fields
    ]
    params = [
        [
            row.get(name) if convert is None else convert(row.get(name), connection)
            for name, convert in converters
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# ---- persons -----------------------------------------------------------------------------------


def _merge_source(event: PreparedEvent) -> str | None:
    """The other distinct id an `$identify` / `$create_alias` joins to the event's person."""
    if event.event not in MERGING_EVENTS:
        return None
    key = "$anon_distinct_id" if event.event == "$identify" else "alias"
    other = event.properties.get(key)
    if isinstance(other, int | float) and not isinstance(other, bool):
        other = str(other)
    if not isinstance(other, str) or not other.strip() or other == event.distinct_id:
        return None
    if other.strip().lower() in ILLEGAL_MERGE_IDS or event.distinct_id.strip().lower() in ILLEGAL_MERGE_IDS:
        return None
    return other[: Event._meta.get_field("distinct_id").max_length]


def _email(properties: dict[str, Any]) -> str | None:
    email = properties.get("email")
    if isinstance(email, str) and email:
        return email[: Person._meta.get_field("email").max_length]
    return None


class _Slot:
    """One person while a batch is applied: a stored one, or a new one not yet inserted."""

    __slots__ = ("changed", "merged_into", "person")

    def __init__(self, person: Person):
        self.person = person
        self.merged_into: _Slot | None = None
        self.changed = False

    def final(self) -> "_Slot":
        slot = self
        while slot.merged_into is not None:
            slot = slot.merged_into
        return slot

    @property
    def stored(self) -> bool:
        return self.person.pk is not None


class _PersonBook:
    """The persons of one batch, applied in memory in event order and written at the end."""

    def __init__(self, team_id: int, found: Iterable[PersonDistinctId]):
        self.team_id = team_id
        self.by_distinct_id: dict[str, _Slot] = {}
        self.new_distinct_ids: dict[str, _Slot] = {}
        self.new_slots: list[_Slot] = []
        self.stored_slots: dict[int, _Slot] = {}
        self.merged_away: list[_Slot] = []
        for row in found:
            slot = self.stored_slots.get(row.person_id)
            if slot is None:
                slot = self.stored_slots[row.person_id] = _Slot(row.person)
            self.by_distinct_id[row.distinct_id] = slot

    def slot_for(self, distinct_id: str, *, created_at: datetime) -> _Slot:
        slot = self.by_distinct_id.get(distinct_id)
        if slot is not None:
            return slot.final()
        slot = _Slot(Person(team_id=self.team_id, properties={}, created_at=created_at))
        slot.changed = True
        self.new_slots.append(slot)
        self.by_distinct_id[distinct_id] = self.new_distinct_ids[distinct_id] = slot
        return slot

    def merge(self, *, other_id: str, into: _Slot, dangerous: bool) -> _Slot:
        """Joins `other_id` to `into`'s person; when it has a person of its own, the two merge
        (refused for an already identified person unless `dangerous`). Properties of `into` win."""
        existing = self.by_distinct_id.get(other_id)
        if existing is None:
            self.by_distinct_id[other_id] = self.new_distinct_ids[other_id] = into
            return into
        other = existing.final()
        if other is into or (other.person.is_identified and not dangerous):
            return into
        # A stored person survives a new one, so stored events need no re-pointing.
        survivor, gone = (into, other) if into.stored or not other.stored else (other, into)
        survivor.person.properties = {**other.person.properties, **into.person.properties}
        survivor.person.created_at = min(into.person.created_at, other.person.created_at)
        survivor.person.is_identified = into.person.is_identified or other.person.is_identified
        survivor.changed = True
        gone.merged_into = survivor
        if gone.stored:
            self.merged_away.append(gone)
        return survivor

    def write(self) -> None:
        new_people = [slot.person for slot in self.new_slots if slot.merged_into is None]
        for person in new_people:
            person.email = _email(person.properties)
        Person.objects.bulk_create(new_people)
        if self.merged_away:
            targets = [(slot.person.pk, slot.final().person.pk) for slot in self.merged_away]
            gone_ids = [gone for gone, _ in targets]
            repoint = Case(*(When(person_id=gone, then=Value(kept)) for gone, kept in targets))
            PersonDistinctId.objects.filter(team_id=self.team_id, person_id__in=gone_ids).update(
                person_id=repoint
            )
            Event.objects.filter(team_id=self.team_id, person_id__in=gone_ids).update(person_id=repoint)
            Person.objects.filter(team_id=self.team_id, pk__in=gone_ids).delete()
        if self.new_distinct_ids:
            PersonDistinctId.objects.bulk_create(
                PersonDistinctId(
                    team_id=self.team_id, distinct_id=distinct_id, person_id=slot.final().person.pk
                )
                for distinct_id, slot in self.new_distinct_ids.items()
            )
        changed = [
            slot.person for slot in self.stored_slots.values() if slot.changed and slot.merged_into is None
        ]
        for person in changed:
            person.email = _email(person.properties)
        if changed:
            Person.objects.bulk_update(changed, ["properties", "email", "is_identified", "created_at"])


def _apply_operations(slot: _Slot, event: PreparedEvent) -> None:
    properties = slot.person.properties
    updated = {**{k: v for k, v in event.set_once.items() if k not in properties}, **properties}
    updated.update(event.set)
    for key in event.unset:
        updated.pop(key, None)
    if updated != properties:
        slot.person.properties = updated
        slot.changed = True


def _apply(
    team_id: int, events: list[PreparedEvent], distinct_ids: list[str], lock: bool
) -> list[int | None]:
    found: list[PersonDistinctId] = []
    for start in range(0, len(distinct_ids), LOOKUP_CHUNK):
        rows = PersonDistinctId.objects.filter(
            team_id=team_id, distinct_id__in=distinct_ids[start : start + LOOKUP_CHUNK]
        ).select_related("person")
        if lock:
            # Serialises concurrent batches that change the same persons; ordered against deadlocks.
            rows = rows.select_for_update(of=("person",)).order_by("person_id")
        found += rows
    book = _PersonBook(team_id, found)
    slots: list[_Slot | None] = []
    for event in events:
        if not event.personful:
            slots.append(None)
            continue
        slot = book.slot_for(event.distinct_id, created_at=event.timestamp)
        other_id = _merge_source(event)
        if other_id is not None:
            slot = book.merge(other_id=other_id, into=slot, dangerous=event.event == "$merge_dangerously")
        if event.event in MERGING_EVENTS and not slot.person.is_identified:
            slot.person.is_identified = True
            slot.changed = True
        _apply_operations(slot, event)
        slots.append(slot)
    book.write()
    return [slot.final().person.pk if slot is not None else None for slot in slots]


def _persons_for(*, team_id: int, events: list[PreparedEvent]) -> list[int | None]:
    """Each event's person id (None for personless events), after creating, updating and merging
    the batch's persons. A concurrent batch that created one of the same distinct ids first makes
    the insert fail: the whole step is then retried, and finds that person."""
    personful = [event for event in events if event.personful]
    if not personful:
        return [None] * len(events)
    distinct_ids = list(
        dict.fromkeys(
            distinct_id
            for event in personful
            for distinct_id in (event.distinct_id, _merge_source(event))
            if distinct_id is not None
        )
    )
    lock = any(event.changes_person for event in personful)
    for attempt in range(PERSON_ATTEMPTS):
        try:
            with transaction.atomic():
                return _apply(team_id, events, distinct_ids, lock)
        except IntegrityError:
            if attempt == PERSON_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
