"""Content modes, prompt_preview, outline, prompt_size_bytes and the list filters (prompts v2 spec §2,
§7, §8; cases 60-67)."""

import pytest

from tests.api import validation
from tests.factories import UserFactory, make_key, make_member
from tests.prompts.helpers import PUBLIC_KEYS, PUBLIC_NONE_KEYS, PUBLIC_PREVIEW_KEYS
from tests.prompts.v2_helpers import (
    INTEGER_REQUIRED,
    LIST_FULL_KEYS,
    LIST_NONE_KEYS,
    LIST_PREVIEW_KEYS,
    V2_FULL_KEYS,
    display_text,
    get_by_name,
    list_item,
    list_items,
    preview,
    publish,
    size_bytes,
)

OUTLINE_TEXT = "# A\n\n## B ##\n```\n# c\n```\n####### x\n   ### Indented\n#no"
OUTLINE = [
    {"level": 1, "text": "A"},
    {"level": 2, "text": "B"},
    {"level": 1, "text": "c"},
    {"level": 3, "text": "Indented"},
]


def invalid_choice(value: str) -> dict:
    return validation("content", "invalid_choice", f'"{value}" is not a valid choice.')


# ---- prompt_preview (§7.2) --------------------------------------------------------------------------


def test_case_60_preview_truncates_long_prompt(api, world):
    long_text = "".join(chr(ord("a") + i % 26) for i in range(200))
    api.create("long", long_text)

    fetched = get_by_name(api, "long", content="preview")
    assert "prompt" not in fetched
    assert fetched["prompt_preview"] == long_text[:160] + "..."
    assert len(fetched["prompt_preview"]) == 163

    item = list_item(api, "long", content="preview")
    assert "prompt" not in item
    assert item["prompt_preview"] == long_text[:160] + "..."


def test_case_60_preview_of_a_short_prompt_is_whole(api, world):
    exact = "b" * 160
    api.create("exact", exact)
    assert get_by_name(api, "exact", content="preview")["prompt_preview"] == exact
    assert list_item(api, "exact", content="preview")["prompt_preview"] == exact

    api.create("one-more", "c" * 161)
    assert get_by_name(api, "one-more", content="preview")["prompt_preview"] == "c" * 160 + "..."

    api.create("short", "Hi")
    assert get_by_name(api, "short", content="preview")["prompt_preview"] == "Hi"

    api.create("empty", "")
    assert get_by_name(api, "empty", content="preview")["prompt_preview"] == ""


def test_case_60_preview_of_a_json_prompt(api, world):
    payload = {"system": "héllo"}
    api.create("json", payload)
    expected = display_text(payload)
    assert expected == '{"system": "héllo"}'
    assert get_by_name(api, "json", content="preview")["prompt_preview"] == expected
    assert list_item(api, "json", content="preview")["prompt_preview"] == expected

    messages = [{"role": "user", "content": "é" * 200}]
    api.create("json-long", messages)
    fetched = get_by_name(api, "json-long", content="preview")
    assert fetched["prompt_preview"] == preview(messages)
    assert fetched["prompt_preview"].startswith('[{"role": "user", "content": "éé')
    assert fetched["prompt_preview"].endswith("...")
    assert len(fetched["prompt_preview"]) == 163


def test_case_60_preview_counts_characters_not_bytes(api, world):
    text = "é" * 170
    api.create("utf", text)
    assert get_by_name(api, "utf", content="preview")["prompt_preview"] == "é" * 160 + "..."


def test_case_60_preview_of_a_historical_version(api, world):
    api.create("hist", "x" * 170)
    publish(api, "hist", 1, prompt="short")
    assert get_by_name(api, "hist", content="preview", version=1)["prompt_preview"] == "x" * 160 + "..."
    assert get_by_name(api, "hist", content="preview")["prompt_preview"] == "short"


# ---- content=none (§7.1) ------------------------------------------------------------------------------


def test_case_61_content_none(api, world):
    api.create("none", "# Title\nbody", config={"a": 1})
    fetched = get_by_name(api, "none", content="none")
    assert "prompt" not in fetched
    assert "prompt_preview" not in fetched
    assert "config" not in fetched
    assert fetched["outline"] == [{"level": 1, "text": "Title"}]

    item = list_item(api, "none", content="none")
    assert "prompt" not in item
    assert "prompt_preview" not in item
    assert "config" not in item
    assert item["outline"] == [{"level": 1, "text": "Title"}]
    assert item["prompt_size_bytes"] == size_bytes("# Title\nbody")


