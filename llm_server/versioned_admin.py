"""The admin of every versioned record: read-only rows, the name's history, archive action."""

from collections.abc import Callable

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from llm_server import versioning
from llm_server.accounts.models import Team
from llm_server.domain import ObjectNotFound


class ReadOnlyAdminMixin:
    """Viewable, never editable: a version (and what belongs to it) is written once."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class VersionedRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Subclasses set `archive_service` (the app's archive service) and `record_noun`."""

    archive_service: Callable[..., int]
    record_noun = "record"

    list_display = ["name", "version", "is_latest", "deleted", "team", "created_by", "created_at"]
    list_filter = ["is_latest", "deleted", "team"]
    list_select_related = ["team", "created_by"]
    ordering = ["team", "name", "-version"]
    actions = ["archive_histories"]

    @admin.display(description="Version history (active versions of this name)")
    def history(self, obj) -> str:
        rows = versioning.active_rows(type(obj), team=obj.team_id, name=obj.name).only(
            "pk", "version", "is_latest", "created_at"
        )
        change_url = f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change"
        links = format_html_join(
            "",
            '<li><a href="{}">v{}</a>{} &middot; {}</li>',
            (
                (
                    reverse(change_url, args=[row.pk]),
                    row.version,
                    " (latest)" if row.is_latest else "",
                    row.created_at.isoformat(),
                )
                for row in rows.order_by("-version")
            ),
        )
        return format_html("<ul>{}</ul>", links) if links else "-"

    @admin.action(description="Archive the whole history of the selected names")
    def archive_histories(self, request, queryset):
        archived = 0
        for team_id, name in set(queryset.filter(deleted=False).values_list("team_id", "name")):
            try:
                type(self).archive_service(team=Team.objects.get(pk=team_id), name=name)
                archived += 1
            except ObjectNotFound:
                continue
        self.message_user(request, f"Archived {archived} {self.record_noun} name(s).")
