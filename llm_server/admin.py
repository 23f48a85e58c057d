"""Admin pieces any app's ModelAdmin can use."""

from collections.abc import Sequence

from django.contrib import admin

from llm_server.soft_delete import SoftDeleteModel, set_rows_deleted


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