# ---- key sets (§2.3, §2.2) -------------------------------------------------------------------------------


def test_case_62_get_by_name_key_sets(api, world):
    api.create("keys", "text", config={"a": 1}, version_description="Initial")
    assert set(get_by_name(api, "keys")) == PUBLIC_KEYS
    assert set(get_by_name(api, "keys", content="full")) == PUBLIC_KEYS
    assert set(get_by_name(api, "keys", content="preview")) == PUBLIC_PREVIEW_KEYS
    assert set(get_by_name(api, "keys", content="none")) == PUBLIC_NONE_KEYS
    assert set(get_by_name(api, "keys", version=1, content="preview")) == PUBLIC_PREVIEW_KEYS


def test_case_62_labeled_fetch_adds_label(api, world):
    api.create("labeled", "v1")
    publish(api, "labeled", 1, prompt="v2")
    assert api.put("name/labeled/labels/production/", {"version": 1}).status_code == 201

    for content, keys in (
        ("full", PUBLIC_KEYS),
        ("preview", PUBLIC_PREVIEW_KEYS),
        ("none", PUBLIC_NONE_KEYS),
    ):
        fetched = get_by_name(api, "labeled", label="production", content=content)
        assert set(fetched) == keys | {"label"}, content
        assert (fetched["label"], fetched["version"]) == ("production", 1)
    fetched = get_by_name(api, "labeled", label="production", content="preview")
    assert fetched["prompt_preview"] == "v1"

    fetched = get_by_name(api, "labeled", label="latest", content="none")
    assert set(fetched) == PUBLIC_NONE_KEYS | {"label"}
    assert (fetched["label"], fetched["version"]) == ("latest", 2)


def test_case_62_list_item_key_sets(api, world):
    api.create("keys", "text")
    assert set(list_item(api, "keys")) == LIST_FULL_KEYS
    assert set(list_item(api, "keys", content="full")) == LIST_FULL_KEYS
    assert set(list_item(api, "keys", content="preview")) == LIST_PREVIEW_KEYS
    assert set(list_item(api, "keys", content="none")) == LIST_NONE_KEYS


def test_case_62_list_preview_items(api, world):
    api.create("prev", "# Head\ntext", config={"model": "m"}, variables={"x": {"type": "string"}})
    item = list_item(api, "prev", content="preview")
    assert item["prompt_size_bytes"] == size_bytes("# Head\ntext")
    assert item["outline"] == [{"level": 1, "text": "Head"}]
    assert item["prompt_preview"] == "# Head\ntext"
    for key in ("config", "variables", "prompt"):
        assert key not in item
    assert item["labels"] == []
    assert item["all_labels"] == []


def test_case_62_write_responses_use_the_full_shape(api, world):
    created = api.post("?content=none", {"name": "write", "prompt": "x"})
    assert created.status_code == 201
    assert set(created.json()) == V2_FULL_KEYS
    assert set(publish(api, "write", 1, prompt="y")) == V2_FULL_KEYS
    resolved = api.get("resolve/name/write/", {"content": "none"}).json()
    assert set(resolved["prompt"]) == V2_FULL_KEYS


# ---- content validation (§7.1) ------------------------------------------------------------------------


def test_case_63_invalid_content(api, world):
    api.create("c", "text")
    for path in ("name/c/", ""):
        response = api.get(path, {"content": "bogus"})
        assert response.status_code == 400, path
        assert response.json() == invalid_choice("bogus")
        response = api.get(path, {"content": "FULL"})
        assert response.status_code == 400, path
        assert response.json() == invalid_choice("FULL")


def test_case_63_invalid_content_checked_before_lookup(api, world):
    response = api.get("name/unknown/", {"content": "bogus"})
    assert response.status_code == 400
    assert response.json() == invalid_choice("bogus")


def test_case_63_empty_content_is_full(api, world):
    api.create("c", "text", config={"a": 1})
    fetched = api.get("name/c/?content=")
    assert fetched.status_code == 200
    assert set(fetched.json()) == PUBLIC_KEYS
    assert fetched.json()["prompt"] == "text"
    assert fetched.json()["config"] == {"a": 1}
    listed = api.get("?content=")
    assert listed.status_code == 200
    (item,) = listed.json()["results"]
    assert set(item) == LIST_FULL_KEYS
    assert item["prompt"] == "text"


