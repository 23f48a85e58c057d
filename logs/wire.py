"""The OTLP/HTTP logs wire format: a bounded body read, gzip, protobuf or OTLP/JSON, the token.

Both encodings decode into the `opentelemetry-proto` export request; OTLP/JSON differs from the
protobuf JSON mapping only in its hex trace and span ids, which are turned into bytes first. Each
log record becomes a `LogInput` whose attribute maps hold strings (other values as JSON text).
"""

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from events import wire as capture_wire
from events.domain import NoData
from logs.domain import MalformedLogs, UnsupportedLogsMediaType
from logs.models import (
    EVENT_NAME_MAX_LENGTH,
    SERVICE_NAME_MAX_LENGTH,
    SEVERITY_TEXT_MAX_LENGTH,
    SPAN_ID_MAX_LENGTH,
    TRACE_ID_MAX_LENGTH,
)

PROTOBUF = "protobuf"
JSON = "json"
PROTOBUF_TYPES = {"application/x-protobuf", "application/protobuf", "application/octet-stream"}
JSON_TYPES = {"application/json", "text/json"}
SERVICE_NAME_KEY = "service.name"
ID_FIELDS = ("traceId", "trace_id", "spanId", "span_id")
# Nanoseconds past the largest datetime are unrepresentable: such a record keeps its observed time.
MAX_UNIX_NANOS = int(datetime(9999, 12, 31, tzinfo=UTC).timestamp()) * 10**9


@dataclass(frozen=True)
class LogInput:
    timestamp: datetime
    observed_timestamp: datetime
    body: str
    severity_text: str
    severity_number: int
    service_name: str
    event_name: str
    resource_attributes: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)
    trace_id: str = ""
    span_id: str = ""


