"""The base viewset of every project-scoped resource: `/api/projects|environments/<id|@current>/`."""

import re
from collections.abc import Callable
from functools import cached_property
from urllib.parse import quote

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from llm_server import auth_cache
from llm_server.accounts.models import Organization, OrganizationMembership, Team, hash_key_value
from llm_server.authentication import peek_body_field
from llm_server.permissions import AIDataProcessingApproved, APIScopePermission, ProjectMembershipPermission

CURRENT_PROJECT = "@current"
PROJECT_NOT_FOUND = "Project not found."
TOKEN_PARAMS = ("token", "api_key")
PROJECT_ID_PATTERN = re.compile(r"[0-9]+")
ENVIRONMENTS_PREFIX = "/api/environments/"
PROJECTS_PREFIX = "/api/projects/"

PROJECT_ID_PARAMETER = OpenApiParameter(
    "project_id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Project id (integer) or `@current` for the caller's current project.",
)


def _project_token(request: Request) -> str | None:
    """`?token=` on GET, or a `token` field of a form-encoded body (never a JSON body)."""
    if request.method in ("GET", "HEAD"):
        for name in TOKEN_PARAMS:
            if request.query_params.get(name):
                return request.query_params[name]
        return None
    for name in TOKEN_PARAMS:
        value = peek_body_field(request, name, json_allowed=False)
        if value:
            return value
    return None


def _teams_for(user) -> QuerySet[Team]:
    teams = Team.objects.select_related("organization")
    if user.is_authenticated:
        # Membership comes with the project lookup, saving the permission check a query.
        teams = teams.annotate(
            caller_is_member=Exists(
                OrganizationMembership.objects.filter(
                    organization_id=OuterRef("organization_id"), user_id=user.pk
                )
            )
        )
    return teams


def _find_team(request: Request, lookup: str, find: Callable[[QuerySet[Team]], Team | None]) -> Team | None:
    """`find(teams)` through the auth cache, as the caller sees it (`lookup` names what is looked up)."""
    user = request.user
    caller_id = user.pk if user.is_authenticated else None
    return auth_cache.cached(
        f"auth:project:{lookup}:caller:{caller_id or 'anonymous'}",
        load=lambda: find(_teams_for(user)),
        dump=_team_entry,
        build=_team_from_entry,
        # What the caller may reach changes with their memberships and current project.
        user_of=lambda team: caller_id,
        user_id=caller_id,
    )


def _team_entry(team: Team) -> dict:
    return {
        "team": auth_cache.model_row(team),
        "organization": auth_cache.model_row(team.organization),
        "caller_is_member": getattr(team, "caller_is_member", None),
    }


def _team_from_entry(entry: dict) -> Team:
    team = auth_cache.model_instance(Team, entry["team"])
    team.organization = auth_cache.model_instance(Organization, entry["organization"])
    if entry["caller_is_member"] is not None:
        team.caller_is_member = entry["caller_is_member"]
    return team


def resolve_team(request: Request, project_segment: str) -> Team:
    token = _project_token(request)
    if token:
        # A NUL byte cannot be in any token (and PostgreSQL rejects it in a query).
        team = None
        if "\x00" not in token:
            # The cache entry is named by the token's hash: the token is a secret.
            team = _find_team(
                request, f"token:{hash_key_value(token)}", lambda teams: teams.filter(api_token=token).first()
            )
        if team is None:
            raise exceptions.AuthenticationFailed()
        return team
    if project_segment == CURRENT_PROJECT:
        user = request.user
        team = None
        if user.current_team_id:
            team = _find_team(
                request,
                f"id:{user.current_team_id}",
                lambda teams: teams.filter(pk=user.current_team_id).first(),
            )
        if team is None and user.current_organization_id:
            team = _find_team(
                request,
                f"first-of-organization:{user.current_organization_id}",
                lambda teams: (
                    teams.filter(organization_id=user.current_organization_id).order_by("id").first()
                ),
            )
        if team is None:
            raise exceptions.NotFound(PROJECT_NOT_FOUND)
        return team
    # ASCII digits only: int() would also take " 1", "+1" and non-ASCII digits.
    if not PROJECT_ID_PATTERN.fullmatch(project_segment or ""):
        raise exceptions.NotFound(PROJECT_NOT_FOUND)
    team_id = int(project_segment)
    team = None
    if 0 < team_id < 2**63:
        team = _find_team(request, f"id:{team_id}", lambda teams: teams.filter(pk=team_id).first())
    if team is None:
        raise exceptions.NotFound(PROJECT_NOT_FOUND)
    return team


@extend_schema(parameters=[PROJECT_ID_PARAMETER])
class ProjectScopedViewSet(viewsets.GenericViewSet):
    """A viewset mounted under `/api/projects/<id>/` and `/api/environments/<id>/`.

    Subclasses set `scope_object` and build querysets from `self.team`, so objects of other
    projects are invisible (404, never 403).
    """

    project_based = True
    scope_object: str = ""
    # Set per custom route through `@action(required_scopes=[...])` (see llm_server.permissions).
    required_scopes: list[str] | None = None
    # "read"/"write": answer methods no route maps with 405 after that scope check, instead of
    # the default 403 for a method no scope grants (for resources whose clients expect 405).
    unmapped_method_scope: str | None = None
    permission_classes = [IsAuthenticated, APIScopePermission, ProjectMembershipPermission]

    @cached_property
    def team(self) -> Team:
        return resolve_team(self.request, self.kwargs.get("project_id", ""))

    def finalize_response(self, request: Request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        path = request._request.path
        if path.startswith(ENVIRONMENTS_PREFIX):
            # Upstream marks /api/environments/ as a deprecated alias of /api/projects/.
            # The path arrives decoded: re-encode it, or %00/%0A in the URL make an invalid header.
            successor = quote(PROJECTS_PREFIX + path[len(ENVIRONMENTS_PREFIX) :], safe="/@:!$&'()*+,;=-._~")
            query = request._request.META.get("QUERY_STRING", "")
            response["Deprecation"] = "true"
            # The query string arrives raw: escape what would end the URI or the header (`>`, `"`).
            query = quote(query, safe="/?:@&=+$,;%-_.!~*'()")
            response["Link"] = f'<{successor}{"?" + query if query else ""}>; rel="successor-version"'
        return response

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["team"] = self.team if "project_id" in self.kwargs else None
        return context

    def get_object(self):
        # OPTIONS describes a PUT route by looking up its object; a PUT route addressed by name
        # (a prompt's label) has no object id, so there is nothing to describe.
        if (self.lookup_url_kwarg or self.lookup_field) not in self.kwargs:
            raise Http404
        return super().get_object()


class AIFeatureViewSet(ProjectScopedViewSet):
    """A project route that sends project data to the configured model: the organization must have
    approved AI data processing (checked after scope and membership, before the body). Subclasses
    set `ai_feature`, the name the 403 detail uses."""

    ai_feature: str = ""
    # Other methods on these routes are a 405 once the key's scope is checked.
    unmapped_method_scope = "read"
    permission_classes = [*ProjectScopedViewSet.permission_classes, AIDataProcessingApproved]
