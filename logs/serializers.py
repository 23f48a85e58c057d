"""Query parameters and bodies of the logs endpoints.

`logs/attributes` parses leniently: a malformed parameter falls back to its default, never a 400.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from rest_framework import serializers

from events import wire as capture_wire
from events.domain import MalformedPayload
from logs.selectors import FILTER_TYPES, LOG, RESOURCE, AttributeQuery, property_filter
from spend import dates

DEFAULT_LIMIT = 100
MAX_LIMIT = 100
DEFAULT_WINDOW = timedelta(hours=1)
MAX_SEARCH_LENGTH = 200
MAX_SERVICE_NAMES = 100


def _int(value: str | None, default: int, *, low: int, high: int | None = None) -> int:
    if value is not None and not value.isascii():  # int() and float() also read U+0661 as 1
        return default
    try:
        number = int(value) if value is not None else default
    except ValueError:
        try:
            as_float = float(value)
        except ValueError:
            return default
        if not as_float.is_integer():
            return default
        number = int(as_float)
    if number < low:
        return default
    return min(number, high) if high is not None else number


def _json(value: str | None) -> Any:
    """A JSON parameter with NUL and lone surrogates (which no database query takes) removed or
    replaced, and non-finite numbers read as null; None when it is not JSON."""
    if not value:
        return None
    try:
        return capture_wire.parse_json(value.encode("utf-8", "surrogatepass"))
    except MalformedPayload:
        return None


def _moment(value: Any, now: datetime) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dates.resolve(value.strip(), now)
    except (dates.UnreadableDate, ValueError, OverflowError):
        return None


def _window(value: str | None, now: datetime) -> tuple[datetime, datetime]:
    """`dateRange`'s `date_from`/`date_to`; unreadable or reversed ends give the last hour."""
    date_range = _json(value)
    if not isinstance(date_range, dict):
        date_range = {}
    date_to = _moment(date_range.get("date_to"), now) or now
    date_from = _moment(date_range.get("date_from"), now) or date_to - DEFAULT_WINDOW
    if date_from > date_to:
        return now - DEFAULT_WINDOW, now
    return date_from, date_to


def _service_names(value: str | None) -> tuple[str, ...]:
    names = _json(value)
    if not isinstance(names, list):
        return ()
    return tuple(name.replace("\x00", "") for name in names if isinstance(name, str))[:MAX_SERVICE_NAMES]


def attribute_query(params, *, now: datetime | None = None) -> AttributeQuery:
    """The query of `GET logs/attributes/` from its query string; a malformed `filterGroup` (or a
    filter of a type or operator this server does not apply) is ignored."""
    now = now or datetime.now(tz=UTC)
    date_from, date_to = _window(params.get("dateRange"), now)
    attribute_type = params.get("attribute_type")
    return AttributeQuery(
        attribute_type=attribute_type if attribute_type in (LOG, RESOURCE) else LOG,
        search=(params.get("search") or "").replace("\x00", "")[:MAX_SEARCH_LENGTH],
        date_from=date_from,
        date_to=date_to,
        service_names=_service_names(params.get("serviceNames")),
        limit=_int(params.get("limit"), DEFAULT_LIMIT, low=1, high=MAX_LIMIT),
        offset=_int(params.get("offset"), 0, low=0),
        filters=property_filter(_json(params.get("filterGroup"))),
    )


class LogAttributeSerializer(serializers.Serializer):
    name = serializers.CharField()
    propertyFilterType = serializers.ChoiceField(choices=sorted(FILTER_TYPES.values()))


class LogAttributesResponseSerializer(serializers.Serializer):
    results = LogAttributeSerializer(many=True)
    count = serializers.IntegerField()
