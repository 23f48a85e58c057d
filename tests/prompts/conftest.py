"""Prompt fixtures: the base path P, HTTP helpers signed with K_rw (with the label routes), and a
prompt `p` at two versions. Helpers live in tests/prompts/helpers.py and label_helpers.py."""

import pytest
from rest_framework.test import APIClient

from prompts.models import LLMPrompt
from tests.factories import World
from tests.prompts.label_helpers import LabelApi


@pytest.fixture
def P(world: World) -> str:
    return f"/api/environments/{world.t}/llm_prompts"


@pytest.fixture
def api(client: APIClient, world: World, P: str) -> LabelApi:
    return LabelApi(client=client, base=P, key=world.k_rw)


@pytest.fixture
def projects_api(client: APIClient, world: World) -> LabelApi:
    return LabelApi(client=client, base=f"/api/projects/{world.t}/llm_prompts", key=world.k_rw)


@pytest.fixture
def two_versions(api: LabelApi, world: World) -> list[LLMPrompt]:
    """Prompt p at v1 "v1 text" and v2 "v2 text"; its version rows, oldest first."""
    api.create("p", "v1 text")
    api.publish("p", "v2 text", 1)
    return list(LLMPrompt.objects.filter(team=world.team, name="p", deleted=False).order_by("version"))
