"""Operator pages for review queues, queue items and trace reviews.

Rows are created through the API. Operators search and inspect them, and soft-delete or restore
them through the services, so the rules hold here too: deleting a queue deletes its pending items,
and a restore that would make a trace pending twice, or pending and reviewed, is refused.
"""

from collections.abc import Callable, Sequence

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from llm_server.admin import LargeTableAdminMixin, SoftDeleteAdminMixin
from llm_server.domain import DomainError
from review import selectors, services
from review.models import ReviewQueue, ReviewQueueItem, TraceReview, TraceReviewScore


class ReviewAdminBase(SoftDeleteAdminMixin, admin.ModelAdmin):
    """Read-only pages (rows come from the API) whose soft delete and restore go through the
    services, one row at a time; a row the rules refuse is reported, the others proceed."""

    delete_row: Callable
    restore_row: Callable

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Soft-delete the selected rows (hidden from the API)")
    def soft_delete(self, request, queryset):
        self._apply(request, queryset, deleted=True)

    @admin.action(description="Restore the selected rows")
    def restore(self, request, queryset):
        self._apply(request, queryset, deleted=False)

    def _apply(self, request, queryset, *, deleted: bool) -> None:
        done, refused = self.set_deleted_each(list(queryset), deleted)
        verb = "Soft-deleted" if deleted else "Restored"
        self.message_user(request, f"{verb} {done} row(s).")
        for row, reason in refused:
            self.message_user(request, f"{row}: {reason}", level=messages.WARNING)

    def set_deleted_each(self, rows: Sequence, deleted: bool) -> tuple[int, list[tuple[object, str]]]:
        done, refused = 0, []
        for row in rows:
            if bool(row.deleted) == deleted:
                continue
            try:
                if deleted:
                    self.delete_row(team=row.team, pk=row.pk)
                else:
                    self.restore_row(team=row.team, pk=row.pk)
            except DomainError as exc:
                refused.append((row, exc.message))
            else:
                done += 1
        return done, refused

    def set_deleted(self, rows: Sequence, deleted: bool) -> int:
        return self.set_deleted_each(rows, deleted)[0]


@admin.register(ReviewQueue)
class ReviewQueueAdmin(ReviewAdminBase):
    list_display = ["name", "team", "pending_items", "deleted", "created_by", "created_at", "updated_at"]
    list_filter = ["deleted", "created_at", ("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "=id"]
    list_select_related = ["team", "created_by"]
    fields = [
        "id",
        "team",
        "name",
        "pending_items",
        "deleted",
        "deleted_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @staticmethod
    def delete_row(*, team, pk):
        services.delete_queue(team=team, queue_id=pk)

    @staticmethod
    def restore_row(*, team, pk):
        services.restore_queue(team=team, queue_id=pk)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pending_item_count=selectors.pending_count())

    @admin.display(description="Pending items", ordering="pending_item_count")
    def pending_items(self, obj: ReviewQueue) -> str:
        url = (
            reverse("admin:review_reviewqueueitem_changelist")
            + f"?queue__id__exact={obj.pk}&deleted__exact=0"
        )
        return format_html('<a href="{}">{}</a>', url, obj.pending_item_count)


@admin.register(ReviewQueueItem)
class ReviewQueueItemAdmin(LargeTableAdminMixin, ReviewAdminBase):
    list_display = ["trace_id", "queue", "team", "deleted", "created_by", "created_at", "updated_at"]
    list_filter = ["deleted", "created_at", "team"]
    search_fields = ["=id", "trace_id", "queue__name", "=queue__id"]
    list_select_related = ["queue", "team", "created_by"]
    fields = [
        "id",
        "team",
        "queue",
        "trace_id",
        "deleted",
        "deleted_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @staticmethod
    def delete_row(*, team, pk):
        services.delete_item(team=team, item_id=pk)

    @staticmethod
    def restore_row(*, team, pk):
        services.restore_item(team=team, item_id=pk)


class TraceReviewScoreInline(admin.TabularInline):
    model = TraceReviewScore
    extra = 0
    can_delete = False
    fields = [
        "definition",
        "definition_version_number",
        "categorical_values",
        "numeric_value",
        "boolean_value",
        "definition_config",
        "created_at",
    ]
    readonly_fields = fields
    ordering = ["definition__name", "id"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("definition")


@admin.register(TraceReview)
class TraceReviewAdmin(LargeTableAdminMixin, ReviewAdminBase):
    list_display = ["trace_id", "team", "score_count", "deleted", "reviewed_by", "created_at", "updated_at"]
    list_filter = ["deleted", "created_at", "team"]
    search_fields = ["=id", "trace_id", "comment"]
    list_select_related = ["team", "reviewed_by"]
    fields = [
        "id",
        "team",
        "trace_id",
        "comment",
        "deleted",
        "deleted_at",
        "created_by",
        "reviewed_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [TraceReviewScoreInline]

    @staticmethod
    def delete_row(*, team, pk):
        services.delete_review(team=team, review_id=pk)

    @staticmethod
    def restore_row(*, team, pk):
        services.restore_review(team=team, review_id=pk)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(score_total=Count("scores"))

    @admin.display(description="Scores", ordering="score_total")
    def score_count(self, obj: TraceReview) -> int:
        return obj.score_total
