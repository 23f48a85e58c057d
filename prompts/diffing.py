"""The difference between two prompt versions: a unified diff of their diff texts, its hunks and
counts, and for two JSON payloads the leaf-level changes as JSON pointers."""

import bisect
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
        else unified_diff(
            old_text.split("\n"), new_text.split("\n"), f"{name}@v{from_version}", f"{name}@v{to_version}"
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


# difflib's matcher can take time in the product of the two line counts (about 1 s at 5,000 by
# 5,000 lines that alternate between equal and changed; minutes at 50,000). Up to this product it
# runs as is, so the diff is difflib's own; above it, the lines that occur once in each text anchor
# the diff (patience diffing), and difflib only matches the stretches between anchors that are
# within MAX_STRETCH_WORK (their products then sum to at most ~500 times the line count). The
# result is always a correct diff, if not always the smallest.
MAX_MATCHING_WORK = 25_000_000
MAX_STRETCH_WORK = 250_000
MAX_ANCHOR_DEPTH = 32


def unified_diff(old: list[str], new: list[str], from_file: str, to_file: str) -> list[str]:
    """`difflib.unified_diff(old, new, from_file, to_file, n=3, lineterm="")` as a list, in
    bounded time for large texts (see MAX_MATCHING_WORK)."""
    if len(old) * len(new) <= MAX_MATCHING_WORK:
        return list(difflib.unified_diff(old, new, from_file, to_file, n=CONTEXT_LINES, lineterm=""))
    matcher = _AnchoredMatcher(old, new)
    lines = [f"--- {from_file}", f"+++ {to_file}"]
    for group in matcher.get_grouped_opcodes(CONTEXT_LINES):
        first, last = group[0], group[-1]
        lines.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(" " + line for line in old[i1:i2])
                continue
            lines.extend("-" + line for line in old[i1:i2])
            lines.extend("+" + line for line in new[j1:j2])
    return lines if len(lines) > 2 else []


def _range(start: int, stop: int) -> str:
    """A unified-diff range (GNU): a length of 1 is the line alone, an empty range is `start-1,0`."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


class _AnchoredMatcher(difflib.SequenceMatcher):
    """Matching blocks found through unique-line anchors, so large texts match in bounded time."""

    def __init__(self, old: list[str], new: list[str]):
        super().__init__(None, old, new, autojunk=True)

    def get_matching_blocks(self) -> list[difflib.Match]:
        if self.matching_blocks is None:
            found: list[tuple[int, int, int]] = []
            _match(self.a, self.b, 0, len(self.a), 0, len(self.b), found, 0)
            merged: list[list[int]] = []
            for i, j, size in sorted(found):
                if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
                    merged[-1][2] += size
                else:
                    merged.append([i, j, size])
            self.matching_blocks = [difflib.Match(*block) for block in merged] + [
                difflib.Match(len(self.a), len(self.b), 0)
            ]
        return self.matching_blocks


def _match(
    a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int, found: list, depth: int
) -> None:
    """Adds the matching blocks of a[alo:ahi] and b[blo:bhi] to `found`."""
    start = alo
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        alo, blo = alo + 1, blo + 1
    if alo > start:
        found.append((start, blo - (alo - start), alo - start))
    end = ahi
    while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
    if ahi < end:
        found.append((ahi, bhi, end - ahi))
    if alo == ahi or blo == bhi:
        return
    if (ahi - alo) * (bhi - blo) <= MAX_STRETCH_WORK:
        blocks = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi]).get_matching_blocks()
        found.extend((alo + i, blo + j, size) for i, j, size in blocks if size)
        return
    anchors = _unique_anchors(a, b, alo, ahi, blo, bhi) if depth < MAX_ANCHOR_DEPTH else []
    # Without anchors the stretch is one replacement: correct, if not the smallest diff.
    previous_i, previous_j = alo, blo
    for i, j in anchors:
        _match(a, b, previous_i, i, previous_j, j, found, depth + 1)
        found.append((i, j, 1))
        previous_i, previous_j = i + 1, j + 1
    if anchors:
        _match(a, b, previous_i, ahi, previous_j, bhi, found, depth + 1)


def _unique_anchors(
    a: list[str], b: list[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Lines occurring exactly once in each stretch, as (i, j) pairs in the longest run that is
    increasing in both (patience diffing)."""
    counts: dict[str, list[int]] = {}
    for i in range(alo, ahi):
        entry = counts.setdefault(a[i], [0, i, 0, 0])
        entry[0] += 1
    for j in range(blo, bhi):
        entry = counts.get(b[j])
        if entry is not None:
            entry[2] += 1
            entry[3] = j
    pairs = sorted((i, j) for seen_a, i, seen_b, j in counts.values() if seen_a == 1 and seen_b == 1)
    # Longest increasing subsequence of j (patience sorting), O(n log n).
    tails: list[int] = []
    tail_index: list[int] = []
    parent: list[int] = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        position = bisect.bisect_left(tails, j)
        if position == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[position] = j
            tail_index[position] = index
        parent[index] = tail_index[position - 1] if position else -1
    chain: list[tuple[int, int]] = []
    index = tail_index[-1] if tail_index else -1
    while index != -1:
        chain.append(pairs[index])
        index = parent[index]
    return chain[::-1]


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
