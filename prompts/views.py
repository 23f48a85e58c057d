"""HTTP layer of prompts: validates input, calls services and selectors."""

from collections.abc import Sequence
from functools import partial

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from llm_server.domain import DomainValidationError
from llm_server.permissions import required_scopes
from llm_server.serializers import ResolveQuerySerializer
from llm_server.soft_delete import ForbidDestroyMixin
from llm_server.versioned_views import (
    ConflictBodySerializer,
    NotFoundBodySerializer,
    creator_state,
    resolve_response,
    version_response,
)
from llm_server.viewsets import ProjectScopedViewSet
from prompts import selectors, services
from prompts.labels import label_name_problem
from prompts.models import LLMPrompt
from prompts.serializers import (
    PromptCompiledSerializer,
    PromptCompileSerializer,
    PromptCreateSerializer,
    PromptDiffQuerySerializer,
    PromptDiffSerializer,
    PromptDuplicateSerializer,
    PromptEditFailedSerializer,
    PromptFetchQuerySerializer,
    PromptLabelMoveSerializer,
    PromptLabelSerializer,
    PromptLabelSetSerializer,
    PromptLegacyPatchSerializer,
    PromptLegacyUpdateSerializer,
    PromptListItemDocSerializer,
    PromptListItemSerializer,
    PromptListQuerySerializer,
    PromptPublicDocSerializer,
    PromptPublishSerializer,
    PromptResolveSerializer,
    PromptSerializer,
    PromptVersionSummarySerializer,
    list_item_serializer,
    public_serializer,
)

