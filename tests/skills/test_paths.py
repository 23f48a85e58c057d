"""Bundled-file path rules (skills spec §2.4 path rules, §4.10/§4.11 URL path check; cases 12, 36,
47, 50), on every place a path is accepted.

A refused path is a 400 validation envelope on the path field (code `invalid_input`, a detail that
says what is wrong) and never leaves a file row behind.
"""

from collections.abc import Callable
from urllib.parse import quote

import pytest

from skills.models import LLMSkill, LLMSkillFile
from tests.api import validation
from tests.skills.helpers import (
    ABSOLUTE,
    EMPTY_OR_DOT,
    INVALID_FILE_PATH,
    TRAVERSAL,
    file_missing,
    files_of,
    seed_skill,
    skill_not_found,
    versions,
)

TOO_LONG = "Ensure this field has no more than 500 characters."


def exactly(message: str) -> Callable[[str], bool]:
    return lambda detail: detail == message


def mentions(*words: str) -> Callable[[str], bool]:
    """An actionable detail: about file paths and naming the offending thing."""
    return lambda detail: detail.startswith("File paths must") and all(w in detail.lower() for w in words)


# (path as sent, check of the detail, expected code)
BAD_PATHS = [
    ("../x", exactly(TRAVERSAL), "invalid_input"),
    ("a/../b", exactly(TRAVERSAL), "invalid_input"),
    ("..", exactly(TRAVERSAL), "invalid_input"),
    ("a/..", exactly(TRAVERSAL), "invalid_input"),
    ("  ../x  ", exactly(TRAVERSAL), "invalid_input"),
    ("/etc/passwd", exactly(ABSOLUTE), "invalid_input"),
    ("/x.md", exactly(ABSOLUTE), "invalid_input"),
    ("a//b", exactly(EMPTY_OR_DOT), "invalid_input"),
    ("a/./b", exactly(EMPTY_OR_DOT), "invalid_input"),
    ("./a", exactly(EMPTY_OR_DOT), "invalid_input"),
    (".", exactly(EMPTY_OR_DOT), "invalid_input"),
    ("a/", exactly(EMPTY_OR_DOT), "invalid_input"),
    ("a\\b", mentions("\\"), "invalid_input"),
    ("..\\x", lambda d: d.startswith("File paths must"), "invalid_input"),
    ("%2e%2e/x", mentions("encoded"), "invalid_input"),
    ("%2E%2E%2Fx", mentions("encoded"), "invalid_input"),
    ("a%2Fb", mentions("encoded"), "invalid_input"),
    ("a%2fb", mentions("encoded"), "invalid_input"),
    ("%252e%252e/x", mentions("encoded"), "invalid_input"),
    ("a%5Cb", mentions("encoded"), "invalid_input"),
    ("a%00b", mentions("encoded"), "invalid_input"),
    ("a/%2e/b", mentions("encoded"), "invalid_input"),
    ("a\x00b", lambda d: "null" in d.lower() or "control" in d.lower(), "invalid_input"),
    ("a\tb", mentions("control"), "invalid_input"),
    ("a\nb", mentions("control"), "invalid_input"),
    ("a\rb", mentions("control"), "invalid_input"),
    ("a\x7fb", mentions("control"), "invalid_input"),
    ("a\x1bb", mentions("control"), "invalid_input"),
    ("p" * 501, exactly(TOO_LONG), "max_length"),
]
BAD_IDS = [
    "dotdot-x",
    "a-dotdot-b",
    "dotdot",
    "trailing-dotdot",
    "padded-dotdot",
    "abs-etc",
    "abs-file",
    "double-slash",
    "dot-segment",
    "leading-dot",
    "dot",
    "trailing-slash",
    "backslash",
    "backslash-dotdot",
    "enc-dotdot",
    "enc-upper-dotdot-slash",
    "enc-slash",
    "enc-slash-lower",
    "double-encoded",
    "enc-backslash",
    "enc-nul",
    "enc-dot-segment",
    "nul",
    "tab",
    "newline",
    "cr",
    "del",
    "esc",
    "501-chars",
]
GOOD_PATHS = [
    (".hidden", ".hidden"),
    ("release..notes.md", "release..notes.md"),
    ("SKILL.md", "SKILL.md"),
    ("a/b/c.md", "a/b/c.md"),
    ("100%25.md", "100%25.md"),
    ("docs/r\u00e9sum\u00e9.md", "docs/r\u00e9sum\u00e9.md"),
    ("\u6587\u6863/\u8bf4\u660e.md", "\u6587\u6863/\u8bf4\u660e.md"),
    ("a/.config/..b", "a/.config/..b"),
    ("  a/b.md \n", "a/b.md"),
    ("p" * 500, "p" * 500),
]
GOOD_IDS = [
    "hidden",
    "dots-inside",
    "skill-md",
    "nested",
    "percent",
    "unicode",
    "cjk",
    "dot-prefixed-segments",
    "trimmed",
    "500-chars",
]


