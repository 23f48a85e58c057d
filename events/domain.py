"""Failures of event capture, each answered with the full `{type, code, detail, attr}` body that
the capture endpoints have always used (the SDKs read `detail`)."""

from typing import Any

from llm_server.domain import DetailError


class CaptureError(DetailError):
    """Base of the capture failures; subclasses set the status, type, code and default detail."""

    status_code = 400
    error_type = "validation_error"
    error_code = "invalid_payload"
    default_message = "Malformed request data."

    def __init__(self, message: str = ""):
        super().__init__(message or self.default_message, code=self.error_code)

    def body(self) -> dict[str, Any]:
        return {"type": self.error_type, "code": self.error_code, "detail": self.message, "attr": None}

    def extra(self) -> dict[str, Any]:
        return {"type": self.error_type, "code": self.error_code, "attr": None}


class MissingApiKey(CaptureError):
    status_code = 401
    error_type = "authentication_error"
    error_code = "missing_api_key"
    default_message = "API key not provided. You can find your project API key in PostHog project settings."


class InvalidApiKey(CaptureError):
    status_code = 401
    error_type = "authentication_error"
    error_code = "invalid_api_key"
    default_message = (
        "Project API key invalid. You can find your project API key in PostHog project settings."
    )


class MalformedPayload(CaptureError):
    """The body is not gzip, JSON or an event payload it claims to be (400)."""

    def __init__(self, reason: str = ""):
        super().__init__(f"Malformed request data: {reason}" if reason else "")


class NoData(CaptureError):
    error_code = "no_data"
    default_message = (
        "No data found. Make sure to use a POST request when sending the payload in the body of the request."
    )


class PayloadTooLarge(CaptureError):
    """The body, or what it decompresses to, is over the limit (413)."""

    status_code = 413
    error_type = "invalid_request"
    error_code = "request_too_large"
    default_message = "The request body is larger than this server accepts."
