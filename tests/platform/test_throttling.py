"""Per-key throttling (platform spec §8; cases 46, 47)."""

import re

import pytest

from tests.api import bearer
from tests.fixtures_app.models import Widget
from tests.platform.helpers import ENVELOPE_KEYS, url

THROTTLED_DETAIL = re.compile(r"^Request was throttled\. Expected available in \d+ seconds?\.$")


@pytest.fixture
def throttled(settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_BURST = "3/minute"
    settings.RATE_LIMIT_SUSTAINED = "100/hour"
    return settings


def exhaust(client, world, key: str, n: int = 3) -> None:
    for _ in range(n):
        assert client.get(url(world.t), **bearer(key)).status_code == 200


def test_case_46_request_over_the_rate_is_429(client, world, throttled):
    exhaust(client, world, world.k_all)
    response = client.get(url(world.t), **bearer(world.k_all))
    assert response.status_code == 429
    body = response.json()
    assert list(body) == ENVELOPE_KEYS
    assert body["type"] == "throttled_error"
    assert body["code"] == "throttled"
    assert body["attr"] is None
    assert body["detail"].startswith("Request was throttled.")
    assert THROTTLED_DETAIL.match(body["detail"]), body["detail"]
    # Writes are refused too, and nothing is written.
    response = client.post(url(world.t), {"name": "x"}, format="json", **bearer(world.k_all))
    assert response.status_code == 429
    assert not Widget.objects.exists()


def test_case_46_sustained_rate_applies_too(client, world, settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_BURST = "100/minute"
    settings.RATE_LIMIT_SUSTAINED = "2/hour"
    exhaust(client, world, world.k_all, 2)
    response = client.get(url(world.t), **bearer(world.k_all))
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_case_47_each_key_has_its_own_bucket(client, world, throttled):
    exhaust(client, world, world.k_all)
    assert client.get(url(world.t), **bearer(world.k_all)).status_code == 429
    # Same user, other key: unaffected.
    assert client.get(url(world.t), **bearer(world.k_ro)).status_code == 200
    # The key is the bucket wherever it is sent.
    response = client.get(url(world.t), {"personal_api_key": world.k_all})
    assert response.status_code == 429


def test_throttling_disabled_by_default(client, world, settings):
    settings.RATE_LIMIT_BURST = "3/minute"
    assert settings.RATE_LIMIT_ENABLED is False
    exhaust(client, world, world.k_all, 6)


def test_session_traffic_not_throttled(client, world, throttled):
    client.force_login(world.user)
    for _ in range(6):
        assert client.get(url(world.t)).status_code == 200


def test_throttle_runs_after_authentication_and_permissions(client, world, throttled):
    # Refused requests (bad scope, other project) do not spend the key's budget.
    for _ in range(5):
        response = client.post(url(world.t), {"name": "x"}, format="json", **bearer(world.k_ro))
        assert response.status_code == 403
        assert client.get(url(world.team_b.id), **bearer(world.k_ro)).status_code == 403
    exhaust(client, world, world.k_ro)
    # Once exhausted, a request that fails permissions still gets its 403, not 429.
    response = client.post(url(world.t), {"name": "x"}, format="json", **bearer(world.k_ro))
    assert response.status_code == 403
    assert client.get(url(world.t), **bearer(world.k_ro)).status_code == 429
    # Unauthenticated requests get 401, never 429.
    assert client.get(url(world.t)).status_code == 401
