"""`created_by` and formats (platform spec §9, §10; cases 42-45)."""

import re
import time
import uuid

from llm_server.accounts.models import User
from llm_server.serializers import public_hedgehog_config
from tests.api import bearer
from tests.factories import UserFactory
from tests.fixtures_app.models import Widget
from tests.platform.helpers import url

CREATED_BY_KEYS = [
    "id",
    "uuid",
    "distinct_id",
    "first_name",
    "last_name",
    "email",
    "is_email_verified",
    "hedgehog_config",
    "role_at_organization",
]
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def create(client, world, body: dict) -> dict:
    response = client.post(url(world.t), body, format="json", **bearer(world.k_all))
    assert response.status_code == 201, response.content
    return response.json()


def test_case_42_created_by_is_the_caller(client, world):
    body = create(client, world, {"name": "mine"})
    created_by = body["created_by"]
    user = world.user
    assert list(created_by) == CREATED_BY_KEYS
    assert created_by == {
        "id": user.id,
        "uuid": str(user.uuid),
        "distinct_id": user.distinct_id,
        "first_name": "Ada",
        "last_name": "",
        "email": "u@example.com",
        "is_email_verified": True,
        "hedgehog_config": None,
        "role_at_organization": "engineering",
    }
    assert isinstance(created_by["id"], int)
    assert UUID.match(created_by["uuid"])
    assert Widget.objects.get(pk=body["id"]).created_by_id == user.id
    # The same shape on retrieve and list.
    assert (
        client.get(url(world.t, object_id=body["id"]), **bearer(world.k_all)).json()["created_by"]
        == created_by
    )
    assert client.get(url(world.t), **bearer(world.k_all)).json()["results"][0]["created_by"] == created_by


def test_case_43_client_created_by_ignored(client, world):
    other = UserFactory(email="other@example.com")
    body = create(client, world, {"name": "spoof", "created_by": other.id})
    assert body["created_by"]["id"] == world.user.id
    body = create(client, world, {"name": "spoof2", "created_by": {"id": other.id, "email": other.email}})
    assert body["created_by"]["email"] == world.user.email
    assert set(Widget.objects.values_list("created_by_id", flat=True)) == {world.user.id}
    # Nor can it be changed afterwards.
    response = client.patch(
        url(world.t, object_id=body["id"]), {"created_by": other.id}, format="json", **bearer(world.k_all)
    )
    assert response.status_code == 200
    assert response.json()["created_by"]["id"] == world.user.id
    assert Widget.objects.get(pk=body["id"]).created_by_id == world.user.id


def test_created_by_null_when_user_deleted(client, world):
    creator = UserFactory()
    widget = Widget.objects.create(team=world.team, name="orphan", created_by=creator)
    creator.delete()
    response = client.get(url(world.t, object_id=widget.id), **bearer(world.k_all))
    assert response.json()["created_by"] is None


def test_created_by_hedgehog_config_and_nullables(client, world):
    User.objects.filter(pk=world.user.pk).update(
        hedgehog_config={
            "use_as_profile": True,
            "color": "blue",
            "accessories": ["hat"],
            "skin": None,
            "x": 1,
        },
        role_at_organization=None,
        is_email_verified=None,
        distinct_id=None,
    )
    body = create(client, world, {"name": "hog"})
    created_by = body["created_by"]
    assert created_by["hedgehog_config"] == {
        "use_as_profile": True,
        "color": "blue",
        "accessories": ["hat"],
        "skin": None,
    }
    assert created_by["role_at_organization"] is None
    assert created_by["is_email_verified"] is None
    assert created_by["distinct_id"] is None


def test_hedgehog_config_version_2_and_non_objects():
    v2 = {
        "version": 2,
        "use_as_profile": False,
        "actor_options": {"color": "red", "accessories": [], "skin": "x"},
    }
    assert public_hedgehog_config(v2) == {
        "use_as_profile": False,
        "color": "red",
        "accessories": [],
        "skin": "x",
    }
    assert public_hedgehog_config({}) is None
    assert public_hedgehog_config([1, 2]) is None
    assert public_hedgehog_config("text") is None
    assert public_hedgehog_config(None) is None


def test_case_44_datetime_format_and_updated_at_moves(client, world):
    body = create(client, world, {"name": "times"})
    assert DATETIME.match(body["created_at"]), body["created_at"]
    assert DATETIME.match(body["updated_at"]), body["updated_at"]
    time.sleep(0.01)
    response = client.patch(
        url(world.t, object_id=body["id"]), {"name": "times2"}, format="json", **bearer(world.k_all)
    )
    assert response.status_code == 200
    patched = response.json()
    assert DATETIME.match(patched["updated_at"])
    assert patched["updated_at"] > body["updated_at"]
    assert patched["created_at"] == body["created_at"]
    widget = Widget.objects.get(pk=body["id"])
    assert widget.name == "times2"
    assert widget.updated_at > widget.created_at


def test_case_45_ids_are_lowercase_hyphenated_uuids(client, world):
    body = create(client, world, {"name": "uuid"})
    assert UUID.match(body["id"])
    assert str(uuid.UUID(body["id"])) == body["id"]
    assert uuid.UUID(body["id"]).version == 7
    # The upper-case form of an id still addresses the object.
    response = client.get(url(world.t, object_id=body["id"].upper()), **bearer(world.k_all))
    assert response.status_code == 200
    assert response.json()["id"] == body["id"]
