"""GET P/: list, search, ordering, pagination (prompts spec §5.1; cases 20-23) and query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prompts.models import LLMPrompt
from tests.prompts.helpers import LIST_KEYS, expected_row, seed_history


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


@pytest.fixture
def a_and_b(api, world):
    """prompt-a (v1 'v1', v2 'v2'), prompt-b (v1 'bravo content'); created a, b, then a's v2."""
    api.create("prompt-a", "v1")
    api.create("prompt-b", "bravo content")
    api.publish("prompt-a", "v2", 1)


def test_case_20_list_latest_rows_only(api, world, a_and_b):
    response = api.get()

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert (body["next"], body["previous"]) == (None, None)
    by_name = {item["name"]: item for item in body["results"]}
    a1, a2 = LLMPrompt.objects.filter(name="prompt-a").order_by("version")
    [b1] = LLMPrompt.objects.filter(name="prompt-b")
    assert by_name["prompt-a"] == expected_row(
        a2, latest_version=2, version_count=2, first_version_created_at=a1.created_at, list_item=True
    )
    assert by_name["prompt-b"] == expected_row(
        b1, latest_version=1, version_count=1, first_version_created_at=b1.created_at, list_item=True
    )
    assert (
        by_name["prompt-a"]["version"],
        by_name["prompt-a"]["prompt"],
        by_name["prompt-a"]["version_count"],
    ) == (
        2,
        "v2",
        2,
    )
    assert str(a1.id) not in {item["id"] for item in body["results"]}
    assert all(item["is_latest"] is True for item in body["results"])
    assert all(set(item) == LIST_KEYS for item in body["results"])


def test_list_excludes_other_teams(api, world, a_and_b):
    seed_history(world.team2, "elsewhere", ["x"])
    assert names(api.get()) == ["prompt-a", "prompt-b"]


def test_case_21_ordering(api, a_and_b):
    assert names(api.get()) == ["prompt-a", "prompt-b"]
    assert names(api.get("", {"order_by": "name"})) == ["prompt-a", "prompt-b"]
    assert names(api.get("", {"order_by": "-name"})) == ["prompt-b", "prompt-a"]
    assert names(api.get("", {"order_by": "-version_count"})) == ["prompt-a", "prompt-b"]
    assert names(api.get("", {"order_by": "version_count"})) == ["prompt-b", "prompt-a"]
    assert names(api.get("", {"order_by": "-version"})) == ["prompt-a", "prompt-b"]
    assert names(api.get("", {"order_by": "latest_version"})) == ["prompt-b", "prompt-a"]
    assert names(api.get("", {"order_by": "created_at"})) == ["prompt-b", "prompt-a"]
    assert names(api.get("", {"order_by": "bogus"})) == ["prompt-a", "prompt-b"]
    assert names(api.get("", {"order_by": "-bogus"})) == ["prompt-a", "prompt-b"]


def test_case_21_order_by_first_version_created_at(api, world):
    now = timezone.now()
    # old-history: v1 an hour ago, v2 now. new-history: a single row from ten minutes ago.
    LLMPrompt.objects.bulk_create(
        [
            LLMPrompt(
                team=world.team,
                name="old-history",
                prompt="1",
                version=1,
                is_latest=False,
                created_at=now - timedelta(hours=1),
            ),
            LLMPrompt(
                team=world.team, name="old-history", prompt="2", version=2, is_latest=True, created_at=now
            ),
            LLMPrompt(
                team=world.team,
                name="new-history",
                prompt="1",
                version=1,
                is_latest=True,
                created_at=now - timedelta(minutes=10),
            ),
        ]
    )
    assert names(api.get("", {"order_by": "first_version_created_at"})) == ["old-history", "new-history"]
    assert names(api.get("", {"order_by": "-first_version_created_at"})) == ["new-history", "old-history"]
    assert names(api.get()) == ["old-history", "new-history"]


def test_case_21_ties_break_on_minus_id(api, world):
    now = timezone.now()
    rows = LLMPrompt.objects.bulk_create(
        [
            LLMPrompt(
                team=world.team, name=f"same-{i}", prompt="p", version=1, is_latest=True, created_at=now
            )
            for i in range(3)
        ]
    )
    expected = [r.name for r in sorted(rows, key=lambda r: r.id, reverse=True)]
    assert names(api.get()) == expected


def test_case_22_search(api, a_and_b):
    assert names(api.get("", {"search": "PROMPT-A"})) == ["prompt-a"]
    assert names(api.get("", {"search": "bravo"})) == ["prompt-b"]
    assert names(api.get("", {"search": "BRAVO CONT"})) == ["prompt-b"]
    assert api.get("", {"search": "bravo"}).json()["count"] == 1
    assert names(api.get("?search=%20%20")) == ["prompt-a", "prompt-b"]
    assert names(api.get("", {"search": "  prompt-b  "})) == ["prompt-b"]
    assert names(api.get("", {"search": "nothing-matches"})) == []
    # Only latest versions are searched: "v1" lives in prompt-a's old version only.
    assert names(api.get("", {"search": "v1"})) == []
    assert names(api.get("", {"search": "v2"})) == ["prompt-a"]


