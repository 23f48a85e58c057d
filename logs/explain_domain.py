"""Domain errors of log explanation."""

from typing import Any

from llm_server.domain import DetailError, ServiceFailure


class LogNotFound(DetailError):
    """No log of the project has this uuid at this time (404 `{"error": "Log not found"}`)."""

    status_code = 404

    def __init__(self):
        super().__init__("Log not found")

    def body(self) -> dict[str, Any]:
        return {"error": self.message}


class ExplanationCallFailed(ServiceFailure):
    """The model could not be asked (unreachable, an error status, a timeout)."""

    def __init__(self):
        super().__init__("Failed to generate log explanation")


class ExplanationUnreadable(DetailError):
    """The model answered something that is not the explanation's structure."""

    status_code = 500

    def __init__(self):
        super().__init__("An error occurred while generating the explanation")

    def body(self) -> dict[str, Any]:
        return {"error": "Failed to generate explanation", "detail": self.message}
