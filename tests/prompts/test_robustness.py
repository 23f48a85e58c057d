"""Inputs that must give a 4xx (never a 500) on every database, PostgreSQL's limits included."""

import pytest

from prompts.models import LLMPrompt
from tests.api import validation
from tests.prompts.helpers import history_state, prompt_not_found, seed_history

NUL_DETAIL = "Prompt payload cannot contain the null character (\\u0000)."
HUGE = "9" * 25


@pytest.mark.parametrize("payload", ["a\u0000b", {"k\u0000": 1}, ["ok", {"deep": ["x\u0000"]}]])
def test_nul_in_prompt_is_a_400(api, world, payload):
    response = api.post("", {"name": "nul", "prompt": payload})
    assert response.status_code == 400
    assert response.json() == validation("prompt", "invalid_input", NUL_DETAIL)
    assert not LLMPrompt.objects.exists()

    seed_history(world.team, "clean", ["v1"])
    response = api.patch("name/clean/", {"prompt": payload, "base_version": 1})
    assert response.status_code == 400
    assert response.json()["attr"] == "prompt"
    assert history_state(world.team, "clean") == [(1, True, False)]


def test_escaped_backslash_u0000_text_is_fine(api, world):
    # The six characters \u0000 are ordinary text.
    assert api.create("literal", "\\u0000")["prompt"] == "\\u0000"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "name/a%00b/", None),
        ("get", "resolve/name/a%00b/", None),
        ("post", "name/a%00b/archive/", None),
        ("post", "name/a%00b/duplicate/", {"new_name": "copy"}),
        ("patch", "name/a%00b/", {"prompt": "x", "base_version": 1}),
    ],
)
def test_nul_in_name_path_is_not_found(api, world, method, path, data):
    seed_history(world.team, "a", ["v1"])
    response = getattr(api, method)(path, data) if data is not None else getattr(api, method)(path)
    assert response.status_code == 404
    assert response.json() == prompt_not_found("a\u0000b")
    assert history_state(world.team, "a") == [(1, True, False)]


def test_nul_in_search_matches_nothing(api, world):
    seed_history(world.team, "a", ["v1"])
    body = api.get("?search=a%00b").json()
    assert (body["count"], body["results"]) == (0, [])


def test_huge_numbers_in_queries(api, world):
    seed_history(world.team, "p", ["v1", "v2"])
    assert api.get("name/p/", {"version": HUGE}).json() == prompt_not_found("p")
    assert api.get("resolve/name/p/", {"version": HUGE}).status_code == 404

    body = api.get("resolve/name/p/", {"offset": HUGE}).json()
    assert (body["prompt"]["version"], body["versions"], body["has_more"]) == (2, [], False)
    body = api.get("resolve/name/p/", {"before_version": HUGE}).json()
    assert [v["version"] for v in body["versions"]] == [2, 1]

    response = api.patch("name/p/", {"prompt": "x", "base_version": HUGE})
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
