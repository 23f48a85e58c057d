"""Shared fixtures: the platform spec's §11 world (org A/B, teams, user U and its keys)."""

from dataclasses import dataclass

import pytest
import requests
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from llm_server.accounts.models import Organization, Team, User
from tests.factories import OrganizationFactory, UserFactory, make_key, make_member, make_team
from tests.live import session_for


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


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


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def world(db) -> World:
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


@pytest.fixture
def other_member(world) -> tuple[User, str]:
    """A user of org B only, with a `*` key: owns T_B's data."""
    user = UserFactory(email="b@example.com")
    make_member(user, world.org_b)
    return user, make_key(user, ["*"])


@pytest.fixture
def admin_client(world) -> Client:
    """A plain Django client (form posts, like a browser), logged in as a superuser, with the
    `world` set up. Takes the place of pytest-django's fixture of the same name."""
    superuser = User.objects.create_superuser(email="admin@example.com", password="pw-not-used-12345")
    browser = Client()
    browser.force_login(superuser)
    return browser


@pytest.fixture
def live_session():
    """`live_session(key)`: a requests session signed with the key, closed after the test so no
    keep-alive connection holds a live-server thread open past the end of the run."""
    opened: list[requests.Session] = []

    def make(key: str) -> requests.Session:
        session = session_for(key)
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()
