"""HTTP layer of skills: validates input, calls services and selectors."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from llm_server import payload_cache
from llm_server.domain import ObjectNotFound
from llm_server.permissions import required_scopes
from llm_server.serializers import ResolveQuerySerializer, VersionQuerySerializer
from llm_server.versioned_views import (
    ConflictBodySerializer,
    NotFoundBodySerializer,
    resolve_response,
    version_param,
    version_response,
)
from llm_server.viewsets import ProjectScopedViewSet
from skills import selectors, services
from skills.content import lookup_path_is_invalid
from skills.domain import FileNotInSkill, InvalidFilePath
from skills.models import LLMSkill, LLMSkillFile
from skills.serializers import (
    BaseVersionQuerySerializer,
    EditFailedSerializer,
    FileConflictSerializer,
    SkillCreateSerializer,
    SkillDuplicateSerializer,
    SkillFileCreateSerializer,
    SkillFileRenameSerializer,
    SkillFileSerializer,
    SkillListItemSerializer,
    SkillListQuerySerializer,
    SkillPublishSerializer,
    SkillResolveSerializer,
    SkillSerializer,
    SkillVersionSummarySerializer,
)

NAME_PATH = r"(?P<skill_name>[^/]+)"

NAME_PARAMETER = OpenApiParameter("skill_name", OpenApiTypes.STR, OpenApiParameter.PATH)
FILE_PATH_PARAMETER = OpenApiParameter(
    "file_path", OpenApiTypes.STR, OpenApiParameter.PATH, description="The file's path; may contain '/'."
)
NOT_FOUND = OpenApiResponse(NotFoundBodySerializer, description="No such skill, version or file.")
CONFLICT = OpenApiResponse(ConflictBodySerializer, description="`base_version` is not the latest.")
FILE_CONFLICT = OpenApiResponse(
    FileConflictSerializer, description="`base_version` is not the latest, or the file path is taken."
)
WRITE_FAILED = OpenApiResponse(
    EditFailedSerializer,
    description="Invalid body, an edit that does not match exactly once, or a version or file limit reached.",
)


@extend_schema(tags=["llm_skills"])
class SkillViewSet(mixins.ListModelMixin, ProjectScopedViewSet):
    """Versioned agent skills: one immutable row per version, each with its own bundled files."""

    scope_object = "llm_skill"
    record_noun = "skill"
    # A duplicate onto a taken name is answered `{"attr": "new_name", "detail"}`, without the envelope.
    bare_name_taken_attrs = frozenset({"new_name"})
    serializer_class = SkillListItemSerializer
    queryset = LLMSkill.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        query = SkillListQuerySerializer(query_params=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.list_latest_skills(team=self.team, **query.validated_data)

    def _respond(self, row: LLMSkill, status_code: int = status.HTTP_200_OK) -> Response:
        """A written version, as the service read it back inside the write's transaction."""
        return Response(SkillSerializer(row).data, status=status_code)

    @extend_schema(parameters=[SkillListQuerySerializer])
    def list(self, request: Request, *args, **kwargs) -> Response:
        """Latest version of every active skill (without `body` and `files`).

        `search` matches name or description (case-insensitive); `created_by_id` is the last
        publisher; `order_by` is one of name, created_at, updated_at, version, latest_version,
        version_count, optionally prefixed with '-' (default -created_at)."""
        return super().list(request, *args, **kwargs)

    @extend_schema(request=SkillCreateSerializer, responses={201: SkillSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Create a skill at version 1, with its bundled files."""
        serializer = SkillCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.create_skill(team=self.team, created_by=request.user, **serializer.validated_data)
        return self._respond(row, status.HTTP_201_CREATED)

    # ---- by name -----------------------------------------------------------------------------

    @extend_schema(
        parameters=[NAME_PARAMETER, VersionQuerySerializer], responses={200: SkillSerializer, 404: NOT_FOUND}
    )
    @action(detail=False, methods=["get"], url_path=rf"name/{NAME_PATH}", required_scopes=["llm_skill:read"])
    def by_name(self, request: Request, skill_name: str, **kwargs) -> Response:
        """Latest version of a skill, or `?version=N`, with its file manifest and outline."""
        state = selectors.skill_state(
            team=self.team, name=skill_name, version=version_param(request.query_params), with_creator=True
        )
        return version_response(
            request,
            kind="skill.full",
            team=self.team,
            name=skill_name,
            state=state,
            get_row=lambda row_id: selectors.get_skill(team=self.team, name=skill_name, row_id=row_id),
            serializer=SkillSerializer,
        )

    @extend_schema(
        parameters=[NAME_PARAMETER],
        request=SkillPublishSerializer,
        responses={200: SkillSerializer, 400: WRITE_FAILED, 404: NOT_FOUND, 409: CONFLICT},
    )
    @by_name.mapping.patch
    @required_scopes("llm_skill:write")
    def publish(self, request: Request, skill_name: str, **kwargs) -> Response:
        """Publish a new version. Fields left out carry forward; `base_version` must be the latest.

        `edits` / `file_edits` are find/replace operations whose `old` text must occur exactly once."""
        serializer = SkillPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.publish_skill(
            team=self.team, name=skill_name, created_by=request.user, **serializer.validated_data
        )
        return self._respond(row)

    @extend_schema(parameters=[NAME_PARAMETER], request=None, responses={204: None, 404: NOT_FOUND})
    @action(
        detail=False,
        methods=["post"],
        url_path=rf"name/{NAME_PATH}/archive",
        required_scopes=["llm_skill:write"],
    )
    def archive(self, request: Request, skill_name: str, **kwargs) -> Response:
        """Archive every version of a skill; the name can then be created again."""
        services.archive_skill(team=self.team, name=skill_name)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[NAME_PARAMETER],
        request=SkillDuplicateSerializer,
        responses={201: SkillSerializer, 404: NOT_FOUND},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path=rf"name/{NAME_PATH}/duplicate",
        required_scopes=["llm_skill:write"],
    )
    def duplicate(self, request: Request, skill_name: str, **kwargs) -> Response:
        """Copy a skill's latest version and its files to a new name, at version 1."""
        serializer = SkillDuplicateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.duplicate_skill(
            team=self.team,
            name=skill_name,
            new_name=serializer.validated_data["new_name"],
            created_by=request.user,
        )
        return self._respond(row, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[NAME_PARAMETER, ResolveQuerySerializer],
        responses={200: SkillResolveSerializer, 404: NOT_FOUND},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=rf"resolve/name/{NAME_PATH}",
        required_scopes=["llm_skill:read"],
    )
    def resolve(self, request: Request, skill_name: str, **kwargs) -> Response:
        """A skill (latest, `version` or `version_id`) with a page of its version history."""
        return resolve_response(
            request,
            kind="skill.full",
            team=self.team,
            name=skill_name,
            get_row=selectors.get_skill,
            key="skill",
            row_serializer=SkillSerializer,
            summary_serializer=SkillVersionSummarySerializer,
        )

    # ---- bundled files -------------------------------------------------------------------------

    @extend_schema(
        parameters=[NAME_PARAMETER],
        request=SkillFileCreateSerializer,
        responses={201: SkillSerializer, 400: WRITE_FAILED, 404: NOT_FOUND, 409: FILE_CONFLICT},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path=rf"name/{NAME_PATH}/files",
        required_scopes=["llm_skill:write"],
    )
    def create_file(self, request: Request, skill_name: str, **kwargs) -> Response:
        """Add a file: publishes a new version holding the existing files plus this one."""
        serializer = SkillFileCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.create_skill_file(
            team=self.team, name=skill_name, created_by=request.user, **serializer.validated_data
        )
        return self._respond(row, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[NAME_PARAMETER],
        request=SkillFileRenameSerializer,
        responses={200: SkillSerializer, 400: WRITE_FAILED, 404: NOT_FOUND, 409: FILE_CONFLICT},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path=rf"name/{NAME_PATH}/files-rename",
        required_scopes=["llm_skill:write"],
    )
    def rename_file(self, request: Request, skill_name: str, **kwargs) -> Response:
        """Move a file to a new path: publishes a new version; content and type are kept."""
        serializer = SkillFileRenameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.rename_skill_file(
            team=self.team, name=skill_name, created_by=request.user, **serializer.validated_data
        )
        return self._respond(row)

    @extend_schema(
        parameters=[NAME_PARAMETER, FILE_PATH_PARAMETER, VersionQuerySerializer],
        responses={200: SkillFileSerializer, 400: NotFoundBodySerializer, 404: NOT_FOUND},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=rf"name/{NAME_PATH}/files/(?P<file_path>(?s:.+))",
        required_scopes=["llm_skill:read"],
    )
    def file(self, request: Request, skill_name: str, file_path: str, **kwargs) -> Response:
        """A bundled file with its content, from the latest version or `?version=N` (HEAD too)."""
        path = file_path.rstrip("/")
        # The skill (or version) is looked up first: a missing skill is a 404 whatever the path.
        state = selectors.skill_state(
            team=self.team, name=skill_name, version=version_param(request.query_params)
        )
        if state is None:
            raise ObjectNotFound(skill_name)
        if lookup_path_is_invalid(path):
            raise InvalidFilePath()
        # A version's files never change: (version id, path) names the answer for good.
        key = payload_cache.digest("skill.file", state.row_id, path)
        payload = payload_cache.get(key)
        if payload is None:
            try:
                payload = SkillFileSerializer(
                    selectors.get_skill_file(skill_version_id=state.row_id, path=path)
                ).data
            except LLMSkillFile.DoesNotExist:
                payload = payload_cache.ABSENT
            payload_cache.put(key, payload)
        if payload == payload_cache.ABSENT:
            raise FileNotInSkill(f"File '{path}' not found in skill '{skill_name}'.")
        tag = payload_cache.etag(key)
        if payload_cache.none_match(request, tag):
            return payload_cache.not_modified(tag)
        response = Response(payload)
        response["ETag"] = tag
        return response

    @extend_schema(
        parameters=[NAME_PARAMETER, FILE_PATH_PARAMETER, BaseVersionQuerySerializer],
        responses={200: SkillSerializer, 400: NotFoundBodySerializer, 404: NOT_FOUND, 409: CONFLICT},
    )
    @file.mapping.delete
    @required_scopes("llm_skill:write")
    def delete_file(self, request: Request, skill_name: str, file_path: str, **kwargs) -> Response:
        """Remove a file: publishes a new version without it (200 with that version)."""
        path = file_path.rstrip("/")
        if lookup_path_is_invalid(path):
            raise InvalidFilePath()
        query = BaseVersionQuerySerializer(query_params=request.query_params)
        query.is_valid(raise_exception=True)
        row = services.delete_skill_file(
            team=self.team,
            name=skill_name,
            path=path,
            created_by=request.user,
            base_version=query.validated_data.get("base_version"),
        )
        return self._respond(row)
