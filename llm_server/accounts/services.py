"""Writes for accounts. Every multi-row write runs in one transaction."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from llm_server.accounts.models import (
    Organization,
    OrganizationMembership,
    PersonalAPIKey,
    Project,
    Team,
    User,
)
from llm_server.domain import DomainValidationError
from llm_server.ids import generate_personal_api_key
from llm_server.scopes import InvalidScope, validate_scopes


@transaction.atomic
def create_organization(*, name: str, is_ai_data_processing_approved: bool = False) -> Organization:
    return Organization.objects.create(
        name=name, is_ai_data_processing_approved=is_ai_data_processing_approved
    )


@transaction.atomic
def create_project(*, organization: Organization, name: str) -> Team:
    """Creates the Team and its Project with the same integer id."""
    team = Team.objects.create(organization=organization, name=name)
    project = Project.objects.create(id=team.id, organization=organization, name=name)
    team.project = project
    team.save(update_fields=["project"])
    return team


@transaction.atomic
def update_project(*, project: Project, name: str, organization: Organization) -> Project:
    """Renames or moves a project; its Team, which access checks read, follows in the same write."""
    project.name = name
    project.organization = organization
    project.save(update_fields=["name", "organization"])
    Team.objects.filter(project=project).update(name=name, organization=organization)
    return project


def set_ai_data_processing_approved(*, organization_ids: list, approved: bool) -> int:
    """Approves (or revokes) the LLM-backed endpoints for organizations; returns how many changed."""
    return Organization.objects.filter(pk__in=organization_ids).update(
        is_ai_data_processing_approved=approved
    )


@transaction.atomic
def add_member(
    *,
    user: User,
    organization: Organization,
    level: int = OrganizationMembership.Level.MEMBER,
) -> OrganizationMembership:
    membership, _ = OrganizationMembership.objects.get_or_create(
        user=user, organization=organization, defaults={"level": level}
    )
    changed = []
    if user.current_organization_id is None:
        user.current_organization = organization
        changed.append("current_organization")
    if user.current_team_id is None:
        first_team = organization.teams.order_by("id").first()
        if first_team is not None:
            user.current_team = first_team
            changed.append("current_team")
    if changed:
        user.save(update_fields=changed)
    return membership


@dataclass(frozen=True)
class CreatedKey:
    key: PersonalAPIKey
    raw_value: str


def _clean_key_fields(
    scopes: list[str], scoped_teams: list[int] | None, scoped_organizations: list[str] | None
) -> tuple[list[str], list[int] | None, list[str] | None]:
    if not scopes:
        raise DomainValidationError("A key needs at least one scope; use '*' for full access.", attr="scopes")
    try:
        cleaned_scopes = validate_scopes(scopes)
    except InvalidScope as exc:
        raise DomainValidationError(str(exc), attr="scopes") from exc
    teams = sorted({int(t) for t in scoped_teams}) if scoped_teams else None
    orgs = sorted({str(o) for o in scoped_organizations}) if scoped_organizations else None
    # A key scoped to nothing that exists could never be used; say so now rather than 403 later.
    if teams:
        known = set(
            Team.objects.filter(pk__in=[t for t in teams if 0 < t < 2**63]).values_list("pk", flat=True)
        )
        missing = [t for t in teams if t not in known]
        if missing:
            raise DomainValidationError(f"Unknown project id: {missing[0]}.", attr="scoped_teams")
    if orgs:
        try:
            known_orgs = {
                str(o) for o in Organization.objects.filter(pk__in=orgs).values_list("pk", flat=True)
            }
        except ValidationError as exc:
            raise DomainValidationError(
                "Scoped organizations must be organization UUIDs.", attr="scoped_organizations"
            ) from exc
        missing_orgs = [o for o in orgs if o not in known_orgs]
        if missing_orgs:
            raise DomainValidationError(
                f"Unknown organization id: {missing_orgs[0]}.", attr="scoped_organizations"
            )
    return cleaned_scopes, teams, orgs


@transaction.atomic
def create_personal_api_key(
    *,
    user: User,
    label: str,
    scopes: list[str],
    scoped_teams: list[int] | None = None,
    scoped_organizations: list[str] | None = None,
) -> CreatedKey:
    # Lock the user row so two concurrent creations cannot both pass the 10-key limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if PersonalAPIKey.objects.filter(user=user).count() >= PersonalAPIKey.MAX_PER_USER:
        raise DomainValidationError(
            "You can only have 10 personal API keys. Remove an existing key before creating a new one."
        )
    cleaned_scopes, teams, orgs = _clean_key_fields(scopes, scoped_teams, scoped_organizations)
    raw = generate_personal_api_key()
    key = PersonalAPIKey(
        user=user,
        label=label[:40],
        scopes=cleaned_scopes,
        scoped_teams=teams,
        scoped_organizations=orgs,
    )
    key.set_raw_value(raw)
    key.save()
    return CreatedKey(key=key, raw_value=raw)
