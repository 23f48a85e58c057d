"""Review fixtures: the three resources of project T under `/api/environments/<t>/`, signed with
K_rw, and two queues (helpers in tests/review/helpers.py)."""

import pytest
from rest_framework.test import APIClient

from review.models import ReviewQueue
from tests.factories import World
from tests.review.helpers import Api, api, make_queue


@pytest.fixture
def queues(client: APIClient, world: World) -> Api:
    return api(client, world.t, "review_queues", world.k_rw)


@pytest.fixture
def items(client: APIClient, world: World) -> Api:
    return api(client, world.t, "review_queue_items", world.k_rw)


@pytest.fixture
def reviews(client: APIClient, world: World) -> Api:
    return api(client, world.t, "trace_reviews", world.k_rw)


@pytest.fixture
def q1(world: World) -> ReviewQueue:
    return make_queue(world.team, "Q1", created_by=world.user)


@pytest.fixture
def q2(world: World) -> ReviewQueue:
    return make_queue(world.team, "Q2", created_by=world.user)
