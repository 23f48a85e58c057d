"""What a scorer may be configured with, and what a score given with it must be.

Config, per kind (every key optional unless noted; only the keys sent are stored):

- categorical: `options` (required, ≥1 `{key, label}`), `selection_mode` (`single` | `multiple`,
  `single` when absent), `min_selections` / `max_selections` (multiple mode only),
  `passing_rule` (`{"categories": [option keys]}` or null).
- numeric: `min`, `max`, `step` (floats or null), `passing_rule`
  (`{"operator": "gte" | "lte", "threshold": number}` or null).
- boolean: `true_label`, `false_label` (non-blank), `true_is_failure` (bool or null).

Exported names:

- `validate_config(kind: str, data: Any) -> dict[str, Any]`: the normalized config (option keys
  trimmed and lowercased, numbers as floats, passing categories sorted), or a DRF
  `ValidationError` whose detail is keyed like the config (`{"options": [...]}`), so under a
  serializer field `config` the envelope's attr reads `config__options`. Unknown top-level keys
  are an error on the config itself.
- `ScoreConfigField`: a serializer field that validates with the kind its parent serializer's
  `config_kind()` returns.
- `OptionKeyField`: a serializer field for one option key (trimmed, lowercased, ≤128 characters,
  lowercase letters and digits in words joined by single `_` or `-`); use it for
  `categorical_values` entries too.
- `score_value_error(kind: str, config: dict, *, categorical_values: list[str] | None = None,
  numeric_value: Decimal | float | int | None = None, boolean_value: bool | None = None)
  -> ScoreValueError | None`: the first rule a score given with this config breaks, as
  `ScoreValueError(field, message)` where `field` is `categorical_values`, `numeric_value` or
  `boolean_value`; None when the score is acceptable. Checks that the value the kind needs is
  present, categorical keys against the options, single vs multiple, min/max selections, numeric
  min/max/step. Pure: no database access. Categorical values are compared as given (normalize them
  with `OptionKeyField` first); "exactly one value field" and duplicate keys are the caller's.
- `score_value_errors(...)`: the same arguments; just the message (`str | None`).
"""

import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, NamedTuple

from drf_spectacular.serializers import PolymorphicProxySerializerExtension
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from llm_server.serializers import FormJSONValueMixin
from scores.models import ScoreKind

OPTION_KEY_MAX_LENGTH = 128
OPTION_LABEL_MAX_LENGTH = 256
OPTION_KEY_PATTERN = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)*")
OPTION_KEY_MESSAGE = "`key` must use lowercase letters, numbers, underscores, or hyphens."
SINGLE = "single"
MULTIPLE = "multiple"


def _as_plain(value: Any) -> Any:
    """Validated data as plain dicts and lists, ready to store as JSON."""
    if isinstance(value, Mapping):
        return {key: _as_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_plain(item) for item in value]
    return value


def _keyed_error(path: tuple[str, ...], message: str) -> serializers.ValidationError:
    """An error on a nested key: `("passing_rule", "threshold")` → attr `…__passing_rule__threshold`."""
    detail: Any = [serializers.ErrorDetail(message, code="invalid")]
    for key in reversed(path):
        detail = {key: detail}
    return serializers.ValidationError(detail)


class OptionKeyField(serializers.CharField):
    """A categorical option key: trimmed, at most 128 characters, lowercased, then it must be
    lowercase letters and digits in words joined by single underscores or hyphens."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", OPTION_KEY_MAX_LENGTH)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)
        if value is None:
            return value
        value = value.lower()
        if not OPTION_KEY_PATTERN.fullmatch(value):
            raise serializers.ValidationError(OPTION_KEY_MESSAGE, code="invalid")
        return value


class NumberField(serializers.FloatField):
    """A finite number, stored as a float. Booleans are not numbers here, nor is an integer too
    large for a float."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            try:
                float(data)
            except OverflowError:
                self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "number", "format": "double"})
