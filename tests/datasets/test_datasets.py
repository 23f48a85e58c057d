"""/datasets/: datasets spec §8 cases 1-32, plus the edges of each rule they cover."""

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from datasets.models import Dataset
from tests.api import (
    UNKNOWN_UUID,
    bearer,
    method_not_allowed,
    not_found,
    permission_denied,
    user_json,
    validation,
)
from tests.datasets.helpers import (
    DATASET_KEYS,
    TIMESTAMP_PATTERN,
    UUID_PATTERN,
    WRITE_DENIED,
    dataset_json,
    make_dataset,
)
from tests.factories import make_key


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def aged(dataset: Dataset, minutes_ago: int) -> Dataset:
    """Moves a dataset's created_at into the past, so list order is deterministic."""
    Dataset.objects.filter(pk=dataset.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    dataset.refresh_from_db()
    return dataset


@pytest.fixture
def abc(world):
    """a (oldest), b, c (newest) in P."""
    a = aged(make_dataset(world.team, "a"), 30)
    b = aged(make_dataset(world.team, "b"), 20)
    c = aged(make_dataset(world.team, "c"), 10)
    return a, b, c


# ---- create ------------------------------------------------------------------------------------


def test_case_1_create_returns_the_full_object(datasets, world):
    response = datasets.post("", {"name": "A", "description": "d", "metadata": {"k": "v"}})

    assert response.status_code == 201
    body = response.json()
    assert list(body) == DATASET_KEYS
    assert re.match(UUID_PATTERN, body["id"])
    assert re.match(TIMESTAMP_PATTERN, body["created_at"]) and re.match(TIMESTAMP_PATTERN, body["updated_at"])
    stored = Dataset.objects.get(pk=body["id"])
    assert body == dataset_json(stored)
    assert (body["name"], body["description"], body["metadata"], body["deleted"]) == (
        "A",
        "d",
        {"k": "v"},
        False,
    )
    assert body["team"] == world.t
    assert body["created_by"] == user_json(world.user)
    assert body["created_by"]["email"] == "u@example.com"
    assert (stored.team_id, stored.created_by_id, stored.deleted_at) == (world.t, world.user.id, None)


def test_case_2_create_without_name(datasets):
    response = datasets.post("", {})

    assert response.status_code == 400
    assert response.json() == validation("name", "required", "This field is required.")
    assert not Dataset.objects.exists()


@pytest.mark.parametrize(
    ("name", "code", "detail"),
    [
        ("", "blank", "This field may not be blank."),
        ("   ", "blank", "This field may not be blank."),
        (None, "null", "This field may not be null."),
    ],
)
def test_case_3_blank_or_null_name(datasets, name, code, detail):
    response = datasets.post("", {"name": name})

    assert response.status_code == 400
    assert response.json() == validation("name", code, detail)
    assert not Dataset.objects.exists()


def test_case_4_name_length(datasets):
    response = datasets.post("", {"name": "x" * 401})
    assert response.status_code == 400
    assert response.json() == validation(
        "name", "max_length", "Ensure this field has no more than 400 characters."
    )

    response = datasets.post("", {"name": "x" * 400})
    assert response.status_code == 201
    assert response.json()["name"] == "x" * 400
    assert Dataset.objects.get().name == "x" * 400


def test_case_5_name_is_trimmed(datasets):
    body = datasets.create(name="  x  ", description="  d  ")
    assert (body["name"], body["description"]) == ("x", "d")
    assert Dataset.objects.get().name == "x"


@pytest.mark.parametrize("metadata", [[1, 2], "s", None, 5, True, {"nested": {"a": [1, None]}}])
def test_case_6_metadata_takes_any_json(datasets, metadata):
    body = datasets.create(name="A", metadata=metadata)
    assert body["metadata"] == metadata
    assert Dataset.objects.get().metadata == metadata


def test_case_7_read_only_keys_are_ignored(datasets, world):
    sent_id = str(uuid.uuid4())
    body = datasets.create(
        name="A", team=world.team_b.id, created_by=123, id=sent_id, created_at="2000-01-01T00:00:00Z"
    )

    assert body["team"] == world.t
    assert body["created_by"] == user_json(world.user)
    assert body["id"] != sent_id
    assert not body["created_at"].startswith("2000")
    assert Dataset.objects.get().team_id == world.t


def test_case_8_names_are_not_unique(datasets):
    first = datasets.create(name="same")
    second = datasets.create(name="same")
    assert first["id"] != second["id"]
    assert Dataset.objects.filter(name="same").count() == 2


def test_case_9_deleted_must_be_boolean_like(datasets):
    response = datasets.post("", {"name": "A", "deleted": "maybe"})
    assert response.status_code == 400
    assert response.json() == validation("deleted", "invalid_input", "Must be a valid boolean.")
    assert not Dataset.objects.exists()


@pytest.mark.parametrize(
    ("sent", "stored"), [("yes", True), ("off", False), (1, True), ("0", False), (None, None)]
)
def test_case_9_boolean_like_values_are_accepted(datasets, sent, stored):
    assert datasets.create(name="A", deleted=sent)["deleted"] is stored
    assert Dataset.objects.get().deleted is stored


@pytest.mark.parametrize("bad", [True, [1], {"a": 1}])
def test_strings_reject_bools_lists_and_objects(datasets, bad):
    response = datasets.post("", {"name": bad})
    assert response.json() == validation("name", "invalid_input", "Not a valid string.")
    response = datasets.post("", {"name": "A", "description": bad})
    assert response.json() == validation("description", "invalid_input", "Not a valid string.")


def test_numbers_are_coerced_to_strings(datasets):
    body = datasets.create(name=123, description=4.5)
    assert (body["name"], body["description"]) == ("123", "4.5")


def test_description_may_be_empty_or_null(datasets):
    assert datasets.create(name="A", description="")["description"] == ""
    assert datasets.create(name="B", description=None)["description"] is None
    assert datasets.create(name="C")["description"] is None


def test_only_the_first_invalid_field_is_reported(datasets):
    response = datasets.post("", {"name": "", "deleted": "maybe"})
    assert response.json() == validation("name", "blank", "This field may not be blank.")


def test_form_encoded_create(datasets, world):
    response = datasets.client.post(
        datasets.url(),
        "name=Form&description=d&metadata=%7B%22a%22%3A1%7D",
        content_type="application/x-www-form-urlencoded",
        **bearer(world.k_rw),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # A form body without `deleted` creates a live dataset (DRF's own field would store null).
    assert (body["name"], body["metadata"], body["deleted"]) == ("Form", {"a": 1}, False)


# ---- list ----------------------------------------------------------------------------------------


def test_case_10_list_newest_first_counting_live_rows(datasets, world, abc):
    a, b, c = abc
    make_dataset(world.team, "gone", deleted=True)
    make_dataset(world.team2, "other project")

    response = datasets.get()

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert body["results"] == [dataset_json(c), dataset_json(b), dataset_json(a)]


def test_case_10_ties_on_created_at_break_on_id(datasets, world):
    now = timezone.now()
    rows = Dataset.objects.bulk_create(
        [Dataset(team=world.team, name=f"t{i}", created_at=now) for i in range(3)]
    )
    assert ids(datasets.get()) == sorted(str(row.id) for row in rows)


def test_case_11_order_by(datasets, world, abc):
    a = abc[0]
    assert names(datasets.get("", {"order_by": "created_at"})) == ["a", "b", "c"]
    assert names(datasets.get("", {"order_by": "-created_at"})) == ["c", "b", "a"]

    response = datasets.patch(f"{a.id}/", {"description": "touched"})
    assert response.status_code == 200
    assert names(datasets.get("", {"order_by": "-updated_at"})) == ["a", "c", "b"]
    assert names(datasets.get("", {"order_by": "updated_at"})) == ["b", "c", "a"]
    # Several keys, comma-separated.
    assert names(datasets.get("", {"order_by": "-updated_at,created_at"})) == ["a", "c", "b"]


def test_case_11_order_by_ties_break_on_id(datasets, world):
    now = timezone.now()
    rows = Dataset.objects.bulk_create(
        [Dataset(team=world.team, name=f"t{i}", created_at=now, updated_at=now) for i in range(3)]
    )
    Dataset.objects.update(updated_at=now)
    expected = sorted(str(row.id) for row in rows)
    assert ids(datasets.get("", {"order_by": "-updated_at"})) == expected
    assert ids(datasets.get("", {"order_by": "created_at"})) == expected


@pytest.mark.parametrize("value", ["name", "-name", "id", "created_at,bogus", "created_at;drop"])
def test_case_12_unknown_order_by(datasets, abc, value):
    response = datasets.get("", {"order_by": value})

    assert response.status_code == 400
    bad = value.split(",")[-1]
    assert response.json() == validation(
        "order_by", "invalid_choice", f"Select a valid choice. {bad} is not one of the available choices."
    )


def test_case_12_empty_order_by_means_default(datasets, abc):
    assert names(datasets.get("", {"order_by": ""})) == ["c", "b", "a"]


def test_case_13_search_name_and_description_any_case(datasets, world):
    make_dataset(world.team, "Training set")
    make_dataset(world.team, "eval", description="for RETRAINing")
    make_dataset(world.team, "unrelated", description="nothing here", metadata={"x": "y"})
    make_dataset(world.team, "no description")

    assert sorted(names(datasets.get("", {"search": "TRAIN"}))) == ["Training set", "eval"]
    assert datasets.get("", {"search": "TRAIN"}).json()["count"] == 2


def test_case_14_search_metadata_values_and_keys(datasets, world):
    prod = make_dataset(world.team, "one", metadata={"environment": "production"})
    make_dataset(world.team, "two", metadata={"environment": "staging"})
    make_dataset(world.team, "three", metadata=None)
    make_dataset(world.team, "four", metadata=["list", "values"])

    assert ids(datasets.get("", {"search": "production"})) == [str(prod.id)]
    assert sorted(names(datasets.get("", {"search": "environment"}))) == ["one", "two"]
    assert names(datasets.get("", {"search": "VALUES"})) == ["four"]
    # Null fields never match, not even "null".
    assert names(datasets.get("", {"search": "null"})) == []


def test_search_non_ascii(datasets, world):
    make_dataset(world.team, "one", metadata={"lang": "café 日本"})
    make_dataset(world.team, "Ünïcode name", description="naïve")
    assert names(datasets.get("", {"search": "café"})) == ["one"]
    assert names(datasets.get("", {"search": "日本"})) == ["one"]
    assert names(datasets.get("", {"search": "Ünï"})) == ["Ünïcode name"]
    assert names(datasets.get("", {"search": "naïve"})) == ["Ünïcode name"]
    assert names(datasets.get("", {"search": '"lang"'})) == ["one"]


def test_search_treats_like_wildcards_literally(datasets, world):
    make_dataset(world.team, "100% done")
    make_dataset(world.team, "1000 rows")
    make_dataset(world.team, "a_b")
    make_dataset(world.team, "axb")
    assert names(datasets.get("", {"search": "0%"})) == ["100% done"]
    assert names(datasets.get("", {"search": "a_b"})) == ["a_b"]


@pytest.mark.parametrize("term", ["", "   "])
def test_case_15_empty_search_is_no_filter(datasets, abc, term):
    assert datasets.get("", {"search": term}).json()["count"] == 3


def test_search_with_a_null_character_matches_nothing(datasets, abc):
    response = datasets.get("", {"search": "a\x00b"})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_case_16_id_in(datasets, world, abc):
    a, _, c = abc
    foreign = make_dataset(world.team_b, "foreign")

    assert sorted(ids(datasets.get("", {"id__in": f"{a.id},{c.id}"}))) == sorted([str(a.id), str(c.id)])
    assert ids(datasets.get("", {"id__in": str(uuid.uuid4())})) == []
    assert ids(datasets.get("", {"id__in": str(foreign.id)})) == []

    response = datasets.get("", {"id__in": "nope"})
    assert response.status_code == 400
    assert response.json() == validation("id__in", "invalid_input", "Enter a valid UUID.")


def test_case_16_id_in_edges(datasets, world, abc):
    a, b, _ = abc
    # Empty means no filter; a repeated key uses the last value; filters combine with AND.
    assert datasets.get("", {"id__in": ""}).json()["count"] == 3
    assert ids(
        datasets.client.get(f"{datasets.url()}?id__in={a.id}&id__in={b.id}", **bearer(world.k_rw))
    ) == [str(b.id)]
    assert ids(datasets.get("", {"id__in": f"{a.id},{b.id}", "search": "b"})) == [str(b.id)]
    assert datasets.get("", {"id__in": f"{a.id},nope"}).json()["attr"] == "id__in"


def test_id_in_accepts_1000_ids_and_rejects_more(datasets, abc, django_assert_max_num_queries):
    a, b, _ = abc
    many = [str(uuid.uuid4()) for _ in range(999)] + [str(a.id)]
    with django_assert_max_num_queries(6):
        assert ids(datasets.get("", {"id__in": ",".join(many)})) == [str(a.id)]

    response = datasets.get("", {"id__in": ",".join([*many, str(b.id)])})
    assert response.status_code == 400
    assert response.json() == validation(
        "id__in", "max_length", "Ensure this field has no more than 1000 ids."
    )


def test_case_17_pagination_links(datasets, world, abc):
    response = datasets.get("", {"limit": 1})
    body = response.json()
    assert len(body["results"]) == 1
    assert body["next"] == f"http://testserver/api/projects/{world.t}/datasets/?limit=1&offset=1"
    assert body["previous"] is None

    body = datasets.get("", {"limit": 1, "offset": 1}).json()
    assert body["previous"] == f"http://testserver/api/projects/{world.t}/datasets/?limit=1"
    assert body["next"] == f"http://testserver/api/projects/{world.t}/datasets/?limit=1&offset=2"

    body = datasets.get("", {"limit": 1, "offset": 1, "search": "b", "order_by": "created_at"}).json()
    assert body["count"] == 1 and body["results"] == [] and body["next"] is None
    assert (
        body["previous"]
        == f"http://testserver/api/projects/{world.t}/datasets/?limit=1&order_by=created_at&search=b"
    )


@pytest.mark.parametrize("limit", ["abc", "0", "-5", ""])
def test_case_18_bad_limit_falls_back_to_100(datasets, world, limit):
    Dataset.objects.bulk_create([Dataset(team=world.team, name=f"d{i}") for i in range(105)])
    body = datasets.get("", {"limit": limit}).json()
    assert (body["count"], len(body["results"])) == (105, 100)
    assert body["next"].endswith("limit=100&offset=100")


def test_huge_limit_and_offset(datasets, abc):
    body = datasets.get("", {"limit": 10**30}).json()
    assert (body["count"], len(body["results"])) == (3, 3)
    body = datasets.get("", {"offset": 10**30}).json()
    assert (body["count"], body["results"]) == (3, [])


# ---- retrieve ----------------------------------------------------------------------------------


def test_case_19_retrieve(datasets, dataset):
    response = datasets.get(f"{dataset.id}/")
    assert response.status_code == 200
    assert response.json() == dataset_json(dataset)
    assert list(response.json()) == DATASET_KEYS
    # Trailing slash optional, no redirect.
    assert datasets.get(str(dataset.id)).json() == dataset_json(dataset)


@pytest.mark.parametrize("bad_id", ["not-a-uuid", UNKNOWN_UUID, "1", "%00", "a" * 500])
def test_case_19_unknown_or_malformed_id_is_404(datasets, bad_id):
    response = datasets.get(f"{bad_id}/")
    assert response.status_code == 404
    assert response.json() == not_found()


def test_retrieve_ignores_list_filters(datasets, dataset):
    response = datasets.get(f"{dataset.id}/", {"search": "nothing matches", "order_by": "bogus"})
    assert response.status_code == 200


def test_case_20_other_projects(datasets, world, client, foreign_dataset, other_member):
    response = datasets.get(f"{foreign_dataset.id}/")
    assert response.status_code == 404
    assert response.json() == not_found()

    response = client.get(
        f"/api/projects/{world.team_b.id}/datasets/{foreign_dataset.id}/", **bearer(world.k_rw)
    )
    assert response.status_code == 403
    assert response.json() == permission_denied("You don't have access to the project.")

    # Q's own member sees it.
    response = client.get(
        f"/api/projects/{world.team_b.id}/datasets/{foreign_dataset.id}/", **bearer(other_member[1])
    )
    assert response.status_code == 200


def test_case_20_second_project_of_same_org_is_separate(datasets, world, client):
    other = make_dataset(world.team2, "t2's")
    assert datasets.get(f"{other.id}/").status_code == 404
    assert (
        client.get(f"/api/projects/{world.team2.id}/datasets/{other.id}/", **bearer(world.k_rw)).status_code
        == 200
    )


# ---- update ------------------------------------------------------------------------------------


def test_case_21_patch_name(datasets, dataset):
    before = dataset_json(dataset)

    response = datasets.patch(f"{dataset.id}/", {"name": "B"})

    assert response.status_code == 200
    body = response.json()
    assert body == dataset_json(dataset)
    assert body["name"] == "B"
    assert body["created_at"] == before["created_at"]
    assert body["updated_at"] > before["updated_at"]
    assert {k: v for k, v in body.items() if k not in ("name", "updated_at")} == {
        k: v for k, v in before.items() if k not in ("name", "updated_at")
    }


def test_case_22_empty_patch_touches_updated_at(datasets, dataset):
    before = dataset_json(dataset)
    response = datasets.patch(f"{dataset.id}/", {})
    assert response.status_code == 200
    assert response.json()["updated_at"] > before["updated_at"]
    assert response.json() == dataset_json(dataset)


def test_case_23_soft_delete(datasets, dataset):
    response = datasets.patch(f"{dataset.id}/", {"deleted": True})

    assert response.status_code == 200
    assert response.json()["deleted"] is True
    assert response.json() == dataset_json(dataset)
    assert dataset.deleted_at is not None
    assert datasets.get(f"{dataset.id}/").json() == not_found()
    assert datasets.get().json()["count"] == 0


def test_case_24_deleted_rows_stay_editable_and_restorable(datasets, dataset):
    datasets.patch(f"{dataset.id}/", {"deleted": True})

    response = datasets.patch(f"{dataset.id}/", {"name": "C"})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["deleted"]) == ("C", True)
    assert datasets.get().json()["count"] == 0

    response = datasets.patch(f"{dataset.id}/", {"deleted": False})
    assert response.status_code == 200
    assert response.json()["deleted"] is False
    assert ids(datasets.get()) == [str(dataset.id)]
    dataset.refresh_from_db()
    assert (dataset.deleted, dataset.deleted_at) == (False, None)


def test_case_25_deleted_null_is_visible(datasets, dataset):
    response = datasets.patch(f"{dataset.id}/", {"deleted": None})

    assert response.status_code == 200
    assert response.json()["deleted"] is None
    dataset.refresh_from_db()
    assert dataset.deleted is None
    assert datasets.get(f"{dataset.id}/").json()["deleted"] is None
    assert ids(datasets.get()) == [str(dataset.id)]


def test_case_26_read_only_keys_ignored_on_patch(datasets, world, dataset):
    before = dataset_json(dataset)
    response = datasets.patch(
        f"{dataset.id}/", {"team": world.team_b.id, "created_by": 1, "id": str(uuid.uuid4())}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["team"], body["created_by"]) == (
        before["id"],
        before["team"],
        before["created_by"],
    )
    assert Dataset.objects.get(pk=dataset.pk).team_id == world.t


def test_case_27_put(datasets, dataset):
    response = datasets.put(f"{dataset.id}/", {"description": "x"})
    assert response.status_code == 400
    assert response.json() == validation("name", "required", "This field is required.")
    assert Dataset.objects.get(pk=dataset.pk).description is None

    response = datasets.put(f"{dataset.id}/", {"name": "N"})
    assert response.status_code == 200
    assert response.json() == dataset_json(dataset)
    assert response.json()["name"] == "N"


def test_case_27_put_reaches_deleted_rows(datasets, world):
    gone = make_dataset(world.team, "gone", deleted=True)
    response = datasets.put(f"{gone.id}/", {"name": "N", "deleted": False})
    assert response.status_code == 200
    assert ids(datasets.get()) == [str(gone.id)]


def test_patch_validation_and_404_order(datasets, world, dataset, foreign_dataset):
    # 404 is checked before the body (spec §4.4).
    for target in (foreign_dataset.id, uuid.uuid4(), "nope"):
        response = datasets.patch(f"{target}/", {"name": ""})
        assert response.status_code == 404
        assert response.json() == not_found()
    response = datasets.patch(f"{dataset.id}/", {"name": ""})
    assert response.json() == validation("name", "blank", "This field may not be blank.")
    foreign_dataset.refresh_from_db()
    assert foreign_dataset.name == "Q's"


# ---- delete ------------------------------------------------------------------------------------


def test_case_28_delete_is_405_with_empty_body(datasets, dataset):
    response = datasets.delete(f"{dataset.id}/")
    assert response.status_code == 405
    assert response.content == b""
    assert "Content-Type" not in response
    assert Dataset.objects.filter(pk=dataset.pk, deleted=False).exists()

    for target in (uuid.uuid4(), "not-a-uuid"):
        response = datasets.delete(f"{target}/")
        assert (response.status_code, response.content) == (405, b"")


def test_case_28_delete_of_another_projects_dataset_is_405(datasets, foreign_dataset):
    response = datasets.delete(f"{foreign_dataset.id}/")
    assert (response.status_code, response.content) == (405, b"")
    assert Dataset.objects.filter(pk=foreign_dataset.pk).exists()


def test_case_29_delete_with_read_only_key(datasets, world, dataset):
    response = datasets.delete(f"{dataset.id}/", key=world.k_ro)
    assert response.status_code == 403
    assert response.json() == WRITE_DENIED


def test_case_30_scopes_and_auth(datasets, world, dataset):
    response = datasets.post("", {"name": "A"}, key=world.k_ro)
    assert response.status_code == 403
    assert response.json() == WRITE_DENIED
    for call in (
        lambda: datasets.patch(f"{dataset.id}/", {"name": "x"}, key=world.k_ro),
        lambda: datasets.put(f"{dataset.id}/", {"name": "x"}, key=world.k_ro),
    ):
        assert call().json() == WRITE_DENIED

    assert datasets.get("", key=world.k_ro).status_code == 200
    assert datasets.get(f"{dataset.id}/", key=world.k_ro).status_code == 200
    # write implies read
    assert datasets.get("", key=world.k_rw).status_code == 200

    for response in (
        datasets.get("", key=""),
        datasets.post("", {"name": "A"}, key=""),
        datasets.delete(f"{dataset.id}/", key=""),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    assert Dataset.objects.count() == 1


def test_case_30_key_without_dataset_scope(datasets, world):
    key = make_key(world.user, ["llm_prompt:write"])
    response = datasets.get("", key=key)
    assert response.status_code == 403
    assert response.json() == permission_denied("API key missing required scope 'dataset:read'")


def test_case_31_create_deleted(datasets):
    body = datasets.create(name="A", deleted=True)

    assert body["deleted"] is True
    assert datasets.get().json()["count"] == 0
    assert datasets.get(f"{body['id']}/").json() == not_found()
    assert Dataset.objects.get(pk=body["id"]).deleted_at is not None


@pytest.mark.parametrize("key_name", ["k_rw", "k_all"])
def test_case_32_delete_on_the_collection_is_405_json(datasets, world, key_name):
    response = datasets.delete("", key=getattr(world, key_name))
    assert response.status_code == 405
    assert response.json() == method_not_allowed("DELETE")


def test_case_32_delete_on_the_collection_needs_write(datasets, world):
    assert datasets.delete("", key=world.k_ro).json() == WRITE_DENIED
