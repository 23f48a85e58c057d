"""Creates (or reuses, by email and names) a user, organization and project, and a new key."""

import json
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from llm_server.accounts import services
from llm_server.accounts.models import Organization, OrganizationMembership, Team, User
from llm_server.domain import DomainValidationError


def _csv(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


class Command(BaseCommand):
    help = "Create a personal API key (and the user, organization and project it needs). Prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--organization", default="Default Organization", help="organization name")
        parser.add_argument("--project", default="Default Project", help="project name")
        parser.add_argument("--scopes", default="*", help="comma-separated scopes (default '*')")
        parser.add_argument("--scoped-projects", default="", help="comma-separated project ids")
        parser.add_argument("--scoped-organizations", default="", help="comma-separated organization UUIDs")
        parser.add_argument("--label", default="Created from the command line")
        parser.add_argument("--approve-ai-data-processing", action="store_true")

    def handle(self, *args, **options):
        try:
            scoped_projects = [int(v) for v in _csv(options["scoped_projects"])]
            scoped_orgs = [str(uuid.UUID(v)) for v in _csv(options["scoped_organizations"])]
        except ValueError as exc:
            raise CommandError(f"Invalid --scoped-projects or --scoped-organizations value: {exc}") from exc
        try:
            with transaction.atomic():
                result = self._create(options, scoped_projects, scoped_orgs)
        except DomainValidationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(result))

    def _create(self, options, scoped_projects: list[int], scoped_orgs: list[str]) -> dict:
        email = User.objects.normalize_email(options["email"].strip())
        if not email or "@" not in email:
            raise CommandError("--email must be an email address.")
        user = User.objects.filter(email__iexact=email).first() or User.objects.create_user(email=email)

        org_name = options["organization"].strip()
        project_name = options["project"].strip()
        for label, value, model_field in (
            ("--organization", org_name, Organization._meta.get_field("name")),
            ("--project", project_name, Team._meta.get_field("name")),
        ):
            if not value or len(value) > model_field.max_length:
                raise CommandError(f"{label} must be 1 to {model_field.max_length} characters.")
        organization = (
            Organization.objects.filter(name=org_name, memberships__user=user).order_by("created_at").first()
            or Organization.objects.filter(name=org_name).order_by("created_at").first()
        )
        if organization is None:
            organization = services.create_organization(name=org_name)
        if options["approve_ai_data_processing"]:
            services.set_ai_data_processing_approved(organization_ids=[organization.pk], approved=True)

        team = Team.objects.filter(organization=organization, name=project_name).order_by("id").first()
        if team is None:
            team = services.create_project(organization=organization, name=project_name)

        has_owner = OrganizationMembership.objects.filter(
            organization=organization, level=OrganizationMembership.Level.OWNER
        ).exists()
        level = OrganizationMembership.Level.MEMBER if has_owner else OrganizationMembership.Level.OWNER
        services.add_member(user=user, organization=organization, level=level)

        created = services.create_personal_api_key(
            user=user,
            label=options["label"],
            scopes=_csv(options["scopes"]),
            scoped_teams=scoped_projects or None,
            scoped_organizations=scoped_orgs or None,
        )
        return {
            "key": created.raw_value,
            "key_id": created.key.id,
            "user_id": user.id,
            "email": user.email,
            "organization_id": str(organization.id),
            "project_id": team.id,
            "project_api_token": team.api_token,
        }
