"""Log records received over OTLP/HTTP, one row per record, always within one project."""

from django.db import models
from django.utils import timezone

from llm_server.accounts.models import Team
from llm_server.ids import uuid7

SERVICE_NAME_MAX_LENGTH = 255
SEVERITY_TEXT_MAX_LENGTH = 64
EVENT_NAME_MAX_LENGTH = 255
# Hex ids: 16 bytes for a trace, 8 for a span (kept wider for ids sent as other strings).
TRACE_ID_MAX_LENGTH = 64
SPAN_ID_MAX_LENGTH = 32


class LogRecord(models.Model):
    """One OTLP log record. `resource_attributes` and `attributes` map keys to strings; a record
    sent without a time carries its observed time (or the time it arrived) in `timestamp`."""

    uuid = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    timestamp = models.DateTimeField(default=timezone.now)
    observed_timestamp = models.DateTimeField(default=timezone.now)
    body = models.TextField(blank=True, default="")
    severity_text = models.CharField(max_length=SEVERITY_TEXT_MAX_LENGTH, blank=True, default="")
    severity_number = models.IntegerField(default=0)
    service_name = models.CharField(max_length=SERVICE_NAME_MAX_LENGTH, blank=True, default="")
    event_name = models.CharField(max_length=EVENT_NAME_MAX_LENGTH, blank=True, default="")
    resource_attributes = models.JSONField(default=dict, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    trace_id = models.CharField(max_length=TRACE_ID_MAX_LENGTH, blank=True, default="")
    span_id = models.CharField(max_length=SPAN_ID_MAX_LENGTH, blank=True, default="")

    class Meta:
        ordering = ["-timestamp", "uuid"]
        indexes = [
            # Every read is one project's logs in a time window, optionally of some services.
            models.Index(fields=["team", "timestamp"], name="logs_team_timestamp"),
            models.Index(fields=["team", "service_name", "timestamp"], name="logs_team_service_ts"),
            models.Index(fields=["team", "trace_id"], name="logs_team_trace"),
        ]

    def __str__(self) -> str:
        return f"{self.service_name or '-'} {self.severity_text or '-'} {self.timestamp:%Y-%m-%d %H:%M:%S}"
