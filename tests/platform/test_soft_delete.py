"""Soft delete, both patterns (platform spec §7; cases 29-32)."""

from tests.api import bearer, not_found, permission_denied
from tests.fixtures_app.models import Widget
from tests.platform.helpers import SOFT_WIDGETS, make_widgets, url


def test_case_29_hard_delete_forbidden_405_empty(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.delete(url(world.t, object_id=widget.id), **bearer(world.k_rw))
    assert response.status_code == 405
    assert response.content == b""
    assert "Content-Type" not in response.headers
    # Still there, still listed and retrievable.
    assert Widget.objects.filter(pk=widget.pk, deleted=False).exists()
    listed = client.get(url(world.t), **bearer(world.k_rw)).json()
    assert [w["id"] for w in listed["results"]] == [str(widget.id)]
    assert client.get(url(world.t, object_id=widget.id), **bearer(world.k_rw)).status_code == 200


def test_case_29_same_on_environments_prefix_and_unknown_id(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.delete(url(world.t, object_id=widget.id, prefix="environments"), **bearer(world.k_all))
    assert response.status_code == 405
    assert response.content == b""


def test_case_30_read_only_key_delete_is_403_not_405(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.delete(url(world.t, object_id=widget.id), **bearer(world.k_ro))
    assert response.status_code == 403
    assert response.json() == permission_denied("API key missing required scope 'dataset:write'")
    assert Widget.objects.filter(pk=widget.pk, deleted=False).exists()


def test_case_31_patch_deleted_true_soft_deletes(client, world):
    keep, gone = make_widgets(world.team, 2)
    response = client.patch(
        url(world.t, object_id=gone.id), {"deleted": True}, format="json", **bearer(world.k_rw)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(gone.id)
    assert body["deleted"] is True

    gone.refresh_from_db()
    assert gone.deleted is True
    assert gone.deleted_at is not None

    listed = client.get(url(world.t), **bearer(world.k_rw)).json()
    assert listed["count"] == 1
    assert [w["id"] for w in listed["results"]] == [str(keep.id)]
    response = client.get(url(world.t, object_id=gone.id), **bearer(world.k_rw))
    assert response.status_code == 404
    assert response.json() == not_found()
    # Also hidden on the other prefix.
    response = client.get(url(world.t, object_id=gone.id, prefix="environments"), **bearer(world.k_rw))
    assert response.status_code == 404


def test_case_31_patch_deleted_needs_write(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.patch(
        url(world.t, object_id=widget.id), {"deleted": True}, format="json", **bearer(world.k_ro)
    )
    assert response.status_code == 403
    widget.refresh_from_db()
    assert widget.deleted is False


def test_case_32_delete_soft_deletes_204(client, world):
    keep, gone = make_widgets(world.team, 2)
    path = url(world.t, SOFT_WIDGETS, gone.id, prefix="environments")
    response = client.delete(path, **bearer(world.k_rw))
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response.headers

    gone.refresh_from_db()
    assert gone.deleted is True
    assert gone.deleted_at is not None
    assert Widget.objects.filter(pk=gone.pk).exists()  # a soft delete keeps the row

    response = client.get(path, **bearer(world.k_rw))
    assert response.status_code == 404
    assert response.json() == not_found()
    listed = client.get(url(world.t, SOFT_WIDGETS, prefix="environments"), **bearer(world.k_rw)).json()
    assert [w["id"] for w in listed["results"]] == [str(keep.id)]
    # A second DELETE finds nothing.
    response = client.delete(path, **bearer(world.k_rw))
    assert response.status_code == 404
    assert response.json() == not_found()


def test_case_32_delete_needs_write_scope(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.delete(url(world.t, SOFT_WIDGETS, widget.id), **bearer(world.k_ro))
    assert response.status_code == 403
    assert response.json() == permission_denied("API key missing required scope 'llm_analytics:write'")
    widget.refresh_from_db()
    assert widget.deleted is False