def test_case_22_search_inside_json_text(api):
    api.create("chat", {"system": "Speak like a pirate", "temperature": 0.7})
    api.create("multiline", "line one\nline two")
    api.create("plain", "nothing here")
    assert names(api.get("", {"search": "pirate"})) == ["chat"]
    assert names(api.get("", {"search": "temperature"})) == ["chat"]
    # A newline is searched as the two characters backslash-n of the JSON text.
    assert names(api.get("", {"search": "one\\nline"})) == ["multiline"]


def test_case_23_pagination(api, world):
    for name in ("p1", "p2", "p3"):
        api.create(name)

    body = api.get("", {"limit": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"].startswith("http://testserver/api/environments/")
    assert body["next"].endswith("offset=2")
    assert "limit=2" in body["next"]
    assert body["previous"] is None

    body = api.get("", {"limit": 2, "offset": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 1
    assert body["next"] is None
    assert body["previous"] is not None

    for bad in ("0", "-1", "abc"):
        assert len(api.get("", {"limit": bad}).json()["results"]) == 3
    assert len(api.get("", {"offset": "abc"}).json()["results"]) == 3


def test_default_limit_is_100(api, world):
    now = timezone.now()
    LLMPrompt.objects.bulk_create(
        [
            LLMPrompt(team=world.team, name=f"n{i:03}", prompt="p", version=1, is_latest=True, created_at=now)
            for i in range(105)
        ]
    )
    body = api.get().json()
    assert (body["count"], len(body["results"])) == (105, 100)
    assert body["next"].endswith("offset=100")
    assert len(api.get("", {"limit": 1000}).json()["results"]) == 105


# ---- query counts (no N+1) -------------------------------------------------------------------
# Warm (the key and the project come from the auth cache): list 3 (count, page, the page's labels),
# get by name 1 (the version's identity; its payload is cached), resolve 3 (row, history page,
# labels).
LIST_QUERIES = 3
GET_QUERIES = 1
RESOLVE_QUERIES = 3


def _seed(world, prefix: str, count: int) -> None:
    for i in range(count):
        seed_history(world.team, f"{prefix}-{i:02}", [f"first {i}", f"second {i}"], world.user)


def _count_queries(django_assert_max_num_queries, limit: int, call) -> int:
    call()  # warm up: the key's hourly last_used_at write must not be counted
    with django_assert_max_num_queries(limit) as captured:
        response = call()
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def test_list_query_count_is_independent_of_rows(api, world, django_assert_max_num_queries):
    _seed(world, "small", 2)
    small = _count_queries(django_assert_max_num_queries, LIST_QUERIES, lambda: api.get())
    small_search = _count_queries(
        django_assert_max_num_queries, LIST_QUERIES, lambda: api.get("", {"search": "second"})
    )
    _seed(world, "large", 20)
    large = _count_queries(django_assert_max_num_queries, LIST_QUERIES, lambda: api.get())
    large_search = _count_queries(
        django_assert_max_num_queries, LIST_QUERIES, lambda: api.get("", {"search": "second"})
    )
    ordered = _count_queries(
        django_assert_max_num_queries, LIST_QUERIES, lambda: api.get("", {"order_by": "-version_count"})
    )
    assert api.get().json()["count"] == 22
    assert small == large == small_search == large_search == ordered


def test_get_by_name_and_resolve_query_counts(api, world, django_assert_max_num_queries):
    seed_history(world.team, "short", ["v1", "v2"], world.user)
    short_get = _count_queries(django_assert_max_num_queries, GET_QUERIES, lambda: api.get("name/short/"))
    short_resolve = _count_queries(
        django_assert_max_num_queries, RESOLVE_QUERIES, lambda: api.get("resolve/name/short/")
    )
    _seed(world, "bulk", 20)
    seed_history(world.team, "deep", [f"v{i}" for i in range(1, 31)], world.user)
    get_latest = _count_queries(django_assert_max_num_queries, GET_QUERIES, lambda: api.get("name/deep/"))
    get_version = _count_queries(
        django_assert_max_num_queries, GET_QUERIES, lambda: api.get("name/deep/", {"version": 3})
    )
    resolve = _count_queries(
        django_assert_max_num_queries, RESOLVE_QUERIES, lambda: api.get("resolve/name/deep/")
    )
    assert len(api.get("resolve/name/deep/").json()["versions"]) == 30
    assert short_get == get_latest == get_version
    assert short_resolve == resolve
