"""Append-only version histories: how every new immutable version is written.

Two shapes share the same rules: version rows are never rewritten, numbers are contiguous from 1,
the database settles races (row locks, unique constraints), and a stale `base_version` is a
VersionConflict (409).

- Name-keyed histories (prompts, skills): every active row of one (team, name) is a version of
  it; the newest carries `is_latest`. Publishing inserts a row and moves the flag.
- Id-addressed histories (score definitions): a header row that points at its current version,
  plus immutable version rows linked to it. Appending inserts a row and moves the pointer.

A write describes its new version with one `step(current) -> NewVersion`, called while the current
version is locked, so content computed from it (edits, carried-forward fields, copied child rows)
is computed from exactly the version it replaces.
"""

import re
import uuid
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from llm_server.accounts.models import USER_PUBLIC_COLUMNS, Team, User
from llm_server.domain import NameTaken, ObjectNotFound, VersionConflict, VersionLimitReached
from llm_server.ids import uuid7
from llm_server.soft_delete import SoftDeleteModel

NAME_MAX_LENGTH = 255
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]+$")
RESERVED_NAMES = frozenset({"new"})
NAME_CHARACTERS_MESSAGE = "Only letters, numbers, hyphens (-) and underscores (_) are allowed."
RESERVED_NAME_MESSAGE = "'new' is a reserved name and cannot be used."
# A publish that finds the latest row moved under it retries this many times before giving up.
LOCK_RETRIES = 5


class VersionedRecord(SoftDeleteModel):
    """One immutable version of a named record in a project."""

    MAX_VERSION = 2000
    # The columns that make up a version's content (copied by duplicate, carried by publish).
    CONTENT_FIELDS: tuple[str, ...] = ()
    # The columns a resolve route's version summary shows.
    SUMMARY_FIELDS: tuple[str, ...] = ("id", "version", "created_at", "is_latest", "created_by")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    version = models.PositiveIntegerField()
    is_latest = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["team", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "name", "version"],
                condition=Q(deleted=False),
                name="%(app_label)s_%(class)s_unique_active_version",
            ),
            models.UniqueConstraint(
                fields=["team", "name"],
                condition=Q(is_latest=True, deleted=False),
                name="%(app_label)s_%(class)s_one_latest_per_name",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "is_latest", "deleted", "created_at"], name="%(class)s_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def content(self) -> dict[str, Any]:
        """This version's content columns, to carry forward or copy."""
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}

    def child_copies(self) -> list[models.Model]:
        """Unsaved copies of the rows that belong to this version (a skill's files); none by default."""
        return []


Record = TypeVar("Record", bound=VersionedRecord)


@dataclass
class NewVersion:
    """What a write puts in a new version: its content columns, and the rows that belong to it.

    Child rows are unsaved; each names its link to the version in `VERSION_FIELD`, set on insert.
    """

    content: dict[str, Any]
    children: Sequence[models.Model] = field(default_factory=list)


# Builds the new version from the locked current one; any domain error it raises writes nothing.
Step = Callable[[Any], NewVersion]


def name_errors(value: str) -> tuple[str, str] | None:
    """The first rule a record name breaks, as (message, code); length is checked by the field."""
    if value.lower() in RESERVED_NAMES:
        return RESERVED_NAME_MESSAGE, "reserved_name"
    if not NAME_PATTERN.match(value):
        return NAME_CHARACTERS_MESSAGE, "invalid_name"
    return None


# ---- reads -----------------------------------------------------------------------------------


def active_rows(model: type[Record], *, team: Team | int, name: str | None = None) -> models.QuerySet:
    queryset = model.objects.filter(team=team, deleted=False)
    if name is None:
        return queryset
    if "\x00" in name:
        # No stored name holds U+0000 (names are validated), and PostgreSQL rejects it in a query.
        return queryset.none()
    return queryset.filter(name=name)


