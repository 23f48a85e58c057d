"""Every write to skills. Each one appends a version holding its own copies of the files (see
llm_server.versioning) and answers with that version as written, read in the same transaction."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from llm_server import versioning
from llm_server.accounts.models import Team, User
from llm_server.domain import EditFailed
from llm_server.text_edits import TextEdit, outline
from llm_server.versioning import NewVersion
from skills import selectors
from skills.content import DEFAULT_CONTENT_TYPE, FileEdits, SkillFile, apply_edits
from skills.domain import FileAlreadyInSkill, FileLimitReached, FileNotInSkill
from skills.models import LLMSkill, LLMSkillFile


def _written(row: LLMSkill) -> LLMSkill:
    """The version as written, with derived fields and file manifest. Read inside the write's
    transaction: after commit, a concurrent archive could hide it and turn a write into a 404."""
    return selectors.get_skill(team=row.team, name=row.name, row_id=row.pk)


def _files_of(row: LLMSkill) -> list[SkillFile]:
    return [
        SkillFile(path=f.path, content=f.content, content_type=f.content_type)
        for f in LLMSkillFile.objects.filter(skill_version=row).order_by("id")
    ]


def _version(content: dict[str, Any], files: Sequence[SkillFile]) -> NewVersion:
    children = [LLMSkillFile(path=f.path, content=f.content, content_type=f.content_type) for f in files]
    return NewVersion(content, children)


def _publish(*, team: Team, name: str, base_version: int | None, created_by: User | None, step) -> LLMSkill:
    with transaction.atomic():
        row = versioning.publish_version(
            LLMSkill, team=team, name=name, base_version=base_version, created_by=created_by, step=step
        )
        return _written(row)


def create_skill(
    *,
    team: Team,
    name: str,
    description: str,
    body: str,
    created_by: User | None,
    license: str = "",
    compatibility: str = "",
    allowed_tools: Sequence[str] = (),
    metadata: dict | None = None,
    files: Sequence[SkillFile] = (),
) -> LLMSkill:
    content = {
        "description": description,
        "body": body,
        "outline": outline(body),
        "license": license,
        "compatibility": compatibility,
        "allowed_tools": list(allowed_tools),
        "metadata": metadata if metadata is not None else {},
    }
    with transaction.atomic():
        row = versioning.create_history(
            LLMSkill, team=team, name=name, created_by=created_by, new=_version(content, files)
        )
        return _written(row)


# ---- publish ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edited:
    """A version's body and files after `edits` / `file_edits` (None: that part was not edited)."""

    source_id: Any
    body: str | None = None
    files: list[SkillFile] | None = None
    failure: EditFailed | None = None


def _edit_files(files: list[SkillFile], file_edits: Sequence[FileEdits]) -> list[SkillFile]:
    by_path = {f.path: f for f in files}
    for entry in file_edits:
        target = by_path.get(entry.path)
        if target is None:
            raise EditFailed(
                f"File '{entry.path}' not found in the current skill version.", file_path=entry.path
            )
        edited = apply_edits(target.content, entry.edits, file_path=entry.path)
        by_path[entry.path] = SkillFile(path=target.path, content=edited, content_type=target.content_type)
    return [by_path[f.path] for f in files]


def edit_version(
    source: LLMSkill, edits: Sequence[TextEdit] | None, file_edits: Sequence[FileEdits] | None
) -> Edited:
    """Applies body edits, then file edits (body errors are reported first), to one version.
    A failure is kept, not raised: it is reported only once the version is known to be current."""
    try:
        body = apply_edits(source.body, edits) if edits is not None else None
        files = _edit_files(_files_of(source), file_edits) if file_edits is not None else None
    except EditFailed as exc:
        return Edited(source_id=source.pk, failure=exc)
    return Edited(source_id=source.pk, body=body, files=files)


def _edited_ahead(
    *, team: Team, name: str, base_version: int, edits: Sequence[TextEdit] | None, file_edits
) -> Edited | None:
    """Edits applied to `base_version` before the write takes the name's lock. A version never
    changes, so the result stays valid while that version is the latest; thousands of edits on a
    megabyte body take seconds, and other writers would otherwise wait behind them."""
    if edits is None and file_edits is None:
        return None
    source = versioning.active_rows(LLMSkill, team=team, name=name).filter(version=base_version).first()
    return edit_version(source, edits, file_edits) if source is not None else None


