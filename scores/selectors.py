"""Reads of scorers, always within one project."""

from django.db.models import Q, QuerySet

from llm_server.accounts.models import Team
from scores.models import ScoreDefinition

LIST_ORDER = ("name", "id")


def visible_definitions(*, team: Team) -> QuerySet[ScoreDefinition]:
    """The project's scorers, archived ones included, with what their representation reads (the
    current version and the author) in the same query; by name, then id."""
    return (
        ScoreDefinition.objects.filter(team=team)
        .select_related("current_version", "created_by")
        .order_by(*LIST_ORDER)
    )


def writable_definitions(*, team: Team) -> QuerySet[ScoreDefinition]:
    """The project's scorer rows alone: what a write locks."""
    return ScoreDefinition.objects.filter(team=team)


def search_definitions(queryset: QuerySet[ScoreDefinition], term: str) -> QuerySet[ScoreDefinition]:
    """Case-insensitive substring of the name or the description; a blank term matches all."""
    term = term.strip()
    if not term:
        return queryset
    if "\x00" in term:
        # No stored text holds U+0000 (inputs are validated), and PostgreSQL cannot be queried with it.
        return queryset.none()
    return queryset.filter(Q(name__icontains=term) | Q(description__icontains=term))
