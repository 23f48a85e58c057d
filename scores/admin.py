"""Operator pages for scorers: search and filter them, read each one's config history, and edit
the metadata the API lets clients edit (through the same service). Scorers are created through the
API (their first config is validated there); versions are read-only, and nothing is deleted
(scores given with a version refer to it)."""

import json

from django.contrib import admin
from django.utils.html import format_html

from llm_server.versioned_admin import ReadOnlyAdminMixin
from scores import services
from scores.models import ScoreDefinition, ScoreDefinitionVersion

EDITABLE_FIELDS = ("name", "description", "archived")


def config_html(config) -> str:
    return format_html("<pre>{}</pre>", json.dumps(config, indent=2, ensure_ascii=False))


class ScoreDefinitionVersionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ScoreDefinitionVersion
    fields = ["version", "config_json", "created_by", "created_at"]
    readonly_fields = fields
    ordering = ["-version"]
    extra = 0
    show_change_link = True
    verbose_name_plural = "Version history (newest first)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    @admin.display(description="config")
    def config_json(self, obj: ScoreDefinitionVersion) -> str:
        return config_html(obj.config)


@admin.register(ScoreDefinition)
class ScoreDefinitionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "archived", "version_number", "team", "created_by", "updated_at"]
    list_filter = ["kind", "archived", ("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description", "=id"]
    list_select_related = ["team", "created_by", "current_version"]
    ordering = ["team", "name", "id"]
    fields = [
        "id",
        "team",
        "name",
        "description",
        "kind",
        "archived",
        "version_number",
        "current_config",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "id",
        "team",
        "kind",
        "version_number",
        "current_config",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ScoreDefinitionVersionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="current version", ordering="current_version__version")
    def version_number(self, obj: ScoreDefinition) -> int | None:
        return obj.current_version.version if obj.current_version_id else None

    @admin.display(description="current config")
    def current_config(self, obj: ScoreDefinition) -> str:
        return config_html(obj.current_version.config) if obj.current_version_id else "-"

    def save_model(self, request, obj: ScoreDefinition, form, change: bool) -> None:
        # The form has already copied its values onto `obj`: compare against the stored row.
        stored = ScoreDefinition.objects.get(pk=obj.pk)
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
        services.update_definition(definition=stored, **changes)


@admin.register(ScoreDefinitionVersion)
class ScoreDefinitionVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["definition", "version", "definition_kind", "definition_team", "created_by", "created_at"]
    list_filter = ["definition__kind", ("definition__team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["definition__name", "=definition__id", "=id"]
    list_select_related = ["definition", "definition__team", "created_by"]
    ordering = ["definition__name", "definition_id", "-version"]
    fields = ["id", "definition", "version", "config_json", "created_by", "created_at"]
    readonly_fields = fields

    @admin.display(description="kind", ordering="definition__kind")
    def definition_kind(self, obj: ScoreDefinitionVersion) -> str:
        return obj.definition.kind

    @admin.display(description="project", ordering="definition__team")
    def definition_team(self, obj: ScoreDefinitionVersion):
        return obj.definition.team

    @admin.display(description="config")
    def config_json(self, obj: ScoreDefinitionVersion) -> str:
        return config_html(obj.config)
