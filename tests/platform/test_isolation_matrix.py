"""Project isolation, generated from the served URL configuration (platform spec §2.3, §3.3, §5).

Every route of `llm_server.urls` under `/api/projects/<id>/`, `/api/environments/<id>/` and the
top-level API routes (organizations, `@me`) is walked; for each method its view maps, requests are
sent as callers that must be refused (no key, an invalid key, a key of another organization, a key
scoped to another project, keys lacking the scope) and, on routes naming an object, as an allowed
caller naming an object of another project. Each answer's status and envelope are checked, and no
body may carry any of the other project's data: every foreign object holds a unique marker string.

A new route is covered without editing this file; a route naming an object of a kind this file
cannot build (a new path kwarg or a new detail viewset) fails loudly until a builder is added.
"""

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from datasets.models import DatasetItem
from events.models import Event
from llm_server.accounts.models import Team
from logs.models import LogRecord
from prompts import services as prompt_services
from skills import services as skill_services
from tests.api import (
    authentication_failed,
    bearer,
    not_authenticated,
    not_found,
    permission_denied,
)
from tests.assist.helpers import approve
from tests.datasets.helpers import make_dataset
from tests.events.helpers import batch_body, generation, post_json
from tests.factories import make_key
from tests.logs.helpers import ingest, log_record, otlp_json
from tests.platform.helpers import served_routes
from tests.review.helpers import make_item, make_queue, make_review
from tests.scores.helpers import make_definition

METHODS = ("get", "post", "put", "patch", "delete")
NO_ACCESS = "You don't have access to the project."
UNSUPPORTED = "This action does not support personal API key access"
# Matches the served route prefixes this matrix covers (the URL conf's regex text).
PROJECT_PREFIXES = ("^api/projects/", "^api/environments/")
TOP_LEVEL_PREFIXES = ("^api/organizations/", "^api/llm_analytics/@me/")
KNOWN_KWARGS = {"project_id", "pk", "prompt_name", "label_name", "skill_name", "file_path"}
INVALID_KEY = "phx_isolation_matrix_key_that_exists_nowhere_0000"


# ---- the routes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    pattern: str  # the full regex text, prefixes joined
    view: type
    actions: dict[str, str]  # method -> action

    @property
    def kwargs(self) -> list[str]:
        return re.findall(r"\(\?P<(\w+)>", self.pattern)

    @property
    def project_based(self) -> bool:
        return self.pattern.startswith(PROJECT_PREFIXES)

    @property
    def names_object(self) -> bool:
        return bool(set(self.kwargs) - {"project_id"})

    def url(self, values: dict[str, Any]) -> str:
        """The path with each named group replaced by its value (`^`, `$` dropped, `/?` as `/`)."""
        text = self.pattern
        out = []
        i = 0
        while i < len(text):
            if text.startswith("(?P<", i):
                name = text[i + 4 : text.index(">", i)]
                depth, j = 0, i
                while True:  # the group's closing parenthesis
                    if text[j] == "(":
                        depth += 1
                    elif text[j] == ")":
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                out.append(str(values[name]))
                i = j + 1
            elif text.startswith("/?", i):
                out.append("/")
                i += 2
            elif text[i] in "^$":
                i += 1
            else:
                out.append(text[i])
                i += 1
        return "/" + "".join(out).replace("//", "/")


def viewset_routes() -> list[Route]:
    routes = []
    for pattern, entry in served_routes():
        if not pattern.startswith(PROJECT_PREFIXES + TOP_LEVEL_PREFIXES):
            continue
        view = getattr(entry.callback, "cls", None)
        actions = getattr(entry.callback, "actions", None)
        assert view is not None and actions, f"{pattern}: not a viewset route, teach this matrix about it"
        routes.append(Route(pattern=pattern, view=view, actions=dict(actions)))
    return routes


ROUTES = viewset_routes()


# POST routes that write nothing, and ask for the read scope (rendering a prompt).
READ_ONLY_ACTIONS = frozenset({"compile"})


def required_scope(route: Route, method: str) -> str:
    """What the spec asks of the method: `<object>:read` for a GET (or a POST that writes
    nothing), `<object>:write` otherwise."""
    read = method == "get" or route.actions.get(method) in READ_ONLY_ACTIONS
    return f"{route.view.scope_object}:{'read' if read else 'write'}"