@pytest.fixture
def seeded(world) -> LLMSkill:
    """Skill `s` at v1 with one file `keep.md`."""
    return seed_skill(world, description="d", body="# T", files=[("keep.md", "alpha", "text/plain")])


def counts() -> tuple[int, int]:
    return LLMSkill.objects.count(), LLMSkillFile.objects.count()


# Each place a path is accepted: (request maker, attr of the error).
def create_files(api, path):
    return api.post(
        "", {"name": "fresh", "description": "d", "body": "b", "files": [{"path": path, "content": "x"}]}
    )


def create_second_file(api, path):
    files = [{"path": "ok.md", "content": "x"}, {"path": path, "content": "y"}]
    return api.post("", {"name": "fresh", "description": "d", "body": "b", "files": files})


def publish_files(api, path):
    return api.patch("name/s/", {"base_version": 1, "files": [{"path": path, "content": "x"}]})


def publish_file_edits(api, path):
    return api.patch(
        "name/s/",
        {"base_version": 1, "file_edits": [{"path": path, "edits": [{"old": "alpha", "new": "b"}]}]},
    )


def file_create(api, path):
    return api.post("name/s/files/", {"path": path, "content": "x"})


def rename_old(api, path):
    return api.post("name/s/files-rename/", {"old_path": path, "new_path": "ok.md"})


def rename_new(api, path):
    return api.post("name/s/files-rename/", {"old_path": "keep.md", "new_path": path})


PLACES = [
    (create_files, "files__0__path"),
    (create_second_file, "files__1__path"),
    (publish_files, "files__0__path"),
    (publish_file_edits, "file_edits__0__path"),
    (file_create, "path"),
    (rename_old, "old_path"),
    (rename_new, "new_path"),
]
PLACE_IDS = [
    "create-files",
    "create-second-file",
    "publish-files",
    "publish-file-edits",
    "file-create",
    "rename-old",
    "rename-new",
]


@pytest.mark.parametrize(("request_for", "attr"), PLACES, ids=PLACE_IDS)
@pytest.mark.parametrize(("path", "check", "code"), BAD_PATHS, ids=BAD_IDS)
def test_rule_2_4_bad_path_is_refused_everywhere(api, world, seeded, request_for, attr, path, check, code):
    before = counts()

    response = request_for(api, path)

    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == ["type", "code", "detail", "attr"]
    assert (body["type"], body["attr"], body["code"]) == ("validation_error", attr, code), body
    assert check(body["detail"]), body["detail"]
    assert counts() == before
    assert files_of(versions(world.team, "s")[-1]) == {"keep.md": ("alpha", "text/plain")}
    assert not LLMSkill.objects.filter(name="fresh").exists()


def test_case_12_create_file_paths_exact_bodies(api, world):
    before = counts()
    for path, detail in (("../x", TRAVERSAL), ("/abs", ABSOLUTE), ("a//b", EMPTY_OR_DOT)):
        response = create_files(api, path)
        assert response.status_code == 400
        assert response.json() == validation("files__0__path", "invalid_input", detail)
    assert counts() == before


def test_case_36_file_edits_escape_paths_exact_bodies(api, world, seeded):
    before = counts()
    for path, detail in (("../escape.md", TRAVERSAL), ("/abs.md", ABSOLUTE)):
        response = publish_file_edits(api, path)
        assert response.status_code == 400
        assert response.json() == validation("file_edits__0__path", "invalid_input", detail)
    assert counts() == before


def test_case_47_file_create_traversal_exact_body(api, world, seeded):
    before = counts()
    response = file_create(api, "../etc/passwd")
    assert (response.status_code, response.json()) == (400, validation("path", "invalid_input", TRAVERSAL))
    response = rename_new(api, "a/./b")
    assert (response.status_code, response.json()) == (
        400,
        validation("new_path", "invalid_input", EMPTY_OR_DOT),
    )
    assert counts() == before


# ---- accepted paths ------------------------------------------------------------------------------


def file_url(path: str) -> str:
    return "name/s/files/" + quote(path, safe="/")


@pytest.mark.parametrize(("sent", "stored"), GOOD_PATHS, ids=GOOD_IDS)
def test_rule_2_4_good_path_on_create(api, world, sent, stored):
    response = api.post(
        "", {"name": "s", "description": "d", "body": "b", "files": [{"path": sent, "content": "x"}]}
    )
    assert response.status_code == 201, response.content
    assert response.json()["files"] == [{"path": stored, "content_type": "text/plain"}]
    assert files_of(versions(world.team, "s")[-1]) == {stored: ("x", "text/plain")}
    response = api.get(file_url(stored))
    assert (response.status_code, response.json()) == (
        200,
        {"path": stored, "content": "x", "content_type": "text/plain"},
    )


