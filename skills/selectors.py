"""Reads of skills: the list, a version with its file manifest, a file, a page of history."""

from django.db.models import Q, QuerySet

from llm_server import versioning
from llm_server.accounts.models import Team
from llm_server.domain import ObjectNotFound
from skills.models import LLMSkill, LLMSkillFile

ORDER_FIELDS = frozenset({"name", "created_at", "updated_at", "version", "latest_version", "version_count"})
DEFAULT_ORDER = "-created_at"


def list_latest_skills(
    *, team: Team, search: str | None = None, created_by_id: int | None = None, order_by: str | None = None
) -> QuerySet:
    """The latest version of every active skill; bodies are not read (lists show outlines only)."""
    queryset = versioning.latest_rows(LLMSkill, team=team).select_related("created_by").defer("body")
    term = (search or "").strip()
    if "\x00" in term:
        # No stored name or description holds U+0000, and PostgreSQL cannot be queried with it.
        return queryset.none()
    if term:
        queryset = queryset.filter(Q(name__icontains=term) | Q(description__icontains=term))
    if created_by_id:
        queryset = queryset.filter(created_by_id=created_by_id)
    field = (order_by or "").removeprefix("-")
    order = order_by if field in ORDER_FIELDS else DEFAULT_ORDER
    return queryset.order_by(order, "-id")


def get_skill(*, team: Team, name: str, version: int | None = None, row_id=None) -> LLMSkill:
    """A version (latest by default) with its derived fields and its file manifest (`manifest`)."""
    row = versioning.get_version(LLMSkill, team=team, name=name, version=version, row_id=row_id)
    row.manifest = list(
        LLMSkillFile.objects.filter(skill_version=row).order_by("id").values("path", "content_type")
    )
    return row


def skill_state(
    *, team: Team, name: str, version: int | None = None, row_id=None, with_creator: bool = False
) -> versioning.VersionState | None:
    """What the payload of get_skill's answer depends on, read cheaply (None: it would 404)."""
    return versioning.version_state(
        LLMSkill, team=team, name=name, version=version, row_id=row_id, with_creator=with_creator
    )


def skill_version_id(*, team: Team, name: str, version: int | None = None):
    """The id of a version (latest by default); ObjectNotFound(name) if there is none."""
    rows = versioning.active_rows(LLMSkill, team=team, name=name)
    rows = rows.filter(version=version) if version is not None else rows.filter(is_latest=True)
    row_id = rows.values_list("pk", flat=True).first()
    if row_id is None:
        raise ObjectNotFound(name)
    return row_id


def get_skill_file(*, skill_version_id, path: str) -> LLMSkillFile:
    """A file of one version; LLMSkillFile.DoesNotExist if it has none at `path`."""
    return LLMSkillFile.objects.get(skill_version_id=skill_version_id, path=path)
