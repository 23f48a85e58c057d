"""Append-only version histories, shared by prompts, skills and score definitions.

A history is every active row of one (team, name). Each row is one immutable version: publishing
inserts a new row and moves the `is_latest` flag; nothing rewrites a row's content. The database
settles races: partial unique constraints allow one active row per version number and one latest
row per name, and publish locks the latest row before it decides the next number.
"""

import re
import zlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from llm_server.accounts.models import Team, User
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
    # The columns that make up a version's content (copied by duplicate, set by publish).
    CONTENT_FIELDS: tuple[str, ...] = ()

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


Record = TypeVar("Record", bound=VersionedRecord)
# A new version's content: fixed, or computed from the (locked) current latest row.
Content = dict[str, Any] | Callable[[Any], dict[str, Any]]
# Writes the rows that belong to a just-inserted version (e.g. a skill's files), in its transaction.
AfterInsert = Callable[[Any], None]


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
        active_rows(model, team=team, name=name)
        .select_related("created_by")
        .only("id", "version", "created_at", "is_latest", "created_by")
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


def _name_lock_key(model: type[Record], team: Team, name: str) -> int:
    return zlib.crc32(f"{model._meta.db_table}:{team.pk}:{name}".encode("utf-8", "surrogatepass"))


def _lock_name(model: type[Record], team: Team, *names: str) -> None:
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
        raise NameTaken(name, attr="name")


def create_history(
    model: type[Record],
    *,
    team: Team,
    name: str,
    created_by: User | None,
    content: dict[str, Any],
    after_insert: AfterInsert | None = None,
) -> Record:
    """Starts a history at version 1. A name whose history is archived starts afresh."""
    with transaction.atomic():
        _lock_name(model, team, name)
        _raise_if_name_taken(model, team, name)
        try:
            with transaction.atomic():
                row = model.objects.create(
                    team=team, name=name, version=1, is_latest=True, created_by=created_by, **content
                )
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            # A concurrent create of the same name won the unique constraint.
            raise NameTaken(name, attr="name") from exc
        if after_insert is not None:
            after_insert(row)
    return row


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
    content: Content,
    after_insert: AfterInsert | None = None,
) -> Record:
    """Appends the next version if `base_version` is still the latest (None: no check).

    `content` may be a function of the current latest row, called while that row is locked, so
    edits are applied to exactly the version they replace. Any domain error it raises aborts the
    publish with nothing written.
    """
    with transaction.atomic():
        _lock_name(model, team, name)
        current = _lock_latest(model, team, name)
        if base_version is not None and base_version != current.version:
            raise VersionConflict(current.version)
        if current.version >= model.MAX_VERSION:
            raise VersionLimitReached(model.MAX_VERSION)
        if callable(content):
            content = content(current)
        # A queryset update moves only the flag: the old row's content and updated_at stay as written.
        model.objects.filter(pk=current.pk).update(is_latest=False)
        try:
            with transaction.atomic():
                row = model.objects.create(
                    team=team,
                    name=name,
                    version=current.version + 1,
                    is_latest=True,
                    created_by=created_by,
                    **content,
                )
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise VersionConflict(current.version + 1) from exc
        if after_insert is not None:
            after_insert(row)
    return row


def archive_history(model: type[Record], *, team: Team, name: str) -> int:
    """Soft-deletes every active version of a name; the name is free again.

    The name is locked first, as publish does, so an archive and a publish of the same name run
    one after the other: the archive's update then sees every version, including one that a
    concurrent publish has just added.
    """
    with transaction.atomic():
        _lock_name(model, team, name)
        _lock_latest(model, team, name)
        return active_rows(model, team=team, name=name).update(
            deleted=True, is_latest=False, deleted_at=timezone.now()
        )


def rename_history(model: type[Record], *, team: Team, name: str, new_name: str) -> int:
    """Moves every active version of `name` to `new_name`, keeping the history together."""
    if new_name == name:
        return 0
    with transaction.atomic():
        _lock_name(model, team, name, new_name)
        _lock_latest(model, team, name)
        rows = list(active_rows(model, team=team, name=name).select_for_update().values_list("pk", flat=True))
        _raise_if_name_taken(model, team, new_name)
        try:
            with transaction.atomic():
                return model.objects.filter(pk__in=rows).update(name=new_name)
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            raise NameTaken(new_name, attr="name") from exc


def read_back(reader: Callable[[Any], Any]) -> Callable[[Callable], Callable]:
    """Decorates a write service: the row it wrote is read back by `reader` (with its history's
    derived fields) inside the write's transaction. Read after commit, a concurrent archive could
    already hide a version that was written, and the client would see a 404 for a write that
    happened."""

    def decorate(write: Callable) -> Callable:
        @wraps(write)
        def wrapper(*args, **kwargs):
            with transaction.atomic():
                return reader(write(*args, **kwargs))

        return wrapper

    return decorate


def duplicate_latest(
    model: type[Record],
    *,
    team: Team,
    name: str,
    new_name: str,
    created_by: User | None,
    copy_children: Callable[[Any, Any], None] | None = None,
) -> Record:
    """Starts `new_name` at version 1 with the content of `name`'s latest version.

    `copy_children(source, new_row)` copies rows that belong to a version (a skill's files).
    """
    source = get_version(model, team=team, name=name)
    content = {field: getattr(source, field) for field in model.CONTENT_FIELDS}
    after_insert = (lambda row: copy_children(source, row)) if copy_children else None
    try:
        return create_history(
            model, team=team, name=new_name, created_by=created_by, content=content, after_insert=after_insert
        )
    except NameTaken as exc:
        raise NameTaken(new_name, attr="new_name") from exc
