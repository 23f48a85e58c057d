"""Shared fixtures: the platform spec's §11 world (org A/B, teams, user U and its keys)."""

import pytest
import requests
import yaml
from django.test import Client
from rest_framework.test import APIClient

from llm_server.accounts.models import User
from tests.api import clear_caches
from tests.factories import UserFactory, World, WorldTemplate, make_key, make_member
from tests.live import session_for


@pytest.fixture(autouse=True)
def _clear_cache():
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture(scope="session")
def served_schema(django_db_setup, django_db_blocker) -> dict:
    """The OpenAPI document `GET /api/schema/` serves, parsed; fetched once per test session (it
    takes a second to generate). Shared by the tests: read it, never change it."""
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


@pytest.fixture(scope="session")
def world_template(django_db_setup, django_db_blocker) -> WorldTemplate:
    with django_db_blocker.unblock():
        return WorldTemplate.record()


@pytest.fixture
def world(db, world_template: WorldTemplate) -> World:
    """The platform spec's §11 world (see `build_world`): built once per session through the
    services, and written again for each test from the rows that build wrote."""
    return world_template.restore()


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
