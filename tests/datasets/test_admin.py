"""Operator pages: search, filters, the linked item list, edits and soft delete through services."""

import json

import pytest

from datasets.models import Dataset, DatasetItem
from tests.datasets.helpers import make_dataset, make_items


@pytest.fixture
def seeded(world):
    evals = make_dataset(world.team, "Evaluation set", description="golden answers", created_by=world.user)
    other = make_dataset(world.team_b, "Other org set")
    make_items(evals, 3, ref_trace_id="trace-abc")
    make_items(other, 2)
    return evals, other


def test_dataset_changelist_search_and_filters(admin_client, seeded):
    evals, other = seeded
    response = admin_client.get("/admin/datasets/dataset/")
    assert response.status_code == 200
    assert b"Evaluation set" in response.content and b"Other org set" in response.content

    response = admin_client.get("/admin/datasets/dataset/", {"q": "golden"})
    assert b"Evaluation set" in response.content and b"Other org set" not in response.content
    response = admin_client.get("/admin/datasets/dataset/", {"q": str(other.id)})
    assert b"Other org set" in response.content and b"Evaluation set" not in response.content
    response = admin_client.get("/admin/datasets/dataset/", {"deleted__exact": "1"})
    assert response.status_code == 200 and b"Evaluation set" not in response.content
    response = admin_client.get("/admin/datasets/dataset/", {"team__id__exact": evals.team_id})
    assert b"Evaluation set" in response.content and b"Other org set" not in response.content


def test_dataset_page_links_to_its_items(admin_client, seeded):
    evals, _ = seeded
    response = admin_client.get(f"/admin/datasets/dataset/{evals.pk}/change/")
    assert response.status_code == 200
    link = f"/admin/datasets/datasetitem/?dataset__id__exact={evals.pk}"
    assert link.encode() in response.content
    assert b"3 item(s)" in response.content

    response = admin_client.get(link)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3


def test_item_changelist_search_and_filters(admin_client, seeded):
    evals, other = seeded
    response = admin_client.get("/admin/datasets/datasetitem/")
    assert response.status_code == 200
    response = admin_client.get("/admin/datasets/datasetitem/", {"q": "trace-abc"})
    assert response.context["cl"].result_count == 3
    response = admin_client.get("/admin/datasets/datasetitem/", {"q": "Other org"})
    assert response.context["cl"].result_count == 2
    response = admin_client.get("/admin/datasets/datasetitem/", {"team__id__exact": other.team_id})
    assert response.context["cl"].result_count == 2
    item = DatasetItem.objects.filter(dataset=evals).first()
    assert admin_client.get(f"/admin/datasets/datasetitem/{item.pk}/change/").status_code == 200


def test_no_add_and_no_hard_delete(admin_client, seeded):
    evals, _ = seeded
    assert admin_client.get("/admin/datasets/dataset/add/").status_code == 403
    assert admin_client.get("/admin/datasets/datasetitem/add/").status_code == 403
    assert admin_client.get(f"/admin/datasets/dataset/{evals.pk}/delete/").status_code == 403


def test_soft_delete_and_restore_actions(admin_client, seeded):
    evals, _ = seeded
    response = admin_client.post(
        "/admin/datasets/dataset/", {"action": "soft_delete", "_selected_action": [str(evals.pk)]}
    )
    assert response.status_code == 302
    evals.refresh_from_db()
    assert evals.deleted is True and evals.deleted_at is not None

    admin_client.post("/admin/datasets/dataset/", {"action": "restore", "_selected_action": [str(evals.pk)]})
    evals.refresh_from_db()
    assert (evals.deleted, evals.deleted_at) == (False, None)

    items = list(DatasetItem.objects.filter(dataset=evals))
    admin_client.post(
        "/admin/datasets/datasetitem/",
        {"action": "soft_delete", "_selected_action": [str(i.pk) for i in items]},
    )
    assert DatasetItem.objects.filter(dataset=evals, deleted=True).count() == 3


def change_form(obj, **changes) -> dict:
    """The POST body of an admin change form that keeps every field as it is except `changes`."""
    data = {}
    for field in ("name", "description", "input", "output", "ref_trace_id", "ref_source_id"):
        if hasattr(obj, field):
            value = getattr(obj, field)
            data[field] = "" if value is None else (value if isinstance(value, str) else json.dumps(value))
    data["metadata"] = "null" if obj.metadata is None else json.dumps(obj.metadata)
    data["deleted"] = {True: "true", False: "false", None: "unknown"}[obj.deleted]
    if isinstance(obj, DatasetItem):
        data["dataset"] = str(obj.dataset_id)
        data["ref_timestamp_0"] = data["ref_timestamp_1"] = ""
    data.update(changes)
    return data


def test_edit_dataset(admin_client, seeded):
    evals, _ = seeded
    before = evals.updated_at
    response = admin_client.post(
        f"/admin/datasets/dataset/{evals.pk}/change/", change_form(evals, name="Renamed", metadata='{"k": 1}')
    )
    assert response.status_code == 302, response.content
    evals.refresh_from_db()
    assert (evals.name, evals.metadata) == ("Renamed", {"k": 1})
    assert evals.updated_at > before


def test_edit_rejects_unstorable_json_and_nul(admin_client, seeded):
    evals, _ = seeded
    response = admin_client.post(
        f"/admin/datasets/dataset/{evals.pk}/change/", change_form(evals, metadata='{"k": "a\\u0000"}')
    )
    assert response.status_code == 200
    assert "metadata" in response.context["adminform"].form.errors
    response = admin_client.post(
        f"/admin/datasets/dataset/{evals.pk}/change/", change_form(evals, name="a\x00b")
    )
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    evals.refresh_from_db()
    assert evals.name == "Evaluation set"


def test_item_cannot_be_moved_to_another_projects_dataset(admin_client, seeded):
    evals, other = seeded
    item = DatasetItem.objects.filter(dataset=evals).first()
    response = admin_client.post(
        f"/admin/datasets/datasetitem/{item.pk}/change/", change_form(item, dataset=str(other.pk))
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["dataset"] == ["The dataset belongs to another project."]
    item.refresh_from_db()
    assert item.dataset_id == evals.pk

    sibling = make_dataset(evals.team, "sibling")
    response = admin_client.post(
        f"/admin/datasets/datasetitem/{item.pk}/change/",
        change_form(item, dataset=str(sibling.pk), output='"new"'),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.dataset_id, item.output) == (sibling.pk, "new")


def test_changelists_query_count_is_flat(admin_client, world, django_assert_max_num_queries):
    datasets = [make_dataset(world.team, f"d{i}", created_by=world.user) for i in range(20)]
    for dataset in datasets[:5]:
        make_items(dataset, 10, created_by=world.user)
    with django_assert_max_num_queries(15):
        assert admin_client.get("/admin/datasets/dataset/").status_code == 200
    with django_assert_max_num_queries(15):
        assert admin_client.get("/admin/datasets/datasetitem/").status_code == 200
    assert Dataset.objects.count() == 20
