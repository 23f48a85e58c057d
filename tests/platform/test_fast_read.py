"""`FastReadMixin` renders exactly what DRF's own `to_representation` renders."""

from datetime import datetime, timedelta, timezone

import pytest
from rest_framework import serializers

from datasets.models import Dataset, DatasetItem
from datasets.serializers import DatasetItemSerializer, DatasetSerializer
from llm_server.fast_read import FastReadMixin
from llm_server.serializers import UserBasicSerializer
from review.models import ReviewQueue
from review.selectors import visible_queues
from review.serializers import ReviewQueueSerializer


def drf_rendering(serializer_class, instance) -> dict:
    """What the serializer renders without the mixin (DRF's per-field path, nested ones included)."""
    original = FastReadMixin.to_representation
    FastReadMixin.to_representation = lambda self, obj: serializers.Serializer.to_representation(self, obj)
    try:
        return serializer_class(instance).data
    finally:
        FastReadMixin.to_representation = original


@pytest.fixture
def rows(world):
    dataset = Dataset.objects.create(team=world.team, name="d", description="x", metadata={"a": [1, None]})
    item = DatasetItem.objects.create(
        team=world.team,
        dataset=dataset,
        input={"q": "é"},
        output=None,
        ref_trace_id="t",
        created_by=world.user,
    )
    queue = ReviewQueue.objects.create(team=world.team, name="q", created_by=world.user)
    return dataset, item, queue


def test_rows_as_loaded_render_the_same(rows, world, django_assert_max_num_queries):
    dataset, item, queue = rows
    fresh_item = DatasetItem.objects.select_related("created_by").get(pk=item.pk)
    assert DatasetItemSerializer(fresh_item).data == drf_rendering(DatasetItemSerializer, fresh_item)
    fresh = Dataset.objects.get(pk=dataset.pk)
    assert DatasetSerializer(fresh).data == drf_rendering(DatasetSerializer, fresh)
    assert UserBasicSerializer(world.user).data == drf_rendering(UserBasicSerializer, world.user)
    # The queue list's own queryset, with its annotations (pending counts).
    annotated = visible_queues(team=world.team).get(pk=queue.pk)
    assert ReviewQueueSerializer(annotated).data == drf_rendering(ReviewQueueSerializer, annotated)


def test_values_off_the_fast_path_fall_back_to_drf(rows):
    dataset, _, _ = rows
    # An offset other than UTC, a value not loaded (deferred: one query to load it), and a
    # timestamp left as a string: DRF's conversions decide.
    dataset.created_at = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=timezone(timedelta(hours=2)))
    dataset.updated_at = "2026-01-01T00:00:00Z"
    rendered = DatasetSerializer(dataset).data
    assert rendered == drf_rendering(DatasetSerializer, dataset)
    assert rendered["created_at"] == "2026-01-02T01:04:05.600000Z"
    assert rendered["updated_at"] == "2026-01-01T00:00:00Z"
    deferred = Dataset.objects.defer("description").get(pk=dataset.pk)
    assert DatasetSerializer(deferred).data["description"] == "x"


def test_a_property_is_read_through_the_class_not_the_instance_dict(world):
    class Shadowing(FastReadMixin, serializers.ModelSerializer):
        class Meta:
            model = Dataset
            fields = ["name", "label"]

        label = serializers.CharField(read_only=True)

    Dataset.label = property(lambda self: f"<{self.name}>")
    try:
        dataset = Dataset(team=world.team, name="n")
        dataset.__dict__["label"] = "stale"
        assert Shadowing(dataset).data == {"name": "n", "label": "<n>"}
    finally:
        del Dataset.label