# Bodies that pass validation for the actions naming an object (validation may precede the lookup).
VALID_BODIES: dict[str, dict[str, Any]] = {
    "partial_update": {"name": "renamed-by-matrix"},
    "update": {"name": "renamed-by-matrix"},
    "publish": {"prompt": "p2", "body": "# b2", "description": "d2", "base_version": 1},
    "duplicate": {"new_name": "iso-duplicated"},
    "create_file": {"path": "refs/new.md", "content": "c"},
    "rename_file": {"old_path": "refs/notes.md", "new_path": "refs/renamed.md"},
    "new_version": {"config": {"options": [{"key": "a", "label": "A"}]}, "base_version": 1},
    "label": {"version": 1},
}
# Query strings that pass validation, for the reads that check their query before the lookup.
VALID_QUERIES: dict[str, str] = {"diff": "?from=1&to=1"}


# ---- the objects of each project ------------------------------------------------------------------


@dataclass
class Seeded:
    """One project's objects, by the path kwarg (or the viewset, for `pk`) that names them."""

    team: Team
    marker: str
    names: dict[str, str] = field(default_factory=dict)
    pks: dict[str, Any] = field(default_factory=dict)  # viewset name -> object id
    unique: list[str] = field(default_factory=list)  # every string that identifies the data

    def values(self, route: Route) -> dict[str, Any]:
        values: dict[str, Any] = {"project_id": self.team.id}
        unknown = set(route.kwargs) - KNOWN_KWARGS
        assert not unknown, f"{route.pattern}: no builder for path kwargs {unknown}"
        for name in route.kwargs:
            if name == "pk":
                assert route.view.__name__ in self.pks, (
                    f"{route.pattern}: no {route.view.__name__} object is built; add one to seed()"
                )
                values["pk"] = self.pks[route.view.__name__]
            elif name != "project_id":
                values[name] = self.names[name]
        return values


def seed(client, team: Team, label: str) -> Seeded:
    """Real objects of every resource family in the team, each holding `<label>-<uuid>`."""
    marker = f"{label}-{uuid.uuid4()}"
    tag = uuid.uuid4().hex[:10]
    seeded = Seeded(team=team, marker=marker)

    prompt = prompt_services.create_prompt(
        team=team, name=f"iso-prompt-{tag}", prompt=f"prompt text {marker}", created_by=None
    )
    prompt_services.set_label(team=team, prompt_name=prompt.name, label="production", version=1, user=None)
    skill = skill_services.create_skill(
        team=team,
        name=f"iso-skill-{tag}",
        description=f"skill description {marker}",
        body=f"# Skill\n\n{marker}",
        created_by=None,
        files=[skill_services.SkillFile("refs/notes.md", f"file content {marker}")],
    )
    dataset = make_dataset(team, name=f"dataset {marker}", description=f"about {marker}")
    item = DatasetItem.objects.create(team=team, dataset=dataset, input={"q": marker}, output={"a": marker})
    definition = make_definition(team, name=f"scorer {marker}", description=f"scores {marker}")
    queue = make_queue(team, f"queue {marker}")
    queue_item = make_item(queue, f"trace-item-{marker}")
    review = make_review(team, f"trace-review-{marker}")

    # An event and a log record, through their ingestion endpoints (the project's token).
    event = generation(distinct_id=f"person-{marker}", **{"$ai_trace_id": f"trace-event-{marker}"})
    event["properties"]["$ai_input"] = [{"role": "user", "content": f"said {marker}"}]
    response = post_json(client, "/batch/", batch_body([event], team.api_token))
    assert response.status_code == 200, response.content
    record = log_record(f"log line {marker}", attributes={f"attr_{tag}": marker})
    response = ingest(client, otlp_json([record], service=f"svc-{tag}"), token=team.api_token)
    assert response.status_code == 200, response.content

    seeded.names = {
        "prompt_name": prompt.name,
        "label_name": "production",
        "skill_name": skill.name,
        "file_path": "refs/notes.md",
    }
    seeded.pks = {
        "PromptViewSet": prompt.pk,
        "DatasetViewSet": dataset.pk,
        "DatasetItemViewSet": item.pk,
        "ScoreDefinitionViewSet": definition.pk,
        "ReviewQueueViewSet": queue.pk,
        "ReviewQueueItemViewSet": queue_item.pk,
        "TraceReviewViewSet": review.pk,
    }
    stored_event = Event.objects.get(team=team)
    seeded.unique = [
        marker,
        team.api_token,
        prompt.name,
        skill.name,
        f"attr_{tag}",
        f"svc-{tag}",
        str(stored_event.uuid),
        *(str(pk) for pk in seeded.pks.values()),
    ]
    assert LogRecord.objects.filter(team=team).count() == 1
    return seeded


