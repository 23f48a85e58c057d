"""Skill test helpers: the representation keys and error bodies the suites share, the exact
representation of a stored version, an HTTP helper for P, and DB helpers that seed or read version
and file rows directly."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from llm_server.accounts.models import Team, User
from skills import services
from skills.models import LLMSkill, LLMSkillFile
from tests.api import ResourceApi, active_versions, iso, missing_scope, user_json, version_history_state
from tests.factories import World

FULL_KEYS = [
    "id",
    "name",
    "description",
    "body",
    "license",
    "compatibility",
    "allowed_tools",
    "metadata",
    "files",
    "outline",
    "version",
    "created_by",
    "created_at",
    "updated_at",
    "deleted",
    "is_latest",
    "latest_version",
    "version_count",
    "first_version_created_at",
]
LIST_KEYS = [key for key in FULL_KEYS if key not in ("body", "files")]
SUMMARY_KEYS = ["id", "version", "created_by", "created_at", "is_latest"]
CONFLICT_DETAIL = "The skill changed since you opened it. Reload the latest version and try again."

# Error bodies and messages as the spec words them.
EMAXV = {
    "detail": "Skill has reached the maximum of 2000 versions. "
    "Archive and recreate the skill to continue publishing."
}
EMAXF = {"detail": "Skill has reached the maximum of 50 files."}
INVALID_FILE_PATH = {"detail": "Invalid file path."}
READ_SCOPE_DENIED = missing_scope("llm_skill:read")
WRITE_SCOPE_DENIED = missing_scope("llm_skill:write")
NAME_PATTERN_MESSAGE = (
    "Only lowercase letters, numbers, and hyphens are allowed. "
    "Must not start or end with a hyphen or contain consecutive hyphens."
)
TRAVERSAL = "File paths must not contain '..' traversal segments."
ABSOLUTE = "File paths must be relative, not absolute."
EMPTY_OR_DOT = "File paths must not contain empty or '.' segments."


def skill_not_found(name: str) -> dict[str, str]:
    """The body of a 404 for a skill name (not the error envelope)."""
    return {"detail": f"Skill with name '{name}' not found."}


def conflict(current_version: int) -> dict[str, Any]:
    return {"detail": CONFLICT_DETAIL, "current_version": current_version}


def file_exists(path: str, name: str) -> dict[str, str]:
    return {"detail": f"File '{path}' already exists in skill '{name}'."}


def file_missing(path: str, name: str) -> dict[str, str]:
    return {"detail": f"File '{path}' not found in skill '{name}'."}


def assert_each_refused(send, cases) -> None:
    """Sends each case's input through `send`: every one must be refused with a 400 and exactly the
    case's error body."""
    for sent, expected in cases:
        response = send(sent)
        assert (response.status_code, response.json()) == (400, expected), sent


@dataclass
class SkillApi(ResourceApi):
    """Requests against P (`/api/environments/<t>/llm_skills`)."""

    def create(self, name: str, body: str = "# T\nx", description: str = "d", **extra) -> dict:
        response = self.post("", {"name": name, "description": description, "body": body, **extra})
        assert response.status_code == 201, response.content
        return response.json()

    def publish(self, name: str, base_version: int, **fields) -> dict:
        response = self.patch(f"name/{name}/", {"base_version": base_version, **fields})
        assert response.status_code == 200, response.content
        return response.json()


@dataclass
class SkillKeys:
    read: str  # only llm_skill:read
    write: str  # only llm_skill:write


def versions(team: Team, name: str) -> list[LLMSkill]:
    return active_versions(LLMSkill, team, name)


def history_state(team: Team, name: str) -> list[tuple[int, bool, bool]]:
    return version_history_state(LLMSkill, team, name)


def files_of(row: LLMSkill) -> dict[str, tuple[str, str]]:
    """A version's stored files as {path: (content, content_type)}."""
    return {
        f.path: (f.content, f.content_type)
        for f in LLMSkillFile.objects.filter(skill_version=row).order_by("id")
    }


def manifest(row: LLMSkill) -> list[dict[str, str]]:
    """A version's file manifest as the API lists it: path and content type, in insertion order."""
    return [{"path": path, "content_type": ctype} for path, (_, ctype) in files_of(row).items()]


def expected_skill(
    row: LLMSkill,
    *,
    latest_version: int | None = None,
    version_count: int | None = None,
    first_version: LLMSkill | None = None,
) -> dict[str, Any]:
    """The exact full representation (skills spec §3) of a version row as stored. The history
    figures are the ones given, else read from the name's active rows in the database."""
    row.refresh_from_db()
    history = versions(row.team, row.name)
    if latest_version is None:
        latest_version = max(r.version for r in history)
    if version_count is None:
        version_count = len(history)
    if first_version is None:
        first_version = next((r for r in history if r.version == 1), row)
    return {
        "id": str(row.id),
        "name": row.name,
        "description": row.description,
        "body": row.body,
        "license": row.license,
        "compatibility": row.compatibility,
        "allowed_tools": row.allowed_tools,
        "metadata": row.metadata,
        "files": manifest(row),
        "outline": row.outline,
        "version": row.version,
        "created_by": user_json(row.created_by),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "deleted": False,
        "is_latest": row.is_latest,
        "latest_version": latest_version,
        "version_count": version_count,
        "first_version_created_at": iso(first_version.created_at),
    }


def seed_skill(world: World, name: str = "s", files: Iterable[tuple[str, ...]] = (), **content) -> LLMSkill:
    """v1 of a name in T, by U, through the services (no trimming); files are (path, content) or
    (path, content, content_type)."""
    return services.create_skill(
        team=world.team,
        name=name,
        description=content.pop("description", "a description"),
        body=content.pop("body", "# Title\n\nBody text."),
        created_by=world.user,
        files=[services.SkillFile(*file) for file in files],
        **content,
    )


def seed_versions(
    team: Team,
    name: str,
    count: int,
    created_by: User | None = None,
    files: Iterable[tuple[str, str]] = (),
) -> list[LLMSkill]:
    """Versions 1..count of a name in one statement (the latest flag on the last), files (path,
    content) on the last one; returns the rows, oldest first."""
    rows = [
        LLMSkill(
            team=team,
            name=name,
            version=version,
            is_latest=version == count,
            description="d",
            body=f"# v{version}",
            outline=[{"level": 1, "text": f"v{version}"}],
            created_by=created_by,
        )
        for version in range(1, count + 1)
    ]
    LLMSkill.objects.bulk_create(rows, batch_size=500)
    LLMSkillFile.objects.bulk_create(
        [LLMSkillFile(skill_version=rows[-1], path=path, content=text) for path, text in files]
    )
    return rows
