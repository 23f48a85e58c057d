"""Operator pages for datasets and their items.

Rows are created through the API. Operators search, inspect, edit and soft-delete or restore;
hard delete is off, as in the API (a dataset may hold 100,000 items, and the admin's delete
confirmation would list every one).
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from datasets import services
from datasets.models import Dataset, DatasetItem
from llm_server.serializers import unstorable_json_reason

JSON_FIELDS = ("input", "output", "metadata")


class StorableJSONForm(forms.ModelForm):
    """Rejects JSON the database cannot store (see llm_server.serializers.unstorable_json_reason)."""

    def clean(self):
        cleaned = super().clean()
        for name in JSON_FIELDS:
            if name in self.fields and name in cleaned:
                reason = unstorable_json_reason(cleaned[name])
                if reason:
                    self.add_error(name, f"Value {reason}.")
        return cleaned


class SoftDeleteActions:
    """`deleted` is nullable: "not deleted" covers false and null (the API's list rule)."""

    actions = ["soft_delete", "restore"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Soft-delete the selected rows (hidden from the API)")
    def soft_delete(self, request, queryset):
        count = self.set_deleted(list(queryset), True)
        self.message_user(request, f"Soft-deleted {count} row(s).")

    @admin.action(description="Restore the selected rows")
    def restore(self, request, queryset):
        count = self.set_deleted(list(queryset), False)
        self.message_user(request, f"Restored {count} row(s).")


@admin.register(Dataset)
class DatasetAdmin(SoftDeleteActions, admin.ModelAdmin):
    form = StorableJSONForm
    list_display = ["name", "team", "deleted", "created_by", "created_at", "updated_at"]
    list_filter = ["deleted", "created_at", ("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description", "=id"]
    list_select_related = ["team", "created_by"]
    raw_id_fields = ["team", "created_by"]
    date_hierarchy = "created_at"
    fields = [
        "id",
        "team",
        "name",
        "description",
        "metadata",
        "deleted",
        "deleted_at",
        "created_by",
        "created_at",
        "updated_at",
        "items",
    ]
    readonly_fields = ["id", "team", "deleted_at", "created_by", "created_at", "updated_at", "items"]

    @admin.display(description="Items")
    def items(self, obj: Dataset) -> str:
        # A link, not an inline: a dataset can hold far more items than one page can render.
        count = DatasetItem.objects.filter(dataset=obj).count()
        url = reverse("admin:datasets_datasetitem_changelist") + f"?dataset__id__exact={obj.pk}"
        return format_html('<a href="{}">{} item(s)</a>', url, count)

    def save_model(self, request, obj: Dataset, form, change: bool) -> None:
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.update_dataset(dataset=obj, **changes)

    def set_deleted(self, rows: list[Dataset], deleted: bool) -> int:
        return services.set_datasets_deleted(datasets=rows, deleted=deleted)


@admin.register(DatasetItem)
class DatasetItemAdmin(SoftDeleteActions, admin.ModelAdmin):
    form = StorableJSONForm
    list_display = ["id", "dataset", "team", "ref_trace_id", "ref_source_id", "deleted", "created_at"]
    # Plain filters only: anything computed over the whole table (distinct values, date ranges)
    # would scan every item on each page load. One dataset's items: the link on its page.
    list_filter = ["deleted", "created_at", "team"]
    search_fields = ["=id", "=dataset__id", "dataset__name", "=ref_trace_id", "=ref_source_id"]
    list_select_related = ["dataset", "team"]
    raw_id_fields = ["team", "dataset", "created_by"]
    show_full_result_count = False
    fields = [
        "id",
        "team",
        "dataset",
        "input",
        "output",
        "metadata",
        "ref_trace_id",
        "ref_timestamp",
        "ref_source_id",
        "deleted",
        "deleted_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["id", "team", "deleted_at", "created_by", "created_at", "updated_at"]

    def save_model(self, request, obj: DatasetItem, form, change: bool) -> None:
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.update_dataset_item(team=obj.team, item=obj, **changes)

    def set_deleted(self, rows: list[DatasetItem], deleted: bool) -> int:
        return services.set_items_deleted(items=rows, deleted=deleted)
