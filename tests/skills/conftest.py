"""Skill fixtures: the base path P, HTTP helpers signed with a `llm_skill:write` key, keys with only
the skill scopes, and a second member of org A. Helpers live in tests/skills/helpers.py."""

import pytest
from rest_framework.test import APIClient

from llm_server.accounts.models import User
from tests.factories import UserFactory, World, make_key, make_member
from tests.skills.helpers import SkillApi, SkillKeys


@pytest.fixture
def skill_keys(world: World) -> SkillKeys:
    return SkillKeys(
        read=make_key(world.user, ["llm_skill:read"]),
        write=make_key(world.user, ["llm_skill:write"]),
    )


@pytest.fixture
def colleague(world: World) -> tuple[User, str]:
    """A second member of org A with its own llm_skill:write key (for created_by checks)."""
    user = UserFactory(email="colleague@example.com", first_name="Col")
    make_member(user, world.org_a)
    return user, make_key(user, ["llm_skill:write"])


@pytest.fixture
def P(world: World) -> str:
    return f"/api/environments/{world.t}/llm_skills"


@pytest.fixture
def api(client: APIClient, P: str, skill_keys: SkillKeys) -> SkillApi:
    return SkillApi(client=client, base=P, key=skill_keys.write)


@pytest.fixture
def projects_api(client: APIClient, world: World, skill_keys: SkillKeys) -> SkillApi:
    return SkillApi(client=client, base=f"/api/projects/{world.t}/llm_skills", key=skill_keys.write)
