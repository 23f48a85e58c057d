"""`python manage.py create_personal_api_key` (spec README, "The interface every check relies on")."""

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from llm_server.accounts.models import (
    Organization,
    OrganizationMembership,
    PersonalAPIKey,
    Project,
    Team,
    User,
)
from tests.api import bearer
from tests.platform.helpers import url

OUTPUT_KEYS = ["key", "key_id", "user_id", "email", "organization_id", "project_id", "project_api_token"]


def run(*args: str) -> dict:
    out = StringIO()
    call_command("create_personal_api_key", *args, stdout=out)
    return json.loads(out.getvalue())


def test_creates_everything_and_prints_json(client, db):
    result = run("--email", "ops@example.com", "--organization", "Acme", "--project", "Main")
    assert list(result) == OUTPUT_KEYS
    assert result["key"].startswith("phx_")
    assert result["email"] == "ops@example.com"
    assert result["project_api_token"].startswith("phc_")

    user = User.objects.get(pk=result["user_id"])
    organization = Organization.objects.get(pk=result["organization_id"])
    team = Team.objects.get(pk=result["project_id"])
    assert organization.name == "Acme"
    assert team.name == "Main"
    assert team.organization_id == organization.id
    assert team.api_token == result["project_api_token"]
    assert Project.objects.get(pk=team.id).organization_id == organization.id
    assert OrganizationMembership.objects.filter(user=user, organization=organization).exists()
    assert user.current_team_id == team.id
    assert user.current_organization_id == organization.id
    assert organization.is_ai_data_processing_approved is False

    key = PersonalAPIKey.objects.get(pk=result["key_id"])
    assert key.user_id == user.id
    assert key.scopes == ["*"]
    assert key.secure_value == "sha256$" + hashlib.sha256(result["key"].encode()).hexdigest()

    # The key works against the API, on the printed project and through @current.
    response = client.get(
        url(result["project_id"], "llm_prompts", prefix="environments"), **bearer(result["key"])
    )
    assert response.status_code == 200
    assert response.json()["count"] == 0
    response = client.post(url("@current"), {"name": "cli"}, format="json", **bearer(result["key"]))
    assert response.status_code == 201


def test_rerun_reuses_user_org_project_and_makes_new_key(db):
    first = run("--email", "ops@example.com", "--organization", "Acme", "--project", "Main")
    second = run("--email", "ops@example.com", "--organization", "Acme", "--project", "Main")
    for field in ("user_id", "email", "organization_id", "project_id", "project_api_token"):
        assert first[field] == second[field], field
    assert first["key"] != second["key"]
    assert first["key_id"] != second["key_id"]
    assert User.objects.count() == 1
    assert Organization.objects.count() == 1
    assert Team.objects.count() == Project.objects.count() == 1
    assert OrganizationMembership.objects.count() == 1
    assert PersonalAPIKey.objects.count() == 2


def test_defaults_reuse_too(db):
    first = run("--email", "a@example.com")
    second = run("--email", "a@example.com")
    assert first["organization_id"] == second["organization_id"]
    assert first["project_id"] == second["project_id"]


def test_new_project_in_existing_org_keeps_current_project(db):
    first = run("--email", "ops@example.com", "--organization", "Acme", "--project", "Main")
    second = run("--email", "ops@example.com", "--organization", "Acme", "--project", "Side")
    assert first["organization_id"] == second["organization_id"]
    assert first["project_id"] != second["project_id"]
    assert User.objects.get(pk=first["user_id"]).current_team_id == first["project_id"]


def test_second_user_joins_existing_org(client, db):
    owner = run("--email", "owner@example.com", "--organization", "Acme", "--project", "Main")
    member = run("--email", "member@example.com", "--organization", "Acme", "--project", "Main")
    assert member["organization_id"] == owner["organization_id"]
    assert member["project_id"] == owner["project_id"]
    levels = dict(OrganizationMembership.objects.values_list("user__email", "level"))
    assert levels == {"owner@example.com": 15, "member@example.com": 1}
    response = client.get(url(member["project_id"]), **bearer(member["key"]))
    assert response.status_code == 200


