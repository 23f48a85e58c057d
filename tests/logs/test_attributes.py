"""`GET …/logs/attributes/`: the attribute keys of a project's logs, searched, filtered and paged."""

import json
import time

import pytest

from tests.api import bearer, not_authenticated
from tests.factories import make_key
from tests.logs.helpers import attributes_url, log_record, seed

pytestmark = pytest.mark.django_db

HOUR_NANOS = 3600 * 10**9


@pytest.fixture
def seeded(client, world):
    """Logs of two services: `k8s.*` keys as resource attributes, a copy of one in the log
    attributes, and log keys of different frequencies."""
    token = world.team.api_token
    seed(
        client,
        token,
        [
            log_record(attributes={"http.method": "GET", "user_id": "u1", "k8s.pod.name": "copy"}),
            log_record(attributes={"http.method": "POST", "K8S": "x"}),
            log_record(attributes={"http.method": "PUT", "user_id": "u2", "k8sish": "y"}),
        ],
        service="api",
        resource={"k8s.pod.name": "pod-1", "k8s.namespace": "prod"},
    )
    seed(
        client,
        token,
        [log_record(attributes={"worker.queue": "default"})],
        service="worker",
        resource={"host": "w1"},
    )
    return world


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def get(client, world, key=None, **params):
    query = {
        key_: json.dumps(value) if isinstance(value, dict | list) else value for key_, value in params.items()
    }
    return client.get(attributes_url(world.team.id), query, **bearer(key or world.k_all))


def test_without_credentials_is_401(client, world):
    response = client.get(attributes_url(world.team.id))
    assert response.status_code == 401
    assert response.json() == not_authenticated()


def test_log_attributes_by_frequency_then_name_without_resource_keys(client, seeded):
    response = get(client, seeded)
    body = response.json()
    assert names(response) == ["http.method", "user_id", "K8S", "k8sish", "worker.queue"]
    assert body["count"] == 5
    assert {item["propertyFilterType"] for item in body["results"]} == {"log_attribute"}


def test_resource_attributes(client, seeded):
    response = get(client, seeded, attribute_type="resource")
    assert names(response) == ["service.name", "k8s.namespace", "k8s.pod.name", "host"]
    assert {item["propertyFilterType"] for item in response.json()["results"]} == {"log_resource_attribute"}


def test_unknown_attribute_type_is_log(client, seeded):
    assert names(get(client, seeded, attribute_type="bogus")) == names(get(client, seeded))


def test_search_is_case_insensitive_exact_then_whole_word_first(client, seeded):
    assert names(get(client, seeded, search="k8s")) == ["K8S", "k8sish"]
    response = get(client, seeded, search="K8S", attribute_type="resource")
    assert names(response) == ["k8s.namespace", "k8s.pod.name"]
    assert names(get(client, seeded, search="METHOD")) == ["http.method"]
    assert get(client, seeded, search="nothing-like-it").json() == {"results": [], "count": 0}


def test_whole_word_matches_beat_frequency(client, world):
    seed(
        client,
        world.team.api_token,
        [log_record(attributes={"queue_depth": 1, "my.queue": 1}) for _ in range(3)]
        + [log_record(attributes={"queue": 1})],
    )
    # Exact first; then `my.queue` (whole word) before the more frequent `queue_depth`... which
    # also holds it only as part of a word.
    assert names(get(client, world, search="queue")) == ["queue", "my.queue", "queue_depth"]


def test_limit_offset_and_count(client, seeded):
    response = get(client, seeded, limit=1)
    assert names(response) == ["http.method"]
    assert response.json()["count"] == 5
    assert names(get(client, seeded, limit=2, offset=1)) == ["user_id", "K8S"]
    assert names(get(client, seeded, offset=10)) == []
    assert get(client, seeded, offset=10).json()["count"] == 5


@pytest.mark.parametrize(
    "params", [{"limit": "abc"}, {"limit": "0"}, {"limit": "-3"}, {"offset": "x"}, {"limit": "5.5"}]
)
def test_malformed_paging_falls_back(client, seeded, params):
    assert names(get(client, seeded, **params)) == ["http.method", "user_id", "K8S", "k8sish", "worker.queue"]


def test_limit_is_capped_at_100(client, world):
    seed(client, world.team.api_token, [log_record(attributes={f"key{index:03}": 1 for index in range(150)})])
    response = get(client, world, limit="500")
    assert len(names(response)) == 100 and response.json()["count"] == 150
    assert len(names(get(client, world, limit="2.0"))) == 2


def test_service_names(client, seeded):
    assert names(get(client, seeded, serviceNames=["worker"])) == ["worker.queue"]
    response = get(client, seeded, serviceNames=["worker"], attribute_type="resource")
    assert names(response) == ["host", "service.name"]
    assert names(get(client, seeded, serviceNames=["nope"])) == []
    assert len(names(get(client, seeded, serviceNames="notjson"))) == 5
    assert len(names(get(client, seeded, serviceNames={"a": 1}))) == 5


