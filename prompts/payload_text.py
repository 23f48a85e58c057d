"""The text forms of a prompt payload. A string payload is its own text in every form; any other
JSON value is serialized differently for each use, so sizes, previews, edits and diffs are stable."""

import json
from typing import Any

MAX_PROMPT_BYTES = 1_000_000
PREVIEW_CHARACTERS = 160


def display_text(payload: Any) -> str:
    """What a person reads: previews, outlines and the placeholder scan."""
    if isinstance(payload, str):
        return payload
    return json.dumps(payload, ensure_ascii=False)


def size_text(payload: Any) -> str:
    """Compact JSON, the form the size limit is measured on (a string keeps its quotes)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def size_bytes(payload: Any) -> int:
    return len(size_text(payload).encode("utf-8", "surrogatepass"))


def edit_text(payload: Any) -> str:
    """What find/replace edits apply to: indented JSON, keys in stored order."""
    if isinstance(payload, str):
        return payload
    return json.dumps(payload, indent=2, ensure_ascii=False)


def diff_text(payload: Any) -> str:
    """What diffs compare: indented JSON with sorted keys, so key order never shows as a change."""
    if isinstance(payload, str):
        return payload
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False)


def preview(payload: Any) -> str:
    text = display_text(payload)
    if len(text) <= PREVIEW_CHARACTERS:
        return text
    return text[:PREVIEW_CHARACTERS] + "..."
