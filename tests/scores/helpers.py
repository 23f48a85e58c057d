"""Scorer test helpers: the exact bodies the API answers, configs of each kind, and DB builders."""

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rest_framework.test import APIClient

from llm_server.accounts.models import Team, User
from scores import services
from scores.models import ScoreDefinition, ScoreDefinitionVersion
from tests.api import ResourceApi, iso, missing_scope, user_json

RESOURCE = "llm_analytics/score_definitions"
SCORE_DEFINITION_KEYS = [
    "id",
    "name",
    "description",
    "kind",
    "archived",
    "current_version",
    "current_version_id",
    "config",
    "created_by",
    "created_at",
    "updated_at",
    "team",
]
CONFLICT_DETAIL = "The scorer changed since you opened it. Reload the latest version and try again."
WRITE_DENIED = missing_scope("llm_analytics:write")
READ_DENIED = missing_scope("llm_analytics:read")
CATEGORICAL_ALLOWED = "['max_selections', 'min_selections', 'options', 'passing_rule', 'selection_mode']"
NUMERIC_ALLOWED = "['max', 'min', 'passing_rule', 'step']"
BOOLEAN_ALLOWED = "['false_label', 'true_is_failure', 'true_label']"


def options(*keys: str) -> list[dict[str, str]]:
    """Categorical options whose labels are their keys, capitalised."""
    return [{"key": key, "label": key.capitalize()} for key in keys]


GOOD_BAD = {"options": options("good", "bad")}
PASS_FAIL = {"options": options("pass", "fail")}
NUMERIC_0_5 = {"min": 0.0, "max": 5.0, "step": 1.0}
YES_NO = {"true_label": "Yes", "false_label": "No"}


def unsupported_keys(kind: str, unknown: list[str]) -> str:
    allowed = {"categorical": CATEGORICAL_ALLOWED, "numeric": NUMERIC_ALLOWED, "boolean": BOOLEAN_ALLOWED}
    return f"Unsupported keys for `kind` `{kind}`: {unknown}. Allowed keys: {allowed[kind]}."


def conflict(current_version: int) -> dict[str, Any]:
    return {"detail": CONFLICT_DETAIL, "current_version": current_version}


def definition_json(definition: ScoreDefinition) -> dict[str, Any]:
    """The exact JSON of a scorer as stored now."""
    definition = ScoreDefinition.objects.select_related("current_version", "created_by").get(pk=definition.pk)
    current = definition.current_version
    return {
        "id": str(definition.id),
        "name": definition.name,
        "description": definition.description,
        "kind": definition.kind,
        "archived": definition.archived,
        "current_version": current.version if current else None,
        "current_version_id": str(current.id) if current else None,
        "config": current.config if current else None,
        "created_by": user_json(definition.created_by),
        "created_at": iso(definition.created_at),
        "updated_at": iso(definition.updated_at),
        "team": definition.team_id,
    }


def versions_of(definition: ScoreDefinition | str) -> list[tuple[int, Any]]:
    """(version, config) of every version of a scorer, oldest first."""
    rows = ScoreDefinitionVersion.objects.filter(definition_id=getattr(definition, "pk", definition))
    return list(rows.order_by("version").values_list("version", "config"))


def make_definition(
    team: Team,
    name: str = "Quality",
    kind: str = "categorical",
    config: dict[str, Any] | None = None,
    *,
    created_by: User | None = None,
    description: str = "",
    archived: bool = False,
) -> ScoreDefinition:
    """A scorer at version 1, written through the service (config as the API would store it)."""
    if config is None:
        config = {"categorical": GOOD_BAD, "numeric": NUMERIC_0_5, "boolean": YES_NO}[kind]
    definition = services.create_definition(
        team=team, created_by=created_by, name=name, kind=kind, config=config, description=description
    )
    if archived:
        definition = services.update_definition(definition=definition, archived=True)
    return definition


def add_versions(definition: ScoreDefinition, count: int, config: dict[str, Any] | None = None) -> None:
    for _ in range(count):
        services.add_version(
            team=definition.team,
            definition_id=definition.pk,
            config=config or definition.current_version.config,
            created_by=None,
        )


@dataclass
class ScoresApi(ResourceApi):
    """Requests against the scorers of one project, signed with one key."""

    def create(self, **body) -> dict[str, Any]:
        response = self.post("", body)
        assert response.status_code == 201, response.content
        return response.json()

    def new_version(self, definition_id: Any, body: Any, *, key: str | None = None):
        return self.post(f"{definition_id}/new_version/", body, key=key)


def scores_api(client: APIClient, team_id: int | str, key: str, prefix: str = "environments") -> ScoresApi:
    return ScoresApi(client=client, base=f"/api/{prefix}/{team_id}/{RESOURCE}", key=key)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def instant(text: str) -> datetime:
    """A timestamp of a response, to compare in time (its text may omit zero microseconds)."""
    return datetime.fromisoformat(text)


def later() -> None:
    """Lets the clock move, so a bumped updated_at is strictly later than the one before."""
    time.sleep(0.002)