@pytest.fixture
def projects(client, world, other_member):
    """T's objects (`HOME`) and T_B's (`FOREIGN`), org B renamed so its name is a marker too."""
    world.org_b.name = f"FOREIGN-org-{uuid.uuid4()}"
    world.org_b.save(update_fields=["name"])
    home = seed(client, world.team, "HOME")
    foreign = seed(client, world.team_b, "FOREIGN")
    foreign.unique.append(world.org_b.name)
    return home, foreign


# ---- sending and checking -------------------------------------------------------------------------


@dataclass
class Matrix:
    client: Any
    failures: list[str] = field(default_factory=list)
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def send(self, method: str, path: str, key: str | None, body: dict | None = None):
        headers = bearer(key) if key else {}
        if method in ("get", "delete"):
            return getattr(self.client, method)(path, **headers)
        return getattr(self.client, method)(path, body or {}, format="json", **headers)

    def check(
        self,
        label: str,
        method: str,
        path: str,
        key: str | None,
        expected: tuple[int, ...],
        expected_body: dict | None,
        secrets: list[str],
        body: dict | None = None,
    ):
        """One case: the status is one of `expected`, the JSON body is `body` (when given), and no
        secret string appears in the body unless the caller put it in the path itself."""
        self.cases += 1
        response = self.send(method, path, key, body)
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        where = f"[{label}] {method.upper()} {path}"
        content = response.content.decode("utf-8", "replace")
        if response.status_code not in expected:
            self.failures.append(f"{where}: {response.status_code} not in {expected}: {content[:300]}")
            return
        if expected_body is not None and response.json() != expected_body:
            self.failures.append(f"{where}: body {content[:300]} != {expected_body}")
        if response.status_code == 405 and content and response.json()["code"] != "method_not_allowed":
            self.failures.append(f"{where}: 405 body {content[:300]}")
        leaked = [secret for secret in secrets if secret in content and secret not in path]
        if leaked:
            self.failures.append(f"{where}: leaked {leaked} in {content[:300]}")

    def assert_clean(self, minimum: int):
        assert not self.failures, f"{len(self.failures)} of {self.cases} cases failed:\n" + "\n".join(
            self.failures
        )
        assert self.cases >= minimum, f"only {self.cases} cases; the matrix shrank"


def _own_url(route: Route, seeded: Seeded, world) -> str:
    if route.project_based:
        return route.url(seeded.values(route))
    if "organizations" in route.pattern:
        return route.url({"pk": str(world.org_a.pk)})
    return route.url({})


def test_matrix_covers_every_served_project_route():
    """The walk finds the resources (so a broken walk cannot make the matrix vacuous)."""
    patterns = {route.pattern for route in ROUTES}
    assert len(ROUTES) >= 60, len(ROUTES)
    for fragment in (
        "llm_prompts",
        "llm_skills",
        "datasets",
        "dataset_items/bulk",
        "score_definitions",
        "review_queues",
        "review_queue_items",
        "trace_reviews",
        "text_repr",
        "translate",
        "logs/attributes",
        "explainLogWithAI",
        "api/organizations",
        "@me/spend",
    ):
        assert any(fragment in pattern for pattern in patterns), fragment
    # Both prefixes serve the same project routes.
    projects = {p.removeprefix("^api/projects/") for p in patterns if p.startswith("^api/projects/")}
    environments = {
        p.removeprefix("^api/environments/") for p in patterns if p.startswith("^api/environments/")
    }
    assert projects == environments
    assert Route("^api/projects/(?P<project_id>[^/]+)/^x/(?P<pk>[^/]+)/?$", object, {}).url(
        {"project_id": 7, "pk": "a"}
    ) == ("/api/projects/7/x/a/")


