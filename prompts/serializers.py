"""Shapes and field rules of prompts."""

import json
from typing import Any

from rest_framework import serializers

from llm_server.fast_read import FastReadMixin
from llm_server.serializers import (
    RecordNameField,
    StorableJSONField,
    UserBasicSerializer,
)
from llm_server.versioned_views import version_summary_serializer
from prompts.models import LLMPrompt

MAX_PROMPT_BYTES = 1_000_000


def compact_json_size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


class PromptPayloadField(StorableJSONField):
    """Any storable JSON value except null, at most 1,000,000 bytes as compact JSON."""

    label_for_errors = "Prompt payload"

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if compact_json_size(value) > MAX_PROMPT_BYTES:
            raise serializers.ValidationError(
                f"Prompt payload must be {MAX_PROMPT_BYTES} bytes or fewer.", code="max_size"
            )
        return value


PUBLIC_FIELDS = [
    "id",
    "name",
    "prompt",
    "version",
    "created_at",
    "updated_at",
    "deleted",
    "is_latest",
    "latest_version",
    "version_count",
    "first_version_created_at",
]


class PromptPublicSerializer(FastReadMixin, serializers.ModelSerializer):
    """GET by name (what the SDKs read): no `created_by`."""

    prompt = serializers.JSONField(read_only=True)
    latest_version = serializers.IntegerField(read_only=True)
    version_count = serializers.IntegerField(read_only=True)
    first_version_created_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = LLMPrompt
        fields = PUBLIC_FIELDS
        read_only_fields = PUBLIC_FIELDS


class PromptSerializer(PromptPublicSerializer):
    """A prompt version with its publisher and its history's derived fields."""

    created_by = UserBasicSerializer(read_only=True, allow_null=True)

    class Meta(PromptPublicSerializer.Meta):
        fields = [*PUBLIC_FIELDS[:4], "created_by", *PUBLIC_FIELDS[4:]]
        read_only_fields = fields


class PromptCreateSerializer(serializers.Serializer):
    name = RecordNameField()
    prompt = PromptPayloadField()


class PromptPublishSerializer(serializers.Serializer):
    # PATCH by name requires `base_version` (and, for prompts, `prompt`): documented as declared.
    schema_partial_on_patch = False

    prompt = PromptPayloadField()
    base_version = serializers.IntegerField(min_value=1)


class PromptDuplicateSerializer(serializers.Serializer):
    new_name = RecordNameField()


class PromptLegacyUpdateSerializer(serializers.Serializer):
    """PATCH/PUT by id; PUT requires `name` and `prompt`."""

    name = RecordNameField()
    prompt = PromptPayloadField()
    deleted = serializers.BooleanField(required=False)


class PromptLegacyPatchSerializer(PromptLegacyUpdateSerializer):
    """PATCH by id: every field optional (documented separately from PUT)."""

    name = RecordNameField(required=False)
    prompt = PromptPayloadField(required=False)


PromptVersionSummarySerializer = version_summary_serializer(LLMPrompt)


class PromptResolveSerializer(serializers.Serializer):
    prompt = PromptSerializer()
    versions = PromptVersionSummarySerializer(many=True)
    has_more = serializers.BooleanField()