def test_date_range(client, world):
    old = time.time_ns() - 3 * HOUR_NANOS
    seed(client, world.team.api_token, [log_record(attributes={"old": 1}, time_nanos=old)])
    seed(client, world.team.api_token, [log_record(attributes={"new": 1})])
    assert names(get(client, world)) == ["new"]
    assert names(get(client, world, dateRange={"date_from": "-1h"})) == ["new"]
    assert names(get(client, world, dateRange={"date_from": "-4h"})) == ["new", "old"]
    assert names(get(client, world, dateRange={"date_from": "-4h", "date_to": "-2h"})) == ["old"]
    assert names(get(client, world, dateRange={"date_from": "2000-01-01"})) == ["new", "old"]
    for malformed in ("notjson", "[1]", json.dumps({"date_from": "yesterday"}), json.dumps({"date_from": 5})):
        assert names(get(client, world, dateRange=malformed)) == ["new"]
    assert names(get(client, world, dateRange={"date_from": "-1h", "date_to": "-4h"})) == ["new"]


def test_filter_group_is_accepted(client, seeded):
    assert len(names(get(client, seeded, filterGroup="{bad"))) == 5
    assert len(names(get(client, seeded, filterGroup={"type": "AND", "values": []}))) == 5


def leaf(key, value=None, operator="exact", kind="log_attribute"):
    return {"key": key, "value": value, "operator": operator, "type": kind}


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        # Only the records matching the filter count: the POST record alone has `K8S`.
        ({"type": "AND", "values": [leaf("http.method", "POST")]}, ["http.method", "K8S"]),
        (
            {"type": "AND", "values": [leaf("http.method", ["GET", "PUT"])]},
            ["http.method", "user_id", "k8sish"],
        ),
        (
            {"type": "AND", "values": [leaf("user_id", "U2", "icontains")]},
            ["http.method", "k8sish", "user_id"],
        ),
        (
            {"type": "AND", "values": [leaf("user_id", operator="is_not_set")]},
            ["K8S", "http.method", "worker.queue"],
        ),
        (
            {"type": "AND", "values": [leaf("host", "w1", kind="log_resource_attribute")]},
            ["worker.queue"],
        ),
        (
            {
                "type": "OR",
                "values": [
                    {"type": "AND", "values": [leaf("worker.queue", operator="is_set")]},
                    {"type": "AND", "values": [leaf("K8S", "x")]},
                ],
            },
            ["K8S", "http.method", "worker.queue"],
        ),
        # Records without the key are "not" it: the POST record and the worker's record.
        (
            {"type": "AND", "values": [leaf("user_id", "u1", "is_not")]},
            ["K8S", "http.method", "k8sish", "user_id", "worker.queue"],
        ),
        (
            {"type": "AND", "values": [leaf("user_id", "U", "not_icontains")]},
            ["K8S", "http.method", "worker.queue"],
        ),
        # A key with dots and `__` is read as one key.
        ({"type": "AND", "values": [leaf("k8s.pod.name", "copy")]}, ["http.method", "user_id"]),
    ],
)
def test_filter_group_restricts_the_records(client, seeded, group, expected):
    assert sorted(names(get(client, seeded, filterGroup=group))) == sorted(expected)


@pytest.mark.parametrize(
    "group",
    [
        {"type": "AND", "values": [leaf("http.method", "GET", operator="regex")]},
        {"type": "AND", "values": [leaf("http.method", "GET", kind="person")]},
        {"type": "AND", "values": [{"key": ["x"], "type": ["log_attribute"], "operator": {}}]},
        {"type": "AND", "values": [leaf("http.method", [True, None, {}])]},
    ],
)
def test_filters_this_server_cannot_apply_are_ignored(client, seeded, group):
    assert len(names(get(client, seeded, filterGroup=group))) == 5


def test_empty_project(client, world):
    assert get(client, world).json() == {"results": [], "count": 0}


def test_projects_prefix_and_no_trailing_slash(client, seeded):
    url = attributes_url(seeded.team.id, prefix="projects")
    assert client.get(url, **bearer(seeded.k_all)).json()["count"] == 5
    assert client.get(url.rstrip("/"), **bearer(seeded.k_all)).json()["count"] == 5


def test_logs_of_other_projects_are_invisible(client, seeded):
    seed(client, seeded.team_b.api_token, [log_record(attributes={"secret.b": 1})], resource={"b.host": "x"})
    assert "secret.b" not in names(get(client, seeded))
    assert "b.host" not in names(get(client, seeded, attribute_type="resource"))


@pytest.mark.parametrize("scopes", [["logs:read"], ["logs:write"], ["*"]])
def test_scopes_that_read_logs(client, seeded, scopes):
    key = make_key(seeded.user, scopes)
    assert get(client, seeded, key=key).status_code == 200


def test_missing_scope_is_403(client, seeded):
    response = get(client, seeded, key=seeded.k_ro)
    assert response.status_code == 403
    assert response.json()["detail"] == "API key missing required scope 'logs:read'"


def test_other_organizations_project_is_403_and_unknown_project_404(client, world):
    other = client.get(attributes_url(world.team_b.id), **bearer(world.k_all))
    assert other.status_code == 403
    assert client.get(attributes_url(world.missing_id), **bearer(world.k_all)).status_code == 404


def test_post_is_405(client, world):
    assert client.post(attributes_url(world.team.id), {}, **bearer(world.k_all)).status_code == 405


def test_session_user(client, seeded):
    client.force_login(seeded.user)
    assert client.get(attributes_url(seeded.team.id)).json()["count"] == 5


def test_query_count_does_not_grow_with_logs(client, world, django_assert_max_num_queries):
    seed(client, world.team.api_token, [log_record(attributes={f"k{index % 7}": 1}) for index in range(300)])
    # Key lookup, project (with membership), the aggregate.
    with django_assert_max_num_queries(6):
        response = get(client, world)
    assert response.json()["count"] == 7
