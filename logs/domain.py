"""Failures of log ingest, answered with the same `{type, code, detail, attr}` bodies as capture."""

from events.domain import CaptureError


class UnsupportedLogsMediaType(CaptureError):
    """A body that is neither OTLP protobuf nor OTLP/JSON (415)."""

    status_code = 415
    error_type = "invalid_request"
    error_code = "unsupported_media_type"
    default_message = "Send OTLP logs as application/x-protobuf or application/json."


class MalformedLogs(CaptureError):
    """A body that does not decode as an OTLP logs export request (400)."""

    error_code = "invalid_otlp_logs"
    default_message = "The body is not a valid OTLP logs export request."

    def __init__(self, reason: str = ""):
        super().__init__(f"Invalid OTLP logs: {reason}" if reason else "")