@pytest.mark.parametrize(("sent", "stored"), GOOD_PATHS, ids=GOOD_IDS)
def test_rule_2_4_good_path_on_publish_files_and_file_edits(api, world, seeded, sent, stored):
    response = publish_files(api, sent)
    assert response.status_code == 200, response.content
    assert response.json()["files"] == [{"path": stored, "content_type": "text/plain"}]
    response = api.patch(
        "name/s/",
        {"base_version": 2, "file_edits": [{"path": sent, "edits": [{"old": "x", "new": "edited"}]}]},
    )
    assert response.status_code == 200, response.content
    assert files_of(versions(world.team, "s")[-1]) == {stored: ("edited", "text/plain")}
    assert api.get(file_url(stored)).json()["content"] == "edited"


@pytest.mark.parametrize(("sent", "stored"), GOOD_PATHS, ids=GOOD_IDS)
def test_rule_2_4_good_path_on_file_create_rename_and_delete(api, world, seeded, sent, stored):
    response = file_create(api, sent)
    assert response.status_code == 201, response.content
    assert response.json()["files"][-1] == {"path": stored, "content_type": "text/plain"}
    assert api.get(file_url(stored)).json() == {"path": stored, "content": "x", "content_type": "text/plain"}

    response = api.post("name/s/files-rename/", {"old_path": sent, "new_path": "moved.md"})
    assert response.status_code == 200, response.content
    response = rename_new(api, sent)
    assert response.status_code == 200, response.content
    assert files_of(versions(world.team, "s")[-1]) == {
        stored: ("alpha", "text/plain"),
        "moved.md": ("x", "text/plain"),
    }

    response = api.delete(file_url(stored))
    assert response.status_code == 200, response.content
    assert files_of(versions(world.team, "s")[-1]) == {"moved.md": ("x", "text/plain")}


# ---- the file URL (§4.10 GET, §4.11 DELETE) ------------------------------------------------------

BAD_URL_PATHS = [
    "..%2Fetc%2Fpasswd",
    "..%2f..%2fetc%2fpasswd",
    "%2Fetc%2Fpasswd",
    "a%5C..%5Cb",
    "..%5Cx",
    "%5Cetc%5Cpasswd",
    "a/%2E%2E/b",
    "a/..%2Fb",
    "%2E%2E",
    "%00",
    "a%00b",
    "a%7Fb",
]


@pytest.mark.parametrize("url_path", BAD_URL_PATHS)
def test_case_50_bad_file_url_get_is_400(api, world, seeded, url_path):
    response = api.get(f"name/s/files/{url_path}")
    assert (response.status_code, response.json()) == (400, INVALID_FILE_PATH)


@pytest.mark.parametrize("url_path", BAD_URL_PATHS)
def test_case_50_bad_file_url_delete_is_400(api, world, seeded, url_path):
    before = counts()
    response = api.delete(f"name/s/files/{url_path}")
    assert (response.status_code, response.json()) == (400, INVALID_FILE_PATH)
    assert counts() == before
    assert [r.version for r in versions(world.team, "s")] == [1]


@pytest.mark.parametrize("url_path", BAD_URL_PATHS)
def test_case_50_bad_file_url_delete_is_400_before_the_skill_lookup(api, world, url_path):
    response = api.delete(f"name/missing/files/{url_path}?base_version=abc")
    assert (response.status_code, response.json()) == (400, INVALID_FILE_PATH)
    assert counts() == (0, 0)


@pytest.mark.parametrize("url_path", BAD_URL_PATHS)
def test_case_50_bad_file_url_get_on_missing_skill_is_404(api, world, url_path):
    """GET looks the skill up before checking the path (§4.10 order)."""
    response = api.get(f"name/missing/files/{url_path}")
    assert (response.status_code, response.json()) == (404, skill_not_found("missing"))


def test_case_50_url_path_that_is_merely_odd_is_a_lookup(api, world, seeded):
    """Paths the URL check lets through are plain lookups: 404 unless such a file exists."""
    for url_path, shown in (("release..notes.md", "release..notes.md"), ("a%20b.md", "a b.md")):
        response = api.get(f"name/s/files/{url_path}")
        assert (response.status_code, response.json()) == (404, file_missing(shown, "s"))


def test_case_50_newline_in_file_url_is_a_client_error(api, world, seeded):
    """A newline cannot be part of a routed file path: some 4xx, never a 500 or a write."""
    before = counts()
    for response in (api.get("name/s/files/a%0Ab"), api.delete("name/s/files/a%0Ab")):
        assert response.status_code in (400, 404), response.content
    assert counts() == before
