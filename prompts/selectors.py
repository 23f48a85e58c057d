"""Reads of prompts: the list with search and ordering, and lookups by name and by id."""

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from llm_server import versioning
from llm_server.accounts.models import Team
from prompts.models import LLMPrompt

ORDER_FIELDS = frozenset(
    {
        "name",
        "created_at",
        "updated_at",
        "version",
        "latest_version",
        "version_count",
        "first_version_created_at",
    }
)
DEFAULT_ORDER = "-created_at"


def list_latest_prompts(*, team: Team, search: str | None = None, order_by: str | None = None) -> QuerySet:
    """One row per active name (its latest version); unknown `order_by` falls back silently."""
    queryset = versioning.latest_rows(LLMPrompt, team=team).select_related("created_by")
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


def prompt_rows_with_stats(*, team: Team) -> QuerySet:
    """Active rows of any version, with their history's derived fields (for the id routes)."""
    return versioning.with_history_stats(versioning.active_rows(LLMPrompt, team=team)).select_related(
        "created_by"
    )


def get_prompt(*, team: Team, name: str, version: int | None = None, row_id=None) -> LLMPrompt:
    return versioning.get_version(LLMPrompt, team=team, name=name, version=version, row_id=row_id)


def prompt_state(
    *, team: Team, name: str, version: int | None = None, row_id=None, with_creator: bool = False
) -> versioning.VersionState | None:
    """What the payload of get_prompt's answer depends on, read cheaply (None: it would 404)."""
    return versioning.version_state(
        LLMPrompt, team=team, name=name, version=version, row_id=row_id, with_creator=with_creator
    )