# Query parameters of GET by name; without any, the SDKs' plain fetch skips query validation.
FETCH_PARAMETERS = ("version", "label", "content")
LABEL_PATH = r"(?P<label_name>[^/]+)"
LABEL_PARAMETER = OpenApiParameter("label_name", OpenApiTypes.STR, OpenApiParameter.PATH)
LABEL_NOT_FOUND = OpenApiResponse(NotFoundBodySerializer, description="No such prompt, version or label.")
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
        return selectors.prompt_rows_with_stats(team=self.team)

    def get_serializer_class(self):
        return PromptListItemSerializer if self.action == "list" else PromptSerializer

    @extend_schema(parameters=[PromptListQuerySerializer], responses=PromptListItemDocSerializer(many=True))
    def list(self, request: Request, *args, **kwargs) -> Response:
        """Latest version of every active prompt, or with `label` each prompt carrying it at the
        version it points at. `content` shapes the items (full, preview, none)."""
        query = PromptListQuerySerializer(query_params=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        page = self.paginate_queryset(selectors.list_prompts(team=self.team, **params))
        selectors.attach_labels(page, team=self.team)
        return self.get_paginated_response(list_item_serializer(params["content"])(page, many=True).data)

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
        parameters=[NAME_PARAMETER, PromptFetchQuerySerializer],
        responses={200: PromptPublicDocSerializer, 404: NOT_FOUND_RESPONSE},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=rf"name/{NAME_PATH}",
        required_scopes=["llm_prompt:read"],
    )
    def by_name(self, request: Request, prompt_name: str, **kwargs) -> Response:
        """Latest version of a prompt, `?version=N`, or the version `?label=` points at (`latest`
        is implicit). This is what the SDKs call."""
        version = label = None
        content = "full"
        if any(name in request.query_params for name in FETCH_PARAMETERS):
            query = PromptFetchQuerySerializer(query_params=request.query_params)
            query.is_valid(raise_exception=True)
            version, label, content = (query.validated_data.get(name) for name in FETCH_PARAMETERS)
        # One cheap query names the state (following the label); its payload comes from the cache
        # (ETag, 304: see version_response).
        state = selectors.prompt_state(team=self.team, name=prompt_name, version=version, label=label)
        return version_response(
            request,
            kind=f"prompt.public:{content}:{label or ''}",
            team=self.team,
            name=prompt_name,
            state=state,
            get_row=lambda row_id: selectors.get_prompt(team=self.team, name=prompt_name, row_id=row_id),
            serializer=partial(public_serializer(content), context={"label": label}),
        )

    @extend_schema(
        parameters=[NAME_PARAMETER],
        request=PromptPublishSerializer,
        responses={
            200: PromptSerializer,
            400: OpenApiResponse(
                PromptEditFailedSerializer,
                description="Invalid body, an edit that does not match exactly once (`edit_index`), "
                "or the history reached 2000 versions.",
            ),
            404: NOT_FOUND_RESPONSE,
            409: OpenApiResponse(ConflictBodySerializer, description="`base_version` is not the latest."),
        },
    )
    @by_name.mapping.patch
    @required_scopes("llm_prompt:write")
    def publish(self, request: Request, prompt_name: str, **kwargs) -> Response:
        """Publish a new version; `base_version` must be the current latest version. `prompt`,
        `config` and `variables` left out carry forward; `edits` are find/replace operations on the
        latest prompt whose `old` text must occur exactly once. Labels do not move."""
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
        """A prompt (latest, `version` or `version_id`) with a page of its version history, and
        every label of the prompt."""
        return resolve_response(
            request,
            kind="prompt.full",
            team=self.team,
            name=prompt_name,
            get_row=selectors.get_prompt,
            key="prompt",
            row_serializer=PromptSerializer,
            summary_serializer=PromptVersionSummarySerializer,
            annotate=partial(self._annotate_resolve, prompt_name),
        )

    def _annotate_resolve(self, prompt_name: str, row: LLMPrompt, versions: Sequence[LLMPrompt]):
        """Labels on the chosen row and the page's versions, and every label of the prompt."""
        labels = selectors.labels_on(team=self.team, name=prompt_name, rows=(row, *versions))
        state = tuple(
            (
                label.pk.hex,
                label.name,
                label.prompt_id.hex,
                label.updated_at.isoformat(),
                creator_state(label.created_by),
            )
            for label in labels
        )
        return state, lambda: {"labels": PromptLabelSerializer(labels, many=True).data}

    # ---- legacy id routes -----------------------------------------------------------------------

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """A prompt version by id (legacy route)."""
        row = self.get_object()
        selectors.attach_labels([row], team=self.team)
        return Response(PromptSerializer(row).data)

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

    # ---- labels, diff, compile ------------------------------------------------------------------

    @staticmethod
    def _checked_label(label_name: str) -> str:
        problem = label_name_problem(label_name)
        if problem:
            raise DomainValidationError(problem[0], attr="label_name", code=problem[1])
        return label_name

    @extend_schema(
        parameters=[NAME_PARAMETER, LABEL_PARAMETER],
        request=PromptLabelSetSerializer,
        responses={
            200: OpenApiResponse(PromptLabelSerializer, description="Moved, or already on that version."),
            201: OpenApiResponse(PromptLabelSerializer, description="Created."),
            400: OpenApiResponse(description="Invalid label name or body, or the prompt has 50 labels."),
            404: LABEL_NOT_FOUND,
            409: OpenApiResponse(NotFoundBodySerializer, description="A concurrent write to the label won."),
        },
    )
    @action(
        detail=False,
        methods=["put"],
        url_path=rf"name/{NAME_PATH}/labels/{LABEL_PATH}",
        required_scopes=["llm_prompt:write"],
    )
    def label(self, request: Request, prompt_name: str, label_name: str, **kwargs) -> Response:
        """Point a label (`production`) at a version: creates it (201) or moves it (200). Releasing
        is pointing a label at a version; rolling back is pointing it back."""
        label_name = self._checked_label(label_name)
        serializer = PromptLabelSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        label, created = services.set_label(
            team=self.team,
            prompt_name=prompt_name,
            label=label_name,
            version=serializer.validated_data["version"],
            user=request.user,
        )
        return Response(
            PromptLabelSerializer(label).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        parameters=[NAME_PARAMETER, LABEL_PARAMETER],
        request=None,
        responses={
            204: None,
            400: OpenApiResponse(description="Invalid label name (`latest` is reserved)."),
            404: LABEL_NOT_FOUND,
        },
    )
    @label.mapping.delete
    @required_scopes("llm_prompt:write")
    def remove_label(self, request: Request, prompt_name: str, label_name: str, **kwargs) -> Response:
        """Remove a label; fetches by it are then a 404."""
        label_name = self._checked_label(label_name)
        services.remove_label(team=self.team, prompt_name=prompt_name, label=label_name, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[NAME_PARAMETER, LABEL_PARAMETER],
        responses={
            200: PromptLabelMoveSerializer(many=True),
            400: OpenApiResponse(description="Invalid label name (`latest` is reserved)."),
            404: LABEL_NOT_FOUND,
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=rf"name/{NAME_PATH}/labels/{LABEL_PATH}/history",
        required_scopes=["llm_prompt:read"],
    )
    def label_history(self, request: Request, prompt_name: str, label_name: str, **kwargs) -> Response:
        """Every move of a label, newest first: `from_version` null when it was created,
        `to_version` null when it was removed."""
        label_name = self._checked_label(label_name)
        moves = selectors.label_moves(team=self.team, name=prompt_name, label=label_name)
        page = self.paginate_queryset(moves)
        return self.get_paginated_response(PromptLabelMoveSerializer(page, many=True).data)

    @extend_schema(
        parameters=[NAME_PARAMETER, PromptDiffQuerySerializer],
        responses={
            200: PromptDiffSerializer,
            400: OpenApiResponse(description="`from` or `to` missing, not an integer, or below 1."),
            404: NOT_FOUND_RESPONSE,
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=rf"name/{NAME_PATH}/diff",
        required_scopes=["llm_prompt:read"],
    )
    def diff(self, request: Request, prompt_name: str, **kwargs) -> Response:
        """The difference between two versions: a unified diff with hunks and stats, and for JSON
        prompts the changed leaves as JSON pointers."""
        query = PromptDiffQuerySerializer(query_params=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(
            selectors.prompt_diff(
                team=self.team,
                name=prompt_name,
                from_version=query.validated_data["from"],
                to_version=query.validated_data["to"],
            )
        )

    @extend_schema(
        parameters=[NAME_PARAMETER],
        request=PromptCompileSerializer,
        responses={
            200: PromptCompiledSerializer,
            400: OpenApiResponse(
                description="Invalid body, or variables that are unknown, missing or of the wrong type."
            ),
            404: NOT_FOUND_RESPONSE,
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path=rf"name/{NAME_PATH}/compile",
        # Renders without writing anything.
        required_scopes=["llm_prompt:read"],
    )
    def compile(self, request: Request, prompt_name: str, **kwargs) -> Response:
        """Render a version (latest, `version` or `label`) with `variables`, checked against the
        version's declared variables."""
        serializer = PromptCompileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = serializer.validated_data
        return Response(
            selectors.compiled_prompt(
                team=self.team,
                name=prompt_name,
                values=params.get("variables") or {},
                version=params.get("version"),
                label=params.get("label"),
            )
        )
