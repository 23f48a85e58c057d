"""Writes of log records: a request's records go in with one bulk insert."""

from collections.abc import Sequence

from logs.models import LogRecord
from logs.wire import LogInput


def ingest_logs(*, team_id: int, records: Sequence[LogInput]) -> int:
    """Stores the records in the project; returns how many were stored."""
    if not records:
        return 0
    rows = [
        LogRecord(
            team_id=team_id,
            timestamp=record.timestamp,
            observed_timestamp=record.observed_timestamp,
            body=record.body,
            severity_text=record.severity_text,
            severity_number=record.severity_number,
            service_name=record.service_name,
            event_name=record.event_name,
            resource_attributes=record.resource_attributes,
            attributes=record.attributes,
            trace_id=record.trace_id,
            span_id=record.span_id,
        )
        for record in records
    ]
    LogRecord.objects.bulk_create(rows)
    return len(rows)
