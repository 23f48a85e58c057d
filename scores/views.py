"""HTTP layer of scorers: validates input, calls services and selectors."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from llm_server.versioned_views import ConflictBodySerializer
from llm_server.viewsets import ProjectScopedViewSet
from scores import selectors, services
from scores.filters import ScoreDefinitionFilter
from scores.models import ScoreDefinition
from scores.serializers import (
    ScoreDefinitionCreateSerializer,
    ScoreDefinitionNewVersionSerializer,
    ScoreDefinitionSerializer,
    ScoreDefinitionUpdateSerializer,
)

NOT_FOUND = OpenApiResponse(description="No scorer with this id in the project (also for a malformed id).")
INVALID = OpenApiResponse(description="Invalid body: the envelope names the first invalid field.")
CONFLICT = OpenApiResponse(
    ConflictBodySerializer,
    description="`base_version` is no longer the current version; nothing was written.",
)
INPUT_SERIALIZERS = {
    "create": ScoreDefinitionCreateSerializer,
    "partial_update": ScoreDefinitionUpdateSerializer,
    "new_version": ScoreDefinitionNewVersionSerializer,
}


@extend_schema(tags=["llm_analytics"])
@extend_schema_view(
    list=extend_schema(
        description="Scorers of the project, by name. Only active ones unless `archived=true`.",
    ),
    retrieve=extend_schema(
        description="A scorer with its current config (archived ones too).",
        responses={200: ScoreDefinitionSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        description="Create a scorer at version 1. `config` is validated against `kind`; "
        "`archived: true` is refused.",
        request=ScoreDefinitionCreateSerializer,
        responses={201: ScoreDefinitionSerializer, 400: INVALID},
    ),
    partial_update=extend_schema(
        description="Change the name, description or archived flag. `kind` and `config` are ignored "
        "(configs change through `new_version`); `updated_at` moves only when a value changes.",
        request=ScoreDefinitionUpdateSerializer,
        responses={200: ScoreDefinitionSerializer, 400: INVALID, 404: NOT_FOUND},
    ),
)
class ScoreDefinitionViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ProjectScopedViewSet,
):
    """Scorers: what reviewers score traces with. Each config is an immutable version; there is
    no delete (DELETE: 403 for personal API keys, which no scope grants; 405 for a session)."""

    scope_object = "llm_analytics"
    record_noun = "scorer"
    # The update action exists (so PUT needs the write scope), but PUT itself is not allowed.
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = ScoreDefinitionSerializer
    filterset_class = ScoreDefinitionFilter
    queryset = ScoreDefinition.objects.none()  # for the schema; requests use get_queryset
    # Any segment reaches the id route, so a malformed id is a 404 "Not found." like an unknown one.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return selectors.visible_definitions(team=self.team)

    def get_serializer_class(self):
        return INPUT_SERIALIZERS.get(self.action, ScoreDefinitionSerializer)

    def filter_queryset(self, queryset):
        # Query filters shape the list; they never hide an archived scorer from its own routes.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer: ScoreDefinitionCreateSerializer) -> None:
        serializer.instance = services.create_definition(
            team=self.team, created_by=self.request.user, **serializer.validated_data
        )

    def update(self, request: Request, *args, **kwargs) -> Response:
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed(request.method)
        # The body is parsed before the lookup: a malformed body is a 400 even for an unknown id.
        request.data  # noqa: B018
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer: ScoreDefinitionUpdateSerializer) -> None:
        serializer.instance = services.update_definition(
            definition=serializer.instance, **serializer.validated_data
        )

    @extend_schema(
        description="Append a config version (always, even an identical config or an archived "
        "scorer) and answer the scorer with it as current. With `base_version`, 409 unless that is "
        "still the current version.",
        request=ScoreDefinitionNewVersionSerializer,
        responses={200: ScoreDefinitionSerializer, 400: INVALID, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="new_version", required_scopes=["llm_analytics:write"])
    def new_version(self, request: Request, *args, **kwargs) -> Response:
        request.data  # noqa: B018  (parsed before the lookup, as above)
        serializer = self.get_serializer(self.get_object(), data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.instance = services.add_version(
            team=self.team,
            definition_id=serializer.instance.pk,
            created_by=request.user,
            **serializer.validated_data,
        )
        return Response(serializer.data)
