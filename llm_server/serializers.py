"""Shared serializer pieces: the embedded user, storable JSON, record names, query parameters."""

import json
import math
import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from llm_server.accounts.models import USER_PUBLIC_COLUMNS, User
from llm_server.fast_read import FastReadMixin
from llm_server.fields import allow_null_characters
from llm_server.text_edits import TextEdit
from llm_server.versioning import NAME_MAX_LENGTH, name_errors

ACTOR_OPTION_KEYS = ("color", "accessories", "skin")


def public_hedgehog_config(stored: Any) -> dict | None:
    """Only the four public keys; version-2 configs keep the last three under `actor_options`."""
    if not isinstance(stored, dict) or not stored:
        return None
    actor_options = stored.get("actor_options") if stored.get("version") == 2 else None
    source_for_actor = actor_options if isinstance(actor_options, dict) else stored
    config = {"use_as_profile": stored.get("use_as_profile")}
    for key in ACTOR_OPTION_KEYS:
        config[key] = source_for_actor.get(key)
    return config


class UserBasicSerializer(FastReadMixin, serializers.ModelSerializer):
    hedgehog_config = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", *USER_PUBLIC_COLUMNS]
        read_only_fields = fields

    def get_hedgehog_config(self, user: User) -> dict | None:
        return public_hedgehog_config(user.hedgehog_config)


MAX_JSON_DEPTH = 200


def _unstorable_string(text: str) -> str | None:
    if "\x00" in text:
        return "cannot contain the null character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "cannot contain unpaired surrogate characters"
    return None


def unstorable_json_reason(value: Any) -> str | None:
    """Why a JSON value cannot be stored as-is, or None.

    PostgreSQL's jsonb rejects U+0000 and text that is not valid UTF-8 (lone surrogates), and very
    deep nesting exhausts the encoders; each would surface as a server error instead of a 400. The
    walk is iterative so a deep value cannot exhaust the stack here either.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            # Form fields are decoded with json.loads, which reads 1e400 as infinity; JSON has none.
            return "must be valid JSON (numbers must be finite)"
        if isinstance(item, str):
            reason = _unstorable_string(item)
            if reason:
                return reason
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return f"cannot be nested more than {MAX_JSON_DEPTH} levels deep"
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
    return None


_NESTED_TOO_DEEPLY = object()


class FormJSONValueMixin:
    """A list or object field sent in a form-encoded or multipart body arrives as JSON text
    (`edits=[{"old": …}]`): parse it, rather than let DRF's form handling read it as absent and
    silently drop what the client asked for. Text that is not JSON then fails the field's own
    type check; text nested too deeply to decode is an error on the field. DRF's indexed form
    keys (`edits[0]old=…`) still work."""

    def get_value(self, dictionary: Any) -> Any:
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            raw = dictionary.get(self.field_name)
            if isinstance(raw, str):
                try:
                    return json.loads(raw)
                except RecursionError:
                    # The serializer reads values outside its error handling: report it when validating.
                    return _NESTED_TOO_DEEPLY
                except ValueError:
                    return raw
        return super().get_value(dictionary)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if data is _NESTED_TOO_DEEPLY:
            raise serializers.ValidationError(
                f"Value cannot be nested more than {MAX_JSON_DEPTH} levels deep.", code="invalid_input"
            )
        return super().run_validation(data)


class FormJSONListField(FormJSONValueMixin, serializers.ListField):
    pass


class FormJSONListSerializer(FormJSONValueMixin, serializers.ListSerializer):
    pass


class QueryTextField(serializers.CharField):
    """Free text in a query string: U+0000 is allowed here (it simply matches nothing)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        allow_null_characters(self)


class StorableJSONField(serializers.JSONField):
    """A JSON field whose value the database can store (see unstorable_json_reason)."""

    label_for_errors = "Value"

    def to_internal_value(self, data: Any) -> Any:
        try:
            value = super().to_internal_value(data)
        except RecursionError:
            # A form field's JSON text is decoded here, and deep nesting exhausts the decoder.
            raise serializers.ValidationError(
                f"{self.label_for_errors} cannot be nested more than {MAX_JSON_DEPTH} levels deep.",
                code="invalid_input",
            ) from None
        # A form field holding the text `null` parses to None after the usual null check has run.
        if value is None and not self.allow_null:
            self.fail("null")
        reason = unstorable_json_reason(value)
        if reason:
            raise serializers.ValidationError(f"{self.label_for_errors} {reason}.", code="invalid_input")
        return value


