"""factory-boy factories for accounts (projects and keys go through the real services), and the
platform spec's §11 world the `world` fixture builds."""

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any

import factory
from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connection, models, transaction

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


@dataclass
class World:
    org_a: Organization
    team: Team  # T, U's current team
    team2: Team  # t2, a second team of org A
    org_b: Organization
    team_b: Team  # T_B, U is not a member of org B
    user: User  # U
    k_all: str
    k_ro: str
    k_rw: str
    k_scoped: str
    missing_id: int  # X, an id that exists nowhere

    @property
    def t(self) -> int:
        return self.team.id


def build_world() -> World:
    """Org A (projects T and T2), org B (project T_B), user U (member of org A only) and U's keys."""
    org_a = OrganizationFactory(name="Org A")
    team = make_team(org_a, "T")
    team2 = make_team(org_a, "T2")
    org_b = OrganizationFactory(name="Org B")
    team_b = make_team(org_b, "T_B")
    user = UserFactory(email="u@example.com", first_name="Ada")
    make_member(user, org_a)
    user.refresh_from_db()
    assert user.current_team_id == team.id
    return World(
        org_a=org_a,
        team=team,
        team2=team2,
        org_b=org_b,
        team_b=team_b,
        user=user,
        k_all=make_key(user, ["*"]),
        k_ro=make_key(user, ["llm_prompt:read", "dataset:read", "llm_analytics:read"]),
        k_rw=make_key(user, ["llm_prompt:write", "dataset:write", "llm_analytics:write"]),
        k_scoped=make_key(user, ["*"], scoped_teams=[team2.id]),
        missing_id=team_b.id + 10_000,
    )


@dataclass(frozen=True)
class WorldTemplate:
    """The rows `build_world` writes (every table's, whatever the services and signals add), to
    write them again with one INSERT per table instead of the services' fifty-odd queries."""

    tables: list[tuple[type[models.Model], list[dict[str, Any]]]]  # per model, its rows' values
    built: World  # as built; its instances are never handed to a test
    sequences: list[tuple[str, int]]  # PostgreSQL: (sequence, highest recorded id) per serial key

    @classmethod
    def record(cls) -> "WorldTemplate":
        """Builds the world through the services (committed), reads back every row it wrote, then
        deletes those rows again. Sequences stay past the recorded ids, so rows a test creates
        later never take one of them."""
        every_model = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        ]
        before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in every_model}
        built = build_world()
        tables = []
        for model in every_model:
            fields = [field.attname for field in model._meta.concrete_fields]
            rows = [
                row
                for row in model._base_manager.order_by("pk").values(*fields)
                if row[model._meta.pk.attname] not in before[model]
            ]
            if rows:
                tables.append((model, rows))
        with transaction.atomic():
            for model, rows in reversed(tables):
                model._base_manager.filter(pk__in=[row[model._meta.pk.attname] for row in rows]).delete()
        sequences = []
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model, rows in tables:
                    pk = model._meta.pk
                    if isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
                        cursor.execute(
                            "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column]
                        )
                        sequences.append((cursor.fetchone()[0], max(row[pk.attname] for row in rows)))
        return cls(tables=tables, built=built, sequences=sequences)

    def restore(self) -> World:
        """Writes the recorded rows as they were (raw: no defaults or auto_now recomputed) and
        returns the world with fresh instances of them, as if just loaded from the database."""
        loaded: dict[tuple[type[models.Model], Any], models.Model] = {}
        with transaction.atomic():  # foreign keys are checked at the end, whatever the table order
            for model, rows in self.tables:
                names = [field.attname for field in model._meta.concrete_fields]
                objs = [
                    model.from_db(DEFAULT_DB_ALIAS, names, [copy.deepcopy(row[name]) for name in names])
                    for row in rows
                ]
                model._base_manager._insert(objs, fields=model._meta.local_concrete_fields, raw=True)
                loaded.update(((model, obj.pk), obj) for obj in objs)
        if self.sequences:
            # The ids were taken from the sequences when the world was built; should something have
            # reset a sequence since (a flush that resets them), move it past the ids again.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(seq::regclass, top) FROM (VALUES "
                    + ", ".join(["(%s, %s)"] * len(self.sequences))
                    + ") AS recorded(seq, top) "
                    "WHERE coalesce(pg_sequence_last_value(seq::regclass), 0) < top",
                    [value for pair in self.sequences for value in pair],
                )

        def fresh(instance: models.Model) -> models.Model:
            return loaded[(type(instance), instance.pk)]

        built = self.built
        return dataclasses.replace(
            built,
            **{
                name: fresh(getattr(built, name))
                for name in ("org_a", "team", "team2", "org_b", "team_b", "user")
            },
        )