def encoding_of(request: HttpRequest, body: bytes) -> str:
    """Protobuf or JSON, by `Content-Type`; without one, a body starting with `{` is JSON."""
    content_type = (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type in PROTOBUF_TYPES:
        return PROTOBUF
    if content_type in JSON_TYPES:
        return JSON
    if not content_type:
        return JSON if body.lstrip()[:1] == b"{" else PROTOBUF
    raise UnsupportedLogsMediaType()


def token_of(request: HttpRequest) -> str | None:
    """`Authorization: Bearer <token>` or `?token=`."""
    scheme, _, credential = (request.META.get("HTTP_AUTHORIZATION") or "").strip().partition(" ")
    if scheme.lower() == "bearer" and credential.strip():
        return credential.strip()
    return request.GET.get("token") or None


def read_body(request: HttpRequest) -> bytes:
    """The raw body within the capture size limits, decompressed when gzip (by header or magic)."""
    body = capture_wire.read_body(request)
    encoding = (request.META.get("HTTP_CONTENT_ENCODING") or "").strip().lower()
    if encoding in capture_wire.GZIP_NAMES or body.startswith(capture_wire.GZIP_MAGIC):
        body = capture_wire.gunzip(body, limit=capture_wire.max_decompressed_bytes())
    elif encoding not in ("", "identity"):
        raise UnsupportedLogsMediaType(f"Unsupported Content-Encoding '{encoding[:40]}': send gzip or none.")
    return body


def _hex_to_base64(value: Any, name: str) -> Any:
    if not isinstance(value, str):
        return value
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise MalformedLogs(f"{name} must be a hex string.") from None
    return base64.b64encode(raw).decode("ascii")


def _ids_as_base64(data: Any) -> None:
    """Rewrites the hex ids of every log record of an OTLP/JSON body, in place."""
    for resource_logs in _dicts(data.get("resourceLogs", data.get("resource_logs"))):
        for scope_logs in _dicts(resource_logs.get("scopeLogs", resource_logs.get("scope_logs"))):
            for record in _dicts(scope_logs.get("logRecords", scope_logs.get("log_records"))):
                for name in ID_FIELDS:
                    if name in record:
                        record[name] = _hex_to_base64(record[name], name)


def _dicts(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def parse_request(body: bytes, encoding: str) -> ExportLogsServiceRequest:
    message = ExportLogsServiceRequest()
    if encoding == PROTOBUF:
        try:
            message.ParseFromString(body)
        except (DecodeError, RecursionError, ValueError) as exc:
            raise MalformedLogs(f"the protobuf body does not decode ({exc}).") from None
        return message
    data = capture_wire.parse_json(body)
    if not isinstance(data, dict):
        raise MalformedLogs("the JSON body must be an object with `resourceLogs`.")
    _ids_as_base64(data)
    try:
        json_format.ParseDict(data, message, ignore_unknown_fields=True)
    except (json_format.ParseError, RecursionError, ValueError, TypeError) as exc:
        raise MalformedLogs(str(exc)[:300]) from None
    return message


def _clean(text: str, limit: int | None = None) -> str:
    # PostgreSQL stores no NUL character in text or jsonb.
    text = text.replace("\x00", "")
    return text[:limit] if limit is not None else text


def _plain(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "kvlist_value":
        return {_clean(item.key): _plain(item.value) for item in value.kvlist_value.values}
    if kind == "array_value":
        return [_plain(item) for item in value.array_value.values]
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode("ascii")
    if kind == "string_value":
        return _clean(value.string_value)
    return getattr(value, kind)


def as_text(value: AnyValue) -> str:
    """A value as the text stored for it: strings as they are, `true`/`false`, numbers, and lists
    or maps as JSON."""
    plain = _plain(value)
    if plain is None:
        return ""
    if isinstance(plain, str):
        return plain
    if isinstance(plain, bool):
        return "true" if plain else "false"
    if isinstance(plain, int | float):
        return json.dumps(plain) if isinstance(plain, int) or plain == plain else "NaN"
    return json.dumps(plain, ensure_ascii=False, default=str)


def attribute_map(attributes) -> dict[str, str]:
    return {_clean(item.key): as_text(item.value) for item in attributes if item.key}


def _datetime(unix_nanos: int) -> datetime | None:
    if not unix_nanos or unix_nanos > MAX_UNIX_NANOS:
        return None
    seconds, nanos = divmod(unix_nanos, 10**9)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=nanos // 1000)


def _hex_id(raw: bytes, limit: int) -> str:
    # An all-zero id means "no id" in OTLP.
    return raw.hex()[:limit] if raw.strip(b"\x00") else ""


def log_inputs(message: ExportLogsServiceRequest, *, received_at: datetime) -> list[LogInput]:
    """Every log record of the request; a record without a time takes its observed time, and one
    without that the time it arrived."""
    records: list[LogInput] = []
    for resource_logs in message.resource_logs:
        resource = attribute_map(resource_logs.resource.attributes)
        service_name = resource.get(SERVICE_NAME_KEY, "")[:SERVICE_NAME_MAX_LENGTH]
        for scope_logs in resource_logs.scope_logs:
            for record in scope_logs.log_records:
                observed = _datetime(record.observed_time_unix_nano) or received_at
                records.append(
                    LogInput(
                        timestamp=_datetime(record.time_unix_nano) or observed,
                        observed_timestamp=observed,
                        body=as_text(record.body),
                        severity_text=_clean(record.severity_text, SEVERITY_TEXT_MAX_LENGTH),
                        severity_number=int(record.severity_number),
                        service_name=service_name,
                        event_name=_clean(record.event_name, EVENT_NAME_MAX_LENGTH),
                        resource_attributes=resource,
                        attributes=attribute_map(record.attributes),
                        trace_id=_hex_id(record.trace_id, TRACE_ID_MAX_LENGTH),
                        span_id=_hex_id(record.span_id, SPAN_ID_MAX_LENGTH),
                    )
                )
    return records


def read_logs(request: HttpRequest, body: bytes, *, received_at: datetime) -> tuple[list[LogInput], str]:
    """The log records of a request body, and the encoding its answer uses."""
    if not body:
        raise NoData()
    encoding = encoding_of(request, body)
    return log_inputs(parse_request(body, encoding), received_at=received_at), encoding


def empty_response(encoding: str) -> tuple[bytes, str]:
    """The OTLP success body (an empty ExportLogsServiceResponse) and its content type."""
    if encoding == PROTOBUF:
        return ExportLogsServiceResponse().SerializeToString(), "application/x-protobuf"
    return b"{}", "application/json"
