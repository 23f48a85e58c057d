"""Rendering model rows without DRF's per-field dispatch, for lists of a hundred rows.

DRF renders each field of each row through `get_attribute` and `to_representation`, which is most
of a list's time. For fields whose rendering is plain (a stored string, number, bool, UUID, JSON or
UTC timestamp), `FastReadMixin` reads the loaded value and converts it directly; everything else
(nested serializers, method fields, custom fields, values not loaded) takes DRF's own path, so the
output is the same byte for byte.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

ZERO = timedelta(0)
_MISSING = object()
_SHADOWED: dict[tuple[type, str], bool] = {}


def _shadowed(model: type, attr: str) -> bool:
    """Whether the class defines `attr` as a property: then the instance dict is not what DRF reads."""
    key = (model, attr)
    found = _SHADOWED.get(key)
    if found is None:
        found = _SHADOWED[key] = isinstance(getattr(model, attr, None), property)
    return found


def _as_str(value: Any) -> str:
    return value if type(value) is str else str(value)


def _as_int(value: Any) -> int:
    return value if type(value) is int else int(value)


def _as_is(value: Any) -> Any:
    return value


def _utc_iso(value: Any) -> Any:
    """DRF's ISO 8601 rendering of an aware UTC datetime (`…Z`); None means "not this fast path"."""
    if getattr(value, "utcoffset", None) is None or value.utcoffset() != ZERO:
        return _MISSING
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _bool(value: Any) -> Any:
    return value if type(value) is bool else _MISSING


def _converter(field: serializers.Field) -> Callable[[Any], Any] | None:
    """The direct conversion equal to `field.to_representation`, or None when there is none."""
    kind = type(field)
    method = kind.to_representation
    if method is serializers.CharField.to_representation:
        return _as_str
    if method is serializers.IntegerField.to_representation:
        return _as_int
    if method is serializers.BooleanField.to_representation:
        return _bool
    if method is serializers.UUIDField.to_representation and field.uuid_format == "hex_verbose":
        return _as_str
    if method is serializers.JSONField.to_representation and not field.binary:
        return _as_is
    if method is serializers.ReadOnlyField.to_representation:
        return _as_is
    if method is serializers.DateTimeField.to_representation:
        output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
        utc = settings.USE_TZ and settings.TIME_ZONE == "UTC" and getattr(field, "timezone", None) is None
        if output_format == ISO_8601 and utc:
            return _utc_iso
    return None


class FastReadMixin:
    """For a Serializer of model instances: plain fields are rendered directly (see module doc)."""

    def _read_plan(self) -> list[tuple[str, str | None, Callable[[Any], Any] | None, serializers.Field]]:
        plan = self.__dict__.get("_fast_read_plan")
        if plan is None:
            plan = []
            for field in self._readable_fields:
                simple = len(field.source_attrs) == 1 and field.source != "*"
                convert = _converter(field) if simple else None
                plan.append((field.field_name, field.source_attrs[0] if convert else None, convert, field))
            self.__dict__["_fast_read_plan"] = plan
        return plan

    def to_representation(self, instance: Any) -> dict:
        if not isinstance(instance, models.Model):
            return super().to_representation(instance)
        loaded = instance.__dict__
        model = type(instance)
        row = {}
        for name, attr, convert, field in self._read_plan():
            if convert is not None and not _shadowed(model, attr):
                # Only values already loaded (columns and annotations): no descriptor, no query.
                value = loaded.get(attr, _MISSING)
                if value is None:
                    row[name] = None
                    continue
                if value is not _MISSING:
                    value = convert(value)
                    if value is not _MISSING:
                        row[name] = value
                        continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            row[name] = None if check_for_none is None else field.to_representation(attribute)
        return row
