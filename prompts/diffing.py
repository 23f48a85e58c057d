"""The difference between two prompt versions: a unified diff of their diff texts, its hunks and
counts, and for two JSON payloads the leaf-level changes as JSON pointers."""

import difflib
import re
from typing import Any

from prompts.payload_text import diff_text

CONTEXT_LINES = 3
HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def diff_payloads(*, name: str, from_version: int, to_version: int, old: Any, new: Any) -> dict:
    old_text, new_text = diff_text(old), diff_text(new)
    identical = old_text == new_text
    lines = (
        []
        if identical
        else list(
            difflib.unified_diff(
                old_text.split("\n"),
                new_text.split("\n"),
                f"{name}@v{from_version}",
                f"{name}@v{to_version}",
                n=CONTEXT_LINES,
                lineterm="",
            )
        )
    )
    hunks = parse_hunks(lines)
    body = [line for hunk in hunks for line in hunk["lines"]]
    return {
        "name": name,
        "from_version": from_version,
        "to_version": to_version,
        "identical": identical,
        "diff": "\n".join(lines),
        "hunks": hunks,
        "stats": {
            "additions": sum(line.startswith("+") for line in body),
            "deletions": sum(line.startswith("-") for line in body),
        },
        "json_changes": json_changes(old, new),
    }


def parse_hunks(lines: list[str]) -> list[dict]:
    """The hunks of a unified diff given as its lines, file headers included."""
    hunks: list[dict] = []
    # The first two lines are the ---/+++ file headers; body lines never start with "@".
    for line in lines[2:]:
        header = HUNK_HEADER.match(line)
        if header:
            old_start, old_count, new_start, new_count = header.groups()
            hunks.append(
                {
                    "old_start": int(old_start),
                    "old_lines": 1 if old_count is None else int(old_count),
                    "new_start": int(new_start),
                    "new_lines": 1 if new_count is None else int(new_count),
                    "lines": [],
                }
            )
        else:
            hunks[-1]["lines"].append(line)
    return hunks


def json_changes(old: Any, new: Any) -> list[dict] | None:
    """Leaf-level changes from `old` to `new`; None unless both are JSON other than a string."""
    if isinstance(old, str) or isinstance(new, str):
        return None
    changes: list[dict] = []
    _walk(old, new, "", changes)
    return changes


def _walk(old: Any, new: Any, path: str, changes: list[dict]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            child = f"{path}/{_escape(key)}"
            if key not in old:
                changes.append({"op": "add", "path": child, "new": new[key]})
            elif key not in new:
                changes.append({"op": "remove", "path": child, "old": old[key]})
            else:
                _walk(old[key], new[key], child, changes)
    elif isinstance(old, list) and isinstance(new, list):
        common = min(len(old), len(new))
        for index in range(common):
            _walk(old[index], new[index], f"{path}/{index}", changes)
        for index in range(common, len(new)):
            changes.append({"op": "add", "path": f"{path}/{index}", "new": new[index]})
        for index in range(common, len(old)):
            changes.append({"op": "remove", "path": f"{path}/{index}", "old": old[index]})
    elif not _same_leaf(old, new):
        changes.append({"op": "replace", "path": path, "old": old, "new": new})


def _kind(value: Any) -> str:
    # bool is a subclass of int in Python, yet a JSON boolean never equals a number.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _same_leaf(old: Any, new: Any) -> bool:
    return _kind(old) == _kind(new) and old == new


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
