"""Shapes and field rules of skills."""

import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from llm_server.fast_read import FastReadMixin
from llm_server.serializers import (
    FormJSONListField,
    FormJSONListSerializer,
    FormJSONValueMixin,
    OutlineField,
    QueryParamsSerializer,
    QueryTextField,
    RecordNameField,
    StorableJSONField,
    UserBasicSerializer,
    edit_list,
)
from llm_server.versioned_views import version_summary_serializer
from llm_server.versioning import RESERVED_NAMES
from skills.content import (
    DEFAULT_CONTENT_TYPE,
    MAX_CONTENT_BYTES,
    FileEdits,
    SkillFile,
    path_problem,
    utf8_size,
)
from skills.models import LLMSkill

SKILL_NAME_MAX_LENGTH = 64
DESCRIPTION_MAX_LENGTH = 4096
SKILL_NAME_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
SKILL_NAME_MESSAGE = (
    "Only lowercase letters, numbers, and hyphens are allowed. "
    "Must not start or end with a hyphen or contain consecutive hyphens."
)


def skill_name_errors(value: str) -> tuple[str, str] | None:
    """The first rule a skill name breaks: reserved, then the pattern, then `--`."""
    if value.lower() in RESERVED_NAMES:
        return f"'{value.lower()}' is a reserved name and cannot be used.", "reserved_name"
    if not SKILL_NAME_PATTERN.match(value):
        return SKILL_NAME_MESSAGE, "invalid_name"
    if "--" in value:
        return "Consecutive hyphens are not allowed.", "invalid_name"
    return None


@extend_schema_field(
    {
        "type": "string",
        "maxLength": SKILL_NAME_MAX_LENGTH,
        "pattern": SKILL_NAME_PATTERN.pattern,
        "description": "Lowercase letters, digits and single hyphens, not at either end; 'new' is reserved.",
    }
)
class SkillNameField(RecordNameField):
    max_name_length = SKILL_NAME_MAX_LENGTH
    name_rules = staticmethod(skill_name_errors)


class SizedTextField(serializers.CharField):
    """Non-blank text of at most 1,000,000 UTF-8 bytes; `size_message` names the field."""

    size_message = "Text must be {limit} bytes or fewer."

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        # A character is at least one byte, so most values skip the encode.
        if len(value) > MAX_CONTENT_BYTES // 4 and utf8_size(value) > MAX_CONTENT_BYTES:
            raise serializers.ValidationError(
                self.size_message.format(limit=MAX_CONTENT_BYTES), code="max_size"
            )
        return value


class BodyField(SizedTextField):
    size_message = "Skill body must be {limit} bytes or fewer."


class FileContentField(SizedTextField):
    size_message = "File content must be {limit} bytes or fewer."