def with_history_stats(queryset: models.QuerySet) -> models.QuerySet:
    """Annotates each row with its history's `latest_version`, `version_count` and
    `first_version_created_at`, computed by the database (one correlated subquery each)."""
    model = queryset.model
    history = model.objects.filter(team_id=OuterRef("team_id"), name=OuterRef("name"), deleted=False)
    return queryset.annotate(
        latest_version=Subquery(history.order_by("-version").values("version")[:1]),
        version_count=Subquery(history.order_by().values("team_id").annotate(n=Count("id")).values("n")[:1]),
        first_version_created_at=Coalesce(
            Subquery(history.filter(version=1).values("created_at")[:1]), F("created_at")
        ),
    )


def latest_rows(model: type[Record], *, team: Team | int) -> models.QuerySet:
    return with_history_stats(model.objects.filter(team=team, deleted=False, is_latest=True))


def get_version(
    model: type[Record],
    *,
    team: Team | int,
    name: str,
    version: int | None = None,
    row_id: Any = None,
) -> Record:
    """The latest active row of a name, or the one with `version` and/or `row_id`."""
    queryset = with_history_stats(active_rows(model, team=team, name=name)).select_related("created_by")
    if row_id is not None:
        queryset = queryset.filter(pk=row_id)
    if version is not None:
        queryset = queryset.filter(version=version)
    if row_id is None and version is None:
        queryset = queryset.filter(is_latest=True)
    row = queryset.first()
    if row is None:
        raise ObjectNotFound(name)
    # Reported as "is this the history's latest version", which the stored flag already says.
    row.is_latest = row.version == row.latest_version
    return row


@dataclass(frozen=True)
class VersionState:
    """What a version's payload depends on beyond its immutable row: the row's id (hex), the
    history's latest version number and, when asked for, its creator's public columns.

    Within one history the latest number moves on every publish and a history is archived whole,
    so (name, row id, latest version) fixes the history's derived fields (counts, first/latest)."""

    row_id: str
    latest_version: int
    creator: tuple | None = None


# The user columns a version's `created_by` shows (UserBasicSerializer); a change to one is a new state.
CREATOR_COLUMNS = USER_PUBLIC_COLUMNS


def version_state(
    model: type[Record],
    *,
    team: Team | int,
    name: str,
    version: int | None = None,
    row_id: Any = None,
    row_id_sql: tuple[str, list] | None = None,
    with_creator: bool = False,
) -> VersionState | None:
    """The state of the version get_version would return, in one indexed query of raw SQL (the
    hot path of SDK fetches: no ORM compilation); None if there is no such version.

    `row_id_sql` is a subquery (SQL, params) naming the row, e.g. through a pointer to it."""
    if "\x00" in name:
        return None
    if version is not None:
        low, high = connection.ops.integer_field_range(model._meta.get_field("version").get_internal_type())
        if (low is not None and version < low) or (high is not None and version > high):
            return None  # no stored version is that large (and the database would refuse the number)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [
        "t.id",
        f"(SELECT MAX(h.version) FROM {table} h WHERE h.team_id = t.team_id AND h.name = t.name AND NOT h.deleted)",
    ]
    joins = ""
    if with_creator:
        user_model = model._meta.get_field("created_by").related_model
        quote = connection.ops.quote_name
        columns += [
            "t.created_by_id",
            *(f"u.{quote(user_model._meta.get_field(c).column)}" for c in CREATOR_COLUMNS),
        ]
        joins = f" LEFT JOIN {quote(user_model._meta.db_table)} u ON u.id = t.created_by_id"
    where = ["t.team_id = %s", "t.name = %s", "NOT t.deleted"]
    params: list[Any] = [getattr(team, "pk", team), name]
    if row_id is not None:
        where.append("t.id = %s")
        params.append(model._meta.pk.get_db_prep_value(row_id, connection))
    if row_id_sql is not None:
        where.append(f"t.id = ({row_id_sql[0]})")
        params.extend(row_id_sql[1])
    if version is not None:
        where.append("t.version = %s")
        params.append(version)
    if row_id is None and row_id_sql is None and version is None:
        where.append("t.is_latest")
    sql = f"SELECT {', '.join(columns)} FROM {table} t{joins} WHERE {' AND '.join(where)} LIMIT 1"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    return VersionState(
        row_id=uuid.UUID(str(found[0])).hex,
        latest_version=found[1],
        creator=tuple(found[2:]) if with_creator else None,
    )


