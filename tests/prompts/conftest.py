"""Prompt-specific fixtures: the base path P, an HTTP helper that signs with K_rw, DB helpers."""

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from llm_server.accounts.models import Team
from prompts import services
from prompts.models import LLMPrompt

# Some names are re-exported for the suites.
from tests.api import (  # noqa: F401
    ResourceApi,
    active_versions,
    iso,
    user_json,
    validation,
    version_history_state,
)
from tests.conftest import World

FULL_KEYS = {
    "id",
    "name",
    "prompt",
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
PUBLIC_KEYS = FULL_KEYS - {"created_by"}
SUMMARY_KEYS = {"id", "version", "created_by", "created_at", "is_latest"}
CONFLICT_DETAIL = "The prompt changed since you opened it. Reload the latest version and try again."
NAME_TAKEN = {
    "type": "validation_error",
    "code": "unique",
    "detail": "A prompt with this name already exists.",
    "attr": "name",
}
WRITE_SCOPE_DENIED = {
    "type": "authentication_error",
    "code": "permission_denied",
    "detail": "API key missing required scope 'llm_prompt:write'",
    "attr": None,
}


def expected_row(
    row: LLMPrompt,
    *,
    latest_version: int,
    version_count: int,
    first_version_created_at,
    is_latest: bool | None = None,
    public: bool = False,
    deleted: bool = False,
) -> dict[str, Any]:
    """The exact JSON of one prompt row (full shape, or the public shape of GET by name)."""
    body = {
        "id": str(row.id),
        "name": row.name,
        "prompt": row.prompt,
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
    return body


def not_found(name: str) -> dict[str, str]:
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


@pytest.fixture
def P(world: World) -> str:
    return f"/api/environments/{world.t}/llm_prompts"


@pytest.fixture
def api(client: APIClient, world: World, P: str) -> Api:
    return Api(client=client, base=P, key=world.k_rw)


@pytest.fixture
def projects_api(client: APIClient, world: World) -> Api:
    return Api(client=client, base=f"/api/projects/{world.t}/llm_prompts", key=world.k_rw)


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