def test_scopes_limit_the_key(client, db):
    result = run("--email", "ro@example.com", "--scopes", "llm_prompt:read")
    key = PersonalAPIKey.objects.get(pk=result["key_id"])
    assert key.scopes == ["llm_prompt:read"]
    prompts = url(result["project_id"], "llm_prompts")
    assert client.get(prompts, **bearer(result["key"])).status_code == 200
    response = client.post(prompts, {"name": "p", "prompt": "hi"}, format="json", **bearer(result["key"]))
    assert response.status_code == 403
    assert response.json()["detail"] == "API key missing required scope 'llm_prompt:write'"
    response = client.get(url(result["project_id"]), **bearer(result["key"]))
    assert response.status_code == 403
    assert response.json()["detail"] == "API key missing required scope 'dataset:read'"


def test_several_scopes(db):
    result = run("--email", "x@example.com", "--scopes", "llm_prompt:read, dataset:write")
    assert PersonalAPIKey.objects.get(pk=result["key_id"]).scopes == ["llm_prompt:read", "dataset:write"]


def test_scoped_projects(client, db):
    main = run("--email", "ops@example.com", "--organization", "Acme", "--project", "Main")
    side = run("--email", "ops@example.com", "--organization", "Acme", "--project", "Side")
    scoped = run(
        "--email",
        "ops@example.com",
        "--organization",
        "Acme",
        "--project",
        "Main",
        "--scoped-projects",
        str(main["project_id"]),
    )
    key = PersonalAPIKey.objects.get(pk=scoped["key_id"])
    assert key.scoped_teams == [main["project_id"]]
    assert client.get(url(main["project_id"]), **bearer(scoped["key"])).status_code == 200
    response = client.get(url(side["project_id"]), **bearer(scoped["key"]))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"API key does not have access to the requested project: ID {side['project_id']}."
    )
    # The unscoped key reaches both.
    assert client.get(url(side["project_id"]), **bearer(side["key"])).status_code == 200


def test_scoped_organizations(client, db):
    acme = run("--email", "ops@example.com", "--organization", "Acme")
    other = run("--email", "ops@example.com", "--organization", "Other")
    scoped = run(
        "--email",
        "ops@example.com",
        "--organization",
        "Acme",
        "--scoped-organizations",
        acme["organization_id"],
    )
    assert PersonalAPIKey.objects.get(pk=scoped["key_id"]).scoped_organizations == [acme["organization_id"]]
    assert client.get(url(acme["project_id"]), **bearer(scoped["key"])).status_code == 200
    response = client.get(url(other["project_id"]), **bearer(scoped["key"]))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"API key does not have access to the requested organization: ID {other['organization_id']}."
    )


def test_label(db):
    result = run("--email", "x@example.com", "--label", "ci key")
    assert PersonalAPIKey.objects.get(pk=result["key_id"]).label == "ci key"


def test_approve_ai_data_processing(db):
    plain = run("--email", "x@example.com", "--organization", "Plain")
    assert Organization.objects.get(pk=plain["organization_id"]).is_ai_data_processing_approved is False
    result = run("--email", "x@example.com", "--organization", "Approved", "--approve-ai-data-processing")
    assert Organization.objects.get(pk=result["organization_id"]).is_ai_data_processing_approved is True
    # Also on an existing organization.
    again = run("--email", "x@example.com", "--organization", "Plain", "--approve-ai-data-processing")
    assert again["organization_id"] == plain["organization_id"]
    assert Organization.objects.get(pk=plain["organization_id"]).is_ai_data_processing_approved is True


def test_invalid_scope_is_command_error(db):
    with pytest.raises(CommandError, match="Invalid scope: bogus:read"):
        run("--email", "x@example.com", "--scopes", "bogus:read")
    with pytest.raises(CommandError, match="Invalid scope: dataset:delete"):
        run("--email", "x@example.com", "--scopes", "dataset:delete")
    # Nothing is left behind by the failed runs.
    assert not User.objects.exists()
    assert not PersonalAPIKey.objects.exists()


def test_invalid_scoped_projects_is_command_error(db):
    with pytest.raises(CommandError):
        run("--email", "x@example.com", "--scoped-projects", "abc")
    with pytest.raises(CommandError):
        run("--email", "x@example.com", "--scoped-organizations", "not-a-uuid")


def test_email_required(db):
    with pytest.raises(CommandError):
        run()


def test_eleventh_key_is_refused(db):
    for _ in range(10):
        run("--email", "x@example.com")
    assert PersonalAPIKey.objects.count() == 10
    with pytest.raises(CommandError, match="10 personal API keys") as info:
        run("--email", "x@example.com")
    assert str(info.value) == (
        "You can only have 10 personal API keys. Remove an existing key before creating a new one."
    )
    assert PersonalAPIKey.objects.count() == 10
