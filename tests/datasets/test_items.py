"""/dataset_items/: datasets spec §8 cases 33-49, plus the edges of each rule they cover."""

import re
import uuid

import pytest

from datasets.models import Dataset, DatasetItem
from tests.api import UNKNOWN_UUID, bearer, not_found, user_json, validation
from tests.datasets.helpers import (
    INVALID_DATASET_CHOICE,
    ITEM_KEYS,
    UUID_PATTERN,
    WRITE_DENIED,
    does_not_exist,
    item_json,
    make_dataset,
    make_items,
)

FULL_ITEM = {
    "input": {"p": "hi"},
    "output": {"c": "yo"},
    "metadata": {"m": 1},
    "ref_trace_id": "t1",
    "ref_timestamp": "2025-01-01T10:00:00+02:00",
    "ref_source_id": "s1",
}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# ---- create ------------------------------------------------------------------------------------


def test_case_33_create_full_item(items, world, dataset):
    response = items.post("", {"dataset": str(dataset.id), **FULL_ITEM})

    assert response.status_code == 201
    body = response.json()
    assert list(body) == ITEM_KEYS
    assert re.match(UUID_PATTERN, body["id"])
    stored = DatasetItem.objects.get(pk=body["id"])
    assert body == item_json(stored)
    assert body["dataset"] == str(dataset.id)
    assert body["ref_timestamp"] == "2025-01-01T08:00:00Z"
    assert (body["input"], body["output"], body["metadata"]) == ({"p": "hi"}, {"c": "yo"}, {"m": 1})
    assert (body["ref_trace_id"], body["ref_source_id"], body["deleted"]) == ("t1", "s1", False)
    assert body["team"] == world.t
    assert body["created_by"] == user_json(world.user)
    assert (stored.team_id, stored.dataset_id) == (world.t, dataset.id)


def test_case_34_dataset_alone_is_enough(items, dataset):
    body = items.create(dataset=str(dataset.id))
    assert (body["input"], body["output"], body["metadata"], body["deleted"]) == (None, None, None, False)
    assert (body["ref_trace_id"], body["ref_timestamp"], body["ref_source_id"]) == (None, None, None)
    assert body == item_json(DatasetItem.objects.get())


def test_case_35_dataset_required_and_not_null(items):
    response = items.post("", {})
    assert response.status_code == 400
    assert response.json() == validation("dataset", "required", "This field is required.")

    response = items.post("", {"dataset": None})
    assert response.status_code == 400
    assert response.json() == validation("dataset", "null", "This field may not be null.")
    assert not DatasetItem.objects.exists()


def test_case_36_unknown_or_malformed_dataset(items):
    missing = str(uuid.uuid4())
    response = items.post("", {"dataset": missing})
    assert response.status_code == 400
    assert response.json() == does_not_exist(missing)

    response = items.post("", {"dataset": "abc"})
    assert response.status_code == 400
    assert response.json()["attr"] == "dataset"
    assert not DatasetItem.objects.exists()


@pytest.mark.parametrize("bad", [["x"], {"id": "x"}, 1.5, -1, 2**200, "a\x00b", ""])
def test_case_36_dataset_of_any_wrong_type_is_a_400(items, bad):
    response = items.post("", {"dataset": bad})
    assert response.status_code == 400
    assert response.json()["attr"] == "dataset"


def test_case_36_malformed_dataset_is_never_echoed(items, world, dataset):
    """Regression: a lone surrogate in `dataset` was echoed in the error and broke rendering (500)."""
    [row] = make_items(dataset, 1)
    raw = '{"dataset": "\\ud800"}'
    for method, path in (("post", ""), ("patch", f"{row.id}/"), ("put", f"{row.id}/"), ("post", "bulk/")):
        body = raw if path != "bulk/" else '{"dataset": "\\ud800", "items": [{}]}'
        response = getattr(items.client, method)(
            items.url(path), body, content_type="application/json", **bearer(world.k_rw)
        )
        assert response.status_code == 400, (method, path)
        assert response.json() == validation("dataset", "invalid_input", "Must be a valid UUID.")
    assert items.post("", {"dataset": "abc"}).json() == validation(
        "dataset", "invalid_input", "Must be a valid UUID."
    )


