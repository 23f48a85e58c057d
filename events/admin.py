"""Operator pages for captured events and persons: read-only (events come from capture)."""

import uuid

from django.contrib import admin
from django.db.models import Q

from events.models import Event, Person, PersonDistinctId
from llm_server.admin import LargeTableAdminMixin

COMMON_EVENTS = (
    "$ai_generation",
    "$ai_embedding",
    "$ai_span",
    "$ai_trace",
    "$identify",
    "$set",
    "$create_alias",
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventNameFilter(admin.SimpleListFilter):
    """The usual event names, listed without scanning the table for distinct names."""

    title = "event"
    parameter_name = "event"

    def lookups(self, request, model_admin):
        return [(name, name) for name in COMMON_EVENTS]

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


def _exact_search(queryset, term: str, fields: tuple[str, ...]):
    """Exact matches on indexed columns (a uuid only when the term is one): no table scans."""
    term = term.strip()
    if not term or "\x00" in term:
        return queryset if not term else queryset.none()

    query = Q()
    for field in fields:
        query |= Q(**{field: term})
    try:
        query |= Q(uuid=uuid.UUID(term))
    except ValueError:
        pass
    return queryset.filter(query)


@admin.register(Event)
class EventAdmin(LargeTableAdminMixin, ReadOnlyAdmin):
    list_display = ["event", "distinct_id", "timestamp", "team", "uuid", "person"]
    list_filter = [EventNameFilter, ("team", admin.RelatedFieldListFilter)]
    list_select_related = ["team"]
    search_fields = ["=distinct_id"]
    search_help_text = "Exact uuid, distinct id, event name or AI trace id."
    # Primary-key order walks an index; the default timestamp order would sort the table.
    ordering = ["-id"]
    fields = [
        "id",
        "uuid",
        "team",
        "event",
        "distinct_id",
        "person",
        "timestamp",
        "created_at",
        "ai_trace_id",
        "properties",
    ]
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        return _exact_search(queryset, search_term, ("distinct_id", "event", "ai_trace_id")), False


class PersonDistinctIdInline(admin.TabularInline):
    model = PersonDistinctId
    fields = ["distinct_id"]
    readonly_fields = ["distinct_id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(LargeTableAdminMixin, ReadOnlyAdmin):
    list_display = ["__str__", "email", "team", "is_identified", "distinct_id_list", "created_at"]
    list_filter = ["is_identified", ("team", admin.RelatedFieldListFilter)]
    list_select_related = ["team"]
    search_fields = ["=email"]
    search_help_text = "Exact email, distinct id or uuid."
    ordering = ["-id"]
    fields = ["id", "uuid", "team", "email", "is_identified", "created_at", "properties"]
    readonly_fields = fields
    inlines = [PersonDistinctIdInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("distinct_ids")

    @admin.display(description="distinct ids")
    def distinct_id_list(self, person: Person) -> str:
        return ", ".join(row.distinct_id for row in person.distinct_ids.all())

    def get_search_results(self, request, queryset, search_term):
        results = _exact_search(queryset, search_term, ("email", "distinct_ids__distinct_id"))
        return results, True
