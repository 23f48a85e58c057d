"""factory-boy factories for accounts; projects and keys go through the real services."""

import factory

from llm_server.accounts import services
from llm_server.accounts.models import Organization, OrganizationMembership, Team, User


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = ""
    is_email_verified = True
    role_at_organization = "engineering"


def make_team(organization: Organization | None = None, name: str = "Project") -> Team:
    return services.create_project(organization=organization or OrganizationFactory(), name=name)


def make_member(user: User, organization: Organization, level: int = OrganizationMembership.Level.MEMBER):
    return services.add_member(user=user, organization=organization, level=level)


def make_key(user: User, scopes: list[str], **kwargs) -> str:
    """Creates a personal API key and returns its raw value."""
    return services.create_personal_api_key(user=user, label="test", scopes=scopes, **kwargs).raw_value
