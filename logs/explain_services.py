"""Explanation of one log record by the configured model, cached per record."""

import json
import uuid as uuid_lib
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache

from llm_server import llm
from llm_server.domain import DomainValidationError
from logs.explain_domain import ExplanationCallFailed, ExplanationUnreadable, LogNotFound
from logs.explain_serializers import (
    EXPLANATION_JSON_SCHEMA,
    MAX_IMMEDIATE_ACTIONS,
    MAX_PROBABLE_CAUSES,
    LogExplanationSerializer,
)
from logs.models import LogRecord

# A log is addressed by its uuid and a timestamp that may be rounded by the client.
TIMESTAMP_TOLERANCE = timedelta(seconds=1)
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)
RESPONSE_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "log_explanation", "strict": True, "schema": EXPLANATION_JSON_SCHEMA},
}
SYSTEM_PROMPT = f"""You are a senior site reliability engineer helping a developer understand one log record.
Explain what the log means, how serious it is, what probably caused it and what to do now.
Be concrete and grounded in the record's fields; do not invent facts that are not in it, and say so
when the record gives too little to go on.
- severity_assessment: ok (routine), warning (worth a look), error (something failed), critical (an outage or data loss).
- probable_causes: 1 to {MAX_PROBABLE_CAUSES}, most likely first, each with your confidence.
- immediate_actions: 1 to {MAX_IMMEDIATE_ACTIONS}, most urgent first (now, soon or later).
- key_fields: the fields that matter, with attribute_type "log" for log attributes and top-level
  fields, "resource" for resource attributes.
Answer with the JSON object the schema describes, nothing else."""


def cache_key(team_id: int, log_uuid: str, timestamp: datetime) -> str:
    return f"log_explanation:{team_id}:{log_uuid}:{timestamp.isoformat()}"


def find_log(*, team, log_uuid: str, timestamp: datetime) -> LogRecord:
    try:
        parsed = uuid_lib.UUID(log_uuid)
    except ValueError as exc:
        raise LogNotFound() from exc
    # The window is cut at the first and last representable moments.
    low = timestamp - TIMESTAMP_TOLERANCE if timestamp - EARLIEST >= TIMESTAMP_TOLERANCE else EARLIEST
    high = timestamp + TIMESTAMP_TOLERANCE if LATEST - timestamp >= TIMESTAMP_TOLERANCE else LATEST
    log = LogRecord.objects.filter(team=team, uuid=parsed, timestamp__gte=low, timestamp__lte=high).first()
    if log is None:
        raise LogNotFound()
    return log


def describe_log(log: LogRecord) -> str:
    """The record as the model reads it; log attributes that copy a resource key are left out."""
    resource = log.resource_attributes or {}
    attributes = {key: value for key, value in (log.attributes or {}).items() if key not in resource}
    lines = [
        f"Timestamp: {log.timestamp.isoformat()}",
        f"Severity: {log.severity_text or 'unset'} (number {log.severity_number})",
        f"Service: {log.service_name or 'unknown'}",
    ]
    if log.event_name:
        lines.append(f"Event name: {log.event_name}")
    if log.trace_id:
        lines.append(f"Trace id: {log.trace_id}")
    if log.span_id:
        lines.append(f"Span id: {log.span_id}")
    lines += [
        "Body:",
        log.body or "(empty)",
        "Log attributes:",
        json.dumps(attributes, indent=2, sort_keys=True, ensure_ascii=False, default=str),
        "Resource attributes:",
        json.dumps(resource, indent=2, sort_keys=True, ensure_ascii=False, default=str),
    ]
    return "\n".join(lines)


def explanation_messages(log: LogRecord) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Explain this log record.\n\n{describe_log(log)}"},
    ]


def read_explanation(content: str) -> dict[str, Any]:
    """The model's answer checked against the explanation's structure; lists longer than asked
    for are cut to their limits."""
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise ExplanationUnreadable() from exc
    serializer = LogExplanationSerializer(data=data)
    if not isinstance(data, dict) or not serializer.is_valid():
        raise ExplanationUnreadable()
    explanation = dict(serializer.validated_data)
    explanation["probable_causes"] = explanation["probable_causes"][:MAX_PROBABLE_CAUSES]
    explanation["immediate_actions"] = explanation["immediate_actions"][:MAX_IMMEDIATE_ACTIONS]
    return json.loads(json.dumps(explanation))


def explain_log(*, team, log_uuid: str, timestamp: datetime, force_refresh: bool = False) -> dict[str, Any]:
    key = cache_key(team.id, log_uuid, timestamp)
    if not force_refresh:
        cached = cache.get(key)
        if cached is not None:
            return cached
    log = find_log(team=team, log_uuid=log_uuid, timestamp=timestamp)
    try:
        content = llm.chat(
            explanation_messages(log),
            timeout=settings.LLM_EXPLAIN_TIMEOUT_SECONDS,
            response_format=RESPONSE_FORMAT,
        )
    except llm.LLMError as exc:
        raise ExplanationCallFailed() from exc
    if not content or not content.strip():
        raise DomainValidationError("OpenAI returned empty response")
    explanation = read_explanation(content)
    cache.set(key, explanation, settings.LOG_EXPLANATION_CACHE_SECONDS)
    return explanation
