"""Scorer fixtures: the scorers of project T over `/api/environments/<t>/`, signed with K_rw."""

import pytest
from rest_framework.test import APIClient

from scores.models import ScoreDefinition
from tests.factories import World
from tests.scores.helpers import GOOD_BAD, ScoresApi, make_definition, scores_api


@pytest.fixture
def scorers(client: APIClient, world: World) -> ScoresApi:
    return scores_api(client, world.t, world.k_rw)


@pytest.fixture
def quality(world: World) -> ScoreDefinition:
    """ "Quality": an active categorical scorer of T (good/bad) at version 1, created by U."""
    return make_definition(world.team, "Quality", "categorical", GOOD_BAD, created_by=world.user)
