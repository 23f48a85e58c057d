"""Shapes and field rules of prompts."""

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from llm_server.fast_read import FastReadMixin
from llm_server.serializers import (
    OutlineField,
    QueryParamsSerializer,
    QueryTextField,
    RecordNameField,
    ReplacingTextEditSerializer,
    StorableJSONField,
    UserBasicSerializer,
    edit_list,
)
from llm_server.versioned_views import version_summary_serializer
from prompts import payload_text, templating
from prompts.labels import IMPLICIT_LABEL, label_name_problem
from prompts.models import VERSION_DESCRIPTION_MAX_LENGTH, LLMPrompt, LLMPromptLabel, LLMPromptLabelMove

MAX_PROMPT_BYTES = payload_text.MAX_PROMPT_BYTES
MAX_CONFIG_BYTES = 1_000_000
CONTENT_MODES = ("full", "preview", "none")
BOTH_VERSION_AND_LABEL = "Use either version or label, not both."


class PromptPayloadField(StorableJSONField):
    """Any storable JSON value except null, at most 1,000,000 bytes as compact JSON."""

    label_for_errors = "Prompt payload"

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if payload_text.size_bytes(value) > MAX_PROMPT_BYTES:
            raise serializers.ValidationError(
                f"Prompt payload must be {MAX_PROMPT_BYTES} bytes or fewer.", code="max_size"
            )
        return value