def state_of(row: VersionedRecord) -> tuple[str, int]:
    """(row id, latest version) of a row read by get_version, to compare with a VersionState."""
    return row.pk.hex, row.latest_version


def version_page(
    model: type[Record],
    *,
    team: Team | int,
    name: str,
    limit: int,
    offset: int = 0,
    before_version: int | None = None,
) -> tuple[list[Record], bool]:
    """A page of a history, newest first, and whether more rows follow it."""
    # Summaries only: a version's content (which may be megabytes) is not read.
    queryset = (
        active_rows(model, team=team, name=name).select_related("created_by").only(*model.SUMMARY_FIELDS)
    )
    if before_version is not None:
        queryset = queryset.filter(version__lt=before_version)
        offset = 0
    rows = list(queryset.order_by("-version", "-created_at", "-id")[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit


# ---- writes ----------------------------------------------------------------------------------


def is_unique_violation(exc: IntegrityError) -> bool:
    """Only a unique-constraint clash means "taken" or "conflict"; other integrity errors are bugs."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) == "23505":
        return True
    return "UNIQUE constraint failed" in str(exc)


def _name_lock_key(model: type[Record], team: Team | int, name: str) -> int:
    team_id = getattr(team, "pk", team)
    return zlib.crc32(f"{model._meta.db_table}:{team_id}:{name}".encode("utf-8", "surrogatepass"))


def lock_name(model: type[Record], team: Team | int, *names: str) -> None:
    """Serialises every write to a name's history within a project (held until commit).

    Row locks alone cannot cover a name that has no rows yet (a create racing a rename onto it can
    deadlock on PostgreSQL's unique-index checks), and a writer queued on the latest row finds the
    flag moved each time one ahead of it commits. One lock per name, taken first by create, publish,
    archive and rename, settles both; several names are locked in a fixed order so two renames
    cannot deadlock. SQLite serialises writers anyway.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted({_name_lock_key(model, team, name) for name in names}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _raise_if_name_taken(model: type[Record], team: Team, name: str) -> None:
    if active_rows(model, team=team, name=name).exists():
        raise NameTaken(name)


# ---- the rules every new version follows, for both shapes --------------------------------------


def _check_next(*, current: int, base_version: int | None, max_version: int | None) -> int:
    """The next version number after `current`, if `base_version` (None: no check) is current and
    the history has room for one more."""
    if base_version is not None and base_version != current:
        raise VersionConflict(current)
    if max_version is not None and current >= max_version:
        raise VersionLimitReached(max_version)
    return current + 1


def _insert_version(model: type[models.Model], fields: dict[str, Any], new: NewVersion, *, clash) -> Any:
    """Inserts a version row and its child rows. A unique-constraint clash on the version row (a
    writer that got past the locks) raises `clash()`; any other integrity error is a bug."""
    try:
        with transaction.atomic():
            row = model.objects.create(**fields, **new.content)
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise clash() from exc
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for child in new.children:
        setattr(child, child.VERSION_FIELD, row)
        by_model.setdefault(type(child), []).append(child)
    for child_model, children in by_model.items():
        child_model.objects.bulk_create(children)
    return row


# ---- name-keyed histories ------------------------------------------------------------------------


def create_history(
    model: type[Record], *, team: Team, name: str, created_by: User | None, new: NewVersion
) -> Record:
    """Starts a history at version 1. A name whose history is archived starts afresh."""
    with transaction.atomic():
        lock_name(model, team, name)
        _raise_if_name_taken(model, team, name)
        # A concurrent create of the same name that won the unique constraint.
        return _insert_version(
            model,
            {"team": team, "name": name, "version": 1, "is_latest": True, "created_by": created_by},
            new,
            clash=lambda: NameTaken(name),
        )


def _lock_latest(model: type[Record], team: Team, name: str) -> Record:
    """Locks the latest active row. Behind the name lock the first read finds it; without that
    lock (not PostgreSQL) a concurrent publish may move the flag while this one waits for the row,
    and the locked read comes back empty: read again to find the new latest."""
    for _ in range(LOCK_RETRIES):
        row = (
            active_rows(model, team=team, name=name)
            .select_for_update()
            .filter(is_latest=True)
            .order_by()
            .first()
        )
        if row is not None:
            return row
        if not active_rows(model, team=team, name=name).exists():
            raise ObjectNotFound(name)
    latest = active_rows(model, team=team, name=name).order_by("-version").first()
    if latest is None:
        raise ObjectNotFound(name)
    raise VersionConflict(latest.version)


def publish_version(
    model: type[Record],
    *,
    team: Team,
    name: str,
    base_version: int | None,
    created_by: User | None,
    step: Step,
) -> Record:
    """Appends the version that `step(current)` builds, if `base_version` (None: no check) is
    still the latest."""
    with transaction.atomic():
        lock_name(model, team, name)
        current = _lock_latest(model, team, name)
        number = _check_next(
            current=current.version, base_version=base_version, max_version=model.MAX_VERSION
        )
        new = step(current)
        # A queryset update moves only the flag: the old row's content and updated_at stay as written.
        model.objects.filter(pk=current.pk).update(is_latest=False)
        return _insert_version(
            model,
            {"team": team, "name": name, "version": number, "is_latest": True, "created_by": created_by},
            new,
            clash=lambda: VersionConflict(number),
        )


def archive_history(model: type[Record], *, team: Team, name: str) -> int:
    """Soft-deletes every active version of a name; the name is free again.

    The name is locked first, as publish does, so an archive and a publish of the same name run
    one after the other: the archive's update then sees every version, including one that a
    concurrent publish has just added.
    """
    with transaction.atomic():
        lock_name(model, team, name)
        _lock_latest(model, team, name)
        return active_rows(model, team=team, name=name).update(
            deleted=True, is_latest=False, deleted_at=timezone.now()
        )


def rename_history(model: type[Record], *, team: Team, name: str, new_name: str) -> int:
    """Moves every active version of `name` to `new_name`, keeping the history together."""
    if new_name == name:
        return 0
    with transaction.atomic():
        lock_name(model, team, name, new_name)
        _lock_latest(model, team, name)
        rows = list(active_rows(model, team=team, name=name).select_for_update().values_list("pk", flat=True))
        _raise_if_name_taken(model, team, new_name)
        try:
            with transaction.atomic():
                return model.objects.filter(pk__in=rows).update(name=new_name)
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise NameTaken(new_name) from exc


def duplicate_latest(
    model: type[Record], *, team: Team, name: str, new_name: str, created_by: User | None
) -> Record:
    """Starts `new_name` at version 1 with the content (and child rows) of `name`'s latest version."""
    source = get_version(model, team=team, name=name)
    new = NewVersion(source.content(), source.child_copies())
    try:
        return create_history(model, team=team, name=new_name, created_by=created_by, new=new)
    except NameTaken as exc:
        raise NameTaken(new_name, attr="new_name") from exc


# ---- id-addressed histories ----------------------------------------------------------------------


def append_version(
    headers: models.QuerySet,
    *,
    pk: Any,
    version_model: type[models.Model],
    header_field: str,
    base_version: int | None,
    created_by: User | None,
    step: Callable[[Any, Any], NewVersion],
) -> Any:
    """Appends a version to the history of the header row `pk` (one of `headers`, else
    ObjectNotFound) and points the header's `current_version` at it; returns the header.

    The header row is locked first, so appends to one header run one after the other; the
    version model's unique (header, version) constraint backs that up. `step(header, current)`
    builds the new version (`current` is None for the first one). The header's `updated_at` moves.
    """
    with transaction.atomic():
        # Lock the header row alone: its nullable `current_version` would be the outer side of a join.
        header = headers.select_for_update(of=("self",)).filter(pk=pk).first()
        if header is None:
            raise ObjectNotFound()
        current = version_model.objects.filter(pk=header.current_version_id).first()
        number = _check_next(
            current=current.version if current else 0,
            base_version=base_version,
            max_version=getattr(version_model, "MAX_VERSION", None),
        )
        new = step(header, current)
        row = _insert_version(
            version_model,
            {header_field: header, "version": number, "created_by": created_by},
            new,
            clash=lambda: VersionConflict(number),
        )
        header.current_version = row
        header.save(update_fields=["current_version", "updated_at"])
    return header