def test_refused_callers_see_nothing_of_any_project(client, world, other_member, projects):
    """No key, a bad key, another organization's key, a key scoped elsewhere, keys missing the
    scope: each mapped method of each route is refused with the spec's envelope, and no body holds
    any data of T (the addressed project) or T_B."""
    home, foreign = projects
    secrets = home.unique + foreign.unique
    _, other_org_key = other_member
    unrelated = make_key(world.user, ["notebook:read"])
    ro_scopes = {"llm_prompt:read", "dataset:read", "llm_analytics:read"}
    matrix = Matrix(client)
    for route in ROUTES:
        own = _own_url(route, home, world)
        for method in route.actions:
            matrix.check("no key", method, own, None, (401,), not_authenticated(), secrets)
            matrix.check(
                "invalid key",
                method,
                own,
                INVALID_KEY,
                (401,),
                authentication_failed("Personal API key found in request Authorization header is invalid."),
                secrets,
            )
            scope = required_scope(route, method)
            matrix.check(
                "unrelated scope",
                method,
                own,
                unrelated,
                (403,),
                permission_denied(f"API key missing required scope '{scope}'"),
                secrets,
            )
            if scope not in ro_scopes:
                matrix.check(
                    "read-only key",
                    method,
                    own,
                    world.k_ro,
                    (403,),
                    permission_denied(f"API key missing required scope '{scope}'"),
                    secrets,
                )
            if route.project_based:
                # Another organization's `*` key on T; U's `*` key on T_B (with T_B's own objects).
                matrix.check(
                    "other org key", method, own, other_org_key, (403,), permission_denied(NO_ACCESS), secrets
                )
                matrix.check(
                    "other org project",
                    method,
                    route.url(foreign.values(route)),
                    world.k_all,
                    (403,),
                    permission_denied(NO_ACCESS),
                    secrets,
                )
                matrix.check(
                    "scoped to T2",
                    method,
                    own,
                    world.k_scoped,
                    (403,),
                    permission_denied(
                        f"API key does not have access to the requested project: ID {world.t}."
                    ),
                    secrets,
                )
            elif "organizations" in route.pattern:
                # U's org through org B's key, org B through U's key: as if it did not exist.
                matrix.check("other org key", method, own, other_org_key, (404,), not_found(), secrets)
                matrix.check(
                    "other org",
                    method,
                    route.url({"pk": str(world.org_b.pk)}),
                    world.k_all,
                    (404,),
                    not_found(),
                    secrets,
                )
                matrix.check(
                    "scoped to T2",
                    method,
                    own,
                    world.k_scoped,
                    (403,),
                    permission_denied(
                        "API keys with scoped projects are only supported on project-based endpoints."
                    ),
                    secrets,
                )
    matrix.assert_clean(minimum=600)


def test_objects_of_another_project_are_not_found(client, world, projects):
    """U's `*` key on T's routes, naming T_B's object (id, name or file): 404, nothing of T_B."""
    _, foreign = projects
    matrix = Matrix(client)
    for route in ROUTES:
        if not (route.project_based and route.names_object):
            continue
        path = route.url({**foreign.values(route), "project_id": world.t})
        for method, action in route.actions.items():
            # A valid body, so the request reaches the lookup (validation may come first).
            body = VALID_BODIES.get(action, {})
            matrix.check(
                "foreign object",
                method,
                path + VALID_QUERIES.get(action, ""),
                world.k_all,
                (404, 405),
                None,
                foreign.unique,
                body=body,
            )
    # Reads of T's own collections list T's objects and nothing of T_B.
    for route in ROUTES:
        if route.project_based and not route.names_object and route.actions.get("get") == "list":
            matrix.check(
                "own list",
                "get",
                route.url({"project_id": world.t}),
                world.k_all,
                (200,),
                None,
                foreign.unique,
            )
    matrix.assert_clean(minimum=40)
    # Most of them reached the lookup (405: PUT where only PATCH is served, refused hard deletes).
    assert matrix.statuses[404] >= 40, matrix.statuses
    # The foreign objects are all still there, untouched.
    assert DatasetItem.objects.filter(team=world.team_b, deleted=False).count() == 1


def test_unmapped_methods_are_refused_without_data(client, world, other_member, projects):
    """Methods a route does not map: 403 `does not support personal API key access` for any key,
    or 405 where the route declares the scope every method needs (checked first); never a body with
    data. Without a key: 401."""
    home, foreign = projects
    secrets = home.unique + foreign.unique
    matrix = Matrix(client)
    for route in ROUTES:
        own = _own_url(route, home, world)
        for method in METHODS:
            if method in route.actions:
                continue
            matrix.check("no key", method, own, None, (401,), not_authenticated(), secrets)
            refusal = (403, 405)
            matrix.check("all key, unmapped", method, own, world.k_all, refusal, None, secrets)
            if route.project_based:
                matrix.check(
                    "all key, other org, unmapped",
                    method,
                    route.url(foreign.values(route)),
                    world.k_all,
                    (403,),
                    None,
                    secrets,
                )
    matrix.assert_clean(minimum=200)


