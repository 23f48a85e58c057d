"""Rules on versioned text shared by skills and prompts: exactly-once find/replace edits and the
markdown outline."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from llm_server.domain import EditFailed


@dataclass(frozen=True)
class TextEdit:
    old: str
    new: str


def replace_exactly_once(
    text: str, edits: Sequence[TextEdit], *, subject: str, where: str = "", **failure
) -> str:
    """Applies the edits in order, each to the text left by the ones before it; each `old` must
    occur exactly once. A failure raises EditFailed naming the edit's index (`subject` says what
    was searched, "the prompt"; `where` is appended to the several-matches text; `failure` is
    passed on to EditFailed)."""
    for index, edit in enumerate(edits):
        # str.count counts non-overlapping occurrences, so "aa" matches "aaa" once.
        matches = text.count(edit.old)
        if matches == 0:
            raise EditFailed(f"Text to replace was not found in {subject}.", edit_index=index, **failure)
        if matches > 1:
            raise EditFailed(
                f"Text to replace matches {matches} times{where} \u2014 provide more context to make it unique.",
                edit_index=index,
                **failure,
            )
        text = text.replace(edit.old, edit.new, 1)
    return text


# 1 to 6 hashes, whitespace, then the heading text.
HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$")
# A closing run of hashes, preceded by whitespace, at the end of the line.
CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")


def outline(text: str) -> list[dict]:
    """The ATX headings of a text, in order; no code-fence or setext awareness (as upstream)."""
    headings = []
    for raw_line in text.split("\n") if text else []:
        match = HEADING.match(raw_line.strip())
        if not match:
            continue
        heading = CLOSING_HASHES.sub("", match.group(2)).rstrip()
        if heading:
            headings.append({"level": len(match.group(1)), "text": heading})
    return headings
