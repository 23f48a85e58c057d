"""Every write to prompts. Histories are append-only (see llm_server.versioning); labels are
movable pointers beside them, written under the same per-name lock."""

import json
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from llm_server import versioning
from llm_server.accounts.models import Team, User
from llm_server.domain import DomainValidationError, EditFailed, ObjectNotFound
from llm_server.serializers import unstorable_json_reason
from llm_server.text_edits import TextEdit, replace_exactly_once
from prompts import payload_text, selectors, templating
from prompts.domain import LabelLimitReached, LabelNotFound, LabelRace, LabelTargetNotFound
from prompts.labels import MAX_LABELS_PER_PROMPT
from prompts.models import LLMPrompt, LLMPromptLabel, LLMPromptLabelMove


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


# A publish field left out: carried forward from the latest version.
UNSET: Any = _Unset()


def _written(row: LLMPrompt) -> LLMPrompt:
    """The version as written, its history's derived fields included. Read inside the write's
    transaction: after commit, a concurrent archive could hide it and turn a write into a 404."""
    return selectors.get_prompt(team=row.team, name=row.name, row_id=row.pk)


def _check_declared(prompt: Any, variables: dict | None) -> None:
    undeclared = templating.undeclared(prompt, variables)
    if undeclared:
        raise DomainValidationError(
            f"Undeclared variables in prompt: {', '.join(undeclared)}.",
            attr="variables",
            code="undeclared_variables",
        )


def _new_version(
    *, prompt: Any, config: dict | None, variables: dict | None, version_description: str | None
) -> versioning.NewVersion:
    _check_declared(prompt, variables)
    return versioning.NewVersion(
        {
            "prompt": prompt,
            "config": config,
            "variables": variables,
            "version_description": version_description,
        }
    )


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def apply_prompt_edits(payload: Any, edits: Sequence[TextEdit]) -> Any:
    """The payload after find/replace edits. A JSON payload is edited as indented text and must
    parse back; the result must fit the size limit. Raises EditFailed."""
    last = len(edits) - 1
    text = replace_exactly_once(payload_text.edit_text(payload), edits, subject="the prompt")
    if isinstance(payload, str):
        result: Any = text
    else:
        try:
            result = json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:  # a JSONDecodeError, or an integer too long to convert
            raise EditFailed(f"Edits produced invalid JSON: {exc}", edit_index=last) from None
        except RecursionError:
            raise EditFailed("Edits produced invalid JSON: nested too deeply.", edit_index=last) from None
        if result is None:
            raise EditFailed("Edits produced invalid JSON: a prompt cannot be null.", edit_index=last)
    if payload_text.size_bytes(result) > payload_text.MAX_PROMPT_BYTES:
        raise EditFailed(
            f"Resulting prompt exceeds the {payload_text.MAX_PROMPT_BYTES} byte size limit.", edit_index=last
        )
    reason = unstorable_json_reason(result)
    if reason:
        raise EditFailed(f"Resulting prompt {reason}.", edit_index=last)
    return result


def create_prompt(
    *,
    team: Team,
    name: str,
    prompt: Any,
    created_by: User | None,
    config: dict | None = None,
    variables: dict | None = None,
    version_description: str | None = None,
) -> LLMPrompt:
    # Undeclared placeholders are refused before the name is looked at.
    new = _new_version(
        prompt=prompt, config=config, variables=variables, version_description=version_description
    )
    with transaction.atomic():
        row = versioning.create_history(LLMPrompt, team=team, name=name, created_by=created_by, new=new)
        return _written(row)


def publish_prompt(
    *,
    team: Team,
    name: str,
    base_version: int,
    created_by: User | None,
    prompt: Any = UNSET,
    edits: Sequence[TextEdit] | None = None,
    config: Any = UNSET,
    variables: Any = UNSET,
    version_description: str | None = None,
) -> LLMPrompt:
    """Publishes a version on top of `base_version` (409 unless it is the latest). `prompt`,
    `config` and `variables` left out are carried from the latest version; `edits` apply to its
    payload; `version_description` belongs to the new version only."""

    def step(current: LLMPrompt) -> versioning.NewVersion:
        payload = current.prompt if prompt is UNSET else prompt
        if edits:
            payload = apply_prompt_edits(current.prompt, edits)
        return _new_version(
            prompt=payload,
            config=current.config if config is UNSET else config,
            variables=current.variables if variables is UNSET else variables,
            version_description=version_description,
        )

    with transaction.atomic():
        row = versioning.publish_version(
            LLMPrompt, team=team, name=name, base_version=base_version, created_by=created_by, step=step
        )
        return _written(row)


def _forget_labels(team: Team, name: str) -> None:
    LLMPromptLabel.objects.filter(team=team, prompt_name=name).delete()
    LLMPromptLabelMove.objects.filter(team=team, prompt_name=name).delete()


def archive_prompt(*, team: Team, name: str) -> int:
    """Archives every version of a name, and deletes its labels and their move log: a prompt
    created again under the name starts with none."""
    with transaction.atomic():
        archived = versioning.archive_history(LLMPrompt, team=team, name=name)
        _forget_labels(team, name)
    return archived


