"""Prompt v2 test helpers: the v2 representation key sets, the exact error bodies of config,
version_description, edits, variables, diff and compile, the text forms of a payload (prompts v2
spec §1.4) and small request shortcuts on top of tests/prompts/helpers.Api."""

import difflib
import json
import re
from typing import Any

from prompts.models import LLMPrompt
from tests.api import validation
from tests.factories import make_key
from tests.prompts.helpers import FULL_KEYS, Api

# ---- representations (§2) -----------------------------------------------------------------------

V2_FULL_KEYS = FULL_KEYS | {"config", "variables", "version_description", "outline", "labels"}
LIST_FULL_KEYS = V2_FULL_KEYS | {"prompt_size_bytes", "all_labels"}
LIST_PREVIEW_KEYS = (LIST_FULL_KEYS - {"prompt", "config", "variables"}) | {"prompt_preview"}
LIST_NONE_KEYS = LIST_FULL_KEYS - {"prompt", "config", "variables"}
COMPILE_KEYS = {"name", "version", "label", "text"}
DIFF_KEYS = {"name", "from_version", "to_version", "identical", "diff", "hunks", "stats", "json_changes"}

# ---- error bodies --------------------------------------------------------------------------------

PROMPT_REQUIRED = validation("prompt", "required", "This field is required.")
CONFIG_INVALID = validation("config", "invalid_input", "Config must be a JSON object or null.")
CONFIG_TOO_BIG = validation("config", "max_size", "Config must be 1000000 bytes or fewer.")
DESCRIPTION_TOO_LONG = validation(
    "version_description", "max_length", "Ensure this field has no more than 400 characters."
)
PROMPT_AND_EDITS = "Provide either 'prompt' or 'edits', not both."
EMPTY_EDITS = "At least one edit operation is required."
EDIT_NOT_FOUND = "Text to replace was not found in the prompt."
EDIT_TOO_BIG = "Resulting prompt exceeds the 1000000 byte size limit."
VERSION_AND_LABEL = "Use either version or label, not both."
INTEGER_REQUIRED = "A valid integer is required."


def edit_matches(count: int) -> str:
    return f"Text to replace matches {count} times \u2014 provide more context to make it unique."


def edit_failure(detail: str, index: int) -> dict[str, Any]:
    """The hand-built body of a failed edit (no type/code/attr)."""
    return {"detail": detail, "edit_index": index}


def invalid_variables(detail: str) -> dict[str, Any]:
    return validation("variables", "invalid_variables", detail)


def undeclared(*names: str) -> dict[str, Any]:
    return validation(
        "variables", "undeclared_variables", f"Undeclared variables in prompt: {', '.join(names)}."
    )


def assert_error(response, status: int, attr: str | None, detail: str, code: str | None = None) -> None:
    """An error envelope whose code the spec leaves open (checked only when given)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"type", "code", "detail", "attr"}, body
    assert (body["type"], body["attr"], body["detail"]) == ("validation_error", attr, detail), body
    if code is not None:
        assert body["code"] == code, body


# ---- payload text forms (§1.4) --------------------------------------------------------------------


def display_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def size_bytes(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def diff_text(value: Any) -> str:
    return (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    )


def preview(value: Any) -> str:
    text = display_text(value)
    return text[:160] + ("..." if len(text) > 160 else "")


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$")


def expected_diff(name: str, old: Any, new: Any, from_version: int, to_version: int) -> dict[str, Any]:
    """The §9.1 text part of a diff response, built with difflib as the spec defines it."""
    a, b = diff_text(old).split("\n"), diff_text(new).split("\n")
    lines = list(
        difflib.unified_diff(a, b, f"{name}@v{from_version}", f"{name}@v{to_version}", n=3, lineterm="")
    )
    hunks: list[dict[str, Any]] = []
    for line in lines[2:]:
        match = _HUNK.match(line)
        if match:
            old_start, old_lines, new_start, new_lines = match.groups()
            hunks.append(
                {
                    "old_start": int(old_start),
                    "old_lines": 1 if old_lines is None else int(old_lines),
                    "new_start": int(new_start),
                    "new_lines": 1 if new_lines is None else int(new_lines),
                    "lines": [],
                }
            )
        else:
            hunks[-1]["lines"].append(line)
    body = [line for hunk in hunks for line in hunk["lines"]]
    return {
        "identical": a == b,
        "diff": "\n".join(lines),
        "hunks": hunks,
        "stats": {
            "additions": sum(1 for line in body if line.startswith("+")),
            "deletions": sum(1 for line in body if line.startswith("-")),
        },
    }


# ---- keys and rows --------------------------------------------------------------------------------


def read_key(world) -> str:
    """K_r: `llm_prompt:read` only."""
    return make_key(world.user, ["llm_prompt:read"])


def write_key(world) -> str:
    """K_w: `llm_prompt:write` only."""
    return make_key(world.user, ["llm_prompt:write"])


def no_prompt_scope_key(world) -> str:
    return make_key(world.user, ["dataset:read", "dataset:write"])


def row_count(**filters) -> int:
    return LLMPrompt.objects.filter(**filters).count()


def latest_row(team, name: str) -> LLMPrompt:
    return LLMPrompt.objects.get(team=team, name=name, deleted=False, is_latest=True)


# ---- requests -------------------------------------------------------------------------------------


def publish(api: Api, name: str, base_version: int, **body) -> dict[str, Any]:
    """PATCH P/name/{name}/ with any v2 body; asserts 200."""
    response = api.patch(f"name/{name}/", {**body, "base_version": base_version})
    assert response.status_code == 200, response.content
    return response.json()


def list_items(api: Api, **params) -> list[dict[str, Any]]:
    response = api.get("", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def list_item(api: Api, name: str, **params) -> dict[str, Any]:
    (item,) = [item for item in list_items(api, limit=1000, **params) if item["name"] == name]
    return item


def get_by_name(api: Api, name: str, **params) -> dict[str, Any]:
    response = api.get(f"name/{name}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def compile_prompt(api: Api, name: str, body: Any = None, **kwargs):
    return api.post(f"name/{name}/compile/", {} if body is None else body, **kwargs)


def diff(api: Api, name: str, *, key: str | None = None, **params):
    """GET P/name/{name}/diff/ with `from`/`to` and any other query parameters."""
    return api.get(f"name/{name}/diff/", params, key=key)
