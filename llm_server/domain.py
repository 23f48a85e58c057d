"""Domain errors raised by services and selectors.

Each error carries everything its HTTP answer needs (status, code, attr, the fields of a bespoke
body); `llm_server.errors.exception_handler` renders every one of them, so no view maps errors
itself. Wording that names the kind of record ("Skill with name … not found.") takes the noun
from the view (`record_noun`).
"""

from typing import Any


class DomainError(Exception):
    """Base of every expected failure of a write or read."""

    status_code = 400

    def __init__(self, message: str = "", *, attr: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.attr = attr
        self.code = code


class DomainValidationError(DomainError):
    """Input that is well-formed but not acceptable: a 400 validation envelope on `attr`."""


class NameTaken(DomainError):
    """Another active record already uses `name`: a 400 on `attr` (code `unique`) whose detail
    names the kind of record, never the name itself."""

    def __init__(self, name: str, *, attr: str = "name"):
        super().__init__(f"The name '{name}' is taken.", attr=attr, code="unique")
        self.name = name


class ObjectNotFound(DomainError):
    """The addressed record does not exist in this project (404).

    With a `name`, the body is `{"detail": "<Noun> with name '<name>' not found."}`; without one,
    the standard not-found envelope.
    """

    status_code = 404

    def __init__(self, name: str | None = None):
        super().__init__(f"No record named '{name}'." if name is not None else "Not found.")
        self.name = name


class VersionConflict(DomainError):
    """`base_version` is not the current version: 409 `{"detail", "current_version"}`."""

    status_code = 409

    def __init__(self, current_version: int):
        super().__init__("The record changed since it was read.")
        self.current_version = current_version


class VersionLimitReached(DomainError):
    """The history has reached its version ceiling: 400 `{"detail"}`."""

    def __init__(self, limit: int):
        super().__init__(f"Reached the maximum of {limit} versions.")
        self.limit = limit


class DetailError(DomainError):
    """A failure answered with a plain `{"detail": message, **extra}` body (no envelope), for
    resources whose clients expect that shape. Subclasses set `status_code`."""

    def body(self) -> dict[str, Any]:
        return {"detail": self.message, **self.extra()}

    def extra(self) -> dict[str, Any]:
        return {}


class EditFailed(DetailError):
    """A find/replace edit did not match exactly once, or its result is too large (400); the body
    names the edit (`edit_index`) and, for a skill file edit, the file (`file_path`)."""

    status_code = 400

    def __init__(self, message: str, *, edit_index: int | None = None, file_path: str | None = None):
        super().__init__(message)
        self.edit_index = edit_index
        self.file_path = file_path

    def extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.edit_index is not None:
            extra["edit_index"] = self.edit_index
        if self.file_path is not None:
            extra["file_path"] = self.file_path
        return extra


class ServiceFailure(DetailError):
    """A failure answered with the error envelope under its own status, `type` and `code`
    (`attr` null). Subclasses set `status_code`, `error_type` and `default_code`."""

    status_code = 500
    error_type = "server_error"
    default_code = "error"

    def __init__(self, message: str):
        super().__init__(message, code=self.default_code)

    def body(self) -> dict[str, Any]:
        return {"type": self.error_type, "code": self.code, "detail": self.message, "attr": None}


class LLMNotConfigured(ServiceFailure):
    """No model is configured for the LLM-backed endpoints (503 `llm_not_configured`)."""

    status_code = 503
    default_code = "llm_not_configured"

    def __init__(self):
        super().__init__(
            "No LLM is configured on this server. Set LLM_API_BASE_URL (an OpenAI-compatible API) "
            "and/or LLM_API_KEY, and optionally LLM_MODEL (default gpt-4.1-mini)."
        )
