"""Every write to scorers. A config never changes in place: a new version is appended
(llm_server.versioning), and the scorer points at it."""

from typing import Any

from django.db import transaction

from llm_server import versioning
from llm_server.accounts.models import Team, User
from scores import selectors
from scores.models import ScoreDefinition, ScoreDefinitionVersion


def _append_config(
    *,
    team: Team,
    definition_id: Any,
    config: dict[str, Any],
    base_version: int | None,
    created_by: User | None,
) -> ScoreDefinition:
    """Appends a version holding `config`, and reads the scorer back as written (in the caller's
    transaction, so the answer is exactly this write)."""
    header = versioning.append_version(
        selectors.writable_definitions(team=team),
        pk=definition_id,
        version_model=ScoreDefinitionVersion,
        header_field="definition",
        base_version=base_version,
        created_by=created_by,
        step=lambda _header, _current: versioning.NewVersion({"config": config}),
    )
    return selectors.visible_definitions(team=team).get(pk=header.pk)


def create_definition(
    *,
    team: Team,
    created_by: User | None,
    name: str,
    kind: str,
    config: dict[str, Any],
    description: str = "",
) -> ScoreDefinition:
    """A new, active scorer at version 1 holding `config` (already validated for `kind`)."""
    with transaction.atomic():
        definition = ScoreDefinition.objects.create(
            team=team, created_by=created_by, name=name, description=description, kind=kind
        )
        return _append_config(
            team=team, definition_id=definition.pk, config=config, base_version=None, created_by=created_by
        )


def add_version(
    *,
    team: Team,
    definition_id: Any,
    config: dict[str, Any],
    created_by: User | None,
    base_version: int | None = None,
) -> ScoreDefinition:
    """Appends a version holding `config` (already validated for the scorer's kind), even an
    identical one, archived or not. A `base_version` that is not the current number writes nothing
    (VersionConflict); None skips that check."""
    with transaction.atomic():
        return _append_config(
            team=team,
            definition_id=definition_id,
            config=config,
            base_version=base_version,
            created_by=created_by,
        )


def update_definition(
    *,
    definition: ScoreDefinition,
    name: str | None = None,
    description: str | None = None,
    archived: bool | None = None,
) -> ScoreDefinition:
    """Changes the metadata given (None: unchanged). Only columns whose value really changes are
    written, and `updated_at` moves only then. Kind and config never change here."""
    wanted = {"name": name, "description": description, "archived": archived}
    changed = {
        field: value
        for field, value in wanted.items()
        if value is not None and getattr(definition, field) != value
    }
    if not changed:
        return definition
    for field, value in changed.items():
        setattr(definition, field, value)
    definition.save(update_fields=[*changed, "updated_at"])
    return definition