def test_case_36_dataset_boolean(items):
    response = items.post("", {"dataset": True})
    assert response.json() == validation(
        "dataset", "incorrect_type", "Incorrect type. Expected pk value, received bool."
    )


def test_case_37_dataset_of_another_project(items, world, foreign_dataset):
    response = items.post("", {"dataset": str(foreign_dataset.id)})

    assert response.status_code == 400
    assert response.json() == does_not_exist(foreign_dataset.id)
    assert not DatasetItem.objects.exists()


def test_case_37_dataset_of_another_project_in_the_same_org(items, world):
    sibling = make_dataset(world.team2, "t2's")
    assert items.post("", {"dataset": str(sibling.id)}).json() == does_not_exist(sibling.id)


def test_case_38_soft_deleted_own_dataset_is_accepted(items, world):
    gone = make_dataset(world.team, "gone", deleted=True)
    body = items.create(dataset=str(gone.id), input="x")
    assert body["dataset"] == str(gone.id)


def test_case_39_field_errors(items, dataset):
    response = items.post("", {"dataset": str(dataset.id), "ref_trace_id": "x" * 256})
    assert response.status_code == 400
    assert response.json() == validation(
        "ref_trace_id", "max_length", "Ensure this field has no more than 255 characters."
    )

    response = items.post("", {"dataset": str(dataset.id), "ref_source_id": "x" * 256})
    assert response.json()["attr"] == "ref_source_id"

    response = items.post("", {"dataset": str(dataset.id), "ref_timestamp": "yesterday"})
    assert response.status_code == 400
    assert response.json() == validation(
        "ref_timestamp",
        "invalid_input",
        "Datetime has wrong format. Use one of these formats instead: "
        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
    )
    assert not DatasetItem.objects.exists()


def test_case_39_ref_fields_accept_255_blank_and_null(items, dataset):
    body = items.create(dataset=str(dataset.id), ref_trace_id="x" * 255, ref_source_id="", ref_timestamp=None)
    assert (body["ref_trace_id"], body["ref_source_id"], body["ref_timestamp"]) == ("x" * 255, "", None)


def test_ref_timestamp_naive_is_utc_and_out_of_range_is_400(items, dataset):
    body = items.create(dataset=str(dataset.id), ref_timestamp="2025-01-01T10:00:00.5")
    assert body["ref_timestamp"] == "2025-01-01T10:00:00.500000Z"
    response = items.post("", {"dataset": str(dataset.id), "ref_timestamp": "0001-01-01T00:00:00+02:00"})
    assert (response.status_code, response.json()["attr"]) == (400, "ref_timestamp")


@pytest.mark.parametrize("value", ["hello", 5, [1], 0, False, "", {"deep": [{"x": None}]}])
def test_case_40_input_takes_any_json(items, dataset, value):
    body = items.create(dataset=str(dataset.id), input=value, output=value, metadata=value)
    assert (body["input"], body["output"], body["metadata"]) == (value, value, value)
    stored = DatasetItem.objects.get()
    assert (stored.input, stored.output, stored.metadata) == (value, value, value)


NUL_DETAIL = "Value cannot contain the null character (\\u0000)."


@pytest.mark.parametrize(
    ("raw_output", "detail"),
    [
        ('"a\\u0000b"', NUL_DETAIL),
        ('{"k\\u0000": 1}', NUL_DETAIL),
        ('"\\ud800"', "Value cannot contain unpaired surrogate characters."),
        ("[" * 201 + "]" * 201, "Value cannot be nested more than 200 levels deep."),
    ],
)
def test_unstorable_json_is_400(items, world, dataset, raw_output, detail):
    body = f'{{"dataset": "{dataset.id}", "output": {raw_output}}}'
    response = items.client.post(items.url(), body, content_type="application/json", **bearer(world.k_rw))
    assert response.status_code == 400
    assert response.json() == validation("output", "invalid_input", detail)
    assert not DatasetItem.objects.exists()


def test_nul_in_text_fields_is_400(items, dataset):
    response = items.post("", {"dataset": str(dataset.id), "ref_trace_id": "a\x00"})
    assert response.status_code == 400
    assert response.json() == validation(
        "ref_trace_id", "null_characters_not_allowed", "Null characters are not allowed."
    )


# ---- list ----------------------------------------------------------------------------------------


