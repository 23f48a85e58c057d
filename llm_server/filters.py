"""Query-parameter filters every list shares (django-filter): free-text search, comma-separated
id lists and ordering. An invalid value is a 400 whose attr is the parameter."""

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from django_filters.fields import BaseCSVField

from llm_server.fields import allow_null_characters

# More ids than this is not a lookup but a dump; it also keeps the query under the databases'
# bound-parameter limits (SQLite 32,766; PostgreSQL 65,535).
MAX_IDS = 1000


class SearchTermField(forms.CharField):
    """Free text; a NUL character is accepted here, and the search then simply matches nothing."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        allow_null_characters(self)


class SearchFilter(filters.CharFilter):
    field_class = SearchTermField


class BoundedCSVField(BaseCSVField):
    def clean(self, value):
        if value is not None and len(value) > MAX_IDS:
            raise forms.ValidationError(
                f"Ensure this field has no more than {MAX_IDS} ids.", code="max_length"
            )
        return super().clean(value)


class UUIDInFilter(filters.BaseInFilter, filters.UUIDFilter):
    """One comma-separated string of UUIDs (not a repeated parameter)."""

    base_field_class = BoundedCSVField


class CharInFilter(filters.BaseInFilter, filters.CharFilter):
    """One comma-separated string of exact values."""

    base_field_class = BoundedCSVField


class TieBreakingOrderingFilter(filters.OrderingFilter):
    """The requested keys, then `id`, so equal timestamps still give a stable page order."""

    def filter(self, qs: QuerySet, value) -> QuerySet:
        ordering = [self.get_ordering_value(param) for param in value or [] if param]
        return qs.order_by(*ordering, "id") if ordering else qs
