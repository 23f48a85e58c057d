"""Shapes and field rules of scorers. The input serializers render the scorer they wrote with the
one representation, `ScoreDefinitionSerializer`."""

from typing import Any

from rest_framework import serializers

from llm_server.fast_read import FastReadMixin
from llm_server.serializers import UserBasicSerializer
from scores.config import ScoreConfigField
from scores.models import NAME_MAX_LENGTH, ScoreDefinition, ScoreKind

ARCHIVED_ON_CREATE = "New scorers must be created as active."


class ScoreDefinitionSerializer(FastReadMixin, serializers.ModelSerializer):
    """A scorer with its current version's number, id and config."""

    current_version = serializers.IntegerField(
        source="current_version.version",
        read_only=True,
        allow_null=True,
        help_text="Number of the current config version (1 after create). Always set once created.",
    )
    current_version_id = serializers.UUIDField(
        read_only=True, allow_null=True, help_text="Id of the current config version."
    )
    config = ScoreConfigField(
        source="current_version.config", read_only=True, help_text="The current version's config."
    )
    created_by = UserBasicSerializer(read_only=True, allow_null=True)
    team = serializers.IntegerField(source="team_id", read_only=True)

    class Meta:
        model = ScoreDefinition
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "archived",
            "current_version",
            "current_version_id",
            "config",
            "created_by",
            "created_at",
            "updated_at",
            "team",
        ]
        read_only_fields = fields


class WrittenDefinitionMixin:
    """An input serializer whose output is the scorer as written."""

    def to_representation(self, instance: ScoreDefinition) -> dict[str, Any]:
        return ScoreDefinitionSerializer(instance, context=self.context).data


class DescriptionField(serializers.CharField):
    """Free text; null and blank are both stored as ""."""

    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, allow_null=True, required=False, **kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        is_empty, value = super().validate_empty_values(data)
        return is_empty, ("" if is_empty and value is None else value)


class ScoreDefinitionCreateSerializer(WrittenDefinitionMixin, serializers.Serializer):
    """A new scorer: its metadata, its kind (fixed from then on) and its first config."""

    name = serializers.CharField(max_length=NAME_MAX_LENGTH, help_text="Trimmed; need not be unique.")
    description = DescriptionField(help_text="Optional; null is stored as an empty string.")
    kind = serializers.ChoiceField(choices=ScoreKind.choices, help_text="Fixed once created.")
    archived = serializers.BooleanField(
        required=False, default=False, help_text="Must be false (or left out): scorers start active."
    )
    config = ScoreConfigField(help_text="Validated against `kind`; stored normalized as version 1.")

    def config_kind(self) -> str | None:
        """The kind `config` is checked against: the body's, when it is a valid one."""
        kind = self.initial_data.get("kind") if hasattr(self.initial_data, "get") else None
        return kind if kind in ScoreKind.values else None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.pop("archived", False):
            raise serializers.ValidationError({"archived": ARCHIVED_ON_CREATE})
        return attrs


class ScoreDefinitionUpdateSerializer(WrittenDefinitionMixin, serializers.Serializer):
    """Metadata only. `kind` and `config` in the body are ignored: configs change through
    `new_version`."""

    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False, help_text="Trimmed.")
    description = DescriptionField(help_text="Null is stored as an empty string.")
    archived = serializers.BooleanField(required=False, help_text="Archive (true) or restore (false).")


class ScoreDefinitionNewVersionSerializer(WrittenDefinitionMixin, serializers.Serializer):
    """The next config of a scorer, checked against the scorer's stored kind."""

    config = ScoreConfigField(
        help_text="Validated against the scorer's kind (a `kind` in the body is ignored)."
    )
    base_version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The version the edit started from; when it is no longer current the answer is 409.",
    )

    def config_kind(self) -> str | None:
        return self.instance.kind
