"""Captured events and the persons their distinct ids resolve to.

How to find "the events of the person with email e" in project T (what `@me/spend` needs):

    Event.objects.filter(team_id=T, person__email=e, event__in=[...], timestamp__gte=..., timestamp__lt=...)

i.e. join `Event.person` → `Person`, matching `Person.email` (a copy of `properties["email"]`, kept in step
by every write, exact and case-sensitive; null when the property is missing or not a string).

- `Event.person` is the event's person: set at ingestion from its distinct id, and re-pointed to the
  surviving person when `$identify` / `$create_alias` merges two persons, so it always names a current
  person. Person properties are the current ones, so an email set on a later event matches the earlier
  events of that person.
- Events sent with `$process_person_profile: false` have `person = NULL` and never match any person,
  even if their distinct id later belongs to one.
- `PersonDistinctId` maps each (team, distinct_id) to one person; it is how ingestion resolves a distinct id.

Spend columns: `ai_product`, `ai_model`, `ai_tools_called` (text) and `ai_cost_usd`, `ai_input_tokens`,
`ai_output_tokens` (numbers) are typed copies of the AI properties spend aggregates, taken at ingestion
for `$ai_generation` and `$ai_embedding` events (null for others), so spend never reads the JSON.

Indexes: `event_team_person_spend_idx` serves the per-person spend filter and, on PostgreSQL, holds
the spend columns too, so spend reads the index only (never the wide event rows);
`event_team_event_ts_idx` the per-event-name scans, `event_team_trace_idx` trace lookups through the
`ai_trace_id` column (a copy of `properties["$ai_trace_id"]` taken at ingestion), and the unique
`event_team_uuid_uniq` lookups by (team, uuid).
"""

import math
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from llm_server.accounts.models import Team
from llm_server.ids import uuid7

NAME_MAX_LENGTH = 400


class ExactNumberField(models.Field):
    """A number stored as PostgreSQL `numeric` without a scale (exact, as the JSON number it copies,
    so sums match summing the JSON), SQLite `real`. Values are `Decimal`s."""

    description = "Exact number"

    def db_type(self, connection: Any) -> str:
        return "numeric" if connection.vendor == "postgresql" else "real"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None or connection.vendor == "postgresql":
            return value
        try:
            return float(value)
        except OverflowError:  # an integer beyond any float: what SQLite makes of it
            return math.copysign(math.inf, value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return None if value is None else Decimal(value if isinstance(value, Decimal) else repr(value))


SPEND_COLUMNS = (
    "ai_product",
    "ai_model",
    "ai_tools_called",
    "ai_cost_usd",
    "ai_input_tokens",
    "ai_output_tokens",
)


class CoveringIndex(models.Index):
    """An index that also stores the `covering` columns where the database can (PostgreSQL's
    INCLUDE, for index-only scans); SQLite, which cannot, gets the plain index and no warning."""

    def __init__(self, *args: Any, covering: tuple[str, ...] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.covering = tuple(covering)

    def deconstruct(self) -> tuple[str, tuple, dict[str, Any]]:
        path, args, kwargs = super().deconstruct()
        return path, args, {**kwargs, "covering": self.covering}

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        index = self
        if schema_editor.connection.features.supports_covering_indexes:
            index = self.clone()
            index.include = self.covering
        return models.Index.create_sql(index, model, schema_editor, using=using, **kwargs)


class Person(models.Model):
    id = models.BigAutoField(primary_key=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", db_index=False)
    uuid = models.UUIDField(default=uuid7, editable=False)
    properties = models.JSONField(default=dict)
    # properties["email"] when it is a string: what spend matches users by.
    email = models.CharField(max_length=NAME_MAX_LENGTH, null=True, blank=True, editable=False)  # noqa: DJ001
    # Set by `$identify`: an identified person is never merged into another by a later `$identify`.
    is_identified = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "uuid"], name="person_team_uuid_uniq"),
        ]
        indexes = [
            models.Index(fields=["team", "email"], name="person_team_email_idx"),
        ]

    def __str__(self) -> str:
        return self.email or str(self.uuid)


class PersonDistinctId(models.Model):
    id = models.BigAutoField(primary_key=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", db_index=False)
    distinct_id = models.CharField(max_length=NAME_MAX_LENGTH)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="distinct_ids")

    class Meta:
        ordering = ["id"]
        verbose_name = "person distinct id"
        constraints = [
            models.UniqueConstraint(fields=["team", "distinct_id"], name="person_distinct_id_team_uniq"),
        ]

    def __str__(self) -> str:
        return self.distinct_id


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", db_index=False)
    uuid = models.UUIDField()
    event = models.CharField(max_length=NAME_MAX_LENGTH)
    distinct_id = models.CharField(max_length=NAME_MAX_LENGTH)
    # Null for events sent with `$process_person_profile: false`; re-pointed when persons merge,
    # before the merged person is deleted (so deleting a person never scans the events).
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="events", db_index=False
    )
    # When the event happened, corrected for the sender's clock skew.
    timestamp = models.DateTimeField()
    # When the server received it.
    created_at = models.DateTimeField(default=timezone.now)
    properties = models.JSONField(default=dict)
    # properties["$ai_trace_id"] as text, copied at ingestion.
    ai_trace_id = models.CharField(max_length=NAME_MAX_LENGTH, null=True, blank=True)  # noqa: DJ001
    # What spend aggregates, copied from the properties at ingestion (see the module docstring).
    ai_product = models.TextField(null=True, blank=True)  # noqa: DJ001
    ai_model = models.TextField(null=True, blank=True)  # noqa: DJ001
    ai_tools_called = models.TextField(null=True, blank=True)  # noqa: DJ001
    ai_cost_usd = ExactNumberField(null=True, blank=True)
    ai_input_tokens = ExactNumberField(null=True, blank=True)
    ai_output_tokens = ExactNumberField(null=True, blank=True)

    class Meta:
        ordering = ["-timestamp", "-id"]
        constraints = [
            # A retried event (same project and uuid) is stored once.
            models.UniqueConstraint(fields=["team", "uuid"], name="event_team_uuid_uniq"),
        ]
        indexes = [
            models.Index(fields=["team", "event", "timestamp"], name="event_team_event_ts_idx"),
            CoveringIndex(
                fields=["team", "person", "event", "timestamp"],
                covering=SPEND_COLUMNS,
                name="event_team_person_spend_idx",
            ),
            models.Index(
                fields=["team", "ai_trace_id"],
                condition=Q(ai_trace_id__isnull=False),
                name="event_team_trace_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} ({self.uuid})"