class CheckedJSONField(StorableJSONField):
    """A storable JSON value, null allowed, that `problem(value)` may refuse as (message, code)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def problem(self, value: Any) -> tuple[str, str] | None:
        return None

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        problem = self.problem(value)
        if problem:
            raise serializers.ValidationError(problem[0], code=problem[1])
        return value


@extend_schema_field({"type": "object", "nullable": True, "additionalProperties": True})
class PromptConfigField(CheckedJSONField):
    """A JSON object (model parameters, any settings the app reads) or null."""

    label_for_errors = "Config"

    def problem(self, value: Any) -> tuple[str, str] | None:
        if value is not None and not isinstance(value, dict):
            return "Config must be a JSON object or null.", "invalid_input"
        if value is not None and payload_text.size_bytes(value) > MAX_CONFIG_BYTES:
            return f"Config must be {MAX_CONFIG_BYTES} bytes or fewer.", "max_size"
        return None


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": "Declared template variables: name → {type: string|number|boolean, required, default}.",
        "additionalProperties": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["string", "number", "boolean"]},
                "required": {"type": "boolean"},
                "default": {},
            },
            "required": ["type"],
        },
    }
)
class VariablesField(CheckedJSONField):
    """Declared variables, or null (see prompts.templating)."""

    label_for_errors = "Variables"

    def problem(self, value: Any) -> tuple[str, str] | None:
        message = templating.declaration_error(value)
        return (message, "invalid_variables") if message else None


class VersionDescriptionField(serializers.CharField):
    """What changed in a version; blank means none."""

    def __init__(self, **kwargs):
        super().__init__(
            max_length=VERSION_DESCRIPTION_MAX_LENGTH,
            allow_null=True,
            allow_blank=True,
            required=False,
            **kwargs,
        )

    def run_validation(self, data: Any = serializers.empty) -> str | None:
        # DRF answers a blank string before to_internal_value runs.
        return super().run_validation(data) or None


class LabelField(serializers.CharField):
    """A label name to read by; `latest` is the implicit label of the latest version."""

    def __init__(self, **kwargs):
        # Blank and spaced names are refused by the name rules, with their text.
        super().__init__(trim_whitespace=False, allow_blank=True, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> str:
        value = super().run_validation(data)
        if value == IMPLICIT_LABEL:
            return value
        problem = label_name_problem(value)
        if problem:
            raise serializers.ValidationError(problem[0], code=problem[1])
        return value


# ---- representations -------------------------------------------------------------------------


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class LabelNamesField(serializers.ReadOnlyField):
    pass


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "version": {"type": "integer"}},
            "required": ["name", "version"],
        },
    }
)
class AllLabelsField(serializers.ReadOnlyField):
    pass


PUBLIC_FIELDS = [
    "id",
    "name",
    "prompt",
    "config",
    "variables",
    "outline",
    "version",
    "created_at",
    "updated_at",
    "deleted",
    "is_latest",
    "latest_version",
    "version_count",
    "first_version_created_at",
]
FULL_FIELDS = [
    "id",
    "name",
    "prompt",
    "config",
    "variables",
    "version",
    "version_description",
    "created_by",
    "created_at",
    "updated_at",
    "deleted",
    "is_latest",
    "latest_version",
    "version_count",
    "first_version_created_at",
    "outline",
    "labels",
]
LIST_FIELDS = [*FULL_FIELDS, "prompt_size_bytes", "all_labels"]
# Left out of a representation unless `content=full`; `prompt_preview` is only in `preview`.
FULL_CONTENT_ONLY = frozenset({"prompt", "config", "variables"})


class PromptBaseSerializer(FastReadMixin, serializers.ModelSerializer):
    prompt = serializers.JSONField(read_only=True)
    config = serializers.JSONField(read_only=True, allow_null=True)
    variables = serializers.JSONField(read_only=True, allow_null=True)
    outline = OutlineField(read_only=True)
    prompt_preview = serializers.ReadOnlyField(
        help_text="The first 160 characters of the prompt, then '...'."
    )
    latest_version = serializers.IntegerField(read_only=True)
    version_count = serializers.IntegerField(read_only=True)
    first_version_created_at = serializers.DateTimeField(read_only=True)
    created_by = UserBasicSerializer(read_only=True, allow_null=True)
    labels = LabelNamesField(source="label_names", help_text="Labels pointing at this version, by name.")
    all_labels = AllLabelsField(help_text="Every label of the prompt, with the version it points at.")

    class Meta:
        model = LLMPrompt
        fields = FULL_FIELDS
        read_only_fields = fields


def _content_fields(fields: list[str], content: str) -> list[str]:
    if content == "full":
        return list(fields)
    kept = [name for name in fields if name not in FULL_CONTENT_ONLY]
    if content == "preview":
        kept.insert(kept.index("name") + 1, "prompt_preview")
    return kept


class PromptSerializer(PromptBaseSerializer):
    """A prompt version with its publisher, history's derived fields and labels (write responses,
    the id routes and resolve)."""


_SHAPES: dict[tuple[str, str], type[serializers.Serializer]] = {}


def _shaped(kind: str, fields: list[str], content: str, doc: str) -> type[serializers.Serializer]:
    found = _SHAPES.get((kind, content))
    if found is None:
        meta = type("Meta", (PromptBaseSerializer.Meta,), {"fields": _content_fields(fields, content)})
        meta.read_only_fields = meta.fields
        suffix = "" if content == "full" else content.title()
        found = type(f"{kind}{suffix}Serializer", (PromptBaseSerializer,), {"Meta": meta, "__doc__": doc})
        _SHAPES[(kind, content)] = found
    return found


class LabeledMixin:
    """Adds `"label"` when the version was fetched through one (context `label`)."""

    def to_representation(self, instance: Any) -> dict:
        data = super().to_representation(instance)
        label = self.context.get("label")
        if label is not None:
            data["label"] = label
        return data


def public_serializer(content: str = "full") -> type[serializers.Serializer]:
    """GET by name (what the SDKs read): no `created_by`; `content` shapes the payload."""
    found = _SHAPES.get(("public", content))
    if found is None:
        base = _shaped("PromptPublicBase", PUBLIC_FIELDS, content, "")
        suffix = "" if content == "full" else content.title()
        found = type(
            f"PromptPublic{suffix}Serializer",
            (LabeledMixin, base),
            {"__doc__": "A prompt version as the SDKs read it (`label` when fetched by label)."},
        )
        _SHAPES[("public", content)] = found
    return found


def list_item_serializer(content: str = "full") -> type[serializers.Serializer]:
    return _shaped("PromptListItem", LIST_FIELDS, content, "A prompt in the list, shaped by `content`.")


PromptPublicSerializer = public_serializer()
PromptListItemSerializer = list_item_serializer()


class ContentModeDocMixin(serializers.Serializer):
    """For the schema only: the keys `content` (and a label) add or leave out are optional."""

    prompt = serializers.JSONField(required=False, help_text="With content=full (the default).")
    config = PromptConfigField(required=False, help_text="With content=full: model settings, or null.")
    variables = VariablesField(required=False, help_text="With content=full: declared variables, or null.")
    prompt_preview = serializers.CharField(
        required=False, help_text="With content=preview: the first 160 characters of the prompt, then '...'."
    )


@extend_schema_serializer(component_name="PromptPublic")
class PromptPublicDocSerializer(ContentModeDocMixin, PromptBaseSerializer):
    """A prompt version as the SDKs read it, shaped by `content`."""

    label = serializers.CharField(required=False, help_text="The label fetched by (`?label=`).")

    class Meta(PromptBaseSerializer.Meta):
        fields = [*PUBLIC_FIELDS, "prompt_preview", "label"]
        read_only_fields = [
            name
            for name in fields
            if name not in ("prompt", "config", "variables", "prompt_preview", "label")
        ]


@extend_schema_serializer(component_name="PromptListItem")
class PromptListItemDocSerializer(ContentModeDocMixin, PromptBaseSerializer):
    """A prompt in the list, shaped by `content`."""

    class Meta(PromptBaseSerializer.Meta):
        fields = [*LIST_FIELDS, "prompt_preview"]
        read_only_fields = [
            name for name in fields if name not in ("prompt", "config", "variables", "prompt_preview")
        ]


class PromptLabelSerializer(serializers.ModelSerializer):
    """A label: which version of the prompt it points at."""

    version = serializers.IntegerField(source="prompt.version", read_only=True)
    created_by = UserBasicSerializer(read_only=True, allow_null=True)

    class Meta:
        model = LLMPromptLabel
        fields = ["id", "name", "prompt_name", "version", "created_by", "created_at", "updated_at"]
        read_only_fields = fields


class PromptLabelMoveSerializer(serializers.ModelSerializer):
    """One change of a label's target; null `from_version`: created, null `to_version`: removed."""

    moved_by = UserBasicSerializer(read_only=True, allow_null=True)

    class Meta:
        model = LLMPromptLabelMove
        fields = ["id", "label", "from_version", "to_version", "moved_by", "moved_at"]
        read_only_fields = fields


