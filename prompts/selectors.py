"""Reads of prompts: the list with search, filters and ordering, lookups by name, id and label,
and the labels and their move log."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from llm_server import versioning
from llm_server.accounts.models import Team
from llm_server.domain import ObjectNotFound
from prompts import diffing, templating
from prompts.domain import LabelNotFound
from prompts.labels import IMPLICIT_LABEL
from prompts.models import LLMPrompt, LLMPromptLabel, LLMPromptLabelMove

ORDER_FIELDS = frozenset(
    {
        "name",
        "created_at",
        "updated_at",
        "version",
        "latest_version",
        "version_count",
        "first_version_created_at",
        "prompt_size_bytes",
    }
)
DEFAULT_ORDER = "-created_at"


def _is_explicit(label: str | None) -> bool:
    return bool(label) and label != IMPLICIT_LABEL


def list_prompts(
    *,
    team: Team,
    search: str | None = None,
    order_by: str | None = None,
    created_by_id: int | None = None,
    label: str | None = None,
    content: str = "full",
) -> QuerySet:
    """One row per active name: its latest version, or with `label` the version that label points
    at (names without it are left out). Unknown `order_by` falls back silently."""
    if _is_explicit(label):
        labeled = LLMPromptLabel.objects.filter(team=team, name=label).values("prompt_id")
        queryset = versioning.with_history_stats(
            versioning.active_rows(LLMPrompt, team=team).filter(pk__in=labeled)
        )
    else:
        queryset = versioning.latest_rows(LLMPrompt, team=team)
    queryset = queryset.select_related("created_by")
    if content == "none":
        # The payload is not shown (outline and size are columns of their own).
        queryset = queryset.defer("prompt")
    if created_by_id:
        queryset = queryset.filter(created_by_id=created_by_id)
    term = (search or "").strip()
    if "\x00" in term:
        # Stored names and prompts never contain U+0000, and PostgreSQL cannot be queried with it.
        return queryset.none()
    if term:
        # Matches the name or the prompt's JSON text (so a string prompt is searched in its quoted form).
        queryset = queryset.annotate(prompt_text=Cast("prompt", TextField())).filter(
            Q(name__icontains=term) | Q(prompt_text__icontains=term)
        )
    field = (order_by or "").removeprefix("-")
    order = order_by if field in ORDER_FIELDS else DEFAULT_ORDER
    return queryset.order_by(order, "-id")


def attach_labels(rows: Iterable[LLMPrompt], *, team: Team | int) -> None:
    """Sets each row's `label_names` (labels on it) and `all_labels` (labels of its prompt), in
    one query for all the rows."""
    rows = list(rows)
    names = {row.name for row in rows}
    if not names:
        return
    found = (
        LLMPromptLabel.objects.filter(team=team, prompt_name__in=names)
        .order_by("name")
        .values_list("prompt_name", "name", "prompt_id", "prompt__version")
    )
    by_prompt: dict[str, list[tuple[str, object, int]]] = {}
    for prompt_name, name, row_id, version in found:
        by_prompt.setdefault(prompt_name, []).append((name, row_id, version))
    for row in rows:
        labels = by_prompt.get(row.name, [])
        row.__dict__["_label_names"] = [name for name, row_id, _ in labels if row_id == row.pk]
        row.__dict__["_all_labels"] = [{"name": name, "version": version} for name, _, version in labels]


def prompt_rows_with_stats(*, team: Team) -> QuerySet:
    """Active rows of any version, with their history's derived fields (for the id routes)."""
    return versioning.with_history_stats(versioning.active_rows(LLMPrompt, team=team)).select_related(
        "created_by"
    )


def get_prompt(
    *, team: Team, name: str, version: int | None = None, row_id=None, label: str | None = None
) -> LLMPrompt:
    """The latest version of a name, or the one with `version`, `row_id` or `label` (404 if none)."""
    if _is_explicit(label):
        if "\x00" in name:  # no stored name holds U+0000, and PostgreSQL refuses it in a query
            raise ObjectNotFound(name)
        row_id = (
            LLMPromptLabel.objects.filter(team=team, prompt_name=name, name=label)
            .values_list("prompt_id", flat=True)
            .first()
        )
        if row_id is None:
            raise ObjectNotFound(name)
    return versioning.get_version(LLMPrompt, team=team, name=name, version=version, row_id=row_id)