@extend_schema_field({"type": "string", "maxLength": 500, "description": "Relative path, '/'-separated."})
class FilePathField(serializers.CharField):
    """A bundled file's relative path (see skills.content.path_problem)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 500)
        super().__init__(**kwargs)

    def run_validators(self, value: str) -> None:
        # The path rules first: a NUL is a control character like any other here.
        problem = path_problem(value)
        if problem:
            raise serializers.ValidationError(problem, code="invalid")
        super().run_validators(value)


@extend_schema_field({"type": "object", "additionalProperties": True})
class MetadataField(StorableJSONField):
    """A JSON object; its values are not validated."""

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            raise serializers.ValidationError(
                f'Expected a dictionary of items but got type "{type(value).__name__}".', code="not_a_dict"
            )
        return value


def no_duplicate_paths(paths: list[str], message: str) -> None:
    if len(set(paths)) != len(paths):
        raise serializers.ValidationError(message, code="invalid")


# ---- nested inputs ---------------------------------------------------------------------------


class SkillFileInputSerializer(serializers.Serializer):
    path = FilePathField()
    content = FileContentField()
    content_type = serializers.CharField(max_length=100, default=DEFAULT_CONTENT_TYPE)

    def to_internal_value(self, data: Any) -> SkillFile:
        return SkillFile(**super().to_internal_value(data))


class FileEditsSerializer(serializers.Serializer):
    path = FilePathField()
    edits = edit_list()

    class Meta:
        list_serializer_class = FormJSONListSerializer

    def to_internal_value(self, data: Any) -> FileEdits:
        return FileEdits(**super().to_internal_value(data))


class SkillFileListField(FormJSONValueMixin, serializers.ListSerializer):
    """A whole file set: at most 50 files with distinct paths."""

    def __init__(self, **kwargs):
        super().__init__(child=SkillFileInputSerializer(), **kwargs)

    def to_internal_value(self, data: Any) -> list[SkillFile]:
        if isinstance(data, list) and len(data) > LLMSkill.MAX_FILES:
            raise serializers.ValidationError(
                {"non_field_errors": [f"A skill may contain at most {LLMSkill.MAX_FILES} files."]},
                code="max_count",
            )
        files = super().to_internal_value(data)
        no_duplicate_paths([f.path for f in files], "Duplicate file paths are not allowed.")
        return files


# ---- requests --------------------------------------------------------------------------------


class SkillCreateSerializer(serializers.Serializer):
    name = SkillNameField()
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH)
    body = BodyField()
    license = serializers.CharField(max_length=255, allow_blank=True, required=False)
    compatibility = serializers.CharField(max_length=500, allow_blank=True, required=False)
    allowed_tools = FormJSONListField(child=serializers.CharField(), required=False)
    metadata = MetadataField(required=False)
    files = SkillFileListField(required=False)


class SkillPublishSerializer(serializers.Serializer):
    # PATCH by name requires `base_version` (and, for prompts, `prompt`): documented as declared.
    schema_partial_on_patch = False

    body = BodyField(required=False)
    edits = edit_list(required=False)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, required=False)
    license = serializers.CharField(max_length=255, allow_blank=True, required=False)
    compatibility = serializers.CharField(max_length=500, allow_blank=True, required=False)
    allowed_tools = FormJSONListField(child=serializers.CharField(), required=False)
    metadata = MetadataField(required=False)
    files = SkillFileListField(required=False)
    file_edits = FileEditsSerializer(
        many=True,
        allow_empty=False,
        max_length=LLMSkill.MAX_FILES,
        required=False,
        error_messages={
            "empty": "At least one file_edits entry is required.",
            "max_length": f"A skill has at most {LLMSkill.MAX_FILES} files to edit.",
        },
    )
    base_version = serializers.IntegerField(min_value=1)

    def validate_file_edits(self, value: list[FileEdits]) -> list[FileEdits]:
        no_duplicate_paths(
            [entry.path for entry in value], "Duplicate file paths are not allowed in file_edits."
        )
        return value

    def validate(self, attrs: dict) -> dict:
        if "body" in attrs and "edits" in attrs:
            raise serializers.ValidationError("Provide either 'body' or 'edits', not both.")
        if "files" in attrs and "file_edits" in attrs:
            raise serializers.ValidationError("Provide either 'files' or 'file_edits', not both.")
        return attrs


class SkillDuplicateSerializer(serializers.Serializer):
    new_name = SkillNameField()


class SkillFileCreateSerializer(serializers.Serializer):
    path = FilePathField()
    content = FileContentField()
    content_type = serializers.CharField(max_length=100, default=DEFAULT_CONTENT_TYPE)
    base_version = serializers.IntegerField(min_value=1, required=False)


class SkillFileRenameSerializer(serializers.Serializer):
    old_path = FilePathField()
    new_path = FilePathField()
    base_version = serializers.IntegerField(min_value=1, required=False)

    def validate(self, attrs: dict) -> dict:
        if attrs["old_path"] == attrs["new_path"]:
            raise serializers.ValidationError("new_path must differ from old_path.")
        return attrs


class BaseVersionQuerySerializer(QueryParamsSerializer):
    base_version = serializers.IntegerField(min_value=1, required=False)


class SkillListQuerySerializer(QueryParamsSerializer):
    search = QueryTextField(required=False, trim_whitespace=False)
    # 0 means no filter (as upstream); ids are 64-bit, and an id no user has matches nothing.
    created_by_id = serializers.IntegerField(required=False, min_value=-(2**63), max_value=2**63 - 1)
    # Any value is accepted; an unknown one falls back to the default order.
    order_by = QueryTextField(required=False)


# ---- responses -------------------------------------------------------------------------------


class FileManifestEntrySerializer(serializers.Serializer):
    path = serializers.CharField()
    content_type = serializers.CharField()


FULL_FIELDS = [
    "id",
    "name",
    "description",
    "body",
    "license",
    "compatibility",
    "allowed_tools",
    "metadata",
    "files",
    "outline",
    "version",
    "created_by",
    "created_at",
    "updated_at",
    "deleted",
    "is_latest",
    "latest_version",
    "version_count",
    "first_version_created_at",
]


class SkillSerializer(FastReadMixin, serializers.ModelSerializer):
    """A skill version with its file manifest (never content) and its history's derived fields."""

    allowed_tools = serializers.ListField(child=serializers.CharField(), read_only=True)
    metadata = serializers.DictField(read_only=True)
    files = FileManifestEntrySerializer(many=True, read_only=True, source="manifest")
    outline = OutlineField(read_only=True)
    created_by = UserBasicSerializer(read_only=True, allow_null=True)
    latest_version = serializers.IntegerField(read_only=True)
    version_count = serializers.IntegerField(read_only=True)
    first_version_created_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = LLMSkill
        fields = FULL_FIELDS
        read_only_fields = FULL_FIELDS


class SkillListItemSerializer(SkillSerializer):
    """A list row: the full skill without `body` and `files`."""

    class Meta(SkillSerializer.Meta):
        fields = [f for f in FULL_FIELDS if f not in ("body", "files")]
        read_only_fields = fields


class SkillFileSerializer(serializers.Serializer):
    path = serializers.CharField()
    content = serializers.CharField()
    content_type = serializers.CharField()


SkillVersionSummarySerializer = version_summary_serializer(LLMSkill)


class SkillResolveSerializer(serializers.Serializer):
    skill = SkillSerializer()
    versions = SkillVersionSummarySerializer(many=True)
    has_more = serializers.BooleanField()


class FileConflictSerializer(serializers.Serializer):
    """409: `base_version` is stale (with `current_version`), or the path is taken (detail only)."""

    detail = serializers.CharField()
    current_version = serializers.IntegerField(required=False)


class EditFailedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    edit_index = serializers.IntegerField(required=False)
    file_path = serializers.CharField(required=False)