class ThresholdField(serializers.Field):
    """A passing threshold: a JSON number (not a boolean, not a string), finite; stored as a float."""

    default_error_messages = {"invalid": "Provide a finite number."}

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        try:
            value = float(data)
        except OverflowError:
            self.fail("invalid")
        if not math.isfinite(value):
            self.fail("invalid")
        return value

    def to_representation(self, value: Any) -> Any:
        return value


class StrictKeysSerializer(serializers.Serializer):
    """A nested object whose unknown keys are an error on the object itself (checked before its
    fields), not silently dropped."""

    def unknown_keys_message(self, unknown: list[str]) -> str:
        raise NotImplementedError

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(self.unknown_keys_message(unknown), code="invalid")
        return super().to_internal_value(data)


# ---- categorical --------------------------------------------------------------------------------


class CategoricalOptionSerializer(serializers.Serializer):
    """One choice a reviewer can pick. Other keys in the object are dropped."""

    key = OptionKeyField(help_text="Stable key, sent back when the option is selected; stored lowercased.")
    label = serializers.CharField(max_length=OPTION_LABEL_MAX_LENGTH, help_text="Label shown to reviewers.")


class CategoryPassingRuleSerializer(StrictKeysSerializer):
    """Which selected categories count as a pass."""

    categories = serializers.ListField(
        child=serializers.CharField(max_length=OPTION_KEY_MAX_LENGTH),
        help_text="Option keys that pass, each once; stored sorted.",
    )

    def unknown_keys_message(self, unknown: list[str]) -> str:
        return "Only category keys may be configured in this rule."

    def validate_categories(self, value: list[str]) -> list[str]:
        keys = [key.lower() for key in value]
        if len(set(keys)) != len(keys):
            raise serializers.ValidationError("Select each passing category only once.")
        return sorted(keys)


class CategoricalConfigSerializer(serializers.Serializer):
    """Config of a categorical scorer."""

    options = CategoricalOptionSerializer(many=True, help_text="The choices, in display order; keys unique.")
    selection_mode = serializers.ChoiceField(
        choices=[(SINGLE, SINGLE), (MULTIPLE, MULTIPLE)],
        required=False,
        help_text="`single` (the default) or `multiple` options per score.",
    )
    min_selections = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Multiple mode only: fewest options to pick."
    )
    max_selections = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Multiple mode only: most options to pick."
    )
    passing_rule = CategoryPassingRuleSerializer(required=False, allow_null=True)

    def validate_options(self, value: list[dict]) -> list[dict]:
        if not value:
            raise serializers.ValidationError("Provide at least one categorical option.")
        keys = [option["key"] for option in value]
        if len(set(keys)) != len(keys):
            raise serializers.ValidationError("Categorical option keys must be unique.")
        return value

    def validate(self, attrs: dict) -> dict:
        mode = attrs.get("selection_mode") or SINGLE
        minimum, maximum = attrs.get("min_selections"), attrs.get("max_selections")
        option_count = len(attrs["options"])
        if mode == SINGLE:
            for name, value in (("min_selections", minimum), ("max_selections", maximum)):
                if value is not None:
                    raise _keyed_error(
                        (name,), f"`{name}` is only supported when `selection_mode` is `multiple`."
                    )
        else:
            if minimum is not None and minimum > option_count:
                raise _keyed_error(
                    ("min_selections",),
                    "Ensure `min_selections` is less than or equal to the number of options.",
                )
            if maximum is not None and maximum > option_count:
                raise _keyed_error(
                    ("max_selections",),
                    "Ensure `max_selections` is less than or equal to the number of options.",
                )
            if minimum is not None and maximum is not None and minimum > maximum:
                raise _keyed_error(
                    ("max_selections",),
                    "Ensure `max_selections` is greater than or equal to `min_selections`.",
                )
        rule = attrs.get("passing_rule")
        if rule is not None:
            option_keys = {option["key"] for option in attrs["options"]}
            path = ("passing_rule", "categories")
            if not set(rule["categories"]) <= option_keys:
                raise _keyed_error(path, "Choose passing categories from the configured options.")
            if mode == SINGLE and not rule["categories"]:
                raise _keyed_error(path, "Choose at least one passing category.")
        return attrs


# ---- numeric ------------------------------------------------------------------------------------


