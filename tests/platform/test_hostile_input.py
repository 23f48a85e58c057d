"""Hostile input on every route of the served URL conf (a new route is covered without an edit):
odd paging values, SQL and regex metacharacters in search, deep JSON, NUL bytes, invalid UTF-8,
bodies of the wrong shape, header-injection names and percent-encoded or Unicode path tricks.
Each answer is a clear 4xx or a correct 2xx in JSON; never a 5xx."""

import json

import pytest
from django.test import Client

from datasets.models import Dataset
from prompts.models import LLMPrompt
from tests.api import bearer
from tests.platform.helpers import served_paths

ODD_PAGING = ["-1", "0", "10" * 20, "1e3", "abc", "\u0663", "%00", "1.5", " ", "9" * 400]
SEARCH_TRICKS = [
    "%",
    "_",
    "'; DROP TABLE llm_prompts; --",
    ".*",
    "(?",
    "[",
    "\\",
    "a\x00b",
    "\u202e",
    "\U0001d54f" * 300,
]
BODIES = [
    b"[]",
    b'"text"',
    b"1e400",
    b"null",
    b'{"name": "a\\u0000b", "prompt": "x\\u0000"}',
    b'{"name": "\xff\xfe"}',
    b'{"name": "a\\r\\nX-Injected: 1", "prompt": "x"}',
    b"{" * 5,
    ("[" * 5000 + "]" * 5000).encode(),
    json.dumps({"name": "n", "metadata": {"k": 10**400}}).encode(),
]


def _deep_json(depth: int) -> bytes:
    return ('{"name": "deep", "input": ' + '{"a": ' * depth + "1" + "}" * depth + "}").encode()


BODIES.append(_deep_json(3000))


def assert_clear_answer(response, context) -> None:
    assert response.status_code < 500, (context, response.status_code, response.content[:300])
    if response.content and response.status_code != 304:
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/json"):
            json.loads(response.content)
        else:
            assert response.status_code < 300 or content_type == "", (context, content_type)


@pytest.fixture
def api(world) -> Client:
    LLMPrompt.objects.create(team=world.team, name="x", prompt="p", version=1, is_latest=True)
    Dataset.objects.create(team=world.team, name="x")
    return Client(**bearer(world.k_all))


def test_odd_paging_and_search_values_on_every_get_route(api, world):
    checked = 0
    for path in served_paths(world.t):
        for value in ODD_PAGING:
            response = api.get(path, {"limit": value, "offset": value, "version": value})
            assert_clear_answer(response, (path, "paging", value))
            checked += 1
        for value in SEARCH_TRICKS:
            response = api.get(path, {"search": value, "order_by": value, "id__in": value, "name": value})
            assert_clear_answer(response, (path, "search", value))
            checked += 1
    assert checked > 1000


def test_search_metacharacters_match_literally(api, world):
    LLMPrompt.objects.create(team=world.team, name="percent", prompt="100% sure", version=1, is_latest=True)
    body = api.get(f"/api/projects/{world.t}/llm_prompts/", {"search": "%"}).json()
    assert [row["name"] for row in body["results"]] == ["percent"]
    assert api.get(f"/api/projects/{world.t}/llm_prompts/", {"search": ".*"}).json()["count"] == 0


def test_hostile_bodies_on_every_write_route(api, world):
    checked = 0
    for path in served_paths(world.t):
        for method in ("POST", "PUT", "PATCH"):
            for body in BODIES:
                response = api.generic(method, path, body, content_type="application/json")
                assert_clear_answer(response, (path, method, body[:40]))
                checked += 1
    assert checked > 1000
    # Compared in Python: SQLite's LIKE stops at a NUL byte.
    names = list(LLMPrompt.objects.values_list("name", flat=True)) + list(
        Dataset.objects.values_list("name", flat=True)
    )
    assert not [name for name in names if "\x00" in name or "\n" in name or "\r" in name]


@pytest.mark.parametrize(
    "suffix",
    [
        "name/%2e%2e%2f%2e%2e%2fetc/",
        "name/..%2F..%2Fx/",
        "name/%00/",
        "name/%E2%80%AE/",
        "name/%EF%BC%8E%EF%BC%8E/",
        "name/" + "a" * 5000 + "/",
        "resolve/name/%25/",
        "name/x%0d%0aSet-Cookie:%20a=b/",
    ],
)
@pytest.mark.parametrize("resource", ["llm_prompts", "llm_skills"])
def test_path_tricks_in_names(api, world, resource, suffix):
    response = api.get(f"/api/projects/{world.t}/{resource}/{suffix}")
    assert_clear_answer(response, suffix)
    assert response.status_code in (400, 404)
    assert "Set-Cookie" not in response


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/%E2%80%AE1/llm_prompts/",
        "/api/projects/1%00/llm_prompts/",
        "/api/projects/\u0661/llm_prompts/",
        "/api/projects/99999999999999999999999/llm_prompts/",
        "/api/projects/-1/llm_prompts/",
        "/api/environments/@current%0d%0aX:1/llm_prompts/",
    ],
)
def test_project_segment_tricks(api, path):
    response = api.get(path)
    assert response.status_code == 404, response.content
    assert response.json()["detail"] in ("Project not found.", "Endpoint not found.")