def duplicate_prompt(*, team: Team, name: str, new_name: str, created_by: User | None) -> LLMPrompt:
    """Copies the latest payload, config and variables to `new_name` at version 1 (no labels)."""
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

    A rename moves the whole history with its labels, a new `prompt` publishes a version with the
    addressed row as its base (409 if it is not the latest), and `deleted: true` archives the
    history. All of it happens in one transaction or not at all.
    """
    with transaction.atomic():
        current_name = row.name
        if name is not None and name != current_name:
            versioning.rename_history(LLMPrompt, team=team, name=current_name, new_name=name)
            LLMPromptLabel.objects.filter(team=team, prompt_name=current_name).update(prompt_name=name)
            LLMPromptLabelMove.objects.filter(team=team, prompt_name=current_name).update(prompt_name=name)
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
        # Re-read with the history's derived fields and labels as they stand before any archive.
        result = (
            versioning.with_history_stats(LLMPrompt.objects.filter(pk=result.pk))
            .select_related("created_by")
            .get()
        )
        selectors.attach_labels([result], team=team)
        if deleted:
            archive_prompt(team=team, name=current_name)
            result.deleted = True
            result.is_latest = False
            selectors.attach_labels([result], team=team)  # none: archiving deleted them
    return result


# ---- labels ------------------------------------------------------------------------------------


def _log_move(
    *, team: Team, prompt_name: str, label: str, from_version, to_version, moved_by: User | None, moved_at
) -> None:
    LLMPromptLabelMove.objects.create(
        team=team,
        prompt_name=prompt_name,
        label=label,
        from_version=from_version,
        to_version=to_version,
        moved_by=moved_by,
        moved_at=moved_at,
    )


def _lock_prompt(team: Team, prompt_name: str) -> None:
    """Takes the name's write lock (as publish and archive do) and checks the prompt exists: a
    label write then lands wholly before or after an archive, never pointing at an archived row."""
    versioning.lock_name(LLMPrompt, team, prompt_name)
    if not selectors.prompt_exists(team=team, name=prompt_name):
        raise ObjectNotFound(prompt_name)


def _locked_label(team: Team, prompt_name: str, label: str) -> LLMPromptLabel | None:
    return (
        LLMPromptLabel.objects.select_for_update()
        .filter(team=team, prompt_name=prompt_name, name=label)
        .first()
    )


def _version_of(row_id) -> int | None:
    return LLMPrompt.objects.filter(pk=row_id).values_list("version", flat=True).first()


def set_label(
    *, team: Team, prompt_name: str, label: str, version: int, user: User | None
) -> tuple[LLMPromptLabel, bool]:
    """Points `label` at `version`, creating it if needed; returns the label and whether it was
    created. Setting it to the version it is on changes and logs nothing."""
    with transaction.atomic():
        _lock_prompt(team, prompt_name)
        target = None
        if version <= LLMPrompt.MAX_VERSION:  # no history goes further (nor the column's range)
            target = (
                versioning.active_rows(LLMPrompt, team=team, name=prompt_name)
                .filter(version=version)
                .only("id", "version")
                .first()
            )
        if target is None:
            raise LabelTargetNotFound(version=version, prompt_name=prompt_name)
        current = _locked_label(team, prompt_name, label)
        now = timezone.now()
        if current is None:
            if (
                LLMPromptLabel.objects.filter(team=team, prompt_name=prompt_name).count()
                >= MAX_LABELS_PER_PROMPT
            ):
                raise LabelLimitReached(MAX_LABELS_PER_PROMPT)
            try:
                with transaction.atomic():
                    current = LLMPromptLabel.objects.create(
                        team=team,
                        prompt_name=prompt_name,
                        name=label,
                        prompt=target,
                        created_by=user,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError as exc:
                # A concurrent create of the same label won the unique constraint.
                if not versioning.is_unique_violation(exc):
                    raise
                raise LabelRace() from exc
            _log_move(
                team=team,
                prompt_name=prompt_name,
                label=label,
                from_version=None,
                to_version=version,
                moved_by=user,
                moved_at=now,
            )
            return current, True
        if current.prompt_id != target.pk:
            previous = _version_of(current.prompt_id)
            current.prompt = target
            current.updated_at = now
            current.save(update_fields=["prompt", "updated_at"])
            _log_move(
                team=team,
                prompt_name=prompt_name,
                label=label,
                from_version=previous,
                to_version=version,
                moved_by=user,
                moved_at=now,
            )
        else:
            current.prompt = target
        return current, False


def remove_label(*, team: Team, prompt_name: str, label: str, user: User | None) -> None:
    with transaction.atomic():
        _lock_prompt(team, prompt_name)
        current = _locked_label(team, prompt_name, label)
        if current is None:
            raise LabelNotFound(label=label, prompt_name=prompt_name)
        previous = _version_of(current.prompt_id)
        current.delete()
        _log_move(
            team=team,
            prompt_name=prompt_name,
            label=label,
            from_version=previous,
            to_version=None,
            moved_by=user,
            moved_at=timezone.now(),
        )
