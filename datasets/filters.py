"""Query parameters of the dataset and dataset-item lists."""

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from django_filters.fields import ModelChoiceField

from datasets import selectors
from datasets.models import Dataset, DatasetItem
from llm_server.filters import SearchFilter, TieBreakingOrderingFilter, UUIDInFilter

ORDER_FIELDS = ("created_at", "updated_at")


class DatasetFilter(filters.FilterSet):
    search = SearchFilter(
        method="filter_search",
        help_text="Case-insensitive substring of the name, the description or the metadata's JSON text.",
    )
    id__in = UUIDInFilter(field_name="id", help_text="Comma-separated dataset ids.")
    order_by = TieBreakingOrderingFilter(
        fields=ORDER_FIELDS,
        help_text="Comma-separated: created_at, -created_at, updated_at, -updated_at. Default -created_at.",
    )

    class Meta:
        model = Dataset
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.search_datasets(queryset, value)


def project_datasets(request) -> QuerySet[Dataset]:
    """Choices of `?dataset=`: the URL project's datasets only, deleted ones included."""
    view = request.parser_context["view"] if request is not None else None
    if view is None:
        return Dataset.objects.none()  # schema generation: no project
    return selectors.project_datasets(team=view.team)


class DatasetChoiceField(ModelChoiceField):
    """Any value that names none of the choices, malformed ids included, is the same error
    (`invalid_choice`), so the answer never says more than "not here"; a NUL
    character too (Django's check of it, in to_python, raises the error rewritten here)."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class DatasetChoiceFilter(filters.ModelChoiceFilter):
    field_class = DatasetChoiceField


class DatasetItemFilter(filters.FilterSet):
    dataset = DatasetChoiceFilter(queryset=project_datasets, help_text="Only this dataset's items.")

    class Meta:
        model = DatasetItem
        fields: list[str] = []
