"""Failures of skill writes beyond the shared versioning ones, each with its plain body."""

from typing import Any

from llm_server.domain import DetailError


class EditFailed(DetailError):
    """A find/replace edit did not match exactly once, or its result is too large (400); the body
    names the edit (`edit_index`) and, for a file edit, the file (`file_path`)."""

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


class FileNotInSkill(DetailError):
    """The addressed bundled file is not in the version."""

    status_code = 404


class FileAlreadyInSkill(DetailError):
    """A file already exists at the target path."""

    status_code = 409


class FileLimitReached(DetailError):
    """The latest version already holds the maximum number of files."""

    status_code = 400


class InvalidFilePath(DetailError):
    """A file URL whose path could never be stored ('..' segments, a leading '/')."""

    status_code = 400

    def __init__(self):
        super().__init__("Invalid file path.")
