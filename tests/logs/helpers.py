"""Logs helpers: OTLP bodies (JSON and protobuf), raw ingest posts and attribute queries."""

import base64
import gzip
import json
import time
from typing import Any

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

INGEST_URL = "/i/v1/logs"


def attributes_url(team_id: int, prefix: str = "environments") -> str:
    return f"/api/{prefix}/{team_id}/logs/attributes/"


def any_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, list):
        return {"arrayValue": {"values": [any_value(item) for item in value]}}
    if isinstance(value, dict):
        return {"kvlistValue": {"values": key_values(value)}}
    return {"stringValue": value}


def key_values(mapping: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "value": any_value(value)} for key, value in mapping.items()]


def log_record(
    body: Any = "hello",
    *,
    attributes: dict[str, Any] | None = None,
    severity: tuple[str, int] = ("INFO", 9),
    time_nanos: int | None = None,
    trace_id: str = "",
    span_id: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """One OTLP/JSON log record (hex ids, int64s as strings), timed now unless told."""
    record: dict[str, Any] = {
        "timeUnixNano": str(time_nanos if time_nanos is not None else time.time_ns()),
        "severityText": severity[0],
        "severityNumber": severity[1],
        "body": any_value(body),
        "attributes": key_values(attributes or {}),
        **extra,
    }
    if trace_id:
        record["traceId"] = trace_id
    if span_id:
        record["spanId"] = span_id
    return record


def otlp_json(
    records: list[dict[str, Any]], *, service: str | None = "api", resource: dict[str, Any] | None = None
) -> dict[str, Any]:
    resource_attributes = dict(resource or {})
    if service is not None:
        resource_attributes = {"service.name": service, **resource_attributes}
    return {
        "resourceLogs": [
            {
                "resource": {"attributes": key_values(resource_attributes)},
                "scopeLogs": [{"scope": {"name": "tests"}, "logRecords": records}],
            }
        ]
    }


def otlp_protobuf(body: dict[str, Any]) -> bytes:
    """The protobuf encoding of an OTLP/JSON body (its hex ids turned into bytes)."""
    data = json.loads(json.dumps(body))
    for resource_logs in data["resourceLogs"]:
        for scope_logs in resource_logs["scopeLogs"]:
            for record in scope_logs["logRecords"]:
                for name in ("traceId", "spanId"):
                    if name in record:
                        record[name] = base64.b64encode(bytes.fromhex(record[name])).decode()
    return json_format.ParseDict(data, ExportLogsServiceRequest()).SerializeToString()


def ingest(
    client,
    body: dict[str, Any] | bytes | str,
    *,
    token: str | None = None,
    content_type: str = "application/json",
    compress: bool = False,
    via: str = "header",
    path: str = INGEST_URL,
    **headers: str,
):
    """POSTs an ingest body: a dict as JSON, bytes/str as they are; the token in the header or query."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    if isinstance(data, str):
        data = data.encode()
    if compress:
        data = gzip.compress(data)
        headers["HTTP_CONTENT_ENCODING"] = "gzip"
    if token is not None and via == "header":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if token is not None and via == "query":
        path = f"{path}?token={token}"
    return client.generic("POST", path, data, content_type=content_type, **headers)


def seed(client, token: str, records: list[dict[str, Any]], **body_options: Any) -> None:
    response = ingest(client, otlp_json(records, **body_options), token=token)
    assert response.status_code == 200, response.content
