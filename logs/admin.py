"""Operator pages for log records: read-only (records come from OTLP ingest)."""

from django.contrib import admin

from llm_server.admin import LargeTableAdminMixin
from logs.models import LogRecord

SEVERITIES = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
# OTLP severity numbers: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN, 17-20 ERROR, 21-24 FATAL.
SEVERITY_RANGES = {name: (1 + 4 * index, 4 + 4 * index) for index, name in enumerate(SEVERITIES)}


class SeverityFilter(admin.SimpleListFilter):
    title = "severity"
    parameter_name = "severity"

    def lookups(self, request, model_admin):
        return [(name, name) for name in SEVERITIES]

    def queryset(self, request, queryset):
        bounds = SEVERITY_RANGES.get(self.value() or "")
        return queryset.filter(severity_number__range=bounds) if bounds else queryset


class ServiceFilter(admin.SimpleListFilter):
    """The services of the most recent records, listed without scanning the whole table."""

    title = "service"
    parameter_name = "service"
    recent_records = 1000

    def lookups(self, request, model_admin):
        recent = LogRecord.objects.order_by("-timestamp").values_list("service_name", flat=True)
        names = sorted(set(recent[: self.recent_records]) - {""})
        chosen = self.value()
        if chosen and chosen not in names:
            names.append(chosen)
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        return queryset.filter(service_name=self.value()) if self.value() else queryset


@admin.register(LogRecord)
class LogRecordAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    list_display = ["timestamp", "service_name", "severity_text", "short_body", "trace_id", "team"]
    list_filter = [ServiceFilter, SeverityFilter, ("team", admin.RelatedFieldListFilter)]
    list_select_related = ["team"]
    search_fields = ["body", "=service_name", "=trace_id"]
    search_help_text = "Text in the body, an exact service name or trace id."
    ordering = ["-timestamp"]
    fields = [
        "uuid",
        "team",
        "timestamp",
        "observed_timestamp",
        "service_name",
        "severity_text",
        "severity_number",
        "event_name",
        "body",
        "trace_id",
        "span_id",
        "resource_attributes",
        "attributes",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="body")
    def short_body(self, record: LogRecord) -> str:
        return record.body if len(record.body) <= 120 else record.body[:119] + "…"
