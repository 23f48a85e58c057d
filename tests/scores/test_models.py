"""What the database and the models guarantee on their own: immutable, contiguous versions that
belong to their scorer, and deletes that only happen with the whole project."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from llm_server.accounts.models import Team, User
from llm_server.domain import ObjectNotFound, VersionConflict
from scores import services
from scores.models import ScoreDefinition, ScoreDefinitionVersion
from tests.scores.helpers import GOOD_BAD, PASS_FAIL, add_versions, make_definition, versions_of


def test_a_version_cannot_be_saved_again(world):
    definition = make_definition(world.team)
    version = definition.current_version
    version.config = PASS_FAIL
    with pytest.raises(TypeError, match="immutable"):
        version.save()
    assert versions_of(definition) == [(1, GOOD_BAD)]


def test_version_numbers_are_unique_per_scorer(world):
    definition = make_definition(world.team)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreDefinitionVersion.objects.create(definition=definition, version=1, config={})
    other = make_definition(world.team, "Other")
    assert other.current_version.version == 1


def test_version_numbers_start_at_one(world):
    definition = make_definition(world.team)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreDefinitionVersion.objects.create(definition=definition, version=0, config={})


def test_kind_is_one_of_the_three(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreDefinition.objects.create(team=world.team, name="x", kind="stars")


def test_the_current_version_cannot_be_deleted_alone(world):
    definition = make_definition(world.team)
    with pytest.raises(RestrictedError), transaction.atomic():
        definition.current_version.delete()
    assert versions_of(definition) == [(1, GOOD_BAD)]


def test_deleting_a_project_deletes_its_scorers(world):
    definition = make_definition(world.team)
    add_versions(definition, 2)
    kept = make_definition(world.team_b, "Theirs")
    Team.objects.filter(pk=world.team.pk).delete()
    assert list(ScoreDefinition.objects.all()) == [kept]
    assert list(ScoreDefinitionVersion.objects.values_list("definition_id", flat=True)) == [kept.id]


def test_deleting_a_user_keeps_what_they_wrote(world):
    author = User.objects.create(email="gone@example.com")
    definition = make_definition(world.team, created_by=author)
    add_versions(definition, 1)
    ScoreDefinitionVersion.objects.filter(definition=definition).update(created_by=author)
    author.delete()
    definition.refresh_from_db()
    assert definition.created_by_id is None
    assert set(ScoreDefinitionVersion.objects.values_list("created_by_id", flat=True)) == {None}


def test_conflicting_base_version_writes_nothing(world):
    definition = make_definition(world.team)
    with pytest.raises(VersionConflict):
        services.add_version(
            team=world.team, definition_id=definition.pk, config=PASS_FAIL, base_version=2, created_by=None
        )
    assert versions_of(definition) == [(1, GOOD_BAD)]


def test_another_projects_scorer_cannot_be_versioned(world):
    theirs = make_definition(world.team_b, "Theirs")
    with pytest.raises(ObjectNotFound):
        services.add_version(team=world.team, definition_id=theirs.pk, config=PASS_FAIL, created_by=None)
    assert versions_of(theirs) == [(1, GOOD_BAD)]


def test_update_without_a_change_writes_nothing(world, django_assert_num_queries):
    definition = make_definition(world.team, description="d")
    with django_assert_num_queries(0):
        services.update_definition(definition=definition, name="Quality", description="d", archived=False)
    with django_assert_num_queries(1):
        services.update_definition(definition=definition, name="Renamed", description="d")
    definition.refresh_from_db()
    assert definition.name == "Renamed"


def test_string_forms(world):
    definition = make_definition(world.team, "Quality")
    assert str(definition) == "Quality"
    assert str(definition.current_version) == "v1"
