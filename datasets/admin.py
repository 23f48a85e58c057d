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
from llm_server.admin import LargeTableAdminMixin, SoftDeleteAdminMixin
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


class DatasetBaseAdmin(SoftDeleteAdminMixin, admin.ModelAdmin):
    """Rows are created through the API; `deleted` is nullable, and "not deleted" covers false and
    null (the API's list rule)."""

    form = StorableJSONForm

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Dataset)
class DatasetAdmin(DatasetBaseAdmin):
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
        services.update_dataset(dataset=obj, changes=changes)


@admin.register(DatasetItem)
class DatasetItemAdmin(LargeTableAdminMixin, DatasetBaseAdmin):
    list_display = ["id", "dataset", "team", "ref_trace_id", "ref_source_id", "deleted", "created_at"]
    # Plain filters only: anything computed over the whole table (distinct values, date ranges)
    # would scan every item on each page load. One dataset's items: the link on its page.
    list_filter = ["deleted", "created_at", "team"]
    search_fields = ["=id", "=dataset__id", "dataset__name", "=ref_trace_id", "=ref_source_id"]
    list_select_related = ["dataset", "team"]
    raw_id_fields = ["team", "dataset", "created_by"]
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
        services.update_dataset_item(team=obj.team, item=obj, changes=changes)
