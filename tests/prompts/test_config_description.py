"""Per-version `config` and `version_description` (prompts v2 spec §4, §5; cases 39-51)."""

import pytest

from tests.prompts.helpers import PUBLIC_KEYS, PUBLIC_NONE_KEYS, PUBLIC_PREVIEW_KEYS, active
from tests.prompts.v2_helpers import (
    CONFIG_INVALID,
    CONFIG_TOO_BIG,
    DESCRIPTION_TOO_LONG,
    LIST_FULL_KEYS,
    LIST_NONE_KEYS,
    LIST_PREVIEW_KEYS,
    V2_FULL_KEYS,
    get_by_name,
    latest_row,
    list_item,
    publish,
    row_count,
)

CONFIG = {"model": "gpt-4o", "temperature": 0}

# ---- config ----------------------------------------------------------------------------------------


def test_case_39_create_with_config(api, world):
    created = api.create("cfg", "Hello", config=CONFIG)
    assert set(created) == V2_FULL_KEYS
    assert created["config"] == CONFIG
    assert latest_row(world.team, "cfg").config == CONFIG

    fetched = get_by_name(api, "cfg")
    assert set(fetched) == PUBLIC_KEYS
    assert fetched["config"] == CONFIG

    item = list_item(api, "cfg")
    assert set(item) == LIST_FULL_KEYS
    assert item["config"] == CONFIG
    assert list_item(api, "cfg", content="full")["config"] == CONFIG


def test_case_39_config_is_schemaless_and_returned_as_stored(api, world):
    nested = {"model": "x", "params": {"stop": ["\n", "END"], "n": 1.5, "flag": None}, "héllo": "wörld"}
    assert api.create("nested-cfg", "p", config=nested)["config"] == nested
    assert get_by_name(api, "nested-cfg")["config"] == nested
    assert latest_row(world.team, "nested-cfg").config == nested


def test_case_40_create_without_config(api, world):
    created = api.create("plain", "Hello")
    assert created["config"] is None
    assert latest_row(world.team, "plain").config is None
    fetched = get_by_name(api, "plain")
    assert "config" in fetched
    assert fetched["config"] is None
    fetched = get_by_name(api, "plain", content="full")
    assert fetched["config"] is None
    assert list_item(api, "plain")["config"] is None


def test_case_40_explicit_null_and_empty_object(api, world):
    assert api.create("null-cfg", "x", config=None)["config"] is None
    assert api.create("empty-cfg", "x", config={})["config"] == {}
    assert get_by_name(api, "empty-cfg")["config"] == {}
    assert latest_row(world.team, "empty-cfg").config == {}
    assert latest_row(world.team, "null-cfg").config is None


@pytest.mark.parametrize("content", ["preview", "none"])
def test_case_41_no_config_outside_full(api, world, content):
    api.create("cfg", "Hello", config=CONFIG)
    fetched = get_by_name(api, "cfg", content=content)
    assert "config" not in fetched
    assert "variables" not in fetched
    assert set(fetched) == (PUBLIC_PREVIEW_KEYS if content == "preview" else PUBLIC_NONE_KEYS)
    item = list_item(api, "cfg", content=content)
    assert "config" not in item
    assert "variables" not in item
    assert set(item) == (LIST_PREVIEW_KEYS if content == "preview" else LIST_NONE_KEYS)


def test_case_42_config_carried_forward(api, world):
    api.create("carry", "You are a helpful assistant.", config=CONFIG)

    v2 = publish(api, "carry", 1, prompt="v2")
    assert v2["config"] == CONFIG
    assert v2["version"] == 2

    v3 = publish(api, "carry", 2, edits=[{"old": "v2", "new": "v3"}])
    assert (v3["version"], v3["prompt"], v3["config"]) == (3, "v3", CONFIG)

    assert [row.config for row in active(world.team, "carry")] == [CONFIG, CONFIG, CONFIG]
    assert get_by_name(api, "carry")["config"] == CONFIG


