"""Hostile inputs to the logs endpoints: each answered without a server error."""

import json

import pytest

from tests.api import bearer
from tests.assist.helpers import completion, running_stub, use_stub
from tests.logs.helpers import attributes_url, log_record, seed
from tests.logs.test_explain import EXPLANATION, approved, make_log, post  # noqa: F401

LOG_ATTRIBUTE = "log_attribute"


def attribute_names(client, world, **params) -> list[str]:
    response = client.get(attributes_url(world.t), params, **bearer(world.k_all))
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


@pytest.fixture
def seeded(client, world):
    seed(client, world.team.api_token, [log_record(attributes={"a": "b", "other": "x"})], service="api")
    seed(client, world.team.api_token, [log_record(attributes={"c": "\ufffdx"})], service="\ufffdweb")
    return world


def test_service_name_with_lone_surrogate_matches_its_stored_form(client, seeded):
    # A lone surrogate escape is read as U+FFFD, as ingestion stores it.
    assert attribute_names(client, seeded, serviceNames='["\\ud800web"]') == ["c"]
    assert attribute_names(client, seeded, serviceNames='["\\ud800"]') == []


def test_filter_value_with_lone_surrogate(client, seeded):
    group = {"type": "AND", "values": [{"key": "c", "value": "\\ud800x", "type": LOG_ATTRIBUTE}]}
    assert attribute_names(client, seeded, filterGroup=json.dumps(group).replace("\\\\", "\\")) == ["c"]
    group["values"][0]["key"] = "\\udfff"
    group["values"][0]["operator"] = "is_set"
    assert attribute_names(client, seeded, filterGroup=json.dumps(group).replace("\\\\", "\\")) == []


def test_filter_with_many_values_is_bounded(client, seeded):
    leaves = [{"key": "a", "value": ["b"], "type": LOG_ATTRIBUTE}] + [
        {"key": f"k{i}", "value": ["x"] * 1000, "operator": "icontains", "type": LOG_ATTRIBUTE}
        for i in range(99)
    ]
    names = attribute_names(client, seeded, filterGroup=json.dumps({"type": "OR", "values": leaves}))
    assert sorted(names) == ["a", "other"]


def test_filter_with_non_finite_number_value(client, seeded):
    group = '{"values": [{"key": "a", "value": NaN, "type": "log_attribute"}]}'
    assert sorted(attribute_names(client, seeded, filterGroup=group)) == ["a", "c", "other"]


@pytest.mark.parametrize(
    "timestamp", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.5Z", "9999-12-31T23:59:59.999999Z"]
)
def test_explain_at_the_ends_of_time(client, approved, settings, timestamp):  # noqa: F811
    log = make_log(approved.team, timestamp=timestamp)
    with running_stub() as stub:
        use_stub(settings, stub)
        stub.default = completion(json.dumps(EXPLANATION))
        found = post(client, approved, {"uuid": str(log.uuid), "timestamp": timestamp})
        missing = post(client, approved, {"uuid": str(approved.team.pk).zfill(32), "timestamp": timestamp})
    assert found.status_code == 200, found.content
    assert found.json()["headline"] == EXPLANATION["headline"]
    assert missing.status_code == 404
    assert missing.json() == {"error": "Log not found"}
    assert len(stub.requests) == 1
