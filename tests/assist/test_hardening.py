"""Hostile inputs and provider answers for translate."""

import json

import pytest

from tests.api import bearer
from tests.assist.helpers import approve, raw, running_stub, use_stub

TRANSLATE = "/api/environments/{}/llm_analytics/translate/"


@pytest.fixture
def stub(settings, world):
    approve(world.org_a)
    with running_stub() as server:
        use_stub(settings, server)
        yield server


def test_lone_surrogate_in_the_model_answer_is_replaced(client, world, stub):
    stub.default = raw(
        200, '{"choices": [{"index": 0, "message": {"role": "assistant", "content": " a\\ud800b "}}]}'
    )
    response = client.post(TRANSLATE.format(world.t), {"text": "hi"}, format="json", **bearer(world.k_all))
    assert response.status_code == 200
    assert response.json() == {"translation": "a\ufffdb", "detected_language": None, "provider": "openai"}


@pytest.mark.parametrize("field", ["text", "target_language"])
def test_lone_surrogate_in_the_body_is_a_400(client, world, stub, field):
    body = json.dumps({"text": "hi", field: "@"}).replace("@", "\\ud800")
    response = client.generic(
        "POST", TRANSLATE.format(world.t), body, content_type="application/json", **bearer(world.k_all)
    )
    assert response.status_code == 400
    assert response.json()["attr"] == field
    assert stub.requests == []