class NumericPassingRuleSerializer(StrictKeysSerializer):
    """A score passes when it is at least (`gte`) or at most (`lte`) the threshold."""

    operator = serializers.ChoiceField(choices=[("gte", "gte"), ("lte", "lte")])
    threshold = ThresholdField(help_text="A finite number within `min`..`max`.")

    def unknown_keys_message(self, unknown: list[str]) -> str:
        return f"Unsupported passing rule keys: {unknown}."


class NumericConfigSerializer(serializers.Serializer):
    """Config of a numeric scorer. `{}` allows any number."""

    min = NumberField(required=False, allow_null=True, help_text="Inclusive minimum.")
    max = NumberField(required=False, allow_null=True, help_text="Inclusive maximum (≥ `min`).")
    step = NumberField(
        required=False, allow_null=True, help_text="Increment from `min` (or 0), e.g. 1 or 0.5; > 0."
    )
    passing_rule = NumericPassingRuleSerializer(required=False, allow_null=True)

    def validate(self, attrs: dict) -> dict:
        minimum, maximum, step = attrs.get("min"), attrs.get("max"), attrs.get("step")
        if minimum is not None and maximum is not None and minimum > maximum:
            raise _keyed_error(("max",), "Ensure `max` is greater than or equal to `min`.")
        if step is not None and step <= 0:
            raise _keyed_error(("step",), "Ensure `step` is greater than 0.")
        rule = attrs.get("passing_rule")
        if rule is not None:
            path = ("passing_rule", "threshold")
            if minimum is not None and rule["threshold"] < minimum:
                raise _keyed_error(path, "The passing threshold must be at least `min`.")
            if maximum is not None and rule["threshold"] > maximum:
                raise _keyed_error(path, "The passing threshold must be at most `max`.")
        return attrs


# ---- boolean ------------------------------------------------------------------------------------


class BooleanConfigSerializer(serializers.Serializer):
    """Config of a boolean scorer. `{}` is valid."""

    true_label = serializers.CharField(required=False, help_text="Label of `true`, e.g. Yes.")
    false_label = serializers.CharField(required=False, help_text="Label of `false`, e.g. No.")
    true_is_failure = serializers.BooleanField(
        required=False, allow_null=True, help_text="Whether `true` means the trace failed (e.g. toxic)."
    )


CONFIG_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    ScoreKind.CATEGORICAL: CategoricalConfigSerializer,
    ScoreKind.NUMERIC: NumericConfigSerializer,
    ScoreKind.BOOLEAN: BooleanConfigSerializer,
}


def allowed_config_keys(kind: str) -> list[str]:
    return sorted(CONFIG_SERIALIZERS[kind]().fields)


def validate_config(kind: str, data: Any) -> dict[str, Any]:
    """The normalized config of a `kind` scorer, or a ValidationError keyed like the config."""
    serializer_class = CONFIG_SERIALIZERS.get(kind)
    if serializer_class is None:
        raise serializers.ValidationError("Unsupported score definition kind.", code="invalid")
    if isinstance(data, Mapping):
        allowed = allowed_config_keys(kind)
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise serializers.ValidationError(
                f"Unsupported keys for `kind` `{kind}`: {unknown}. Allowed keys: {allowed}.", code="invalid"
            )
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise serializers.ValidationError(serializer.errors)
    return _as_plain(serializer.validated_data)


class AnyOfProxySerializer(PolymorphicProxySerializer):
    """A schema-only union whose shapes may overlap: a value is documented as matching any of them
    (`anyOf`), since `{}` is a valid numeric and boolean config alike and a `oneOf` would reject it."""


class AnyOfProxySerializerExtension(PolymorphicProxySerializerExtension):
    target_class = AnyOfProxySerializer

    def map_serializer(self, auto_schema, direction):
        return {"anyOf": super().map_serializer(auto_schema, direction)["oneOf"]}


CONFIG_SCHEMA = AnyOfProxySerializer(
    component_name="ScoreDefinitionConfig",
    serializers=[CategoricalConfigSerializer, NumericConfigSerializer, BooleanConfigSerializer],
    resource_type_field_name=None,
)


