"""GET P/ (list, search, filters, ordering, pagination) and GET P/name/{name}/ (skills spec §4.1,
§4.3, §2.3, §2.5 outline; cases 14-20 and 60) with bounded query counts."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from skills.models import LLMSkill
from tests.api import bearer, iso, user_json, validation
from tests.skills.helpers import FULL_KEYS, LIST_KEYS, expected_skill, skill_not_found, versions

A_VALID_INTEGER = "A valid integer is required."
VERSION_MIN = "Ensure this value is greater than or equal to 1."


def expected_item(team, name: str) -> dict:
    """The list item of a name: its latest row without body and files."""
    rows = versions(team, name)
    latest = rows[-1]
    full = expected_skill(
        latest, latest_version=latest.version, version_count=len(rows), first_version=rows[0]
    )
    return {key: value for key, value in full.items() if key not in ("body", "files")}


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def outline_of(api, body: str) -> list[dict]:
    created = api.create("outlined", body=body)
    got = api.get("name/outlined/").json()["outline"]
    assert got == created["outline"]
    return created["outline"]


# ---- case 14: list shape ----------------------------------------------------------------------


def test_case_14_list_two_skills(api, world):
    api.create("alpha", body="# Alpha\n\n## Usage\nx", description="first skill", license="MIT")
    api.create(
        "beta",
        body="no headings",
        description="second",
        allowed_tools=["Bash"],
        metadata={"k": {"n": 1}},
        files=[{"path": "a.md", "content": "a"}],
    )

    response = api.get()

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert len(body["results"]) == 2
    for item in body["results"]:
        assert list(item) == LIST_KEYS
        assert "body" not in item and "files" not in item
        assert "description" in item and "outline" in item
    by_name = {item["name"]: item for item in body["results"]}
    assert by_name["alpha"] == expected_item(world.team, "alpha")
    assert by_name["beta"] == expected_item(world.team, "beta")
    assert by_name["alpha"]["outline"] == [{"level": 1, "text": "Alpha"}, {"level": 2, "text": "Usage"}]
    assert by_name["beta"]["outline"] == []
    assert by_name["alpha"]["description"] == "first skill"
    assert by_name["beta"]["created_by"] == user_json(world.user)


def test_case_14_empty_project(api):
    response = api.get()
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_case_14_list_excludes_other_projects_and_archived(api, client, world):
    api.create("mine")
    api.create("gone")
    assert api.post("name/gone/archive/").status_code == 204
    response = client.post(
        f"/api/environments/{world.team2.id}/llm_skills/",
        {"name": "elsewhere", "description": "d", "body": "b"},
        format="json",
        **bearer(world.k_all),
    )
    assert response.status_code == 201
    assert names(api.get()) == ["mine"]
    assert api.get().json()["count"] == 1


# ---- case 15: search --------------------------------------------------------------------------


@pytest.fixture
def searchable(api):
    api.create("pdf-processing", description="Extract text from documents")
    api.create("data-tools", description="Uses Python scripts for analysis")
    api.create("other", description="Nothing relevant", body="# PDF python in the body only")


def test_case_15_search_name_case_insensitive(api, searchable):
    assert names(api.get("", {"search": "PDF"})) == ["pdf-processing"]
    assert names(api.get("", {"search": "pdf"})) == ["pdf-processing"]
    assert names(api.get("", {"search": "Pdf-Proc"})) == ["pdf-processing"]
    assert api.get("", {"search": "PDF"}).json()["count"] == 1


def test_case_15_search_description_case_insensitive(api, searchable):
    assert names(api.get("", {"search": "PYTHON"})) == ["data-tools"]
    assert names(api.get("", {"search": "python scripts"})) == ["data-tools"]
    assert names(api.get("", {"search": "EXTRACT"})) == ["pdf-processing"]


def test_case_15_search_matches_name_or_description(api, searchable):
    # "t" occurs in every name or description.
    assert sorted(names(api.get("", {"search": "T"}))) == ["data-tools", "other", "pdf-processing"]
    assert names(api.get("", {"search": "no-such-text"})) == []
    assert api.get("", {"search": "no-such-text"}).json()["count"] == 0


def test_case_15_search_is_trimmed(api, searchable):
    assert names(api.get("", {"search": "  PDF  "})) == ["pdf-processing"]
    assert names(api.get("?search=%09python%0A")) == ["data-tools"]
    # An all-whitespace search is no filter.
    assert api.get("?search=%20%20%20").json()["count"] == 3
    assert api.get("", {"search": ""}).json()["count"] == 3


def test_case_15_search_only_latest_description(api, searchable):
    api.publish("data-tools", 1, description="Renamed purpose")
    assert names(api.get("", {"search": "python"})) == []
    assert names(api.get("", {"search": "renamed"})) == ["data-tools"]


# ---- case 16: created_by_id -------------------------------------------------------------------


def test_case_16_created_by_id_filters_on_last_publisher(api, world, colleague):
    other, other_key = colleague
    api.create("mine")
    api.create("shared")
    api.patch("name/shared/", {"base_version": 1, "body": "by colleague"}, key=other_key)
    response = api.post("", {"name": "theirs", "description": "d", "body": "b"}, key=other_key)
    assert response.status_code == 201
    assert [r.created_by_id for r in versions(world.team, "shared")] == [world.user.id, other.id]

    assert sorted(names(api.get("", {"created_by_id": other.id}))) == ["shared", "theirs"]
    assert names(api.get("", {"created_by_id": world.user.id})) == ["mine"]
    items = api.get("", {"created_by_id": other.id}).json()["results"]
    assert all(item["created_by"] == user_json(other) for item in items)
    assert api.get("", {"created_by_id": other.id}).json()["count"] == 2


def test_case_16_created_by_id_zero_is_no_filter(api, world, colleague):
    _, other_key = colleague
    api.create("mine")
    assert api.post("", {"name": "theirs", "description": "d", "body": "b"}, key=other_key).status_code == 201
    assert sorted(names(api.get("", {"created_by_id": 0}))) == ["mine", "theirs"]
    assert api.get("", {"created_by_id": "0"}).json()["count"] == 2


def test_case_16_created_by_id_unknown_user(api):
    api.create("mine")
    response = api.get("", {"created_by_id": 987654321})
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("value", ["abc", "1.5", "1e3", "true"])
def test_case_16_created_by_id_must_be_an_integer(api, value):
    api.create("mine")
    response = api.get("", {"created_by_id": value})
    assert response.status_code == 400
    assert response.json() == validation("created_by_id", "invalid_input", A_VALID_INTEGER)


def test_case_16_filters_combine_with_search(api, world, colleague):
    _, other_key = colleague
    api.create("pdf-mine")
    assert (
        api.post("", {"name": "pdf-theirs", "description": "d", "body": "b"}, key=other_key).status_code
        == 201
    )
    assert names(api.get("", {"created_by_id": world.user.id, "search": "pdf"})) == ["pdf-mine"]


# ---- case 17: ordering ------------------------------------------------------------------------


@pytest.fixture
def ordered(api, world):
    """alpha: 3 versions, published first; charlie: 2 versions; bravo: 1 version, published last.

    created_at (last publish) ascending: alpha, charlie, bravo
    name ascending: alpha, bravo, charlie
    version / latest_version / version_count ascending: bravo, charlie, alpha
    updated_at (set directly) ascending: charlie, alpha, bravo
    """
    api.create("alpha")
    api.publish("alpha", 1, body="a2")
    api.publish("alpha", 2, body="a3")
    api.create("charlie")
    api.publish("charlie", 1, body="c2")
    api.create("bravo")
    latest = {row.name: row for row in LLMSkill.objects.filter(team=world.team, is_latest=True)}
    assert latest["alpha"].created_at < latest["charlie"].created_at < latest["bravo"].created_at
    base = timezone.now() + timedelta(days=1)
    for offset, name in enumerate(["charlie", "alpha", "bravo"]):
        LLMSkill.objects.filter(pk=latest[name].pk).update(updated_at=base + timedelta(minutes=offset))


ORDERINGS = {
    "name": ["alpha", "bravo", "charlie"],
    "created_at": ["alpha", "charlie", "bravo"],
    "updated_at": ["charlie", "alpha", "bravo"],
    "version": ["bravo", "charlie", "alpha"],
    "latest_version": ["bravo", "charlie", "alpha"],
    "version_count": ["bravo", "charlie", "alpha"],
}


@pytest.mark.parametrize("field", sorted(ORDERINGS))
def test_case_17_order_by_every_field_both_directions(api, ordered, field):
    assert names(api.get("", {"order_by": field})) == ORDERINGS[field]
    assert names(api.get("", {"order_by": f"-{field}"})) == list(reversed(ORDERINGS[field]))


def test_case_17_order_by_name_ascending(api, ordered):
    response = api.get("", {"order_by": "name"})
    assert names(response) == ["alpha", "bravo", "charlie"]
    assert [item["version"] for item in response.json()["results"]] == [3, 1, 2]


@pytest.mark.parametrize(
    "value", ["bogus", "-bogus", "", "body", "id", "first_version_created_at", "NAME", "--name"]
)
def test_case_17_unknown_order_falls_back_to_newest_published_first(api, ordered, value):
    default = ["bravo", "charlie", "alpha"]
    assert names(api.get()) == default
    assert names(api.get("", {"order_by": value})) == default


def test_case_17_tie_break_is_minus_id(api, world):
    for name in ("t-one", "t-two", "t-three"):
        api.create(name)
    same = timezone.now() - timedelta(hours=1)
    LLMSkill.objects.filter(team=world.team).update(created_at=same, updated_at=same)
    expected = [
        row.name for row in sorted(LLMSkill.objects.filter(team=world.team), key=lambda r: r.id, reverse=True)
    ]
    assert names(api.get()) == expected
    assert names(api.get("", {"order_by": "created_at"})) == expected
    assert names(api.get("", {"order_by": "-version"})) == expected


# ---- case 18: one item per skill --------------------------------------------------------------


def test_case_18_list_shows_latest_of_three_versions(api, world):
    api.create("tri", body="# One", description="d1")
    api.publish("tri", 1, body="# Two", description="d2")
    api.publish("tri", 2, body="# Three", description="d3")

    body = api.get().json()

    assert body["count"] == 1
    [item] = body["results"]
    assert (item["version"], item["latest_version"], item["version_count"]) == (3, 3, 3)
    assert item["is_latest"] is True
    assert item["description"] == "d3"
    assert item["outline"] == [{"level": 1, "text": "Three"}]
    rows = versions(world.team, "tri")
    assert item["id"] == str(rows[2].id)
    assert item["first_version_created_at"] == iso(rows[0].created_at)
    assert item == expected_item(world.team, "tri")


# ---- pagination -------------------------------------------------------------------------------


def _link(url: str | None):
    assert url is not None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", {k: v for k, v in parse_qs(parts.query).items()}


def test_case_14_pagination_links(api, world):
    for name in ("p-1", "p-2", "p-3", "p-4", "p-5"):
        api.create(name)
    base_url = f"http://testserver/api/environments/{world.t}/llm_skills/"
    all_names = names(api.get())
    assert all_names == ["p-5", "p-4", "p-3", "p-2", "p-1"]

    page = api.get("", {"limit": 2}).json()
    assert page["count"] == 5
    assert [i["name"] for i in page["results"]] == all_names[:2]
    assert page["previous"] is None
    assert _link(page["next"]) == (base_url, {"limit": ["2"], "offset": ["2"]})

    page = api.get("", {"limit": 2, "offset": 2}).json()
    assert [i["name"] for i in page["results"]] == all_names[2:4]
    assert _link(page["next"]) == (base_url, {"limit": ["2"], "offset": ["4"]})
    assert _link(page["previous"]) == (base_url, {"limit": ["2"]})

    page = api.get("", {"limit": 2, "offset": 3}).json()
    assert [i["name"] for i in page["results"]] == all_names[3:5]
    assert page["next"] is None
    assert _link(page["previous"]) == (base_url, {"limit": ["2"], "offset": ["1"]})

    page = api.get("", {"limit": 2, "offset": 4}).json()
    assert [i["name"] for i in page["results"]] == all_names[4:]
    assert page["next"] is None

    page = api.get("", {"offset": 10}).json()
    assert (page["count"], page["results"], page["next"]) == (5, [], None)


def test_case_14_pagination_keeps_filters_in_links(api, world):
    for name in ("q-1", "q-2", "q-3"):
        api.create(name)
    page = api.get("", {"limit": 1, "search": "q-", "order_by": "name"}).json()
    assert [i["name"] for i in page["results"]] == ["q-1"]
    _, query = _link(page["next"])
    assert query == {"limit": ["1"], "offset": ["1"], "search": ["q-"], "order_by": ["name"]}


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5"])
def test_case_14_bad_limit_falls_back_to_default(api, limit):
    for name in ("p-1", "p-2", "p-3"):
        api.create(name)
    response = api.get("", {"limit": limit})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3
    assert response.json()["next"] is None


@pytest.mark.parametrize("offset", ["abc", "-2", "1.5"])
def test_case_14_bad_offset_becomes_zero(api, offset):
    for name in ("p-1", "p-2", "p-3"):
        api.create(name)
    response = api.get("", {"offset": offset, "limit": 2})
    assert response.status_code == 200
    assert names(response) == ["p-3", "p-2"]


def test_case_14_default_page_is_100_without_maximum(api, world):
    now = timezone.now()
    LLMSkill.objects.bulk_create(
        [
            LLMSkill(
                team=world.team,
                name=f"bulk-{i:03}",
                description="d",
                body="b",
                version=1,
                is_latest=True,
                created_at=now - timedelta(seconds=i),
            )
            for i in range(105)
        ]
    )
    body = api.get().json()
    assert (body["count"], len(body["results"])) == (105, 100)
    assert _link(body["next"])[1] == {"limit": ["100"], "offset": ["100"]}
    assert [i["name"] for i in body["results"]][:2] == ["bulk-000", "bulk-001"]
    assert len(api.get("", {"limit": 1000}).json()["results"]) == 105


# ---- GET by name ------------------------------------------------------------------------------


def test_case_19_unknown_name(api):
    response = api.get("name/nope/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Skill with name 'nope' not found."}
    assert response.json() == skill_not_found("nope")


def test_case_19_name_lookup_is_case_sensitive(api):
    api.create("my-skill")
    for variant in ("My-Skill", "MY-SKILL", "my-Skill"):
        response = api.get(f"name/{variant}/")
        assert response.status_code == 404
        assert response.json() == skill_not_found(variant)
    assert api.get("name/my-skill/").status_code == 200


def test_case_19_archived_and_other_project_names_are_not_found(api, client, world):
    api.create("gone")
    assert api.post("name/gone/archive/").status_code == 204
    assert api.get("name/gone/").json() == skill_not_found("gone")
    client.post(
        f"/api/environments/{world.team2.id}/llm_skills/",
        {"name": "elsewhere", "description": "d", "body": "b"},
        format="json",
        **bearer(world.k_all),
    )
    response = api.get("name/elsewhere/")
    assert (response.status_code, response.json()) == (404, skill_not_found("elsewhere"))


def test_get_by_name_full_representation(api, world):
    api.create(
        "my-skill",
        body="# Title\n\n## Part\ntext",
        description="desc",
        license="MIT",
        compatibility="py3",
        allowed_tools=["Bash", "Read"],
        metadata={"a": {"b": [1]}},
        files=[
            {"path": "scripts/run.sh", "content": "echo", "content_type": "text/x-shellscript"},
            {"path": "b.md", "content": "B"},
        ],
    )

    response = api.get("name/my-skill/")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == FULL_KEYS
    [row] = versions(world.team, "my-skill")
    assert body == expected_skill(row, latest_version=1, version_count=1, first_version=row)
    assert body["files"] == [
        {"path": "scripts/run.sh", "content_type": "text/x-shellscript"},
        {"path": "b.md", "content_type": "text/plain"},
    ]
    assert body["outline"] == [{"level": 1, "text": "Title"}, {"level": 2, "text": "Part"}]
    assert body["updated_at"].endswith("Z")


def test_get_by_name_old_version(api, world):
    api.create("my-skill", body="# One", files=[{"path": "v1.md", "content": "1"}])
    api.publish("my-skill", 1, body="# Two", files=[{"path": "v2.md", "content": "2", "content_type": "x/y"}])
    v1, v2 = versions(world.team, "my-skill")

    old = api.get("name/my-skill/", {"version": 1}).json()
    assert list(old) == FULL_KEYS
    assert old == expected_skill(v1, latest_version=2, version_count=2, first_version=v1)
    assert (old["is_latest"], old["version"], old["body"]) == (False, 1, "# One")
    assert old["outline"] == [{"level": 1, "text": "One"}]
    assert old["files"] == [{"path": "v1.md", "content_type": "text/plain"}]

    latest = api.get("name/my-skill/").json()
    assert latest == expected_skill(v2, latest_version=2, version_count=2, first_version=v1)
    assert api.get("name/my-skill/", {"version": 2}).json() == latest
    assert latest["first_version_created_at"] == iso(v1.created_at)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", validation("version", "min_value", VERSION_MIN)),
        ("-1", validation("version", "min_value", VERSION_MIN)),
        ("abc", validation("version", "invalid_input", A_VALID_INTEGER)),
        ("1.5", validation("version", "invalid_input", A_VALID_INTEGER)),
    ],
)
def test_case_20_invalid_version_parameter(api, value, expected):
    api.create("my-skill")
    response = api.get("name/my-skill/", {"version": value})
    assert response.status_code == 400
    assert response.json() == expected


def test_case_20_invalid_version_checked_before_lookup(api):
    response = api.get("name/nope/", {"version": "0"})
    assert response.status_code == 400
    assert response.json()["attr"] == "version"


def test_case_20_unknown_version(api):
    api.create("my-skill")
    response = api.get("name/my-skill/", {"version": 99})
    assert response.status_code == 404
    assert response.json() == skill_not_found("my-skill")
    response = api.get("name/nope/", {"version": 1})
    assert (response.status_code, response.json()) == (404, skill_not_found("nope"))


# ---- case 60 / §2.5: outline ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "# A\n\n## B ##\nplain\n#no\n####### seven\n   ### Indented",
            [{"level": 1, "text": "A"}, {"level": 2, "text": "B"}, {"level": 3, "text": "Indented"}],
            id="spec_example",
        ),
        pytest.param(
            "# A\n\n## B ##\n```\n# c\n```\n####### x",
            [{"level": 1, "text": "A"}, {"level": 2, "text": "B"}, {"level": 1, "text": "c"}],
            id="no_code_fence_awareness",
        ),
        pytest.param(
            "\n".join(
                [
                    "# #",
                    "## ##",
                    "###   ###   ",
                    "# x #",
                    "# C#",
                    "# a ## b",
                    "# tabbed\t##",
                    "# many   ####",
                    "# keep #hash inside",
                    "## kept ## ",
                ]
            ),
            [
                {"level": 1, "text": "x"},
                {"level": 1, "text": "C#"},
                {"level": 1, "text": "a ## b"},
                {"level": 1, "text": "tabbed"},
                {"level": 1, "text": "many"},
                {"level": 1, "text": "keep #hash inside"},
                {"level": 2, "text": "kept"},
            ],
            id="closing_sequences_and_empty_headings",
        ),
        pytest.param(
            "\n".join(
                [
                    "# one",
                    "## two",
                    "### three",
                    "#### four",
                    "##### five",
                    "###### six",
                    "####### seven",
                    "########",
                    "#\ttab",
                    "##    wide   gap  ",
                    "#",
                    "##",
                    "#nospace",
                    "##no",
                ]
            ),
            [
                {"level": 1, "text": "one"},
                {"level": 2, "text": "two"},
                {"level": 3, "text": "three"},
                {"level": 4, "text": "four"},
                {"level": 5, "text": "five"},
                {"level": 6, "text": "six"},
                {"level": 1, "text": "tab"},
                {"level": 2, "text": "wide   gap"},
            ],
            id="levels_and_separators",
        ),
        pytest.param(
            "intro\r\n  # Carriage  \r\n\t## Tabbed in\r\nTitle\n=====\nSub\n-----\n> # quoted\n- # listed",
            [{"level": 1, "text": "Carriage"}, {"level": 2, "text": "Tabbed in"}],
            id="whitespace_cr_and_no_setext",
        ),
    ],
)
def test_case_60_outline(api, body, expected):
    assert outline_of(api, body) == expected


def test_case_60_outline_unicode_and_none(api, world):
    assert outline_of(api, "# Héllo wörld ✓\n## 日本語") == [
        {"level": 1, "text": "Héllo wörld ✓"},
        {"level": 2, "text": "日本語"},
    ]
    assert api.create("flat", body="just text\nno headings")["outline"] == []


def test_case_60_outline_everywhere(api, world):
    api.create("my-skill", body="# First")
    api.publish("my-skill", 1, body="## Second\n# Third ###")
    expected = [{"level": 2, "text": "Second"}, {"level": 1, "text": "Third"}]
    assert api.get("name/my-skill/").json()["outline"] == expected
    assert api.get("name/my-skill/", {"version": 1}).json()["outline"] == [{"level": 1, "text": "First"}]
    [item] = api.get().json()["results"]
    assert item["outline"] == expected


# ---- query counts (no N+1) ----------------------------------------------------------------------

# Measured: key, project with membership, then count + page (list) or row + manifest (get).
LIST_QUERIES = 4
GET_QUERIES = 4


def _count_queries(django_assert_max_num_queries, limit: int, call) -> int:
    call()  # warm up: the key's last-used write must not be counted
    with django_assert_max_num_queries(limit) as captured:
        response = call()
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def _many_files(count: int) -> list[dict]:
    return [{"path": f"dir/{i:02}.md", "content": f"content {i}"} for i in range(count)]


def test_list_query_count_is_bounded(api, world, django_assert_max_num_queries):
    api.create("only", files=_many_files(2))
    small = _count_queries(django_assert_max_num_queries, LIST_QUERIES, lambda: api.get())
    for i in range(15):
        api.create(f"s-{i:02}", body=f"# H{i}", files=_many_files(3))
        api.publish(f"s-{i:02}", 1, body=f"# H{i} v2")
    large = _count_queries(django_assert_max_num_queries, LIST_QUERIES, lambda: api.get())
    filtered = _count_queries(
        django_assert_max_num_queries,
        LIST_QUERIES,
        lambda: api.get("", {"search": "s-", "created_by_id": world.user.id, "order_by": "-version_count"}),
    )
    paged = _count_queries(django_assert_max_num_queries, LIST_QUERIES, lambda: api.get("", {"limit": 5}))
    assert api.get().json()["count"] == 16
    assert small == large == filtered == paged


def test_get_by_name_query_count_is_independent_of_files(api, world, django_assert_max_num_queries):
    api.create("one-file", files=_many_files(1))
    one = _count_queries(django_assert_max_num_queries, GET_QUERIES, lambda: api.get("name/one-file/"))
    api.create("fifty-files", files=_many_files(50))
    for v in range(1, 4):
        api.publish("fifty-files", v)
    fifty = _count_queries(django_assert_max_num_queries, GET_QUERIES, lambda: api.get("name/fifty-files/"))
    old = _count_queries(
        django_assert_max_num_queries, GET_QUERIES, lambda: api.get("name/fifty-files/", {"version": 1})
    )
    assert len(api.get("name/fifty-files/").json()["files"]) == 50
    assert one == fifty == old
