"""Scope and project-membership checks, in upstream's order: key restrictions, scope, membership."""

from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from llm_server.accounts.models import OrganizationMembership, PersonalAPIKey
from llm_server.scopes import first_missing_scope

READ_ACTIONS = frozenset({"list", "retrieve"})
WRITE_ACTIONS = frozenset({"create", "update", "partial_update", "destroy"})
UNSUPPORTED_MESSAGE = "This action does not support personal API key access"


def required_scopes(*scopes: str):
    """Declares the scopes of one handler of a custom action (e.g. the PATCH of a GET route)."""

    def decorate(func):
        func.required_scopes = list(scopes)
        return func

    return decorate


def scopes_for_request(view, request: Request) -> list[str] | None:
    """The scopes a request needs, or None when no scope can grant it."""
    scope_object = getattr(view, "scope_object", None)
    if not scope_object:
        return None
    action = getattr(view, "action", None)
    handler = getattr(view, action, None) if action else None
    declared = getattr(handler, "required_scopes", None)
    if declared:
        return declared
    if action in READ_ACTIONS or request.method == "OPTIONS":
        return [f"{scope_object}:read"]
    # A PATCH on a list URL needs write too (dispatch then answers 405 if unmapped).
    on_list_route = "list" in (getattr(view, "action_map", None) or {}).values()
    if action in WRITE_ACTIONS or (action is None and request.method == "PATCH" and on_list_route):
        return [f"{scope_object}:write"]
    # A custom route declares its scopes for every method (DRF copies action kwargs onto the view),
    # so a method the route does not map is authorised here and answered with 405 by dispatch.
    route_scopes = getattr(view, "required_scopes", None)
    if route_scopes:
        return list(route_scopes)
    # A resource whose clients expect 405 for unmapped methods (e.g. `DELETE /llm_prompts/`) opts in;
    # by default no scope grants such a method (403).
    unmapped_scope = getattr(view, "unmapped_method_scope", None)
    if action is None and unmapped_scope:
        return [f"{scope_object}:{unmapped_scope}"]
    return None


class APIScopePermission(BasePermission):
    """Personal-key checks; session requests skip scopes but still need membership."""

    def has_permission(self, request: Request, view) -> bool:
        key = request.auth if isinstance(request.auth, PersonalAPIKey) else None
        if key is None:
            return True
        scopes = scopes_for_request(view, request)
        if scopes is None:
            raise exceptions.PermissionDenied(UNSUPPORTED_MESSAGE)
        project_based = getattr(view, "project_based", False)
        # An identity endpoint (about the caller, in no project) may opt in to keys of any scoping.
        if key.scoped_teams and not getattr(view, "allows_scoped_keys", False):
            if not project_based:
                raise exceptions.PermissionDenied(
                    "API keys with scoped projects are only supported on project-based endpoints."
                )
            team = view.team
            if team.id not in key.scoped_teams:
                raise exceptions.PermissionDenied(
                    f"API key does not have access to the requested project: ID {team.id}."
                )
        if key.scoped_organizations and project_based:
            team = view.team
            if str(team.organization_id) not in key.scoped_organizations:
                raise exceptions.PermissionDenied(
                    f"API key does not have access to the requested organization: ID {team.organization_id}."
                )
        missing = first_missing_scope(key.scopes or [], scopes)
        if missing:
            raise exceptions.PermissionDenied(f"API key missing required scope '{missing}'")
        return True


class ProjectMembershipPermission(BasePermission):
    """Any member of the project's organization may use it (RBAC is out of scope)."""

    message = "You don't have access to the project."

    def has_permission(self, request: Request, view) -> bool:
        if not getattr(view, "project_based", False):
            return True
        team = view.team
        is_member = getattr(team, "caller_is_member", None)
        if is_member is None:
            is_member = OrganizationMembership.objects.filter(
                user_id=request.user.pk, organization_id=team.organization_id
            ).exists()
        if not is_member:
            raise exceptions.PermissionDenied(self.message)
        return True


class AIDataProcessingApproved(BasePermission):
    """The LLM-backed endpoints answer only once the project's organization approved AI data
    processing. The view names what is being used (`ai_feature`, e.g. "translation")."""

    def has_permission(self, request: Request, view) -> bool:
        if view.team.organization.is_ai_data_processing_approved:
            return True
        raise exceptions.PermissionDenied(
            f"AI data processing must be approved by your organization before using {view.ai_feature}. "
            "An organization admin approves it with PATCH /api/organizations/@current/ "
            '{"is_ai_data_processing_approved": true}.'
        )
