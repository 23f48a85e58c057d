"""Skill fixtures: the base path P, an HTTP helper signed with a `llm_skill:write` key, keys with
only the skill scopes, and DB helpers that read version and file rows directly."""

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from llm_server.accounts.models import Team
from skills.models import LLMSkill, LLMSkillFile
from tests.api import ResourceApi, iso, user_json, validation  # noqa: F401  (re-exported for the suites)
from tests.conftest import World
from tests.factories import make_key

FULL_KEYS = [
    "id",
    "name",
    "description",
    "body",
    "license",
    "compatibility",
    "allowed_tools",
    "metadata",
    "files",
    "outline",
    "version",
    "created_by",
    "created_at",
    "updated_at",
    "deleted",
    "is_latest",
    "latest_version",
    "version_count",
    "first_version_created_at",
]
LIST_KEYS = [key for key in FULL_KEYS if key not in ("body", "files")]
SUMMARY_KEYS = ["id", "version", "created_by", "created_at", "is_latest"]
CONFLICT_DETAIL = "The skill changed since you opened it. Reload the latest version and try again."


def not_found(name: str) -> dict[str, str]:
    return {"detail": f"Skill with name '{name}' not found."}


def conflict(current_version: int) -> dict[str, Any]:
    return {"detail": CONFLICT_DETAIL, "current_version": current_version}


@dataclass
class SkillApi(ResourceApi):
    """Requests against P (`/api/environments/<t>/llm_skills`)."""

    def create(self, name: str, body: str = "# T\nx", description: str = "d", **extra) -> dict:
        response = self.post("", {"name": name, "description": description, "body": body, **extra})
        assert response.status_code == 201, response.content
        return response.json()

    def publish(self, name: str, base_version: int, **fields) -> dict:
        response = self.patch(f"name/{name}/", {"base_version": base_version, **fields})
        assert response.status_code == 200, response.content
        return response.json()


@dataclass
class SkillKeys:
    read: str  # only llm_skill:read
    write: str  # only llm_skill:write


@pytest.fixture
def skill_keys(world: World) -> SkillKeys:
    return SkillKeys(
        read=make_key(world.user, ["llm_skill:read"]),
        write=make_key(world.user, ["llm_skill:write"]),
    )


@pytest.fixture
def P(world: World) -> str:
    return f"/api/environments/{world.t}/llm_skills"


@pytest.fixture
def api(client: APIClient, P: str, skill_keys: SkillKeys) -> SkillApi:
    return SkillApi(client=client, base=P, key=skill_keys.write)


@pytest.fixture
def projects_api(client: APIClient, world: World, skill_keys: SkillKeys) -> SkillApi:
    return SkillApi(client=client, base=f"/api/projects/{world.t}/llm_skills", key=skill_keys.write)


def versions(team: Team, name: str) -> list[LLMSkill]:
    """The name's active version rows, oldest first."""
    return list(LLMSkill.objects.filter(team=team, name=name, deleted=False).order_by("version"))


def history_state(team: Team, name: str) -> list[tuple[int, bool, bool]]:
    """(version, is_latest, deleted) of every row of the name, archived ones included."""
    return list(
        LLMSkill.objects.filter(team=team, name=name)
        .order_by("deleted", "version", "created_at")
        .values_list("version", "is_latest", "deleted")
    )


def files_of(row: LLMSkill) -> dict[str, tuple[str, str]]:
    """A version's stored files as {path: (content, content_type)}."""
    return {
        f.path: (f.content, f.content_type)
        for f in LLMSkillFile.objects.filter(skill_version=row).order_by("id")
    }
