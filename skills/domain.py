"""Failures of skill writes beyond the shared versioning ones, each with its plain body."""

from llm_server.domain import DetailError


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