class PromptVersionSummarySerializer(version_summary_serializer(LLMPrompt)):
    labels = LabelNamesField(source="label_names")

    class Meta(version_summary_serializer(LLMPrompt).Meta):
        fields = ["id", "version", "version_description", "created_by", "created_at", "is_latest", "labels"]
        read_only_fields = fields


class PromptResolveSerializer(serializers.Serializer):
    prompt = PromptSerializer()
    versions = PromptVersionSummarySerializer(many=True)
    has_more = serializers.BooleanField()
    labels = PromptLabelSerializer(many=True)


# ---- input -----------------------------------------------------------------------------------


class PromptCreateSerializer(serializers.Serializer):
    name = RecordNameField()
    prompt = PromptPayloadField()
    config = PromptConfigField(required=False)
    variables = VariablesField(required=False)
    version_description = VersionDescriptionField()


# A publish needs at least one of these; the rest is carried from the latest version.
PUBLISH_CONTENT_KEYS = ("prompt", "edits", "config", "variables")


class PromptPublishSerializer(serializers.Serializer):
    # PATCH by name requires `base_version`: documented as declared.
    schema_partial_on_patch = False

    prompt = PromptPayloadField(required=False)
    edits = edit_list(ReplacingTextEditSerializer, required=False)
    config = PromptConfigField(required=False)
    variables = VariablesField(required=False)
    version_description = VersionDescriptionField()
    base_version = serializers.IntegerField(min_value=1)

    def to_internal_value(self, data: Any) -> dict:
        # Nothing to publish is reported as the missing `prompt`, before any other field.
        if isinstance(data, Mapping) and not any(key in data for key in PUBLISH_CONTENT_KEYS):
            raise serializers.ValidationError(
                {"prompt": [ErrorDetail(self.error_messages["required"], code="required")]}
            )
        return super().to_internal_value(data)

    def validate(self, attrs: dict) -> dict:
        if "prompt" in attrs and "edits" in attrs:
            raise serializers.ValidationError("Provide either 'prompt' or 'edits', not both.")
        return attrs


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


def content_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=CONTENT_MODES,
        required=False,
        default="full",
        help_text="full (default): the payload; preview: `prompt_preview` instead; none: neither.",
    )


