"""Regressions from adversarial testing of the datasets API: JSON fields in form and multipart
bodies, `?dataset=` junk, parse errors before the lookup, the alias's Link header."""

import uuid

import pytest

from datasets.models import Dataset, DatasetItem
from tests.api import bearer, validation
from tests.datasets.helpers import INVALID_DATASET_CHOICE

FORM = "application/x-www-form-urlencoded"
NOT_FINITE = "Value must be valid JSON (numbers must be finite)."


def form_post(api, path: str, body: str):
    return api.client.post(api.url(path), body, content_type=FORM, **bearer(api.key))


def test_form_metadata_out_of_range_number_is_a_400(datasets):
    response = form_post(datasets, "", "name=x&metadata=1e400")
    assert response.status_code == 400
    assert response.json() == validation("metadata", "invalid_input", NOT_FINITE)
    assert not Dataset.objects.exists()


def test_multipart_item_input_out_of_range_number_is_a_400(items, dataset):
    response = items.post("", {"dataset": str(dataset.pk), "input": "-1e999"}, fmt="multipart")
    assert response.status_code == 400
    assert response.json() == validation("input", "invalid_input", NOT_FINITE)
    assert not DatasetItem.objects.exists()


def test_form_bulk_item_with_an_out_of_range_number_creates_nothing(items, dataset):
    response = form_post(items, "bulk/", f"dataset={dataset.pk}&items[0]input=1&items[1]metadata=[1e400]")
    assert response.status_code == 400
    assert response.json() == validation("items__1__metadata", "invalid_input", NOT_FINITE)
    assert not DatasetItem.objects.exists()


def test_form_json_nested_too_deeply_is_a_400(datasets):
    response = form_post(datasets, "", "name=x&metadata=" + "[" * 5000 + "]" * 5000)
    assert response.status_code == 400
    assert response.json() == validation(
        "metadata", "invalid_input", "Value cannot be nested more than 200 levels deep."
    )


@pytest.mark.parametrize("value", ["abc", "%00", "%20x", "1"])
def test_malformed_dataset_filter_is_invalid_choice(items, value):
    response = items.get(f"?dataset={value}")
    assert response.status_code == 400
    assert response.json() == INVALID_DATASET_CHOICE


@pytest.mark.parametrize("resource", ["datasets", "dataset_items"])
def test_unparseable_body_is_reported_before_the_lookup(client, world, resource):
    url = f"/api/projects/{world.t}/{resource}/{uuid.uuid4()}/"
    response = client.generic("PATCH", url, "{bad", content_type="application/json", **bearer(world.k_rw))
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    response = client.generic("PATCH", url, "x", content_type="text/plain", **bearer(world.k_rw))
    assert response.status_code == 415


def test_alias_link_header_escapes_the_query_string(client, world):
    response = client.get(f'/api/environments/{world.t}/datasets/?a=%3E;x&b="', **bearer(world.k_rw))
    assert response.status_code == 200
    link = response["Link"]
    assert link.count("<") == 1 and link.count(">") == 1 and link.count('"') == 2, link
    assert link.endswith('>; rel="successor-version"')