def test_case_43_config_cleared_and_replaced(api, world):
    api.create("clear", "v1", config=CONFIG)

    v2 = publish(api, "clear", 1, prompt="v2", config=None)
    assert v2["config"] is None

    v3 = publish(api, "clear", 2, config={})
    assert v3["config"] == {}
    assert v3["prompt"] == "v2"

    # An object replaces, it does not merge.
    v4 = publish(api, "clear", 3, prompt="v4", config={"temperature": 1})
    assert v4["config"] == {"temperature": 1}

    assert [row.config for row in active(world.team, "clear")] == [CONFIG, None, {}, {"temperature": 1}]
    assert get_by_name(api, "clear", version=1)["config"] == CONFIG
    assert get_by_name(api, "clear", version=2)["config"] is None
    assert get_by_name(api, "clear", version=3)["config"] == {}
    assert get_by_name(api, "clear")["config"] == {"temperature": 1}


def test_case_44_config_only_publish(api, world):
    api.create("only", "unchanged text", config=CONFIG)

    response = api.patch("name/only/", {"config": {"temperature": 0.9}, "base_version": 1})

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == V2_FULL_KEYS
    assert (body["version"], body["prompt"], body["config"]) == (2, "unchanged text", {"temperature": 0.9})
    assert (body["is_latest"], body["latest_version"], body["version_count"]) == (True, 2, 2)
    v1, v2 = active(world.team, "only")
    assert (v1.prompt, v1.config) == ("unchanged text", CONFIG)
    assert (v2.prompt, v2.config) == ("unchanged text", {"temperature": 0.9})


def test_case_44_config_only_publish_of_a_json_prompt(api, world):
    payload = {"system": "hi", "temperature": 0.7}
    api.create("only-json", payload)
    body = publish(api, "only-json", 1, config={"model": "m"})
    assert (body["prompt"], body["config"]) == (payload, {"model": "m"})


@pytest.mark.parametrize("bad", ["gpt-4o", ["x"], 42, True, 1.5, ""])
def test_case_45_invalid_config_on_create(api, world, bad):
    response = api.post("", {"name": "bad-cfg", "prompt": "x", "config": bad})
    assert response.status_code == 400
    assert response.json() == CONFIG_INVALID
    assert row_count() == 0


@pytest.mark.parametrize("bad", ["gpt-4o", ["x"], 42, True])
def test_case_45_invalid_config_on_publish(api, world, bad):
    api.create("bad-cfg", "x", config=CONFIG)
    for body in ({"prompt": "v2", "config": bad}, {"config": bad}):
        response = api.patch("name/bad-cfg/", {**body, "base_version": 1})
        assert response.status_code == 400
        assert response.json() == CONFIG_INVALID
    assert row_count() == 1
    assert latest_row(world.team, "bad-cfg").version == 1


def _config_of_size(size: int) -> dict:
    # Compact JSON `{"k":"<x...>"}` is 8 bytes plus the string.
    return {"k": "x" * (size - 8)}


def test_case_46_oversized_config(api, world):
    too_big = _config_of_size(1_000_001)
    response = api.post("", {"name": "big-cfg", "prompt": "x", "config": too_big})
    assert response.status_code == 400
    assert response.json() == CONFIG_TOO_BIG
    assert row_count() == 0

    api.create("big-cfg", "x")
    response = api.patch("name/big-cfg/", {"config": too_big, "base_version": 1})
    assert response.status_code == 400
    assert response.json() == CONFIG_TOO_BIG
    assert row_count() == 1


def test_case_46_config_at_the_limit_is_accepted(api, world):
    exact = _config_of_size(1_000_000)
    response = api.post("", {"name": "limit-cfg", "prompt": "x", "config": exact})
    assert response.status_code == 201, response.content[:300]
    assert latest_row(world.team, "limit-cfg").config == exact


def test_case_46_config_size_counts_utf8_bytes(api, world):
    # 333,330 times "é" is 666,660 bytes: with the 8 bytes of `{"k":""}` and the rest in ASCII.
    config = {"k": "é" * 333_330 + "x" * (1_000_001 - 8 - 666_660)}
    response = api.post("", {"name": "utf-cfg", "prompt": "x", "config": config})
    assert response.status_code == 400
    assert response.json() == CONFIG_TOO_BIG


