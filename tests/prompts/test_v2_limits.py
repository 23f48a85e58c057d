"""Prompts v2 under hostile input: a diff of large versions that alternate equal and changed lines
is still a correct diff (and difflib's own within its bound), a compile cannot render without
bound, and text the server could not encode or parse is a 400, never a 500."""

import difflib
import random

import pytest

from prompts import diffing
from prompts.templating import MAX_COMPILED_CHARACTERS
from tests.prompts.v2_helpers import compile_prompt, diff, publish


def apply_hunks(old: list[str], hunks: list[dict]) -> list[str]:
    """The new text a diff's hunks make of `old`; fails if a context or removed line is wrong."""
    result, position = [], 0
    for hunk in hunks:
        start = hunk["old_start"] - 1 if hunk["old_lines"] else hunk["old_start"]
        result.extend(old[position:start])
        position = start
        for line in hunk["lines"]:
            if line[0] in " -":
                assert old[position] == line[1:], (position, line)
                position += 1
            if line[0] in " +":
                result.append(line[1:])
    return result + old[position:]


def test_diff_of_large_interleaved_versions_is_correct(api):
    # Every other line changed: difflib alone takes minutes on this; the anchored matcher does not.
    count = 20_000
    old = "\n".join(f"line {i} is the same" if i % 2 else f"old {i}" for i in range(count))
    new = "\n".join(f"line {i} is the same" if i % 2 else f"new {i}" for i in range(count))
    api.create("big", old)
    publish(api, "big", 1, prompt=new)

    response = diff(api, "big", **{"from": 1, "to": 2})

    assert response.status_code == 200
    body = response.json()
    assert body["stats"] == {"additions": count // 2, "deletions": count // 2}
    assert apply_hunks(old.split("\n"), body["hunks"]) == new.split("\n")
    assert body["diff"].split("\n")[:2] == ["--- big@v1", "+++ big@v2"]


def test_diff_of_large_json_versions_lists_each_changed_leaf(api):
    old = {f"key{i:05}": i for i in range(20_000)}
    new = {key: (-value if value % 2 else value) for key, value in old.items()}
    api.create("big-json", old)
    publish(api, "big-json", 1, prompt=new)

    body = diff(api, "big-json", **{"from": 1, "to": 2}).json()

    assert len(body["json_changes"]) == 10_000
    assert body["json_changes"][0] == {"op": "replace", "path": "/key00001", "old": 1, "new": -1}
    assert body["stats"] == {"additions": 10_000, "deletions": 10_000}


@pytest.mark.parametrize("bound", [0, 1, 10, 60])
def test_anchored_diff_is_always_a_correct_diff(monkeypatch, bound):
    """Past the bound, the diff is found through unique-line anchors: it may differ from difflib's
    (not always the smallest) but always turns the old text into the new one."""
    randomness = random.Random(bound)
    for _ in range(150):
        pool = [f"l{k}" for k in range(randomness.randint(1, 25))]
        old = [randomness.choice(pool) for _ in range(randomness.randint(0, 50))]
        new = list(old)
        for _ in range(randomness.randint(0, 8)):
            choice = randomness.random()
            if choice < 0.3 and new:
                del new[randomness.randrange(len(new))]
            elif choice < 0.6:
                new.insert(randomness.randint(0, len(new)), randomness.choice([*pool, "added"]))
            elif new:
                new[randomness.randrange(len(new))] = "changed"
        expected = list(difflib.unified_diff(old, new, "a", "b", n=3, lineterm=""))
        assert diffing.unified_diff(old, new, "a", "b") == expected  # within the bound: difflib's
        monkeypatch.setattr(diffing, "MAX_MATCHING_WORK", bound)
        monkeypatch.setattr(diffing, "MAX_STRETCH_WORK", bound)
        lines = diffing.unified_diff(old, new, "a", "b")
        monkeypatch.undo()
        assert (lines == []) == (old == new)
        assert apply_hunks(old, diffing.parse_hunks(lines)) == new


def test_compile_cannot_render_without_bound(api, world):
    api.create("many", "{{x}}" * 100_000)
    response = compile_prompt(api, "many", {"variables": {"x": "V" * 1_000}})
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "too_large",
        "detail": f"The compiled prompt would be longer than {MAX_COMPILED_CHARACTERS} characters.",
        "attr": "variables",
    }
    # Right at the bound it renders.
    fits = MAX_COMPILED_CHARACTERS // 100_000
    text = compile_prompt(api, "many", {"variables": {"x": "V" * fits}}).json()["text"]
    assert len(text) == MAX_COMPILED_CHARACTERS


def test_compile_refuses_text_it_could_not_encode(api):
    api.create("hi", "Hi {{name}}")
    response = api.client.post(
        api.url("name/hi/compile/"),
        '{"variables": {"name": "\\ud800"}}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.key}",
    )
    assert response.status_code == 400
    assert response.json()["attr"] == "variables"


def test_edits_producing_an_unparseable_number_are_invalid_json(api):
    api.create("num", {"a": 1})
    response = api.patch(
        "name/num/", {"base_version": 1, "edits": [{"old": '"a": 1', "new": '"a": ' + "9" * 5000}]}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["edit_index"] == 0
    assert body["detail"].startswith("Edits produced invalid JSON: ")


@pytest.mark.parametrize("value", [" ", "%09", "production%20"])
def test_a_label_of_whitespace_is_refused_not_ignored(api, value):
    api.create("p", "text")
    for path in ("name/p/", ""):
        response = api.client.get(api.url(path) + f"?label={value}", HTTP_AUTHORIZATION=f"Bearer {api.key}")
        assert response.status_code == 400, (path, value)
        assert response.json()["attr"] == "label"
    response = api.client.get(api.url("name/p/") + "?content=%20", HTTP_AUTHORIZATION=f"Bearer {api.key}")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_choice")


def test_a_cold_resolve_reads_each_page_in_a_fixed_number_of_queries(
    api, world, django_assert_max_num_queries
):
    api.create("deep", "v1", version_description="first")
    for version in range(1, 40):
        publish(api, "deep", version, prompt=f"v{version + 1}", version_description=f"to {version + 1}")
    api.get("name/deep/")  # the key and project are now cached; the resolve below is not
    with django_assert_max_num_queries(3):  # the row, the page of versions, the labels
        response = api.get("resolve/name/deep/", {"limit": 100})
    assert [v["version_description"] for v in response.json()["versions"]][:2] == ["to 40", "to 39"]


def test_compile_refuses_a_blank_label_and_null_values_with_their_texts(api):
    api.create("hi", "Hi {{name}}")
    blank = compile_prompt(api, "hi", {"label": ""})
    assert (blank.status_code, blank.json()["attr"], blank.json()["code"]) == (400, "label", "invalid_label")
    assert blank.json()["detail"].startswith("Use lowercase letters")
    null = compile_prompt(api, "hi", {"variables": None})
    assert null.status_code == 400
    assert (null.json()["attr"], null.json()["detail"]) == ("variables", "Variables must be a JSON object.")


def test_compile_by_label_of_a_name_with_a_nul_is_not_found(api):
    response = compile_prompt(api, "a%00b", {"label": "production"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Prompt with name 'a\x00b' not found."}


def test_edits_producing_nan_are_invalid_json(api):
    api.create("num", {"a": 1})
    response = api.patch("name/num/", {"base_version": 1, "edits": [{"old": '"a": 1', "new": '"a": NaN'}]})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Edits produced invalid JSON: NaN is not a JSON value",
        "edit_index": 0,
    }