# ---- outline (§7.3) -------------------------------------------------------------------------------------


def test_case_64_outline(api, world):
    created = api.create("outline", OUTLINE_TEXT)
    assert created["outline"] == OUTLINE
    for content in ("full", "preview", "none"):
        assert get_by_name(api, "outline", content=content)["outline"] == OUTLINE
        assert list_item(api, "outline", content=content)["outline"] == OUTLINE
    assert api.get("resolve/name/outline/").json()["prompt"]["outline"] == OUTLINE


def test_case_64_outline_details(api, world):
    text = "\n".join(
        [
            "#\tTab heading",
            "###### Six",
            "## Closing ###   ",
            "# C#",
            "# \t",
            "Title",
            "=====",
            "\r",
            "  ## Spaced  \r",
        ]
    )
    created = api.create("details", text)
    assert created["outline"] == [
        {"level": 1, "text": "Tab heading"},
        {"level": 6, "text": "Six"},
        {"level": 2, "text": "Closing"},
        {"level": 1, "text": "C#"},
        {"level": 2, "text": "Spaced"},
    ]


def test_case_64_outline_of_json_and_empty_prompts(api, world):
    assert api.create("json", {"system": "# Not a heading"})["outline"] == []
    assert api.create("arr", ["# x"])["outline"] == []
    assert api.create("empty", "")["outline"] == []
    assert get_by_name(api, "json")["outline"] == []
    assert list_item(api, "json")["outline"] == []


def test_case_64_outline_follows_the_version(api, world):
    api.create("ver", "# One")
    body = publish(api, "ver", 1, prompt="# Two\n## Three")
    assert body["outline"] == [{"level": 1, "text": "Two"}, {"level": 2, "text": "Three"}]
    assert get_by_name(api, "ver", version=1)["outline"] == [{"level": 1, "text": "One"}]


# ---- prompt_size_bytes (§7.4) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, payload, expected",
    [
        ("ascii", "abc", 5),
        ("accent", "héllo", 8),
        ("one-e", "é", 4),
        ("object", {"a": 1}, 7),
        ("nested", {"a": [1, "é"], "b": None}, 23),
        ("quote", 'say "hi"\n', 14),
        ("empty", "", 2),
    ],
)
def test_case_65_prompt_size_bytes(api, world, name, payload, expected):
    assert size_bytes(payload) == expected
    api.create(name, payload)
    for content in ("full", "preview", "none"):
        assert list_item(api, name, content=content)["prompt_size_bytes"] == expected


def test_case_65_size_not_in_get_by_name(api, world):
    api.create("size", "abc")
    for content in ("full", "preview", "none"):
        assert "prompt_size_bytes" not in get_by_name(api, "size", content=content)


def test_case_65_size_of_the_latest_version(api, world):
    api.create("grows", "abc")
    publish(api, "grows", 1, prompt="abcdef")
    assert list_item(api, "grows")["prompt_size_bytes"] == 8


# ---- order_by (§8) --------------------------------------------------------------------------------------


def test_case_66_order_by_prompt_size_bytes(api, world):
    api.create("medium", "x" * 50)
    api.create("small", "x")
    api.create("large", "é" * 40)  # 82 bytes, 40 characters
    ascending = [item["name"] for item in list_items(api, order_by="prompt_size_bytes")]
    assert ascending == ["small", "medium", "large"]
    descending = [item["name"] for item in list_items(api, order_by="-prompt_size_bytes")]
    assert descending == ["large", "medium", "small"]


def test_case_66_size_ties_broken_by_descending_id(api, world):
    ids = {name: api.create(name, "same")["id"] for name in ("t1", "t2", "t3", "t4")}
    api.create("bigger", "longer text")
    by_id_desc = sorted(ids, key=lambda name: ids[name], reverse=True)

    ascending = [item["name"] for item in list_items(api, order_by="prompt_size_bytes")]
    assert ascending == [*by_id_desc, "bigger"]
    descending = [item["name"] for item in list_items(api, order_by="-prompt_size_bytes")]
    assert descending == ["bigger", *by_id_desc]


def test_case_66_order_by_size_paginates(api, world):
    for index in range(5):
        api.create(f"p{index}", "x" * (index + 1))
    response = api.get("", {"order_by": "-prompt_size_bytes", "limit": 2, "offset": 2})
    assert response.json()["count"] == 5
    assert [item["name"] for item in response.json()["results"]] == ["p2", "p1"]