# A label or content mode of spaces is refused, not taken for "none given".
LABEL_AND_CONTENT = frozenset({"label", "content"})


class PromptListQuerySerializer(QueryParamsSerializer):
    exact_empty_fields = LABEL_AND_CONTENT
    search = QueryTextField(
        required=False, trim_whitespace=False, help_text="Substring of the name or the prompt."
    )
    # 0 means no filter; an id nobody has matches nothing.
    created_by_id = serializers.IntegerField(
        required=False,
        min_value=-(2**63),
        max_value=2**63 - 1,
        help_text="Only prompts whose listed version was published by this user.",
    )
    # Any value is accepted; an unknown one falls back to the default order.
    order_by = QueryTextField(
        required=False,
        help_text="One of name, created_at, updated_at, version, latest_version, version_count, "
        "first_version_created_at, prompt_size_bytes, optionally prefixed with '-'. Default -created_at.",
    )
    label = LabelField(
        required=False, help_text="Only prompts carrying this label, each at the version it points at."
    )
    content = content_field()


class PromptFetchQuerySerializer(QueryParamsSerializer):
    """Query of GET by name: a version or a label (`latest` is implicit), and the content mode."""

    exact_empty_fields = LABEL_AND_CONTENT

    version = serializers.IntegerField(min_value=1, required=False)
    label = LabelField(required=False, help_text="Fetch the version this label points at.")
    content = content_field()

    def validate(self, attrs: dict) -> dict:
        if "version" in attrs and "label" in attrs:
            raise serializers.ValidationError(BOTH_VERSION_AND_LABEL)
        return attrs


class PromptLabelSetSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version the label points at.")


class PromptDiffQuerySerializer(QueryParamsSerializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        # `from` is a Python keyword, so the fields are declared here.
        return {
            "from": serializers.IntegerField(min_value=1, help_text="The version diffed from."),
            "to": serializers.IntegerField(min_value=1, help_text="The version diffed to."),
        }


class CompileValuesField(CheckedJSONField):
    """Values by variable name; text the server could not encode (a lone surrogate) is refused."""

    label_for_errors = "Variables"

    def validate_empty_values(self, data: Any):
        if data is None:  # null is not an object of values (DRF would answer its own text)
            raise serializers.ValidationError(templating.compile_values_error(None), code="invalid_input")
        return super().validate_empty_values(data)

    def problem(self, value: Any) -> tuple[str, str] | None:
        message = templating.compile_values_error(value)
        return (message, "invalid_input") if message else None


class PromptCompileSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False)
    label = LabelField(required=False, help_text="Compile the version this label points at.")
    variables = CompileValuesField(
        required=False, help_text="Values by variable name: string, number or boolean."
    )

    def validate(self, attrs: dict) -> dict:
        if "version" in attrs and "label" in attrs:
            raise serializers.ValidationError(BOTH_VERSION_AND_LABEL)
        return attrs


# ---- response bodies, for the schema --------------------------------------------------------


class DiffHunkSerializer(serializers.Serializer):
    old_start = serializers.IntegerField()
    old_lines = serializers.IntegerField()
    new_start = serializers.IntegerField()
    new_lines = serializers.IntegerField()
    lines = serializers.ListField(child=serializers.CharField())


class DiffStatsSerializer(serializers.Serializer):
    additions = serializers.IntegerField()
    deletions = serializers.IntegerField()


class JsonChangeSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["add", "remove", "replace"])
    path = serializers.CharField(help_text="RFC 6901 JSON pointer.")
    old = serializers.JSONField(required=False)
    new = serializers.JSONField(required=False)


class PromptDiffSerializer(serializers.Serializer):
    name = serializers.CharField()
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    identical = serializers.BooleanField()
    diff = serializers.CharField(help_text="Unified diff, 3 lines of context.")
    hunks = DiffHunkSerializer(many=True)
    stats = DiffStatsSerializer()
    json_changes = JsonChangeSerializer(
        many=True, allow_null=True, help_text="Leaf-level changes when both versions are JSON; else null."
    )


class PromptCompiledSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.IntegerField()
    label = serializers.CharField(allow_null=True)
    text = serializers.CharField()


class PromptEditFailedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    edit_index = serializers.IntegerField(required=False)
