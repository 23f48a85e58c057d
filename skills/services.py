"""Every write to skills. Each one appends a version with its own copies of the files, in one
transaction with the latest row locked (see llm_server.versioning)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from llm_server import versioning
from llm_server.accounts.models import Team, User
from skills import selectors
from skills.content import TextEdit, apply_edits, outline
from skills.domain import EditFailed, FileAlreadyInSkill, FileLimitReached, FileNotInSkill
from skills.models import LLMSkill, LLMSkillFile

DEFAULT_CONTENT_TYPE = "text/plain"

# Writes answer with the version as written: derived fields and file manifest included.
read_back = versioning.read_back(lambda row: selectors.get_skill(team=row.team, name=row.name, row_id=row.pk))


@dataclass(frozen=True)
class SkillFile:
    path: str
    content: str
    content_type: str = DEFAULT_CONTENT_TYPE


@dataclass(frozen=True)
class FileEdits:
    path: str
    edits: Sequence[TextEdit]


def _files_of(row: LLMSkill) -> list[SkillFile]:
    return [
        SkillFile(path=f.path, content=f.content, content_type=f.content_type)
        for f in LLMSkillFile.objects.filter(skill_version=row).order_by("id")
    ]


def _writer(files: Sequence[SkillFile]):
    """Inserts a version's files in one statement, right after its row."""

    def write(row: LLMSkill) -> None:
        LLMSkillFile.objects.bulk_create(
            [
                LLMSkillFile(skill_version=row, path=f.path, content=f.content, content_type=f.content_type)
                for f in files
            ]
        )

    return write


def _content_of(row: LLMSkill) -> dict[str, Any]:
    return {field: getattr(row, field) for field in LLMSkill.CONTENT_FIELDS}


@read_back
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
    return versioning.create_history(
        LLMSkill, team=team, name=name, created_by=created_by, content=content, after_insert=_writer(files)
    )


def _publish(*, team: Team, name: str, base_version: int | None, created_by: User | None, build) -> LLMSkill:
    """Publishes the version that `build(current, current_files)` returns as (content, files)."""
    pending: dict[str, list[SkillFile]] = {}

    def content(current: LLMSkill) -> dict[str, Any]:
        new_content, pending["files"] = build(current, _files_of(current))
        return new_content

    return versioning.publish_version(
        LLMSkill,
        team=team,
        name=name,
        base_version=base_version,
        created_by=created_by,
        content=content,
        after_insert=lambda row: _writer(pending["files"])(row),
    )


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


@dataclass
class _EditedContent:
    """Edits applied to one version, ahead of the write (see publish_skill)."""

    source_id: Any
    body: str | None = None
    files: list[SkillFile] | None = None
    failure: EditFailed | None = None


def _edited(
    source: LLMSkill,
    source_files: list[SkillFile],
    edits: Sequence[TextEdit] | None,
    file_edits: Sequence[FileEdits] | None,
) -> _EditedContent:
    edited = _EditedContent(source_id=source.pk)
    try:
        # Body edits are checked before file edits (spec §4.4).
        if edits is not None:
            edited.body = apply_edits(source.body, edits)
        if file_edits is not None:
            edited.files = _edit_files(source_files, file_edits)
    except EditFailed as exc:
        edited.failure = exc
    return edited


@read_back
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

    `edits` and `file_edits` apply to version `base_version`, which must still be the latest. A
    version's content never changes, so they are applied before the write takes the name's lock
    (thousands of edits on a megabyte body take seconds, and other writers would wait); under the
    lock the result is used only if that version is still the latest, and their errors are
    reported after the 404/409/limit checks, in the spec's order. Any failure writes nothing.
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
    edited = None
    if edits is not None or file_edits is not None:
        source = versioning.active_rows(LLMSkill, team=team, name=name).filter(version=base_version).first()
        if source is not None:
            edited = _edited(source, _files_of(source), edits, file_edits)

    def build(current: LLMSkill, current_files: list[SkillFile]):
        result = edited
        if result is None or result.source_id != current.pk:
            # The history was replaced since (archived and created again): edit what is there now.
            result = _edited(current, current_files, edits, file_edits)
        if result.failure is not None:
            raise result.failure
        content = _content_of(current)
        content.update({field: value for field, value in replacements.items() if value is not None})
        new_body = body if body is not None else result.body if result.body is not None else current.body
        if new_body != current.body:
            content["body"] = new_body
            content["outline"] = outline(new_body)
        new_files = current_files
        if files is not None:
            new_files = list(files)
        elif result.files is not None:
            new_files = result.files
        return content, new_files

    return _publish(team=team, name=name, base_version=base_version, created_by=created_by, build=build)


def archive_skill(*, team: Team, name: str) -> int:
    return versioning.archive_history(LLMSkill, team=team, name=name)


@read_back
def duplicate_skill(*, team: Team, name: str, new_name: str, created_by: User | None) -> LLMSkill:
    return versioning.duplicate_latest(
        LLMSkill,
        team=team,
        name=name,
        new_name=new_name,
        created_by=created_by,
        copy_children=lambda source, row: _writer(_files_of(source))(row),
    )


def _file_not_found(path: str, name: str) -> FileNotInSkill:
    return FileNotInSkill(f"File '{path}' not found in skill '{name}'.")


def _file_exists(path: str, name: str) -> FileAlreadyInSkill:
    return FileAlreadyInSkill(f"File '{path}' already exists in skill '{name}'.")


@read_back
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

    def build(current: LLMSkill, current_files: list[SkillFile]):
        if any(f.path == path for f in current_files):
            raise _file_exists(path, name)
        if len(current_files) >= LLMSkill.MAX_FILES:
            raise FileLimitReached(f"Skill has reached the maximum of {LLMSkill.MAX_FILES} files.")
        return _content_of(current), [*current_files, SkillFile(path, content, content_type)]

    return _publish(team=team, name=name, base_version=base_version, created_by=created_by, build=build)


@read_back
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

    def build(current: LLMSkill, current_files: list[SkillFile]):
        if not any(f.path == old_path for f in current_files):
            raise _file_not_found(old_path, name)
        if any(f.path == new_path for f in current_files):
            raise _file_exists(new_path, name)
        moved = [
            SkillFile(new_path, f.content, f.content_type) if f.path == old_path else f for f in current_files
        ]
        return _content_of(current), moved

    return _publish(team=team, name=name, base_version=base_version, created_by=created_by, build=build)


@read_back
def delete_skill_file(
    *, team: Team, name: str, path: str, created_by: User | None, base_version: int | None = None
) -> LLMSkill:
    """Publishes a version without the file; older versions keep theirs."""

    def build(current: LLMSkill, current_files: list[SkillFile]):
        remaining = [f for f in current_files if f.path != path]
        if len(remaining) == len(current_files):
            raise _file_not_found(path, name)
        return _content_of(current), remaining

    return _publish(team=team, name=name, base_version=base_version, created_by=created_by, build=build)
