"""Query parameters of the scorer list."""

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters

from llm_server.filters import SearchFilter
from scores import selectors
from scores.models import ScoreDefinition, ScoreKind

ARCHIVED_VALUES = {"true": True, "1": True, "false": False, "0": False}


class LenientBooleanField(forms.Field):
    """`true`/`false`/`1`/`0` in any case; anything else (blank, unparseable) is None, never an error."""

    def to_python(self, value):
        text = value.strip().lower() if isinstance(value, str) else ""
        return ARCHIVED_VALUES.get(text)


class ArchivedFilter(filters.BooleanFilter):
    """Archived scorers only with `archived=true`; active ones otherwise, also when the value is
    absent, blank or unparseable."""

    field_class = LenientBooleanField

    def __init__(self, **kwargs):
        # The raw text reaches the field (the default boolean widget would drop " TRUE ").
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        return qs.filter(archived=bool(value))


class ScoreDefinitionFilter(filters.FilterSet):
    search = SearchFilter(
        method="filter_search", help_text="Case-insensitive substring of the name or the description."
    )
    kind = filters.ChoiceFilter(choices=ScoreKind.choices, help_text="Only scorers of this kind.")
    archived = ArchivedFilter(
        help_text="true: archived scorers only; false, or left out: active ones only. Also 1/0."
    )
    order_by = filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("kind", "kind"),
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
            ("current_version__version", "current_version"),
        ),
        help_text="Comma-separated: name, kind, created_at, updated_at, current_version (the version "
        "number), each optionally prefixed with '-'. Replaces the default order (name, then id).",
    )

    class Meta:
        model = ScoreDefinition
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.search_definitions(queryset, value)
