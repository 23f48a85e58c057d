"""Every write to prompts. Histories are append-only; see llm_server.versioning."""

from typing import Any

from django.db import transaction

from llm_server import versioning
from llm_server.accounts.models import Team, User
from prompts import selectors
from prompts.models import LLMPrompt


def _written(row: LLMPrompt) -> LLMPrompt:
    """The version as written, its history's derived fields included. Read inside the write's
    transaction: after commit, a concurrent archive could hide it and turn a write into a 404."""
    return selectors.get_prompt(team=row.team, name=row.name, row_id=row.pk)


def _prompt_version(prompt: Any) -> versioning.NewVersion:
    return versioning.NewVersion({"prompt": prompt})


def create_prompt(*, team: Team, name: str, prompt: Any, created_by: User | None) -> LLMPrompt:
    with transaction.atomic():
        row = versioning.create_history(
            LLMPrompt, team=team, name=name, created_by=created_by, new=_prompt_version(prompt)
        )
        return _written(row)


def publish_prompt(
    *, team: Team, name: str, prompt: Any, base_version: int, created_by: User | None
) -> LLMPrompt:
    with transaction.atomic():
        row = versioning.publish_version(
            LLMPrompt,
            team=team,
            name=name,
            base_version=base_version,
            created_by=created_by,
            step=lambda current: _prompt_version(prompt),
        )
        return _written(row)


def archive_prompt(*, team: Team, name: str) -> int:
    return versioning.archive_history(LLMPrompt, team=team, name=name)


def duplicate_prompt(*, team: Team, name: str, new_name: str, created_by: User | None) -> LLMPrompt:
    with transaction.atomic():
        row = versioning.duplicate_latest(
            LLMPrompt, team=team, name=name, new_name=new_name, created_by=created_by
        )
        return _written(row)


def update_prompt_by_id(
    *,
    team: Team,
    row: LLMPrompt,
    created_by: User | None,
    name: str | None = None,
    prompt: Any = None,
    deleted: bool | None = None,
) -> LLMPrompt:
    """The legacy update-by-id route on top of append-only histories.

    A rename moves the whole history, a new `prompt` publishes a version with the addressed row as
    its base (409 if it is not the latest), and `deleted: true` archives the history. All of it
    happens in one transaction or not at all.
    """
    with transaction.atomic():
        current_name = row.name
        if name is not None and name != current_name:
            versioning.rename_history(LLMPrompt, team=team, name=current_name, new_name=name)
            current_name = name
        result = row
        # A prompt is never null (the serializer refuses it), so None means "not sent".
        if prompt is not None:
            result = publish_prompt(
                team=team,
                name=current_name,
                prompt=prompt,
                base_version=row.version,
                created_by=created_by,
            )
        # Re-read with the history's derived fields as they stand before any archive.
        result = (
            versioning.with_history_stats(LLMPrompt.objects.filter(pk=result.pk))
            .select_related("created_by")
            .get()
        )
        if deleted:
            archive_prompt(team=team, name=current_name)
            result.deleted = True
            result.is_latest = False
    return result
