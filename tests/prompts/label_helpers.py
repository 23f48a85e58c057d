"""Prompt label test helpers: the label error texts and bodies, an HTTP helper with the label routes,
and readers of the label rows and their move log."""

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from tests.api import validation
from tests.prompts.helpers import Api

LABEL_KEYS = {"id", "name", "prompt_name", "version", "created_by", "created_at", "updated_at"}
MOVE_KEYS = {"id", "label", "from_version", "to_version", "moved_by", "moved_at"}

RESERVED_TEXT = "'latest' is reserved and cannot be used as a label."
NUMBERS_TEXT = "Label names cannot be numbers only, to avoid confusion with version numbers."
TOO_LONG_TEXT = "Label must be 128 characters or fewer."
CHARSET_TEXT = (
    "Use lowercase letters, numbers, dots (.), hyphens (-) and underscores (_), "
    "starting and ending with a letter or number."
)
RACE_TEXT = "This label was changed by someone else at the same time. Try again."
LIMIT_TEXT = "A prompt can have at most 50 labels."
BOTH_TEXT = "Use either version or label, not both."


def reserved(attr: str) -> dict[str, Any]:
    return validation(attr, "reserved_label", RESERVED_TEXT)


def numbers_only(attr: str) -> dict[str, Any]:
    return validation(attr, "invalid_label", NUMBERS_TEXT)


def too_long(attr: str) -> dict[str, Any]:
    return validation(attr, "max_length", TOO_LONG_TEXT)


def bad_charset(attr: str) -> dict[str, Any]:
    return validation(attr, "invalid_label", CHARSET_TEXT)


def label_not_found(label: str, prompt: str) -> dict[str, str]:
    return {"detail": f"Label '{label}' not found on prompt '{prompt}'."}


def version_not_found(version: int, prompt: str) -> dict[str, str]:
    return {"detail": f"Version {version} of prompt '{prompt}' not found."}


@dataclass
class LabelApi(Api):
    """The prompt helper plus the label routes."""

    def label_path(self, name: str, label: str) -> str:
        return f"name/{name}/labels/{label}/"

    def set_label(self, name: str, label: str, version: Any, *, key: str | None = None):
        return self.put(self.label_path(name, label), {"version": version}, key=key)

    def remove_label(self, name: str, label: str, *, key: str | None = None):
        return self.delete(self.label_path(name, label), key=key)

    def label(self, name: str, label: str, version: int) -> dict[str, Any]:
        """Sets the label (created or moved) and returns the label object."""
        response = self.set_label(name, label, version)
        assert response.status_code in (200, 201), response.content
        return response.json()

    def fetch(self, name: str, label: str | None = None, *, key: str | None = None, **params):
        data = dict(params)
        if label is not None:
            data["label"] = label
        return self.get(f"name/{name}/", data, key=key)

    def history(self, name: str, label: str, *, key: str | None = None, **params):
        return self.get(f"name/{name}/labels/{label}/history/", params or None, key=key)

    def resolve(self, name: str, **params) -> dict[str, Any]:
        response = self.get(f"resolve/name/{name}/", params or None)
        assert response.status_code == 200, response.content
        return response.json()

    def version_labels(self, name: str) -> dict[int, list[str]]:
        """`{version: labels}` from the resolve's version summaries (every version)."""
        return {item["version"]: item["labels"] for item in self.resolve(name, limit=100)["versions"]}

    def moves(self, name: str, label: str) -> list[tuple[int | None, int | None]]:
        """The label's history as (from, to) pairs, oldest first."""
        response = self.history(name, label, limit=100)
        assert response.status_code == 200, response.content
        return [(item["from_version"], item["to_version"]) for item in reversed(response.json()["results"])]

    def list_items(self, **params) -> list[dict[str, Any]]:
        response = self.get("", params or None)
        assert response.status_code == 200, response.content
        return response.json()["results"]


def label_rows(team, name: str) -> dict[str, int]:
    """`{label: version}` of the stored labels of one prompt name."""
    from prompts.models import LLMPromptLabel

    return {
        label: version
        for label, version in LLMPromptLabel.objects.filter(team=team, prompt_name=name).values_list(
            "name", "prompt__version"
        )
    }


def label_row(team, name: str, label: str):
    from prompts.models import LLMPromptLabel

    return LLMPromptLabel.objects.select_related("prompt").get(team=team, prompt_name=name, name=label)


def move_count(team, name: str, label: str | None = None) -> int:
    from prompts.models import LLMPromptLabelMove

    rows = LLMPromptLabelMove.objects.filter(team=team, prompt_name=name)
    if label is not None:
        rows = rows.filter(label=label)
    return rows.count()


def assert_chain(moves: list[tuple[int | None, int | None]], current: int | None) -> None:
    """A complete move log: it starts with a creation, each entry starts where the previous one
    ended, and the newest ends at the label's current target."""
    assert moves, "no history"
    assert moves[0][0] is None, moves
    for previous, entry in pairwise(moves):
        assert entry[0] == previous[1], moves
    assert moves[-1][1] == current, moves