def test_case_41_list_newest_first(items, world, dataset):
    other = make_dataset(world.team, "D2")
    older = make_items(dataset, 2)
    newer = make_items(other, 2)
    make_items(dataset, 1, deleted=True)
    make_items(make_dataset(world.team2, "t2"), 1)

    response = items.get()

    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (4, None, None)
    assert body["results"] == [item_json(row) for row in [newer[1], newer[0], older[1], older[0]]]


def test_case_41_null_deleted_is_visible(items, dataset):
    [row] = make_items(dataset, 1, deleted=None)
    assert ids(items.get()) == [str(row.id)]
    assert items.get(f"{row.id}/").json()["deleted"] is None


def test_case_42_filter_by_dataset(items, world, dataset):
    other = make_dataset(world.team, "D2")
    mine = make_items(dataset, 3)
    make_items(other, 2)

    assert ids(items.get("", {"dataset": str(dataset.id)})) == [str(row.id) for row in reversed(mine)]
    assert items.get("", {"dataset": ""}).json()["count"] == 5

    response = items.get("", {"dataset": str(uuid.uuid4())})
    assert response.status_code == 400
    assert response.json() == INVALID_DATASET_CHOICE


@pytest.mark.parametrize("junk", ["abc", "1", "a\x00b", "'; drop table x; --", "x" * 5000])
def test_case_42_junk_dataset_filter(items, dataset, junk):
    response = items.get("", {"dataset": junk})
    assert response.status_code == 400
    assert response.json()["attr"] == "dataset"


def test_case_43_dataset_filter_of_another_project(items, world, foreign_dataset):
    make_items(foreign_dataset, 1)
    response = items.get("", {"dataset": str(foreign_dataset.id)})
    assert response.status_code == 400
    assert response.json() == INVALID_DATASET_CHOICE


def test_case_44_soft_deleted_dataset_keeps_its_items(items, datasets, dataset):
    live = make_items(dataset, 2)
    make_items(dataset, 1, deleted=True)
    assert datasets.patch(f"{dataset.id}/", {"deleted": True}).status_code == 200

    assert ids(items.get("", {"dataset": str(dataset.id)})) == [str(live[1].id), str(live[0].id)]
    assert ids(items.get()) == [str(live[1].id), str(live[0].id)]
    response = items.get(f"{live[0].id}/")
    assert response.status_code == 200
    assert response.json() == item_json(live[0])


# ---- retrieve ----------------------------------------------------------------------------------


def test_retrieve(items, dataset):
    [row] = make_items(dataset, 1, ref_trace_id="t")
    response = items.get(f"{row.id}")
    assert response.status_code == 200
    assert response.json() == item_json(row)


@pytest.mark.parametrize("bad_id", ["not-a-uuid", UNKNOWN_UUID, "bulk-ish", "%00"])
def test_retrieve_unknown_or_malformed_is_404(items, bad_id):
    response = items.get(f"{bad_id}/")
    assert (response.status_code, response.json()) == (404, not_found())


# ---- update ------------------------------------------------------------------------------------


def test_case_45_patch_content_and_move(items, world, dataset):
    d2 = make_dataset(world.team, "D2")
    [row] = make_items(dataset, 1, output={"old": True})
    before = item_json(row)

    response = items.patch(f"{row.id}/", {"input": {"x": 10}, "output": None})
    assert response.status_code == 200
    assert response.json() == item_json(row)
    assert (row.input, row.output) == ({"x": 10}, None)
    assert response.json()["updated_at"] > before["updated_at"]
    assert response.json()["created_at"] == before["created_at"]

    response = items.patch(f"{row.id}/", {"dataset": str(d2.id)})
    assert response.status_code == 200
    assert response.json()["dataset"] == str(d2.id)
    assert ids(items.get("", {"dataset": str(d2.id)})) == [str(row.id)]
    assert ids(items.get("", {"dataset": str(dataset.id)})) == []


def test_case_45_move_to_another_project_is_refused(items, world, dataset, foreign_dataset):
    [row] = make_items(dataset, 1)
    sibling = make_dataset(world.team2, "t2's")
    for target in (foreign_dataset, sibling):
        response = items.patch(f"{row.id}/", {"dataset": str(target.id)})
        assert response.status_code == 400
        assert response.json() == does_not_exist(target.id)
    response = items.patch(f"{row.id}/", {"dataset": None})
    assert response.json() == validation("dataset", "null", "This field may not be null.")
    row.refresh_from_db()
    assert row.dataset_id == dataset.id


