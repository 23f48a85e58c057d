"""Both prefixes, optional trailing slash, @current and project checks (case 50, platform §3)."""

import pytest

from datasets.models import Dataset, DatasetItem
from tests.api import bearer, permission_denied
from tests.datasets.helpers import dataset_json, item_json, make_items, project_api
from tests.factories import make_key


def test_case_50_environments_alias_behaves_the_same(client, world, datasets, dataset):
    environments = project_api(client, world.t, "datasets", world.k_rw, prefix="environments")

    assert environments.get().json() == datasets.get().json()
    created = environments.create(name="via environments")
    assert datasets.get(f"{created['id']}/").json() == created
    response = environments.patch(f"{dataset.id}/", {"deleted": True})
    assert response.status_code == 200
    assert datasets.get(f"{dataset.id}/").status_code == 404
    response = environments.delete(f"{dataset.id}/")
    assert (response.status_code, response.content) == (405, b"")
    # The alias is marked deprecated, pointing at its successor.
    listing = environments.get("", {"search": "x"})
    assert listing["Deprecation"] == "true"
    assert listing["Link"] == f'</api/projects/{world.t}/datasets/?search=x>; rel="successor-version"'


def test_case_50_item_routes_on_both_prefixes(client, world, items, dataset):
    environments = project_api(client, world.t, "dataset_items", world.k_rw, prefix="environments")
    created = environments.create(dataset=str(dataset.id), input="hi")
    assert items.get(f"{created['id']}/").json() == created
    assert (
        environments.get("", {"dataset": str(dataset.id)}).json()
        == items.get("", {"dataset": str(dataset.id)}).json()
    )


@pytest.mark.parametrize("resource", ["datasets", "dataset_items"])
def test_trailing_slash_is_optional(client, world, dataset, resource):
    [row] = make_items(dataset, 1)
    target = dataset if resource == "datasets" else row
    base = f"/api/projects/{world.t}/{resource}"
    for path in (base, f"{base}/", f"{base}/{target.id}", f"{base}/{target.id}/"):
        response = client.get(path, **bearer(world.k_ro))
        assert response.status_code == 200, path
    response = client.patch(
        f"{base}/{target.id}", {"metadata": {"no": "slash"}}, format="json", **bearer(world.k_rw)
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.metadata == {"no": "slash"}


def test_create_without_trailing_slash(client, world, dataset):
    response = client.post(
        f"/api/projects/{world.t}/datasets", {"name": "n"}, format="json", **bearer(world.k_rw)
    )
    assert response.status_code == 201
    response = client.post(
        f"/api/projects/{world.t}/dataset_items",
        {"dataset": str(dataset.id)},
        format="json",
        **bearer(world.k_rw),
    )
    assert response.status_code == 201


def test_current_project(client, world, dataset):
    response = client.get("/api/projects/@current/datasets/", **bearer(world.k_all))
    assert response.status_code == 200
    assert response.json()["results"] == [dataset_json(dataset)]


def test_project_token_override(client, world, dataset):
    response = client.get(
        f"/api/projects/{world.missing_id}/datasets/?token={world.team.api_token}", **bearer(world.k_all)
    )
    assert response.json()["results"] == [dataset_json(dataset)]


@pytest.mark.parametrize("resource", ["datasets", "dataset_items"])
def test_unknown_projects(client, world, resource):
    for segment in (world.missing_id, "abc", "-1", "99999999999999999999999"):
        response = client.get(f"/api/projects/{segment}/{resource}/", **bearer(world.k_all))
        assert response.status_code == 404, segment
        assert response.json()["detail"] == "Project not found."
    response = client.get(f"/api/projects/{world.team_b.id}/{resource}/", **bearer(world.k_all))
    assert response.json() == permission_denied("You don't have access to the project.")
    response = client.get(f"/api/projects/{world.t}/{resource}/", **bearer(world.k_scoped))
    assert response.json() == permission_denied(
        f"API key does not have access to the requested project: ID {world.t}."
    )


def test_write_into_another_project_is_403_and_changes_nothing(client, world, foreign_dataset):
    [row] = make_items(foreign_dataset, 1)
    base = f"/api/projects/{world.team_b.id}"
    for response in (
        client.post(f"{base}/datasets/", {"name": "x"}, format="json", **bearer(world.k_all)),
        client.patch(
            f"{base}/datasets/{foreign_dataset.id}/", {"name": "x"}, format="json", **bearer(world.k_all)
        ),
        client.post(
            f"{base}/dataset_items/",
            {"dataset": str(foreign_dataset.id)},
            format="json",
            **bearer(world.k_all),
        ),
        client.patch(f"{base}/dataset_items/{row.id}/", {"input": 1}, format="json", **bearer(world.k_all)),
        client.post(
            f"{base}/dataset_items/bulk/",
            {"dataset": str(foreign_dataset.id), "items": [{}]},
            format="json",
            **bearer(world.k_all),
        ),
    ):
        assert response.status_code == 403
    assert Dataset.objects.get().name == "Q's"
    assert item_json(row)["input"] == {"n": 0}
    assert DatasetItem.objects.count() == 1


def test_options_needs_read(client, world, dataset):
    response = client.options(f"/api/projects/{world.t}/datasets/", **bearer(world.k_ro))
    assert response.status_code == 200
    response = client.options(f"/api/projects/{world.t}/dataset_items/{dataset.id}/", **bearer(world.k_ro))
    assert response.status_code == 200
    key = make_key(world.user, ["llm_prompt:read"])
    response = client.options(f"/api/projects/{world.t}/datasets/", **bearer(key))
    assert response.json() == permission_denied("API key missing required scope 'dataset:read'")


def test_unmapped_methods(client, world, dataset):
    """PUT/PATCH on the collection and POST on a detail: 405 after the write-scope check."""
    base = f"/api/projects/{world.t}/datasets/"
    for method, path in (("put", base), ("patch", base), ("post", f"{base}{dataset.id}/")):
        response = getattr(client, method)(path, {}, format="json", **bearer(world.k_rw))
        assert response.status_code == 405, (method, path)
        assert response.json()["code"] == "method_not_allowed"
        response = getattr(client, method)(path, {}, format="json", **bearer(world.k_ro))
        assert response.json() == permission_denied("API key missing required scope 'dataset:write'")


@pytest.mark.parametrize("segment", ["%0A", "%00"])
def test_environments_alias_with_control_characters_in_the_path(client, world, segment):
    for path in (
        f"/api/environments/{segment}/datasets/",
        f"/api/environments/{world.t}/datasets/{segment}/",
    ):
        response = client.get(path, **bearer(world.k_all))
        assert response.status_code == 404
        link = response.get("Link", "")
        assert not any(ord(char) < 0x20 for char in link), link
