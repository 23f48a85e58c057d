"""Admin pieces any app's ModelAdmin can use."""

from collections.abc import Sequence

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList

from llm_server.soft_delete import SoftDeleteModel, set_rows_deleted


class UnfilteredCountChangeList(ChangeList):
    """With no filter or search active, the page's count is the table's count: the admin then
    shows "N results" instead of "N results (Show all)" as if a filter hid rows."""

    def get_results(self, request) -> None:
        super().get_results(request)
        if self.full_result_count is None and not self.has_active_filters and not self.query:
            self.full_result_count = self.result_count


class LargeTableAdminMixin:
    """For tables too large to count twice per page: the unfiltered total is not counted
    separately, and the changelist does not pretend a filter is active."""

    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return UnfilteredCountChangeList


class SoftDeleteAdminMixin:
    """Soft-delete and restore actions; hard delete is off, as in the API.

    The actions write through `set_deleted`, which calls the shared service; a resource whose
    soft delete does more than flag the rows overrides it to call its own service.
    """

    actions = ["soft_delete", "restore"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Soft-delete the selected rows (hidden from the API)")
    def soft_delete(self, request, queryset):
        count = self.set_deleted(list(queryset), True)
        self.message_user(request, f"Soft-deleted {count} row(s).")

    @admin.action(description="Restore the selected rows")
    def restore(self, request, queryset):
        count = self.set_deleted(list(queryset), False)
        self.message_user(request, f"Restored {count} row(s).")

    def set_deleted(self, rows: Sequence[SoftDeleteModel], deleted: bool) -> int:
        return set_rows_deleted(rows=rows, deleted=deleted)