@extend_schema_field(CONFIG_SCHEMA)
class ScoreConfigField(FormJSONValueMixin, serializers.Field):
    """A scorer config (a JSON object), validated against the kind that the parent serializer's
    `config_kind()` names (None: the kind is not known, which the kind field reports)."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        kind = self.parent.config_kind()
        if kind is None:
            raise serializers.ValidationError("Set `kind` before validating `config`.", code="invalid")
        return validate_config(kind, data)

    def to_representation(self, value: Any) -> Any:
        return value


# ---- scores given with a config -------------------------------------------------------------------


class ScoreValueError(NamedTuple):
    field: str
    message: str


def _int_from_config(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _decimal_from_config(value: Any) -> Decimal | None:
    """A stored number as the decimal it reads as (`5.0`, `0.5`), or None if unset or unusable."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _categorical_error(config: Mapping, values: list[str] | None) -> ScoreValueError | None:
    field = "categorical_values"
    if values is None:
        return ScoreValueError(field, "This scorer requires `categorical_values`.")
    options = config.get("options")
    keys = {
        option["key"]
        for option in (options if isinstance(options, list) else [])
        if isinstance(option, Mapping) and isinstance(option.get("key"), str)
    }
    if any(value not in keys for value in values):
        return ScoreValueError(field, "Select valid categorical option keys.")
    count = len(values)
    if (config.get("selection_mode") or SINGLE) == SINGLE:
        if count != 1:
            return ScoreValueError(field, "This scorer allows exactly one categorical option.")
        return None
    minimum = _int_from_config(config.get("min_selections"))
    maximum = _int_from_config(config.get("max_selections"))
    if minimum is not None and count < minimum:
        return ScoreValueError(field, f"Select at least {minimum} categorical options.")
    if maximum is not None and count > maximum:
        return ScoreValueError(field, f"Select no more than {maximum} categorical options.")
    return None


def _numeric_error(config: Mapping, value: Decimal | float | int | None) -> ScoreValueError | None:
    field = "numeric_value"
    if value is None:
        return ScoreValueError(field, "This scorer requires `numeric_value`.")
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return ScoreValueError(field, "Provide a finite numeric value.")
    minimum = _decimal_from_config(config.get("min"))
    maximum = _decimal_from_config(config.get("max"))
    step = _decimal_from_config(config.get("step"))
    if minimum is not None and number < minimum:
        return ScoreValueError(field, f"Ensure this value is greater than or equal to {minimum}.")
    if maximum is not None and number > maximum:
        return ScoreValueError(field, f"Ensure this value is less than or equal to {maximum}.")
    if step is not None and step > 0:
        # Exact rational arithmetic: no rounding, and no overflow for a tiny step.
        base = minimum if minimum is not None else Decimal(0)
        if (Fraction(number) - Fraction(base)) % Fraction(step) != 0:
            return ScoreValueError(field, f"Ensure this value increments by {step}.")
    return None


def score_value_error(
    kind: str,
    config: Mapping[str, Any],
    *,
    categorical_values: list[str] | None = None,
    numeric_value: Decimal | float | int | None = None,
    boolean_value: bool | None = None,
) -> ScoreValueError | None:
    """The first rule a score breaks for a `kind` scorer with this config, or None."""
    if kind == ScoreKind.CATEGORICAL:
        return _categorical_error(config, categorical_values)
    if kind == ScoreKind.NUMERIC:
        return _numeric_error(config, numeric_value)
    if boolean_value is None:
        return ScoreValueError("boolean_value", "This scorer requires `boolean_value`.")
    return None


def score_value_errors(
    kind: str,
    config: Mapping[str, Any],
    *,
    categorical_values: list[str] | None = None,
    numeric_value: Decimal | float | int | None = None,
    boolean_value: bool | None = None,
) -> str | None:
    """The message of `score_value_error`, or None when the score is acceptable."""
    error = score_value_error(
        kind,
        config,
        categorical_values=categorical_values,
        numeric_value=numeric_value,
        boolean_value=boolean_value,
    )
    return error.message if error else None
