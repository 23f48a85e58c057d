"""Prompt fixtures: the base path P and HTTP helpers signed with K_rw. Helpers live in
tests/prompts/helpers.py."""

import pytest
from rest_framework.test import APIClient

from tests.factories import World
from tests.prompts.helpers import Api


@pytest.fixture
def P(world: World) -> str:
    return f"/api/environments/{world.t}/llm_prompts"


@pytest.fixture
def api(client: APIClient, world: World, P: str) -> Api:
    return Api(client=client, base=P, key=world.k_rw)


@pytest.fixture
def projects_api(client: APIClient, world: World) -> Api:
    return Api(client=client, base=f"/api/projects/{world.t}/llm_prompts", key=world.k_rw)