def _label_row_sql(team: Team, name: str, label: str) -> tuple[str, list]:
    table = connection.ops.quote_name(LLMPromptLabel._meta.db_table)
    return (
        f"SELECT l.prompt_id FROM {table} l WHERE l.team_id = %s AND l.prompt_name = %s AND l.name = %s",
        [team.pk, name, label],
    )


def prompt_state(
    *,
    team: Team,
    name: str,
    version: int | None = None,
    row_id=None,
    label: str | None = None,
    with_creator: bool = False,
) -> versioning.VersionState | None:
    """What the payload of get_prompt's answer depends on, read cheaply (None: it would 404). A
    label is followed inside the same query, so a move is seen by the very next read."""
    return versioning.version_state(
        LLMPrompt,
        team=team,
        name=name,
        version=version,
        row_id=row_id,
        row_id_sql=_label_row_sql(team, name, label) if _is_explicit(label) else None,
        with_creator=with_creator,
    )


def prompt_exists(*, team: Team, name: str) -> bool:
    return versioning.active_rows(LLMPrompt, team=team, name=name).exists()


def labels_of(*, team: Team | int, name: str) -> list[LLMPromptLabel]:
    """Every label of a prompt, sorted by name, with the version each points at."""
    return list(
        LLMPromptLabel.objects.filter(team=team, prompt_name=name)
        .select_related("prompt", "created_by")
        .only("id", "name", "prompt_name", "prompt__version", "created_by", "created_at", "updated_at")
        .order_by("name")
    )


def labels_on(*, team: Team | int, name: str, rows: Iterable[LLMPrompt]) -> list[LLMPromptLabel]:
    """Every label of a prompt (labels_of), each of `rows` (its versions) given the names of the
    labels pointing at it."""
    labels = labels_of(team=team, name=name)
    on_row: dict = {}
    for label in labels:
        on_row.setdefault(label.prompt_id, []).append(label.name)
    for row in rows:
        row.__dict__["_label_names"] = on_row.get(row.pk, [])
    return labels


def label_moves(*, team: Team, name: str, label: str) -> QuerySet:
    """A label's move log, newest first; 404 when the prompt or the label's log does not exist."""
    if not prompt_exists(team=team, name=name):
        raise ObjectNotFound(name)
    moves = (
        LLMPromptLabelMove.objects.filter(team=team, prompt_name=name, label=label)
        .select_related("moved_by")
        .order_by("-moved_at", "-id")
    )
    if not moves.exists():
        raise LabelNotFound(label=label, prompt_name=name)
    return moves


def prompt_diff(*, team: Team, name: str, from_version: int, to_version: int) -> dict:
    """The difference between two active versions of a prompt (404 unless both exist)."""
    wanted = {from_version, to_version}
    payloads = {}
    if max(wanted) <= LLMPrompt.MAX_VERSION:  # no history goes further (nor the column's range)
        payloads = dict(
            versioning.active_rows(LLMPrompt, team=team, name=name)
            .filter(version__in=wanted)
            .values_list("version", "prompt")
        )
    if not wanted <= payloads.keys():
        raise ObjectNotFound(name)
    return diffing.diff_payloads(
        name=name,
        from_version=from_version,
        to_version=to_version,
        old=payloads[from_version],
        new=payloads[to_version],
    )


def compiled_prompt(
    *, team: Team, name: str, values: dict, version: int | None = None, label: str | None = None
) -> dict:
    """A version (latest, `version` or `label`) rendered with `values` against its declarations."""
    if version is not None and version > LLMPrompt.MAX_VERSION:
        raise ObjectNotFound(name)
    row = get_prompt(team=team, name=name, version=version, label=label)
    return {
        "name": row.name,
        "version": row.version,
        "label": label,
        "text": templating.render(row.prompt, row.variables, values),
    }
