"""Operators browse prompt histories; rows are read-only (history is append-only)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from llm_server import versioning
from llm_server.accounts.models import Team
from llm_server.domain import ObjectNotFound
from prompts import services
from prompts.models import LLMPrompt


@admin.register(LLMPrompt)
class LLMPromptAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "is_latest", "deleted", "team", "created_by", "created_at"]
    list_filter = ["is_latest", "deleted", "team"]
    search_fields = ["name", "id"]
    list_select_related = ["team", "created_by"]
    ordering = ["team", "name", "-version"]
    readonly_fields = [
        "id",
        "team",
        "name",
        "version",
        "is_latest",
        "deleted",
        "deleted_at",
        "prompt",
        "created_by",
        "created_at",
        "updated_at",
        "history",
    ]
    fields = readonly_fields
    actions = ["archive_histories"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Viewable, never editable: a version's content is written once.
        return False

    @admin.display(description="Version history (active versions of this name)")
    def history(self, obj: LLMPrompt) -> str:
        rows = versioning.active_rows(LLMPrompt, team=obj.team_id, name=obj.name).order_by("-version")
        links = format_html_join(
            "",
            '<li><a href="{}">v{}</a>{} &middot; {}</li>',
            (
                (
                    reverse("admin:prompts_llmprompt_change", args=[row.pk]),
                    row.version,
                    " (latest)" if row.is_latest else "",
                    row.created_at.isoformat(),
                )
                for row in rows
            ),
        )
        return format_html("<ul>{}</ul>", links) if links else "-"

    @admin.action(description="Archive the whole history of the selected prompts' names")
    def archive_histories(self, request, queryset):
        archived = 0
        for team_id, name in set(queryset.filter(deleted=False).values_list("team_id", "name")):
            try:
                services.archive_prompt(team=Team.objects.get(pk=team_id), name=name)
                archived += 1
            except ObjectNotFound:
                continue
        self.message_user(request, f"Archived {archived} prompt name(s).")
