"""Domain errors raised by services and selectors; views turn them into HTTP responses."""


class DomainError(Exception):
    """Base of every expected failure of a write or read."""

    def __init__(self, message: str = "", *, attr: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.attr = attr
        self.code = code


class DomainValidationError(DomainError):
    """Input that is well-formed but not acceptable (maps to 400)."""


class ObjectNotFound(DomainError):
    """The addressed object does not exist in this project (maps to 404)."""


class NameTaken(DomainError):
    """Another active record already uses the name (maps to 400, code `unique`)."""


class VersionConflict(DomainError):
    """`base_version` is not the current latest version (maps to 409)."""

    def __init__(self, current_version: int):
        super().__init__("The record changed since it was read.")
        self.current_version = current_version


class VersionLimitReached(DomainError):
    """The history has reached its version ceiling (maps to 400)."""

    def __init__(self, limit: int):
        super().__init__(f"Reached the maximum of {limit} versions.")
        self.limit = limit
