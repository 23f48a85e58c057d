"""List endpoints do a constant number of queries (no N+1 on embedded users)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api import bearer
from tests.factories import UserFactory, make_key, make_member
from tests.platform.helpers import make_widgets, url


def create_prompts(client, world, names: list[str]) -> None:
    for name in names:
        # A different author per prompt, so an un-joined `created_by` would cost one query each.
        author = UserFactory()
        make_member(author, world.org_a)
        key = make_key(author, ["llm_prompt:write"])
        response = client.post(
            url(world.t, "llm_prompts", prefix="environments"),
            {"name": name, "prompt": f"Hi {name}"},
            format="json",
            **bearer(key),
        )
        assert response.status_code == 201, response.content


def list_queries(client, world, path: str) -> int:
    client.get(path, **bearer(world.k_all))  # warm up: the first use writes last_used_at
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **bearer(world.k_all))
    assert response.status_code == 200
    return len(captured)


def test_prompt_list_has_no_n_plus_one(client, world, django_assert_max_num_queries):
    path = url(world.t, "llm_prompts", prefix="environments")
    create_prompts(client, world, ["one"])
    baseline = list_queries(client, world, path)

    create_prompts(client, world, [f"p{i}" for i in range(2, 9)])
    with django_assert_max_num_queries(baseline):
        response = client.get(path, **bearer(world.k_all))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 8
    assert len({p["created_by"]["id"] for p in body["results"]}) == 8


def test_widget_list_has_no_n_plus_one(client, world, django_assert_max_num_queries):
    authors = [UserFactory() for _ in range(6)]
    make_widgets(world.team, 1, created_by=authors[0])
    baseline = list_queries(client, world, url(world.t))
    for author in authors[1:]:
        make_widgets(world.team, 1, created_by=author)
    with django_assert_max_num_queries(baseline):
        response = client.get(url(world.t), **bearer(world.k_all))
    assert response.json()["count"] == 6