def test_case_66_unknown_order_still_falls_back(api, world):
    api.create("first", "x" * 10)
    api.create("second", "x")
    response = api.get("", {"order_by": "prompt_size"})
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["results"]] == ["second", "first"]


# ---- created_by_id (§8) -----------------------------------------------------------------------------------


def _colleague(world):
    colleague = UserFactory(email="colleague@example.com")
    make_member(colleague, world.org_a)
    return colleague, make_key(colleague, ["llm_prompt:write"])


def test_case_67_created_by_id_filter(api, world):
    colleague, colleague_key = _colleague(world)
    assert api.post("", {"name": "theirs", "prompt": "x"}, key=colleague_key).status_code == 201
    api.create("mine", "y")

    assert [i["name"] for i in list_items(api, created_by_id=colleague.id)] == ["theirs"]
    assert [i["name"] for i in list_items(api, created_by_id=world.user.id)] == ["mine"]
    response = api.get("", {"created_by_id": colleague.id})
    assert response.json()["count"] == 1

    # The listed row's publisher counts: publishing over their prompt moves it to the caller.
    publish(api, "theirs", 1, prompt="x2")
    assert list_items(api, created_by_id=colleague.id) == []
    assert api.get("", {"created_by_id": colleague.id}).json()["count"] == 0
    assert sorted(i["name"] for i in list_items(api, created_by_id=world.user.id)) == ["mine", "theirs"]


def test_case_67_created_by_id_invalid(api, world):
    for bad in ("abc", "1.5"):
        response = api.get("", {"created_by_id": bad})
        assert response.status_code == 400, bad
        assert response.json() == validation("created_by_id", "invalid_input", INTEGER_REQUIRED)


def test_case_67_created_by_id_zero_or_empty_is_no_filter(api, world):
    _, colleague_key = _colleague(world)
    api.post("", {"name": "theirs", "prompt": "x"}, key=colleague_key)
    api.create("mine", "y")
    assert len(list_items(api, created_by_id=0)) == 2
    response = api.get("?created_by_id=")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_case_67_created_by_id_of_nobody(api, world):
    api.create("mine", "y")
    response = api.get("", {"created_by_id": world.user.id + 10_000})
    assert response.status_code == 200
    assert (response.json()["count"], response.json()["results"]) == (0, [])


def test_case_67_created_by_id_with_search_and_order(api, world):
    colleague, colleague_key = _colleague(world)
    for name, text in (("a-one", "xx"), ("a-two", "x"), ("b-one", "xxx")):
        api.post("", {"name": name, "prompt": text}, key=colleague_key)
    api.create("a-mine", "x")
    names = [
        i["name"]
        for i in list_items(api, created_by_id=colleague.id, search="a-", order_by="prompt_size_bytes")
    ]
    assert names == ["a-two", "a-one"]


def test_case_67_created_by_id_with_label_filters_the_labeled_row(api, world):
    colleague, colleague_key = _colleague(world)
    assert api.post("", {"name": "shared", "prompt": "theirs"}, key=colleague_key).status_code == 201
    publish(api, "shared", 1, prompt="mine, and longer")
    assert api.put("name/shared/labels/production/", {"version": 1}).status_code == 201

    items = list_items(api, label="production", created_by_id=colleague.id)
    assert [(i["name"], i["version"], i["prompt"]) for i in items] == [("shared", 1, "theirs")]
    assert list_items(api, label="production", created_by_id=world.user.id) == []
    # Without the label the latest row (the caller's) is listed.
    assert list_items(api, created_by_id=colleague.id) == []
    assert [i["version"] for i in list_items(api, created_by_id=world.user.id)] == [2]


def test_case_66_size_order_and_size_of_labeled_rows(api, world):
    api.create("a", "x" * 30)
    publish(api, "a", 1, prompt="x")
    api.create("b", "x" * 10)
    for name in ("a", "b"):
        assert api.put(f"name/{name}/labels/production/", {"version": 1}).status_code == 201
    items = list_items(api, label="production", order_by="-prompt_size_bytes", content="none")
    assert [(i["name"], i["version"], i["prompt_size_bytes"]) for i in items] == [("a", 1, 32), ("b", 1, 12)]
    items = list_items(api, order_by="-prompt_size_bytes", content="preview")
    assert [(i["name"], i["prompt_size_bytes"], i["prompt_preview"]) for i in items] == [
        ("b", 12, "x" * 10),
        ("a", 3, "x"),
    ]
