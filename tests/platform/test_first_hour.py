"""What a newcomer meets in the first hour: the landing page, `/admin`, the protected-resource
document 401s point at, honest `Allow` headers, the schema's path order, the admin's counts, and
the README's walk-through run as written against a live server."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from datasets.models import Dataset, DatasetItem
from prompts.models import LLMPrompt
from tests.api import bearer, method_not_allowed
from tests.platform.helpers import served_paths

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
LIVE_BASE = "http://127.0.0.1:8000"

# ---- landing page and /admin ---------------------------------------------------------------------


def test_root_is_a_page_linking_docs_and_admin(client, db):
    response = client.get("/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for href in ("/api/docs/", "/api/schema/", "/admin/", "/_health"):
        assert f'href="{href}"' in page


def test_root_answers_json_to_a_json_client(client, db):
    response = client.get("/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {
        "name": "LLM server API",
        "links": {"docs": "/api/docs/", "schema": "/api/schema/", "admin": "/admin/", "health": "/_health"},
    }


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_root_refuses_writes_with_the_envelope(client, db, method):
    response = getattr(client, method)("/")
    assert response.status_code == 405
    assert response.json() == method_not_allowed(method)
    assert response["Allow"] == "GET, HEAD"


def test_admin_without_slash_reaches_the_admin(client, db):
    response = client.get("/admin")
    assert response.status_code == 301
    assert response["Location"] == "/admin/"
    assert client.get("/admin/", follow=True).status_code == 200


# ---- WWW-Authenticate's resource metadata --------------------------------------------------------


def test_401_points_at_a_protected_resource_document_that_exists(client, world):
    unauthorized = client.get(f"/api/projects/{world.t}/llm_prompts/")
    assert unauthorized.status_code == 401
    match = re.fullmatch(r'Bearer resource_metadata="([^"]+)"', unauthorized["WWW-Authenticate"])
    assert match, unauthorized["WWW-Authenticate"]
    url = match.group(1)
    assert url == "http://testserver/.well-known/oauth-protected-resource"
    document = client.get(url.removeprefix("http://testserver"))
    assert document.status_code == 200
    body = document.json()
    # RFC 9728: `resource` is the protected resource's identifier, the base the header was built on.
    assert body["resource"] == "http://testserver"
    assert body["bearer_methods_supported"] == ["header"]
    assert body["resource_documentation"] == "http://testserver/api/docs/"
    assert "authorization_servers" not in body  # keys are issued by the admin, not by OAuth
    assert {"llm_prompt:read", "llm_skill:write", "dataset:read", "llm_analytics:write"} <= set(
        body["scopes_supported"]
    )


def test_protected_resource_document_uses_site_url(client, db, settings):
    settings.SITE_URL = "https://llm.example.com"
    body = client.get("/.well-known/oauth-protected-resource").json()
    assert body["resource"] == "https://llm.example.com"
    unauthorized = client.get("/api/projects/1/llm_prompts/")
    assert unauthorized["WWW-Authenticate"] == (
        'Bearer resource_metadata="https://llm.example.com/.well-known/oauth-protected-resource"'
    )


# ---- Allow lists only methods that work ----------------------------------------------------------

METHODS = ("get", "post", "put", "patch", "delete")


def test_allow_header_lists_only_methods_that_work(world):
    """For every route: a 405's `Allow` never names the refused method, and no method it names
    answers 405 itself."""
    api = Client(**bearer(world.k_all))
    paths = served_paths(world.t)
    assert len(paths) > 40
    checked = 0
    for path in paths:
        answers = {
            method: api.generic(method.upper(), path, data="{}", content_type="application/json")
            for method in METHODS
        }
        for method, response in answers.items():
            if response.status_code != 405 or "Allow" not in response:
                continue
            allowed = {name.strip() for name in response["Allow"].split(",")}
            assert method.upper() not in allowed, (path, method, response["Allow"])
            for listed in allowed - {"HEAD", "OPTIONS"}:
                assert answers[listed.lower()].status_code != 405, (path, listed, response["Allow"])
            checked += 1
    assert checked > 20


def test_refused_delete_of_a_prompt_omits_delete_from_allow(world):
    prompt = LLMPrompt.objects.create(team=world.team, name="p", prompt="x", version=1, is_latest=True)
    api = Client(**bearer(world.k_all))
    response = api.delete(f"/api/projects/{world.t}/llm_prompts/{prompt.id}/")
    assert response.status_code == 405
    assert response.content == b""
    assert response["Allow"] == "GET, PUT, PATCH, HEAD, OPTIONS"
    assert LLMPrompt.objects.filter(pk=prompt.pk, deleted=False).exists()


# ---- the schema lists /api/projects/ first and marks the alias deprecated ------------------------


def test_schema_lists_projects_paths_before_the_deprecated_environments_alias(served_schema):
    paths = list(served_schema["paths"])
    environments = [i for i, path in enumerate(paths) if path.startswith("/api/environments/")]
    projects = [i for i, path in enumerate(paths) if path.startswith("/api/projects/")]
    assert environments and projects
    assert max(projects) < min(environments)
    assert environments == list(range(len(paths) - len(environments), len(paths)))
    for path in paths:
        for method, operation in served_schema["paths"][path].items():
            if method not in METHODS:
                continue
            if path.startswith("/api/environments/"):
                assert operation["deprecated"] is True, (path, method)
                successor = "/api/projects/" + path.removeprefix("/api/environments/")
                assert successor in served_schema["paths"], path
                assert operation["description"].startswith(
                    f"Deprecated alias of `{method.upper()} {successor}`"
                )
            else:
                assert not operation.get("deprecated"), (path, method)


# ---- the admin counts what it shows --------------------------------------------------------------


def test_item_admin_without_filters_shows_a_plain_count(admin_client, world):
    dataset = Dataset.objects.create(team=world.team, name="d")
    DatasetItem.objects.bulk_create(DatasetItem(team=world.team, dataset=dataset) for _ in range(3))
    page = admin_client.get("/admin/datasets/datasetitem/").content.decode()
    assert "Show all" not in page
    assert re.search(r"3\s+dataset items", page)
    filtered = admin_client.get("/admin/datasets/datasetitem/?q=does-not-match").content.decode()
    # A search that hides rows still offers the way back to all of them.
    assert re.search(r"0 results\s*\(<a href=\"\?[^\"]*\">Show all</a>\)", filtered)


# ---- the README's first hour, run as written -----------------------------------------------------


def _readme_walkthrough(marker: str) -> tuple[str, str]:
    section = README.split(f"<!-- {marker}:start -->", 1)[1].split(f"<!-- {marker}:end -->", 1)[0]
    shell = re.findall(r"```sh\n(.*?)```", section, re.S)
    python = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(shell) == 1 and len(python) == 1, "a walk-through is one shell block and one Python block"
    return shell[0], python[0]


def _run_walkthrough(marker: str, live_server, tmp_path) -> tuple[list, str, str]:
    """Runs a README walk-through in a folder laid out like the project after `make serve`
    (var/demo_key.json, .venv); only the host and port differ. Returns the shell block's JSON
    answers, the SDK block's output and the output its last comment promises."""
    call_command("ensure_demo_key", file=str(tmp_path / "var" / "demo_key.json"))
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    shell, python = _readme_walkthrough(marker)
    assert LIVE_BASE in shell and LIVE_BASE in python
    env = {**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning:posthog.ai.prompts"}
    ran = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", shell.replace(LIVE_BASE, live_server.url)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr + ran.stdout
    answers = [json.loads(line) for line in ran.stdout.splitlines()]
    sdk = subprocess.run(
        [sys.executable, "-c", python.replace(LIVE_BASE, live_server.url)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sdk.returncode == 0, sdk.stderr
    assert "DeprecationWarning" not in sdk.stderr
    expected = re.findall(r"^# (.+)$", python, re.M)[-1]
    return answers, sdk.stdout.strip(), expected


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_readme_first_hour_runs_as_written(live_server, tmp_path, capsys):
    """The shell block with bash and curl, then the SDK block."""
    answers, printed, expected = _run_walkthrough("first-hour", live_server, tmp_path)
    capsys.readouterr()
    assert [answer.get("version") for answer in answers[:4]] == [1, 2, 2, 1]
    assert answers[5] == {
        "path": "references/policy.md",
        "content": "Refunds within 30 days.",
        "content_type": "text/plain",
    }
    assert answers[-1]["count"] == 2
    assert printed == expected == "2 You are a friendly support agent for Acme."


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_readme_label_release_and_rollback_runs_as_written(live_server, tmp_path, capsys):
    answers, printed, expected = _run_walkthrough("labels", live_server, tmp_path)
    capsys.readouterr()
    created, published, released, fetched, moved, diff, compiled, rolled_back, history = answers
    assert (created["version"], created["config"]) == (1, {"model": "gpt-4.1-mini"})
    assert (published["version"], published["config"], published["version_description"]) == (
        2,
        {"model": "gpt-4.1-mini"},
        "Warmer greeting",
    )
    assert (released["name"], released["version"]) == ("production", 1)
    assert (fetched["version"], fetched["label"], fetched["prompt"]) == (1, "production", "Hi {{name}}!")
    assert moved["version"] == 2 and moved["id"] == released["id"]
    assert diff["stats"] == {"additions": 1, "deletions": 1}
    assert diff["diff"].endswith("-Hi {{name}}!\n+Hello {{name}}, welcome to {{company}}.")
    assert compiled == {
        "name": "welcome",
        "version": 2,
        "label": "production",
        "text": "Hello Ada, welcome to Acme.",
    }
    assert rolled_back["version"] == 1
    assert [(m["from_version"], m["to_version"]) for m in history["results"]] == [(2, 1), (1, 2), (None, 1)]
    assert printed == expected == "1 production gpt-4.1-mini Hi Ada!"