def publish_skill(
    *,
    team: Team,
    name: str,
    base_version: int,
    created_by: User | None,
    body: str | None = None,
    edits: Sequence[TextEdit] | None = None,
    description: str | None = None,
    license: str | None = None,
    compatibility: str | None = None,
    allowed_tools: Sequence[str] | None = None,
    metadata: dict | None = None,
    files: Sequence[SkillFile] | None = None,
    file_edits: Sequence[FileEdits] | None = None,
) -> LLMSkill:
    """Publishes the next version: fields left as None carry the latest version's values forward.

    `edits` and `file_edits` apply to `base_version`, which must still be the latest; their
    errors come after the 404/409/limit checks. Any failure writes nothing.
    """
    if body is not None and edits is not None:
        raise ValueError("body and edits are mutually exclusive")
    if files is not None and file_edits is not None:
        raise ValueError("files and file_edits are mutually exclusive")
    replacements = {
        "description": description,
        "license": license,
        "compatibility": compatibility,
        "allowed_tools": list(allowed_tools) if allowed_tools is not None else None,
        "metadata": metadata,
    }
    ahead = _edited_ahead(team=team, name=name, base_version=base_version, edits=edits, file_edits=file_edits)

    def step(current: LLMSkill) -> NewVersion:
        edited = ahead
        if edits is not None or file_edits is not None:
            if edited is None or edited.source_id != current.pk:
                # The history was replaced since (archived and created again): edit what is there now.
                edited = edit_version(current, edits, file_edits)
            if edited.failure is not None:
                raise edited.failure
        content = current.content()
        content.update({field: value for field, value in replacements.items() if value is not None})
        new_body = body if body is not None else edited.body if edited and edited.body is not None else None
        if new_body is not None and new_body != current.body:
            content["body"] = new_body
            content["outline"] = outline(new_body)
        if files is not None:
            new_files = list(files)
        elif edited is not None and edited.files is not None:
            new_files = edited.files
        else:
            new_files = _files_of(current)
        return _version(content, new_files)

    return _publish(team=team, name=name, base_version=base_version, created_by=created_by, step=step)


def archive_skill(*, team: Team, name: str) -> int:
    return versioning.archive_history(LLMSkill, team=team, name=name)


def duplicate_skill(*, team: Team, name: str, new_name: str, created_by: User | None) -> LLMSkill:
    with transaction.atomic():
        row = versioning.duplicate_latest(
            LLMSkill, team=team, name=name, new_name=new_name, created_by=created_by
        )
        return _written(row)


# ---- bundled files ---------------------------------------------------------------------------


def _file_not_found(path: str, name: str) -> FileNotInSkill:
    return FileNotInSkill(f"File '{path}' not found in skill '{name}'.")


def _file_exists(path: str, name: str) -> FileAlreadyInSkill:
    return FileAlreadyInSkill(f"File '{path}' already exists in skill '{name}'.")


def create_skill_file(
    *,
    team: Team,
    name: str,
    path: str,
    content: str,
    created_by: User | None,
    content_type: str = DEFAULT_CONTENT_TYPE,
    base_version: int | None = None,
) -> LLMSkill:
    """Publishes a version with one more file; the path conflict is checked before the limit."""

    def step(current: LLMSkill) -> NewVersion:
        current_files = _files_of(current)
        if any(f.path == path for f in current_files):
            raise _file_exists(path, name)
        if len(current_files) >= LLMSkill.MAX_FILES:
            raise FileLimitReached(f"Skill has reached the maximum of {LLMSkill.MAX_FILES} files.")
        return _version(current.content(), [*current_files, SkillFile(path, content, content_type)])

    return _publish(team=team, name=name, base_version=base_version, created_by=created_by, step=step)


def rename_skill_file(
    *,
    team: Team,
    name: str,
    old_path: str,
    new_path: str,
    created_by: User | None,
    base_version: int | None = None,
) -> LLMSkill:
    """Publishes a version in which one file moved to `new_path`, content and type kept."""

    def step(current: LLMSkill) -> NewVersion:
        current_files = _files_of(current)
        if not any(f.path == old_path for f in current_files):
            raise _file_not_found(old_path, name)
        if any(f.path == new_path for f in current_files):
            raise _file_exists(new_path, name)
        moved = [
            SkillFile(new_path, f.content, f.content_type) if f.path == old_path else f for f in current_files
        ]
        return _version(current.content(), moved)

    return _publish(team=team, name=name, base_version=base_version, created_by=created_by, step=step)


def delete_skill_file(
    *, team: Team, name: str, path: str, created_by: User | None, base_version: int | None = None
) -> LLMSkill:
    """Publishes a version without the file; older versions keep theirs."""

    def step(current: LLMSkill) -> NewVersion:
        current_files = _files_of(current)
        remaining = [f for f in current_files if f.path != path]
        if len(remaining) == len(current_files):
            raise _file_not_found(path, name)
        return _version(current.content(), remaining)

    return _publish(team=team, name=name, base_version=base_version, created_by=created_by, step=step)
