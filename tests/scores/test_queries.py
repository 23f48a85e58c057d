"""Query counts: the list and detail read each scorer's current version and author in the same
query (no N+1), and writes take a fixed number of queries."""

import pytest

from tests.api import bearer
from tests.factories import UserFactory
from tests.scores.helpers import PASS_FAIL, add_versions, make_definition

# Key lookup, project (with membership), COUNT, page.
LIST_QUERIES = 4
# Key lookup, project, row.
RETRIEVE_QUERIES = 3
# Key, project, then: INSERT scorer; lock it; read its current version (none yet); INSERT version;
# UPDATE scorer; read it back; plus 3 pairs of SAVEPOINT/RELEASE (the test runs in a transaction, so
# each atomic block is a savepoint).
CREATE_QUERIES = 14
# Key, project, the scorer (lookup), then lock, current version, INSERT, UPDATE, read back; plus 3
# pairs of SAVEPOINT/RELEASE.
NEW_VERSION_QUERIES = 15
# Key, project, the scorer, UPDATE.
PATCH_QUERIES = 4


def warm(client, world, path: str) -> None:
    """The first request of a key writes its last_used_at; measure the steady state."""
    for key in (world.k_ro, world.k_rw):
        assert client.get(path, **bearer(key)).status_code == 200


def seed(world, count: int) -> list:
    """`count` scorers of every kind, each by a different author and with several versions."""
    kinds = ("categorical", "numeric", "boolean")
    rows = []
    for index in range(count):
        row = make_definition(world.team, f"s{index:02}", kinds[index % 3], created_by=UserFactory())
        add_versions(row, index % 3)
        rows.append(row)
    return rows


@pytest.mark.parametrize("count", [1, 20])
def test_list_queries_do_not_grow(scorers, world, count, django_assert_max_num_queries):
    seed(world, count)
    warm(scorers.client, world, scorers.url())

    with django_assert_max_num_queries(LIST_QUERIES):
        response = scorers.get("", {"order_by": "-current_version", "search": "s"}, key=world.k_ro)
    assert response.json()["count"] == count
    assert len({row["created_by"]["id"] for row in response.json()["results"]}) == count

    with django_assert_max_num_queries(LIST_QUERIES):
        response = scorers.get("", {"kind": "numeric", "archived": "false"}, key=world.k_ro)
    assert response.status_code == 200


def test_retrieve_queries(scorers, world, django_assert_max_num_queries):
    [row] = seed(world, 1)
    warm(scorers.client, world, scorers.url())
    with django_assert_max_num_queries(RETRIEVE_QUERIES):
        response = scorers.get(f"{row.id}/", key=world.k_ro)
    assert response.status_code == 200


def test_write_queries_are_bounded(scorers, world, quality, django_assert_max_num_queries):
    warm(scorers.client, world, scorers.url())
    with django_assert_max_num_queries(CREATE_QUERIES):
        assert scorers.post("", {"name": "x", "kind": "boolean", "config": {}}).status_code == 201
    with django_assert_max_num_queries(NEW_VERSION_QUERIES):
        assert scorers.new_version(quality.id, {"config": PASS_FAIL, "base_version": 1}).status_code == 200
    with django_assert_max_num_queries(PATCH_QUERIES):
        assert scorers.patch(f"{quality.id}/", {"name": "Renamed"}).status_code == 200
