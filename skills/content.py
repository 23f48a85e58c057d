"""Pure rules of skill content: bundled-file paths and the body and file edits."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from llm_server.domain import EditFailed
from llm_server.text_edits import TextEdit, replace_exactly_once

MAX_CONTENT_BYTES = 1_000_000
DEFAULT_CONTENT_TYPE = "text/plain"


@dataclass(frozen=True)
class SkillFile:
    """A bundled file's content, as sent or as stored in a version."""

    path: str
    content: str
    content_type: str = DEFAULT_CONTENT_TYPE


@dataclass(frozen=True)
class FileEdits:
    """Edits to one bundled file, by path."""

    path: str
    edits: Sequence[TextEdit]


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


# ---- paths -----------------------------------------------------------------------------------

TRAVERSAL = "File paths must not contain '..' traversal segments."
ABSOLUTE = "File paths must be relative, not absolute."
EMPTY_OR_DOT = "File paths must not contain empty or '.' segments."
BACKSLASH = "File paths must use '/' as the separator, not '\\'."
CONTROL = "File paths must not contain control characters."
ENCODED = "File paths must not contain percent-encoded separators, traversal segments or control characters."
FORMAT = (
    "File paths must not contain invisible formatting characters "
    "(such as bidirectional overrides or zero-width characters)."
)
LOOKALIKE = (
    "File paths must not contain look-alikes of '/', '\\' or '.' "
    "(such as fullwidth dots or a division slash) that could hide a separator or a traversal."
)
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Slashes that NFKC leaves alone but a reader takes for a separator.
SLASH_LOOKALIKES = frozenset("\u2044\u2215\u29f5\u29f8\u29f9\u2571\u2572\u27cb\u27cd\u3033\u3035")


def _plain_path_problem(path: str) -> str | None:
    if CONTROL_CHARACTER.search(path):
        return CONTROL
    if "\\" in path:
        return BACKSLASH
    if path.startswith("/"):
        return ABSOLUTE
    segments = path.split("/")
    if ".." in segments:
        return TRAVERSAL
    if any(segment in ("", ".") for segment in segments):
        return EMPTY_OR_DOT
    return None


def path_problem(path: str) -> str | None:
    """Why a bundled-file path is refused, or None.

    A percent escape is refused when decoding it would produce a separator, a backslash, a control
    character or a traversal or dot segment: a client or proxy that decodes the path later must not
    see a different, unsafe path. Escapes that decode to harmless text (`100%25.md`) are kept.
    """
    problem = _plain_path_problem(path) or _unicode_problem(path)
    if problem or "%" not in path:
        return problem
    decoded = path
    for _ in range(3):  # double and triple encodings too
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    if decoded.count("/") != path.count("/") or _plain_path_problem(decoded) or _unicode_problem(decoded):
        return ENCODED
    return None


def _unicode_problem(path: str) -> str | None:
    """Characters that render invisibly, or that normalize (NFKC) or look like a separator or a
    dot: the path a person reads, or a tool normalizes, would differ from the one stored."""
    if path.isascii():
        return None
    if any(unicodedata.category(char) == "Cf" for char in path):
        return FORMAT
    if any(char in SLASH_LOOKALIKES for char in path):
        return LOOKALIKE
    normalized = unicodedata.normalize("NFKC", path)
    if normalized != path and (
        normalized.count("/") != path.count("/")
        or normalized.count(".") != path.count(".")
        or _plain_path_problem(normalized)
    ):
        return LOOKALIKE
    return None


def lookup_path_is_invalid(path: str) -> bool:
    """The file routes' cheaper check before any lookup: backslashes count as
    separators, and a `..` segment or a leading `/` is refused. Control characters are refused too:
    no stored path has one."""
    normalized = path.replace("\\", "/")
    return normalized.startswith("/") or ".." in normalized.split("/") or bool(CONTROL_CHARACTER.search(path))


# ---- edits -----------------------------------------------------------------------------------


def apply_edits(text: str, edits: Sequence[TextEdit], *, file_path: str | None = None) -> str:
    """Applies the edits in order (see replace_exactly_once); the result must fit the size limit.
    Raises EditFailed (with `edit_index`, and `file_path` for a file)."""
    text = replace_exactly_once(
        text,
        edits,
        subject=f"file '{file_path}'" if file_path is not None else "the skill body",
        where=f" in file '{file_path}'" if file_path is not None else "",
        file_path=file_path,
    )
    if utf8_size(text) > MAX_CONTENT_BYTES:
        message = (
            f"Edited file '{file_path}' exceeds the {MAX_CONTENT_BYTES} byte size limit."
            if file_path is not None
            else f"Resulting skill body exceeds the {MAX_CONTENT_BYTES} byte size limit."
        )
        raise EditFailed(message, edit_index=len(edits) - 1, file_path=file_path)
    return text
