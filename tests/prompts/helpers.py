"""Prompt test helpers: the representation keys and error bodies the suites share, the exact JSON
of a stored row, an HTTP helper for P, and DB helpers that seed or read version rows directly."""

from dataclasses import dataclass
from typing import Any

from llm_server.accounts.models import Team
from llm_server.text_edits import outline
from prompts import services
from prompts.models import LLMPrompt
from prompts.payload_text import display_text, size_bytes
from tests.api import (
    ResourceApi,
    active_versions,
    iso,
    missing_scope,
    user_json,
    validation,
    version_history_state,
)

FULL_KEYS = {
    "id",
    "name",
    "prompt",
    "config",
    "variables",
    "version_description",
    "outline",
    "labels",
    "version",
    "created_by",
    "created_at",
    "updated_at",
    "deleted",
    "is_latest",
    "latest_version",
    "version_count",
    "first_version_created_at",
}
# GET by name (content=full): no publisher, description or labels.
PUBLIC_KEYS = FULL_KEYS - {"created_by", "version_description", "labels"}
LIST_KEYS = FULL_KEYS | {"prompt_size_bytes", "all_labels"}
# Left out unless content=full; content=preview adds prompt_preview instead.
FULL_CONTENT_KEYS = {"prompt", "config", "variables"}
PUBLIC_PREVIEW_KEYS = (PUBLIC_KEYS - FULL_CONTENT_KEYS) | {"prompt_preview"}
PUBLIC_NONE_KEYS = PUBLIC_KEYS - FULL_CONTENT_KEYS
SUMMARY_KEYS = {"id", "version", "version_description", "created_by", "created_at", "is_latest", "labels"}
CONFLICT_DETAIL = "The prompt changed since you opened it. Reload the latest version and try again."
NAME_TAKEN = validation("name", "unique", "A prompt with this name already exists.")
READ_SCOPE_DENIED = missing_scope("llm_prompt:read")
WRITE_SCOPE_DENIED = missing_scope("llm_prompt:write")


def expected_row(
    row: LLMPrompt,
    *,
    latest_version: int,
    version_count: int,
    first_version_created_at,
    is_latest: bool | None = None,
    public: bool = False,
    deleted: bool = False,
    labels: list[str] | None = None,
    list_item: bool = False,
    all_labels: list[dict] | None = None,
) -> dict[str, Any]:
    """The exact JSON of one prompt row (full shape, or the public shape of GET by name)."""
    body = {
        "id": str(row.id),
        "name": row.name,
        "prompt": row.prompt,
        "config": row.config,
        "variables": row.variables,
        "outline": outline(display_text(row.prompt)),
        "version": row.version,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "deleted": deleted,
        "is_latest": row.is_latest if is_latest is None else is_latest,
        "latest_version": latest_version,
        "version_count": version_count,
        "first_version_created_at": iso(first_version_created_at),
    }
    if not public:
        body["created_by"] = user_json(row.created_by)
        body["version_description"] = row.version_description
        body["labels"] = labels or []
    if list_item:
        body["prompt_size_bytes"] = size_bytes(row.prompt)
        body["all_labels"] = all_labels or []
    return body


def prompt_not_found(name: str) -> dict[str, str]:
    """The body of a 404 for a prompt name (not the error envelope)."""
    return {"detail": f"Prompt with name '{name}' not found."}


def conflict(current_version: int) -> dict[str, Any]:
    return {"detail": CONFLICT_DETAIL, "current_version": current_version}


@dataclass
class Api(ResourceApi):
    """Requests against P (`/api/environments/<t>/llm_prompts`) signed with one key."""

    # Shortcuts used by nearly every test.
    def create(self, name: str, prompt: Any = "v1", **extra):
        response = self.post("", {"name": name, "prompt": prompt, **extra})
        assert response.status_code == 201, response.content
        return response.json()

    def publish(self, name: str, prompt: Any, base_version: int):
        response = self.patch(f"name/{name}/", {"prompt": prompt, "base_version": base_version})
        assert response.status_code == 200, response.content
        return response.json()


def active(team: Team, name: str) -> list[LLMPrompt]:
    return active_versions(LLMPrompt, team, name)


def history_state(team: Team, name: str) -> list[tuple[int, bool, bool]]:
    return version_history_state(LLMPrompt, team, name)


def seed_history(team: Team, name: str, prompts: list[Any], user=None) -> list[LLMPrompt]:
    """Creates v1 and publishes the rest through the services (not HTTP)."""
    rows = [services.create_prompt(team=team, name=name, prompt=prompts[0], created_by=user)]
    for index, text in enumerate(prompts[1:], start=1):
        rows.append(
            services.publish_prompt(team=team, name=name, prompt=text, base_version=index, created_by=user)
        )
    for row in rows:
        row.refresh_from_db()
    return rows
