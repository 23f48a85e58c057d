"""Shapes and field rules of datasets and dataset items."""

import uuid

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from datasets import selectors
from datasets.models import Dataset, DatasetItem
from datasets.services import MAX_BULK_ITEMS
from llm_server.fast_read import FastReadMixin
from llm_server.serializers import StorableJSONField, UserBasicSerializer


class NullableBooleanField(serializers.BooleanField):
    """`deleted`: true, false or null. A form body that leaves it out leaves it unchanged
    (DRF's own field would read a missing form key as null)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.default_empty_html = empty


@extend_schema_field(OpenApiTypes.UUID)
class ProjectDatasetField(serializers.PrimaryKeyRelatedField):
    """A dataset of the URL's project (deleted ones included); any other id does not exist."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "invalid": "Must be a valid UUID.",
    }

    def get_queryset(self):
        return selectors.project_datasets(team=self.context["team"])

    def to_internal_value(self, data):
        # Checked here so the error never echoes the input: Django's UUID message would, and a lone
        # surrogate in it cannot be rendered as UTF-8 (a 500).
        if isinstance(data, str):
            try:
                uuid.UUID(data)
            except ValueError:
                self.fail("invalid")
        return super().to_internal_value(data)


class DatasetSerializer(FastReadMixin, serializers.ModelSerializer):
    """A named collection of items, e.g. an evaluation set."""

    name = serializers.CharField(max_length=400)
    description = serializers.CharField(allow_null=True, allow_blank=True, required=False)
    metadata = StorableJSONField(allow_null=True, required=False)
    deleted = NullableBooleanField()
    created_by = UserBasicSerializer(read_only=True, allow_null=True)
    team = serializers.IntegerField(source="team_id", read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "name",
            "description",
            "metadata",
            "created_at",
            "updated_at",
            "deleted",
            "created_by",
            "team",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "created_by", "team"]


class DatasetItemContentSerializer(serializers.Serializer):
    """The fields of one item a client supplies besides its dataset (also one entry of a bulk)."""

    input = StorableJSONField(allow_null=True, required=False)
    output = StorableJSONField(allow_null=True, required=False)
    metadata = StorableJSONField(allow_null=True, required=False)
    ref_trace_id = serializers.CharField(max_length=255, allow_null=True, allow_blank=True, required=False)
    ref_timestamp = serializers.DateTimeField(allow_null=True, required=False)
    ref_source_id = serializers.CharField(max_length=255, allow_null=True, allow_blank=True, required=False)


class DatasetItemSerializer(FastReadMixin, DatasetItemContentSerializer, serializers.ModelSerializer):
    """One example of a dataset: an input, the output expected for it, and where it came from."""

    dataset = ProjectDatasetField()
    deleted = NullableBooleanField()
    created_by = UserBasicSerializer(read_only=True, allow_null=True)
    team = serializers.IntegerField(source="team_id", read_only=True)

    class Meta:
        model = DatasetItem
        fields = [
            "id",
            "dataset",
            "input",
            "output",
            "metadata",
            "ref_trace_id",
            "ref_timestamp",
            "ref_source_id",
            "deleted",
            "created_at",
            "updated_at",
            "created_by",
            "team",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "created_by", "team"]


class DatasetItemBulkCreateSerializer(serializers.Serializer):
    """Items to add to one dataset."""

    dataset = ProjectDatasetField(help_text="The dataset every item is added to (of this project).")
    items = DatasetItemContentSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_BULK_ITEMS,
        help_text=f"1 to {MAX_BULK_ITEMS} items, created together or not at all.",
    )


class DatasetItemBulkResultSerializer(serializers.Serializer):
    """The items a bulk request created."""

    count = serializers.IntegerField(help_text="How many items were created.")
    results = DatasetItemSerializer(many=True, help_text="The created items, in the order sent.")
