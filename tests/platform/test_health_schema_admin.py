"""Health check, OpenAPI schema and docs, and the Django admin."""

import hashlib
import re

import pytest

from llm_server.accounts.models import Organization, PersonalAPIKey, Project, Team
from prompts.models import LLMPrompt
from tests.api import bearer, method_not_allowed
from tests.platform.helpers import url

# ---- health --------------------------------------------------------------------------------------


def test_health_ok(client, db):
    response = client.get("/_health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.content == b'{"status":"ok"}'


def test_health_is_get_only(client, db):
    assert client.post("/_health").status_code == 405


# ---- OpenAPI ---------------------------------------------------------------------------------------


def test_schema_is_openapi_3(served_schema):
    assert str(served_schema["openapi"]).startswith("3")
    assert served_schema["info"]["title"]
    assert isinstance(served_schema["paths"], dict) and served_schema["paths"]


def test_schema_lists_prompt_paths_on_both_prefixes(served_schema):
    paths = served_schema["paths"]
    for prefix in ("projects", "environments"):
        assert f"/api/{prefix}/{{project_id}}/llm_prompts/" in paths
        assert any(p.startswith(f"/api/{prefix}/{{project_id}}/llm_prompts/name/") for p in paths)


def test_schema_has_required_scopes_on_prompt_operations(served_schema):
    prompt_paths = {p: ops for p, ops in served_schema["paths"].items() if "/llm_prompts/" in p}
    assert prompt_paths
    for path, operations in prompt_paths.items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            assert "x-required-scopes" in operation, (path, method)
    listing = served_schema["paths"]["/api/projects/{project_id}/llm_prompts/"]
    assert listing["get"]["x-required-scopes"] == ["llm_prompt:read"]
    assert listing["post"]["x-required-scopes"] == ["llm_prompt:write"]
    assert "llm_prompt:read" in listing["get"]["description"]


def test_schema_security_scheme(served_schema):
    schemes = served_schema["components"]["securitySchemes"]
    assert schemes["PersonalAPIKeyAuth"]["scheme"] == "bearer"


def test_schema_json_format(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3")


def test_schema_without_slash(client, db):
    assert client.get("/api/schema").status_code == 200


def test_docs_page(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"swagger" in response.content.lower()


def test_docs_page_assets_are_served(client, db):
    """Without collectstatic the docs page's assets come from the apps' static folders."""
    html = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert assets
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content), asset


# ---- admin -----------------------------------------------------------------------------------------

ACCOUNT_MODELS = ["organization", "project", "team", "user", "organizationmembership", "personalapikey"]


@pytest.mark.parametrize("model", ACCOUNT_MODELS)
def test_admin_changelist(admin_client, model):
    response = admin_client.get(f"/admin/accounts/{model}/")
    assert response.status_code == 200


@pytest.mark.parametrize("model", [m for m in ACCOUNT_MODELS if m != "team"])
def test_admin_add_page(admin_client, model):
    response = admin_client.get(f"/admin/accounts/{model}/add/")
    assert response.status_code == 200


def test_admin_team_is_added_with_its_project(admin_client):
    """Environments are created with their project; the Team add page is disabled on purpose."""
    assert admin_client.get("/admin/accounts/team/add/").status_code == 403


def test_admin_change_pages(admin_client, world):
    key = PersonalAPIKey.objects.filter(user=world.user).first()
    membership = world.user.organization_memberships.first()
    for path in (
        f"/admin/accounts/organization/{world.org_a.pk}/change/",
        f"/admin/accounts/project/{world.t}/change/",
        f"/admin/accounts/team/{world.t}/change/",
        f"/admin/accounts/user/{world.user.pk}/change/",
        f"/admin/accounts/organizationmembership/{membership.pk}/change/",
        f"/admin/accounts/personalapikey/{key.pk}/change/",
    ):
        assert admin_client.get(path).status_code == 200, path


def test_admin_prompt_changelist(admin_client, client, world):
    response = client.post(
        url(world.t, "llm_prompts"),
        {"name": "greeting", "prompt": "Hello"},
        format="json",
        **bearer(world.k_all),
    )
    assert response.status_code == 201, response.content
    assert LLMPrompt.objects.count() == 1
    response = admin_client.get("/admin/prompts/llmprompt/")
    assert response.status_code == 200
    assert b"greeting" in response.content


def test_admin_non_staff_redirected_to_login(client, world):
    client.force_login(world.user)
    response = client.get("/admin/accounts/organization/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_add_project_creates_team_with_same_id(admin_client, client, world):
    response = admin_client.post(
        "/admin/accounts/project/add/", {"organization": str(world.org_a.pk), "name": "From admin"}
    )
    assert response.status_code == 302, response.content
    project = Project.objects.get(name="From admin")
    team = Team.objects.get(pk=project.pk)
    assert team.project_id == project.id
    assert team.name == "From admin"
    assert team.organization_id == world.org_a.id
    assert team.api_token.startswith("phc_")
    # The new project is usable through the API by members of its organization.
    response = client.post(url(team.id), {"name": "in new"}, format="json", **bearer(world.k_all))
    assert response.status_code == 201
    assert client.get(url(team.id, "llm_prompts"), **bearer(world.k_all)).json()["count"] == 0


def test_admin_add_key_stores_hash_and_shows_raw_once(admin_client, client, world):
    response = admin_client.post(
        "/admin/accounts/personalapikey/add/",
        {
            "user": str(world.user.pk),
            "label": "from admin",
            "scopes_text": "dataset:read",
            "scoped_teams_text": "",
        },
    )
    assert response.status_code == 302, response.content
    # The redirected-to page shows the raw key in a message, once.
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    raw_keys = set(re.findall(r"phx_[0-9A-Za-z]{40,}", page.content.decode()))
    assert len(raw_keys) == 1, raw_keys
    raw = raw_keys.pop()
    assert f"it will not be shown again: {raw}" in page.content.decode()

    key = PersonalAPIKey.objects.get(label="from admin")
    assert key.user_id == world.user.id
    assert key.scopes == ["dataset:read"]
    assert key.secure_value == "sha256$" + hashlib.sha256(raw.encode()).hexdigest()
    assert key.mask_value == f"{raw[:4]}...{raw[-4:]}"
    for field in key._meta.concrete_fields:
        assert raw not in str(getattr(key, field.attname))

    # Shown once: later pages do not contain it.
    assert raw.encode() not in admin_client.get(response["Location"]).content
    change = admin_client.get(f"/admin/accounts/personalapikey/{key.pk}/change/")
    assert change.status_code == 200
    assert raw.encode() not in change.content

    # And the key works.
    assert client.get(url(world.t), **bearer(raw)).status_code == 200
    response = client.post(url(world.t), {"name": "x"}, format="json", **bearer(raw))
    assert response.status_code == 403
    assert response.json()["detail"] == "API key missing required scope 'dataset:write'"


def test_admin_add_key_rejects_invalid_scope(admin_client, world):
    count = PersonalAPIKey.objects.count()
    response = admin_client.post(
        "/admin/accounts/personalapikey/add/",
        {"user": str(world.user.pk), "label": "bad", "scopes_text": "nope:read", "scoped_teams_text": ""},
    )
    assert response.status_code == 200
    assert b"Invalid scope: nope:read" in response.content
    assert PersonalAPIKey.objects.count() == count


def test_admin_add_organization(admin_client):
    response = admin_client.post(
        "/admin/accounts/organization/add/",
        {
            "name": "Admin org",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content
    assert Organization.objects.filter(name="Admin org").exists()


def test_health_answers_head_and_refuses_other_methods_with_the_envelope(client, db):
    assert client.head("/_health").status_code == 200
    response = client.post("/_health")
    assert response.status_code == 405
    assert response.json() == method_not_allowed("POST")


def test_schema_documents_nullable_creator_required_publish_fields_and_errors(served_schema):
    schema = served_schema
    assert schema["components"]["schemas"]["Prompt"]["properties"]["created_by"]["nullable"] is True
    publish_body = schema["components"]["schemas"]["PromptPublishRequest"]
    # `prompt`, `edits`, `config` or `variables`: any one of them publishes.
    assert publish_body["required"] == ["base_version"]
    assert {"prompt", "edits", "config", "variables", "version_description"} <= set(
        publish_body["properties"]
    )
    publish = schema["paths"]["/api/environments/{project_id}/llm_prompts/name/{prompt_name}/"]["patch"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(publish["responses"])
    assert "ErrorEnvelope" in schema["components"]["schemas"]
