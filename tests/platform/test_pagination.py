"""Limit/offset pagination (platform spec §6; cases 35-41)."""

from urllib.parse import parse_qsl, urlsplit

import pytest

from prompts.models import LLMPrompt
from tests.api import bearer
from tests.platform.helpers import make_widgets, url


def get(client, world, query: str = "") -> dict:
    response = client.get(url(world.t) + query, **bearer(world.k_all))
    assert response.status_code == 200
    return response.json()


def query_of(link: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(link).query)


@pytest.fixture
def five(world):
    return make_widgets(world.team, 5)


@pytest.fixture
def many(world):
    return make_widgets(world.team, 150)


def test_case_35_default_page(client, world, many):
    body = get(client, world)
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 150
    assert len(body["results"]) == 100
    assert body["next"] == f"http://testserver/api/projects/{world.t}/test_widgets/?limit=100&offset=100"
    assert body["previous"] is None
    assert [w["name"] for w in body["results"]] == [f"w{i}" for i in range(100)]
    second = client.get(body["next"], **bearer(world.k_all)).json()
    assert [w["name"] for w in second["results"]] == [f"w{i}" for i in range(100, 150)]
    assert second["next"] is None
    assert second["previous"] == f"http://testserver/api/projects/{world.t}/test_widgets/?limit=100"


def test_case_36_middle_page(client, world, five):
    body = get(client, world, "?limit=2&offset=2")
    assert body["count"] == 5
    assert [w["name"] for w in body["results"]] == ["w2", "w3"]
    assert query_of(body["next"]) == [("limit", "2"), ("offset", "4")]
    assert query_of(body["previous"]) == [("limit", "2")]
    assert body["previous"] == f"http://testserver/api/projects/{world.t}/test_widgets/?limit=2"


def test_case_37_last_page(client, world, five):
    body = get(client, world, "?limit=2&offset=4")
    assert [w["name"] for w in body["results"]] == ["w4"]
    assert body["next"] is None
    assert query_of(body["previous"]) == [("limit", "2"), ("offset", "2")]


def test_previous_offset_kept_when_positive(client, world, five):
    body = get(client, world, "?limit=1&offset=3")
    assert query_of(body["previous"]) == [("limit", "1"), ("offset", "2")]
    assert query_of(body["next"]) == [("limit", "1"), ("offset", "4")]


@pytest.mark.parametrize("limit", ["0", "-5", "abc", ""])
def test_case_38_invalid_limit_is_default(client, world, many, limit):
    body = get(client, world, f"?limit={limit}")
    assert len(body["results"]) == 100
    assert query_of(body["next"]) == [("limit", "100"), ("offset", "100")]


@pytest.mark.parametrize("offset", ["-1", "abc", ""])
def test_case_38_invalid_offset_is_zero(client, world, five, offset):
    body = get(client, world, f"?limit=2&offset={offset}")
    assert [w["name"] for w in body["results"]] == ["w0", "w1"]
    assert body["previous"] is None
    assert query_of(body["next"]) == [("limit", "2"), ("offset", "2")]


def test_case_39_no_maximum_limit(client, world, many):
    body = get(client, world, "?limit=1000")
    assert body["count"] == 150
    assert len(body["results"]) == 150
    assert body["next"] is None
    assert body["previous"] is None


def test_case_40_offset_past_end(client, world, five):
    body = get(client, world, "?offset=500")
    assert body["count"] == 5
    assert body["results"] == []
    assert body["next"] is None
    assert body["previous"] is not None


def test_case_40_empty_list(client, world):
    assert get(client, world, "?offset=10")["results"] == []
    assert get(client, world) == {"count": 0, "next": None, "previous": None, "results": []}


def test_case_41_next_keeps_params_sorted(client, world, five):
    body = get(client, world, "?search=foo&zeta=1&limit=2&alpha=a%20b")
    assert [key for key, _ in query_of(body["next"])] == ["alpha", "limit", "offset", "search", "zeta"]
    assert dict(query_of(body["next"])) == {
        "alpha": "a b",
        "limit": "2",
        "offset": "2",
        "search": "foo",
        "zeta": "1",
    }
    assert body["next"].startswith(f"http://testserver/api/projects/{world.t}/test_widgets/?")
    page2 = get(client, world, "?search=foo&offset=2&limit=2")
    assert [key for key, _ in query_of(page2["previous"])] == ["limit", "search"]


def test_pagination_links_follow_prefix_and_host(client, world, five):
    response = client.get(
        url(world.t, prefix="environments") + "?limit=2", HTTP_HOST="api.example.com", **bearer(world.k_all)
    )
    assert (
        response.json()["next"]
        == f"http://api.example.com/api/environments/{world.t}/test_widgets/?limit=2&offset=2"
    )


def test_count_reflects_soft_deleted_rows(client, world, five):
    five[0].deleted = True
    five[0].save(update_fields=["deleted"])
    body = get(client, world, "?limit=2")
    assert body["count"] == 4
    assert [w["name"] for w in body["results"]] == ["w1", "w2"]


def test_huge_limit_and_offset_do_not_overflow_the_database(client, world):
    """No maximum, but a value past any table must still answer 200, not a database error."""
    for name in ("a", "b"):
        client.post(
            f"/api/projects/{world.t}/test_widgets/", {"name": name}, format="json", **bearer(world.k_all)
        )
    huge = 10**20
    response = client.get(f"/api/projects/{world.t}/test_widgets/?limit={huge}", **bearer(world.k_all))
    assert response.status_code == 200
    assert response.json()["count"] == 2 and len(response.json()["results"]) == 2
    response = client.get(f"/api/projects/{world.t}/test_widgets/?offset={huge}", **bearer(world.k_all))
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_huge_offset_keeps_exact_links(client, world):
    client.post(f"/api/projects/{world.t}/test_widgets/", {"name": "a"}, format="json", **bearer(world.k_all))
    huge = 10**20
    body = client.get(
        f"/api/projects/{world.t}/test_widgets/?offset={huge}&limit=5", **bearer(world.k_all)
    ).json()
    assert body["results"] == [] and body["next"] is None
    assert body["previous"].endswith(f"?limit=5&offset={huge - 5}")


@pytest.mark.parametrize("odd", ["\u0661", "\u0661\u0660", " 1", "+1", "1_0", "\U0001d7cf", "\u0663"])
def test_limit_and_offset_take_ascii_digits_only(client, world, odd):
    """`int()` reads these as numbers; the API treats them as invalid, and ignores them."""
    for name in ("pager-a", "pager-b"):
        LLMPrompt.objects.create(team=world.team, name=name, prompt="x", version=1, is_latest=True)
    path = f"/api/projects/{world.t}/llm_prompts/"
    body = client.get(path, {"limit": odd}, **bearer(world.k_all)).json()
    assert len(body["results"]) == 2  # the default limit, not 1
    body = client.get(path, {"offset": odd}, **bearer(world.k_all)).json()
    assert len(body["results"]) == 2  # offset 0


@pytest.mark.parametrize("odd", ["\u0661", " 1", "+1", "1_0"])
def test_integer_query_parameters_take_ascii_digits_only(client, world, odd):
    LLMPrompt.objects.create(team=world.team, name="p", prompt="x", version=1, is_latest=True)
    response = client.get(
        f"/api/projects/{world.t}/llm_prompts/name/p/", {"version": odd}, **bearer(world.k_all)
    )
    assert response.status_code == 400
    assert response.json()["attr"] == "version"
    assert response.json()["detail"] == "A valid integer is required."
