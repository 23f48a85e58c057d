"""Shapes and field rules of review queues, queue items and trace reviews."""

import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from llm_server.fast_read import FastReadMixin
from llm_server.serializers import FormJSONValueMixin, UserBasicSerializer
from review.models import QUEUE_NAME_MAX_LENGTH, SCORE_VALUE_FIELDS, TRACE_ID_MAX_LENGTH
from scores.config import OptionKeyField


@extend_schema_field(OpenApiTypes.UUID)
class StrictUUIDField(serializers.UUIDField):
    """A UUID sent as text; numbers and booleans are not ids (DRF would read an int as one)."""

    def to_internal_value(self, data: Any) -> uuid.UUID:
        if not isinstance(data, str | uuid.UUID):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class ProjectRecordSerializer(FastReadMixin, serializers.Serializer):
    """Authorship and project of a record; fields are read, validated and shown in `Meta.fields`
    order (subclasses that redeclare a field keep its place)."""

    created_by = UserBasicSerializer(read_only=True, allow_null=True)
    team = serializers.IntegerField(source="team_id", read_only=True)

    class Meta:
        fields: list[str] = []

    def get_fields(self):
        fields = super().get_fields()
        return {name: fields[name] for name in self.Meta.fields}


class ReviewQueueSerializer(ProjectRecordSerializer):
    """A named list of traces waiting for review."""

    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(
        max_length=QUEUE_NAME_MAX_LENGTH,
        help_text="Trimmed; unique among the project's queues (case-sensitive).",
    )
    pending_item_count = serializers.IntegerField(
        read_only=True, help_text="How many traces are pending in this queue now."
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta:
        fields = ["id", "name", "pending_item_count", "created_at", "updated_at", "created_by", "team"]


class ReviewQueueRenameSerializer(ReviewQueueSerializer):
    """Renames a queue; without `name` the queue is only touched (its `updated_at` moves)."""

    name = serializers.CharField(
        max_length=QUEUE_NAME_MAX_LENGTH,
        required=False,
        help_text="Trimmed; unique among the project's queues (case-sensitive).",
    )


class ReviewQueueItemSerializer(ProjectRecordSerializer):
    """A trace pending review in a queue. A trace is pending in at most one queue of a project,
    and a reviewed trace cannot be queued."""

    id = serializers.UUIDField(read_only=True)
    queue_id = StrictUUIDField(help_text="A live queue of this project.")
    queue_name = serializers.CharField(
        source="queue.name", read_only=True, help_text="The queue's current name."
    )
    trace_id = serializers.CharField(max_length=TRACE_ID_MAX_LENGTH, help_text="Trimmed; any trace id.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta:
        fields = [
            "id",
            "queue_id",
            "queue_name",
            "trace_id",
            "created_at",
            "updated_at",
            "created_by",
            "team",
        ]


class ReviewQueueItemMoveSerializer(ReviewQueueItemSerializer):
    """Moves a pending item to another queue: `queue_id` is required; the trace id cannot change."""

    # The PATCH really requires `queue_id`: documented as declared, not as a partial body.
    schema_partial_on_patch = False

    trace_id = serializers.CharField(read_only=True)


# ---- trace reviews -----------------------------------------------------------------------------

MAX_SCORES = 100
NON_FIELD_KEYS = ("non_field_errors", "__all__")


class ScoreInputSerializer(serializers.Serializer):
    """One scorer's value: exactly one of the three value fields, checked against the scorer's
    current version or the version named by `definition_version_id`."""

    definition_id = StrictUUIDField(help_text="A scorer of this project (archived ones too).")
    definition_version_id = StrictUUIDField(
        required=False, allow_null=True, help_text="A version of that scorer; default its current version."
    )
    categorical_values = serializers.ListField(
        child=OptionKeyField(),
        allow_empty=False,
        allow_null=True,
        required=False,
        help_text="Option keys of a categorical scorer (trimmed, lowercased, no duplicates).",
    )
    numeric_value = serializers.DecimalField(
        max_digits=12,
        decimal_places=6,
        allow_null=True,
        required=False,
        help_text="The value of a numeric scorer, a number or a decimal string: at most 12 digits, 6 after the point.",
    )
    boolean_value = serializers.BooleanField(
        allow_null=True, required=False, help_text="The value of a boolean scorer."
    )

    def validate_categorical_values(self, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Provide unique categorical option keys.", code="invalid")
        return value

    def validate(self, attrs: dict) -> dict:
        if sum(attrs.get(name) is not None for name in SCORE_VALUE_FIELDS) != 1:
            raise serializers.ValidationError("Provide exactly one score value field.", code="invalid")
        return attrs


def first_error_path(detail: Any, path: str) -> tuple[str, serializers.ErrorDetail]:
    """The first error of a nested error structure, with its path written as
    `scores[0].categorical_values[1]`."""
    while isinstance(detail, dict | list):
        if isinstance(detail, list):
            detail = detail[0]
            continue
        key, detail = next(iter(detail.items()))
        if isinstance(key, int):
            path += f"[{key}]"
        elif key not in NON_FIELD_KEYS:
            path += f".{key}"
    return path, detail


@extend_schema_field(ScoreInputSerializer(many=True))
class ScoresField(FormJSONValueMixin, serializers.ListField):
    """The review's scores. Any error in them is reported on `scores`, its detail naming the score
    and the field: `scores[<index>].<field>: <message>`. A form body sends them as JSON text."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", ScoreInputSerializer())
        kwargs.setdefault("max_length", MAX_SCORES)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[dict]:
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            path, error = first_error_path(exc.detail, self.field_name)
            raise serializers.ValidationError(
                serializers.ErrorDetail(f"{path}: {error}", code=error.code)
            ) from None


class TraceReviewScoreSerializer(FastReadMixin, serializers.Serializer):
    """A score as given: the scorer as it is now, and the version (number and config) the value was
    checked against."""

    id = serializers.UUIDField(read_only=True)
    definition_id = serializers.UUIDField(read_only=True)
    definition_name = serializers.CharField(source="definition.name", read_only=True)
    definition_kind = serializers.CharField(source="definition.kind", read_only=True)
    definition_archived = serializers.BooleanField(source="definition.archived", read_only=True)
    definition_version_id = serializers.UUIDField(read_only=True)
    definition_version = serializers.IntegerField(source="definition_version_number", read_only=True)
    definition_config = serializers.JSONField(read_only=True)
    categorical_values = serializers.ListField(child=serializers.CharField(), read_only=True, allow_null=True)
    numeric_value = serializers.DecimalField(
        max_digits=12, decimal_places=6, coerce_to_string=True, read_only=True, allow_null=True
    )
    boolean_value = serializers.BooleanField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class TraceReviewSerializer(ProjectRecordSerializer):
    """A review of one trace: a comment and scores. A trace has at most one active review."""

    id = serializers.UUIDField(read_only=True)
    trace_id = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    reviewed_by = UserBasicSerializer(read_only=True, allow_null=True, help_text="Who saved it last.")
    scores = TraceReviewScoreSerializer(many=True, read_only=True, help_text="By scorer name, then id.")

    class Meta:
        fields = [
            "id",
            "trace_id",
            "comment",
            "created_at",
            "updated_at",
            "created_by",
            "reviewed_by",
            "scores",
            "team",
        ]


class TraceReviewWriteSerializer(serializers.Serializer):
    """What a client sends to create or edit a review; the answer is the review."""

    trace_id = serializers.CharField(
        max_length=TRACE_ID_MAX_LENGTH,
        help_text="Trimmed. Required on create; on edit it may only be sent unchanged.",
    )
    comment = serializers.CharField(
        allow_blank=True, allow_null=True, required=False, help_text="Trimmed; blank is stored as null."
    )
    scores = ScoresField(
        required=False,
        help_text=f"Up to {MAX_SCORES} scores, one per scorer. On edit, replaces every score ([] clears them).",
    )
    queue_id = StrictUUIDField(
        required=False,
        allow_null=True,
        help_text="Clear the trace's pending item only when it is in this queue (default: in any queue).",
    )

    def validate_comment(self, value: str | None) -> str | None:
        return value or None

    def to_representation(self, instance) -> dict:
        return TraceReviewSerializer(instance, context=self.context).data


class TraceReviewEditSerializer(TraceReviewWriteSerializer):
    """What a client sends to edit a review: any subset of the fields."""

    trace_id = serializers.CharField(
        max_length=TRACE_ID_MAX_LENGTH, required=False, help_text="Trimmed; may only be sent unchanged."
    )