def test_case_47_duplicate_copies_config_and_variables(api, world):
    variables = {"name": {"type": "string", "required": True}}
    api.create("src", "Hi {{name}}", config=CONFIG, variables=variables, version_description="Initial")
    publish(api, "src", 1, prompt="Hi {{name}}!", version_description="Second")

    response = api.post("name/src/duplicate/", {"new_name": "copy"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == V2_FULL_KEYS
    assert (body["name"], body["version"], body["prompt"]) == ("copy", 1, "Hi {{name}}!")
    assert body["config"] == CONFIG
    assert body["variables"] == variables
    assert body["version_description"] is None
    assert body["labels"] == []
    row = latest_row(world.team, "copy")
    assert (row.config, row.variables, row.version_description) == (CONFIG, variables, None)


def test_case_48_legacy_patch_carries_config(api, world):
    v1 = api.create("legacy", "v1", config=CONFIG)

    response = api.patch(f"{v1['id']}/", {"prompt": "v2"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["prompt"], body["config"]) == (2, "v2", CONFIG)
    assert body["id"] != v1["id"]
    assert [row.config for row in active(world.team, "legacy")] == [CONFIG, CONFIG]
    assert get_by_name(api, "legacy")["config"] == CONFIG


# ---- version_description ---------------------------------------------------------------------------


def test_case_49_description_echoed_and_in_summaries(api, world):
    created = api.create("desc", "v1", version_description="Initial")
    assert created["version_description"] == "Initial"
    v2 = publish(api, "desc", 1, prompt="v2", version_description="Tightened")
    assert v2["version_description"] == "Tightened"

    resolved = api.get("resolve/name/desc/").json()
    assert [v["version_description"] for v in resolved["versions"]] == ["Tightened", "Initial"]
    assert resolved["prompt"]["version_description"] == "Tightened"

    assert list_item(api, "desc")["version_description"] == "Tightened"
    assert [row.version_description for row in active(world.team, "desc")] == ["Initial", "Tightened"]


def test_case_50_description_not_carried(api, world):
    api.create("desc", "v1", version_description="Initial")
    publish(api, "desc", 1, prompt="v2", version_description="Tightened")

    v3 = publish(api, "desc", 2, prompt="v3")
    assert v3["version_description"] is None

    resolved = api.get("resolve/name/desc/").json()
    assert [v["version_description"] for v in resolved["versions"]] == [None, "Tightened", "Initial"]
    assert list_item(api, "desc")["version_description"] is None
    assert latest_row(world.team, "desc").version_description is None


def test_case_50_description_with_edits_and_config_only(api, world):
    api.create("desc-edits", "Hello world", version_description="Initial")
    v2 = publish(api, "desc-edits", 1, edits=[{"old": "world", "new": "there"}], version_description="Edited")
    assert (v2["prompt"], v2["version_description"]) == ("Hello there", "Edited")
    v3 = publish(api, "desc-edits", 2, config={"a": 1})
    assert v3["version_description"] is None


def test_case_51_description_length(api, world):
    response = api.post("", {"name": "long", "prompt": "x", "version_description": "d" * 401})
    assert response.status_code == 400
    assert response.json() == DESCRIPTION_TOO_LONG
    assert row_count() == 0

    assert api.create("long", "x", version_description="d" * 400)["version_description"] == "d" * 400

    response = api.patch("name/long/", {"prompt": "v2", "version_description": "d" * 401, "base_version": 1})
    assert response.status_code == 400
    assert response.json() == DESCRIPTION_TOO_LONG
    assert row_count() == 1

    assert publish(api, "long", 1, prompt="v2", version_description=None)["version_description"] is None
    assert publish(api, "long", 2, prompt="v3", version_description="   ")["version_description"] is None
    assert latest_row(world.team, "long").version_description is None


def test_case_51_description_blank_and_trimmed_on_create(api, world):
    assert api.create("blank", "x", version_description="   ")["version_description"] is None
    assert latest_row(world.team, "blank").version_description is None
    assert api.create("nulled", "x", version_description=None)["version_description"] is None
    created = api.create("trimmed", "x", version_description="  Initial  ")
    assert created["version_description"] == "Initial"
    assert latest_row(world.team, "trimmed").version_description == "Initial"


def test_case_51_description_not_in_get_by_name(api, world):
    api.create("hidden", "x", version_description="Initial")
    for content in ("full", "preview", "none"):
        assert "version_description" not in get_by_name(api, "hidden", content=content)
    assert "version_description" not in get_by_name(api, "hidden")


def test_case_51_description_must_be_a_string(api, world):
    response = api.post("", {"name": "typed", "prompt": "x", "version_description": {"a": 1}})
    assert response.status_code == 400
    assert response.json()["attr"] == "version_description"
    assert row_count() == 0