@extend_schema_field(
    {
        "type": "string",
        "maxLength": NAME_MAX_LENGTH,
        "pattern": "^[a-zA-Z0-9_-]+$",
        "description": "Letters, digits, '-' and '_'; 'new' (any case) is reserved.",
    }
)
class RecordNameField(serializers.CharField):
    """A versioned record's name: ≤255 chars, not `new`, letters/digits/`-`/`_` only."""

    max_name_length = NAME_MAX_LENGTH
    # The first rule a name breaks, as (message, code); resources with stricter names override it.
    name_rules = staticmethod(name_errors)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", self.max_name_length)
        super().__init__(**kwargs)

    def run_validators(self, value: str) -> None:
        # Length first, then the name rules, so only the first broken rule is reported.
        super().run_validators(value)
        problem = self.name_rules(value)
        if problem:
            message, code = problem
            raise serializers.ValidationError(message, code=code)


ASCII_INTEGER = re.compile(r"-?[0-9]+")


class QueryParamsSerializer(serializers.Serializer):
    """Validates query parameters; blank values count as absent (for the parameters named in
    `exact_empty_fields`, only an empty one: whitespace is a value they refuse)."""

    exact_empty_fields: frozenset[str] = frozenset()

    def __init__(self, *args, query_params=None, **kwargs):
        if query_params is not None:
            kwargs["data"] = {
                key: value
                for key, value in query_params.items()
                if (value if key in self.exact_empty_fields else value.strip()) != ""
            }
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        # `int()` also reads U+0661 (Arabic-Indic one), " 1", "+1" and "1_0"; a query integer is ASCII.
        errors = {}
        for name, field in self.fields.items():
            value = data.get(name) if hasattr(data, "get") else None
            if isinstance(field, serializers.IntegerField) and isinstance(value, str):
                if not ASCII_INTEGER.fullmatch(value):
                    errors[name] = [field.error_messages["invalid"]]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


# Resolve's `offset` beyond any history (a larger one would overflow the database's OFFSET).
MAX_RESOLVE_OFFSET = 2**31 - 1


class VersionQuerySerializer(QueryParamsSerializer):
    """`?version=N` of a GET by name."""

    version = serializers.IntegerField(min_value=1, required=False)


class ResolveQuerySerializer(QueryParamsSerializer):
    """Query of a resolve route: which version to return and which page of the history."""

    version = serializers.IntegerField(min_value=1, required=False)
    version_id = serializers.UUIDField(required=False)
    offset = serializers.IntegerField(min_value=0, required=False)
    before_version = serializers.IntegerField(min_value=1, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=50)

    def validate_offset(self, value: int) -> int:
        return min(value, MAX_RESOLVE_OFFSET)

    def validate(self, attrs: dict) -> dict:
        if "offset" in attrs and "before_version" in attrs:
            raise serializers.ValidationError("Use either offset or before_version, not both.")
        return attrs


class TextEditSerializer(serializers.Serializer):
    """One find/replace edit (see llm_server.text_edits)."""

    old = serializers.CharField()
    # Blank deletes the matched text.
    new = serializers.CharField(allow_blank=True)

    class Meta:
        list_serializer_class = FormJSONListSerializer

    def to_internal_value(self, data: Any) -> TextEdit:
        return TextEdit(**super().to_internal_value(data))


class ReplacingTextEditSerializer(TextEditSerializer):
    """An edit that cannot delete text: `new` is not blank."""

    new = serializers.CharField()


# Each edit rescans the text (up to 1 MB): a bound keeps one request from holding a worker for
# minutes. Far above any real edit session.
MAX_EDITS = 1000


def edit_list(
    serializer_class: type[TextEditSerializer] = TextEditSerializer, **kwargs
) -> TextEditSerializer:
    return serializer_class(
        many=True,
        allow_empty=False,
        max_length=MAX_EDITS,
        error_messages={
            "empty": "At least one edit operation is required.",
            "max_length": f"At most {MAX_EDITS} edit operations are allowed in one request.",
        },
        **kwargs,
    )


class OutlineEntrySerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=1, max_value=6)
    text = serializers.CharField()


@extend_schema_field(OutlineEntrySerializer(many=True))
class OutlineField(serializers.JSONField):
    """A stored outline (llm_server.text_edits.outline), built by the server: no nested serializer
    per entry (a long text has hundreds of headings, on every list row). Keys are put back in the
    documented order, which PostgreSQL's jsonb does not keep."""

    def to_representation(self, value: list[dict]) -> list[dict]:
        return [{"level": entry["level"], "text": entry["text"]} for entry in value]