def test_case_46_soft_delete_and_restore(items, dataset):
    [row] = make_items(dataset, 1)

    response = items.patch(f"{row.id}/", {"deleted": True})
    assert response.status_code == 200
    assert response.json()["deleted"] is True
    assert items.get(f"{row.id}/").json() == not_found()
    assert ids(items.get()) == []

    response = items.patch(f"{row.id}/", {"input": 1})
    assert response.status_code == 200
    assert (response.json()["input"], response.json()["deleted"]) == (1, True)
    assert ids(items.get()) == []

    response = items.patch(f"{row.id}/", {"deleted": False})
    assert response.json()["deleted"] is False
    assert ids(items.get()) == [str(row.id)]
    row.refresh_from_db()
    assert (row.deleted, row.deleted_at, row.input) == (False, None, 1)


def test_case_46_put_requires_dataset(items, world, dataset):
    [row] = make_items(dataset, 1, input="keep")
    response = items.put(f"{row.id}/", {"input": "x"})
    assert response.json() == validation("dataset", "required", "This field is required.")

    response = items.put(f"{row.id}/", {"dataset": str(dataset.id), "output": "o"})
    assert response.status_code == 200
    assert response.json() == item_json(row)
    assert (row.input, row.output) == ("keep", "o")


def test_case_47_delete_is_405_with_empty_body(items, dataset):
    [row] = make_items(dataset, 1)
    response = items.delete(f"{row.id}/")
    assert (response.status_code, response.content) == (405, b"")
    assert "Content-Type" not in response
    assert DatasetItem.objects.filter(pk=row.pk, deleted=False).exists()

    response = items.delete("")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_case_48_another_projects_item(items, world, foreign_dataset):
    [row] = make_items(foreign_dataset, 1, input="theirs")
    before = item_json(row)

    assert (items.get(f"{row.id}/").status_code, items.get(f"{row.id}/").json()) == (404, not_found())
    response = items.patch(f"{row.id}/", {"input": "mine now", "deleted": True})
    assert (response.status_code, response.json()) == (404, not_found())
    response = items.put(f"{row.id}/", {"dataset": str(foreign_dataset.id)})
    assert response.status_code == 404
    response = items.delete(f"{row.id}/")
    assert (response.status_code, response.content) == (405, b"")
    assert item_json(row) == before


def test_case_49_read_only_key_cannot_write(items, world, dataset):
    [row] = make_items(dataset, 1)
    response = items.post("", {"dataset": str(dataset.id)}, key=world.k_ro)
    assert response.status_code == 403
    assert response.json() == WRITE_DENIED
    assert items.patch(f"{row.id}/", {"input": 1}, key=world.k_ro).json() == WRITE_DENIED
    assert items.delete(f"{row.id}/", key=world.k_ro).json() == WRITE_DENIED
    assert items.get("", key=world.k_ro).status_code == 200
    assert items.get(f"{row.id}/", key=world.k_ro).status_code == 200
    assert DatasetItem.objects.count() == 1


def test_unauthenticated_is_401(items, dataset):
    for response in (items.get("", key=""), items.post("", {"dataset": str(dataset.id)}, key="")):
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_form_encoded_item(items, world, dataset):
    response = items.client.post(
        items.url(),
        f"dataset={dataset.id}&input=%22hi%22&ref_trace_id=t",
        content_type="application/x-www-form-urlencoded",
        **bearer(world.k_rw),
    )
    assert response.status_code == 201, response.content
    assert (response.json()["input"], response.json()["deleted"]) == ("hi", False)

    response = items.client.post(
        items.url(),
        f"dataset={dataset.id}&input=not-json",
        content_type="application/x-www-form-urlencoded",
        **bearer(world.k_rw),
    )
    assert (response.status_code, response.json()["attr"]) == (400, "input")


def test_deleting_the_creator_keeps_the_item(items, world, dataset):
    body = items.create(dataset=str(dataset.id))
    Dataset.objects.filter(pk=dataset.pk).update(created_by=None)
    world.user.delete()
    row = DatasetItem.objects.get(pk=body["id"])
    assert row.created_by is None
