"""Dataset fixtures: project P (`/api/projects/<t>/`), HTTP helpers signed with K_rw, D and a
foreign dataset. Helpers live in tests/datasets/helpers.py."""

import pytest
from rest_framework.test import APIClient

from datasets.models import Dataset
from tests.datasets.helpers import Api, make_dataset, project_api
from tests.factories import World


@pytest.fixture
def datasets(client: APIClient, world: World) -> Api:
    return project_api(client, world.t, "datasets", world.k_rw)


@pytest.fixture
def items(client: APIClient, world: World) -> Api:
    return project_api(client, world.t, "dataset_items", world.k_rw)


@pytest.fixture
def dataset(world: World) -> Dataset:
    """D: a dataset of P."""
    return make_dataset(world.team, "D", created_by=world.user)


@pytest.fixture
def foreign_dataset(world: World, other_member) -> Dataset:
    """A dataset of Q (T_B, another organization)."""
    return make_dataset(world.team_b, "Q's", created_by=other_member[0])