def test_unmapped_method_statuses_follow_the_scope_rules(client, world, projects):
    """Which of 403/405 an unmapped method gets (spec §2.2 rule 4 and the 405 exceptions)."""
    home, _ = projects
    approve(world.org_a)  # the AI routes check the organization's approval before dispatch
    seen = {403: 0, 405: 0}
    for route in ROUTES:
        own = _own_url(route, home, world)
        custom_scopes = any(
            getattr(getattr(route.view, action, None), "kwargs", {}).get("required_scopes")
            for action in route.actions.values()
        )
        on_list = "list" in route.actions.values()
        for method in METHODS:
            if method in route.actions:
                continue
            response = Matrix(client).send(method, own, world.k_all)
            if (
                custom_scopes
                or getattr(route.view, "unmapped_method_scope", None)
                or (on_list and method == "patch")
            ):
                assert response.status_code == 405, (route.pattern, method, response.content)
                assert response.json()["code"] == "method_not_allowed"
            else:
                assert (response.status_code, response.json()) == (403, permission_denied(UNSUPPORTED)), (
                    route.pattern,
                    method,
                )
            seen[response.status_code] += 1
    assert seen[403] > 10 and seen[405] > 10, seen


# ---- references to another project's objects in bodies ----------------------------------------------


def test_bodies_naming_another_projects_objects_are_refused(client, world, projects):
    """Creates in T that reference T_B's objects (a dataset, a queue, a stored event) fail without
    writing or revealing anything."""
    _, foreign = projects
    headers = bearer(world.k_all)
    t = world.t
    foreign_event = Event.objects.get(team=world.team_b)
    cases = [
        (f"/api/projects/{t}/dataset_items/", {"dataset": str(foreign.pks["DatasetViewSet"]), "input": {}}),
        (
            f"/api/projects/{t}/dataset_items/bulk/",
            {"dataset": str(foreign.pks["DatasetViewSet"]), "items": [{"input": {"n": 1}}]},
        ),
        (
            f"/api/environments/{t}/llm_analytics/review_queue_items/",
            {"queue_id": str(foreign.pks["ReviewQueueViewSet"]), "trace_id": "iso-trace"},
        ),
        (f"/api/environments/{t}/llm_analytics/text_repr/", {"event_id": str(foreign_event.uuid)}),
        (f"/api/environments/{t}/llm_analytics/text_repr/", {"event_id": f"trace-event-{foreign.marker}"}),
    ]
    before = {model: model.objects.count() for model in (DatasetItem, Event)}
    for path, body in cases:
        response = client.post(path, body, format="json", **headers)
        content = response.content.decode()
        assert response.status_code in (400, 404), (path, response.status_code, content)
        assert not [s for s in foreign.unique if s in content and s not in str(body)], (path, content)
        if "text_repr" in path:
            assert response.status_code == 404, content
    assert {model: model.objects.count() for model in (DatasetItem, Event)} == before


# ---- ingestion tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/batch/", "/e/", "/i/v0/e/", "/capture/", "/track/", "/i/v0/ai/batch/"])
def test_capture_with_a_projects_token_writes_to_that_project_only(client, world, path):
    marker = f"CAPTURED-{uuid.uuid4()}"
    before_t = Event.objects.filter(team=world.team).count()
    response = post_json(client, path, batch_body([generation(distinct_id=marker)], world.team_b.api_token))
    assert response.status_code == 200, response.content
    assert marker not in response.content.decode()
    assert Event.objects.filter(team=world.team_b, distinct_id=marker).count() == 1
    assert Event.objects.filter(distinct_id=marker).exclude(team=world.team_b).count() == 0
    assert Event.objects.filter(team=world.team).count() == before_t

    refused = post_json(client, path, batch_body([generation(distinct_id=marker + "x")], "phc_not_a_token"))
    assert refused.status_code in (400, 401), refused.content
    no_token = post_json(client, path, batch_body([generation(distinct_id=marker + "y")], None))
    assert no_token.status_code in (400, 401), no_token.content
    assert Event.objects.filter(distinct_id__in=[marker + "x", marker + "y"]).count() == 0


def test_logs_ingest_with_a_projects_token_writes_to_that_project_only(client, world):
    marker = f"LOGGED-{uuid.uuid4()}"
    response = ingest(client, otlp_json([log_record(marker)]), token=world.team_b.api_token)
    assert response.status_code == 200, response.content
    rows = LogRecord.objects.filter(body__contains=marker)
    assert [row.team_id for row in rows] == [world.team_b.id]

    for token in ("phc_not_a_token", world.k_all):
        refused = ingest(client, otlp_json([log_record(marker + token[:4])]), token=token)
        assert refused.status_code == 401, refused.content
    missing = ingest(client, otlp_json([log_record(marker + "none")]))
    assert missing.status_code == 401, missing.content
    assert LogRecord.objects.filter(body__contains=marker).count() == 1
