"""Failures of skill writes beyond the shared versioning ones (skills spec §4)."""

from llm_server.domain import DomainError


class EditFailed(DomainError):
    """A find/replace edit did not match exactly once, or its result is too large (400)."""

    def __init__(self, message: str, *, edit_index: int | None = None, file_path: str | None = None):
        super().__init__(message)
        self.edit_index = edit_index
        self.file_path = file_path


class FileNotInSkill(DomainError):
    """The addressed bundled file is not in the version (404)."""


class FileAlreadyInSkill(DomainError):
    """A file already exists at the target path (409)."""


class FileLimitReached(DomainError):
    """The latest version already holds the maximum number of files (400)."""
