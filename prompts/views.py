"""HTTP layer of prompts: validates input, calls services and selectors."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from llm_server.permissions import required_scopes
from llm_server.serializers import ResolveQuerySerializer, VersionQuerySerializer
from llm_server.soft_delete import ForbidDestroyMixin
from llm_server.versioned_views import (
    ConflictBodySerializer,
    NotFoundBodySerializer,
    resolve_response,
    version_param,
    version_response,
)
from llm_server.viewsets import ProjectScopedViewSet
from prompts import selectors, services
from prompts.models import LLMPrompt
from prompts.serializers import (
    PromptCreateSerializer,
    PromptDuplicateSerializer,
    PromptLegacyPatchSerializer,
    PromptLegacyUpdateSerializer,
    PromptPublicSerializer,
    PromptPublishSerializer,
    PromptResolveSerializer,
    PromptSerializer,
    PromptVersionSummarySerializer,
)

NAME_PATH = r"(?P<prompt_name>[^/]+)"

NAME_PARAMETER = OpenApiParameter("prompt_name", OpenApiTypes.STR, OpenApiParameter.PATH)
NOT_FOUND_RESPONSE = OpenApiResponse(NotFoundBodySerializer, description="No active prompt with this name.")


@extend_schema(tags=["llm_prompts"])
class PromptViewSet(
    ForbidDestroyMixin,
    mixins.ListModelMixin,
    ProjectScopedViewSet,
):
    """Versioned LLM prompts: one immutable row per version of a named prompt."""

    scope_object = "llm_prompt"
    record_noun = "prompt"
    # A method a route does not serve (e.g. `DELETE /llm_prompts/`) is a 405, not a 403.
    unmapped_method_scope = "write"
    serializer_class = PromptSerializer
    queryset = LLMPrompt.objects.none()  # for the schema; requests use get_queryset
    # Any segment reaches the id route, so a malformed id is a 404 "Not found." like an unknown one.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if self.action == "list":
            return selectors.list_latest_prompts(
                team=self.team,
                search=self.request.query_params.get("search"),
                order_by=self.request.query_params.get("order_by"),
            )
        return selectors.prompt_rows_with_stats(team=self.team)

    @extend_schema(
        parameters=[
            OpenApiParameter("search", OpenApiTypes.STR, description="Substring of the name or the prompt."),
            OpenApiParameter(
                "order_by",
                OpenApiTypes.STR,
                description="One of name, created_at, updated_at, version, latest_version, version_count, "
                "first_version_created_at, optionally prefixed with '-'. Default -created_at.",
            ),
        ]
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        """Latest version of every active prompt."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=PromptCreateSerializer, responses={201: PromptSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Create a prompt at version 1."""
        serializer = PromptCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.create_prompt(team=self.team, created_by=request.user, **serializer.validated_data)
        return self._respond(row, status.HTTP_201_CREATED)

    def _respond(self, row, status_code: int = status.HTTP_200_OK) -> Response:
        """A written version, as the service read it back inside the write's transaction."""
        return Response(PromptSerializer(row).data, status=status_code)

    # ---- by name -----------------------------------------------------------------------------

    @extend_schema(
        parameters=[NAME_PARAMETER, VersionQuerySerializer],
        responses={200: PromptPublicSerializer, 404: NOT_FOUND_RESPONSE},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=rf"name/{NAME_PATH}",
        required_scopes=["llm_prompt:read"],
    )
    def by_name(self, request: Request, prompt_name: str, **kwargs) -> Response:
        """Latest version of a prompt, or `?version=N`. This is what the SDKs call."""
        # One cheap query names the state; its payload comes from the cache (ETag, 304: see version_response).
        state = selectors.prompt_state(
            team=self.team, name=prompt_name, version=version_param(request.query_params)
        )
        return version_response(
            request,
            kind="prompt.public",
            team=self.team,
            name=prompt_name,
            state=state,
            get_row=lambda row_id: selectors.get_prompt(team=self.team, name=prompt_name, row_id=row_id),
            serializer=PromptPublicSerializer,
        )

    @extend_schema(
        parameters=[NAME_PARAMETER],
        request=PromptPublishSerializer,
        responses={
            200: PromptSerializer,
            400: OpenApiResponse(description="Invalid body, or the history reached 2000 versions."),
            404: NOT_FOUND_RESPONSE,
            409: OpenApiResponse(ConflictBodySerializer, description="`base_version` is not the latest."),
        },
    )
    @by_name.mapping.patch
    @required_scopes("llm_prompt:write")
    def publish(self, request: Request, prompt_name: str, **kwargs) -> Response:
        """Publish a new version; `base_version` must be the current latest version."""
        serializer = PromptPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.publish_prompt(
            team=self.team, name=prompt_name, created_by=request.user, **serializer.validated_data
        )
        return self._respond(row)

    @extend_schema(parameters=[NAME_PARAMETER], request=None, responses={204: None, 404: NOT_FOUND_RESPONSE})
    @action(
        detail=False,
        methods=["post"],
        url_path=rf"name/{NAME_PATH}/archive",
        required_scopes=["llm_prompt:write"],
    )
    def archive(self, request: Request, prompt_name: str, **kwargs) -> Response:
        """Archive every version of a prompt; the name can then be created again."""
        services.archive_prompt(team=self.team, name=prompt_name)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[NAME_PARAMETER],
        request=PromptDuplicateSerializer,
        responses={201: PromptSerializer, 404: NOT_FOUND_RESPONSE},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path=rf"name/{NAME_PATH}/duplicate",
        required_scopes=["llm_prompt:write"],
    )
    def duplicate(self, request: Request, prompt_name: str, **kwargs) -> Response:
        """Copy the latest version of a prompt to a new name, at version 1."""
        serializer = PromptDuplicateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.duplicate_prompt(
            team=self.team,
            name=prompt_name,
            new_name=serializer.validated_data["new_name"],
            created_by=request.user,
        )
        return self._respond(row, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[NAME_PARAMETER, ResolveQuerySerializer],
        responses={200: PromptResolveSerializer, 404: NOT_FOUND_RESPONSE},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=rf"resolve/name/{NAME_PATH}",
        required_scopes=["llm_prompt:read"],
    )
    def resolve(self, request: Request, prompt_name: str, **kwargs) -> Response:
        """A prompt (latest, `version` or `version_id`) with a page of its version history."""
        return resolve_response(
            request,
            kind="prompt.full",
            team=self.team,
            name=prompt_name,
            get_row=selectors.get_prompt,
            key="prompt",
            row_serializer=PromptSerializer,
            summary_serializer=PromptVersionSummarySerializer,
        )

    # ---- legacy id routes -----------------------------------------------------------------------

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """A prompt version by id (legacy route)."""
        return Response(PromptSerializer(self.get_object()).data)

    @extend_schema(
        request=PromptLegacyUpdateSerializer,
        responses={200: PromptSerializer, 409: OpenApiResponse(ConflictBodySerializer)},
    )
    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        """Legacy update by id: `prompt` publishes a new version, `name` renames the history,
        `deleted: true` archives it."""
        data = request.data  # a malformed body is a 400/415 even for an unknown id
        row = self.get_object()
        serializer_class = PromptLegacyPatchSerializer if partial else PromptLegacyUpdateSerializer
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        result = services.update_prompt_by_id(
            team=self.team, row=row, created_by=request.user, **serializer.validated_data
        )
        return Response(PromptSerializer(result).data)

    @extend_schema(
        request=PromptLegacyPatchSerializer,
        responses={200: PromptSerializer, 409: OpenApiResponse(ConflictBodySerializer)},
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        """Legacy partial update by id: `prompt` publishes a new version (409 unless the addressed
        row is the latest), `name` renames the history, `deleted: true` archives it."""
        return self.update(request, *args, partial=True, **kwargs)
