"""Query parameters of the list endpoints. An invalid value is a 400 whose attr is the parameter;
`order_by` replaces the default order entirely."""

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from llm_server.filters import CharInFilter, SearchFilter, UUIDInFilter
from review import selectors
from review.models import ReviewQueue, ReviewQueueItem, TraceReview


class ReviewQueueFilter(filters.FilterSet):
    name = filters.CharFilter(field_name="name", help_text="Exact name (case-sensitive).")
    search = SearchFilter(method="filter_search", help_text="Case-insensitive substring of the name.")
    order_by = filters.OrderingFilter(
        fields=("name", "updated_at", "created_at"),
        help_text="Comma-separated: name, updated_at, created_at, each optionally prefixed with '-'. "
        "Default: name, then id.",
    )

    class Meta:
        model = ReviewQueue
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.search_text(queryset, value, "name")


class ReviewQueueItemFilter(filters.FilterSet):
    queue_id = filters.UUIDFilter(field_name="queue_id", help_text="Only this queue's items.")
    trace_id = filters.CharFilter(field_name="trace_id", help_text="Exact trace id.")
    trace_id__in = CharInFilter(field_name="trace_id", help_text="Comma-separated exact trace ids.")
    search = SearchFilter(method="filter_search", help_text="Case-insensitive substring of the trace id.")
    order_by = filters.OrderingFilter(
        fields=("created_at", "updated_at"),
        help_text="Comma-separated: created_at, updated_at, each optionally prefixed with '-'. "
        "Default: created_at, then id.",
    )

    class Meta:
        model = ReviewQueueItem
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.search_text(queryset, value, "trace_id")


class TraceReviewFilter(filters.FilterSet):
    trace_id = filters.CharFilter(field_name="trace_id", help_text="Exact trace id.")
    trace_id__in = CharInFilter(field_name="trace_id", help_text="Comma-separated exact trace ids.")
    definition_id = filters.UUIDFilter(
        method="filter_definitions", help_text="Only reviews with a score for this scorer."
    )
    definition_id__in = UUIDInFilter(
        method="filter_definitions",
        help_text="Only reviews with a score for any of these scorers (comma-separated).",
    )
    search = SearchFilter(
        method="filter_search", help_text="Case-insensitive substring of the trace id or the comment."
    )
    order_by = filters.OrderingFilter(
        fields=("updated_at", "created_at"),
        help_text="Comma-separated: updated_at, created_at, each optionally prefixed with '-'. "
        "Default: -updated_at, then id.",
    )

    class Meta:
        model = TraceReview
        fields: list[str] = []

    def filter_definitions(self, queryset: QuerySet, name: str, value) -> QuerySet:
        ids = value if isinstance(value, list) else [value]
        return selectors.reviews_scoring(queryset, ids)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.search_text(queryset, value, "trace_id", "comment")
