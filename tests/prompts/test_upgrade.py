"""Upgrading a server with prompts already stored: the migration that adds labels, config and
variables fills the size and outline of every existing version from its payload."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_team

BEFORE = [("prompts", "0001_initial")]
AFTER = [("prompts", "0002_labels_config_variables")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_versions_get_their_size_and_outline():
    team = make_team(name="Upgraded")
    old_apps = migrate(BEFORE)
    try:
        old_model = old_apps.get_model("prompts", "LLMPrompt")
        old_model.objects.create(team_id=team.pk, name="text", version=1, prompt="# Title\nhéllo ## x ##")
        old_model.objects.create(team_id=team.pk, name="chat", version=1, prompt=[{"role": "system"}])
    finally:
        new_apps = migrate(AFTER)
    new_model = new_apps.get_model("prompts", "LLMPrompt")
    rows = {row.name: row for row in new_model.objects.all()}
    text, chat = rows["text"], rows["chat"]
    # Compact JSON in UTF-8: the quotes, the escaped newline, two bytes for é.
    assert text.prompt_size_bytes == len('"# Title\\nhéllo ## x ##"'.encode())
    assert text.outline == [{"level": 1, "text": "Title"}]
    assert (chat.prompt_size_bytes, chat.outline) == (len('[{"role":"system"}]'), [])
    assert (text.config, text.variables, text.version_description) == (None, None, None)
