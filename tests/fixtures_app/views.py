from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from llm_server.permissions import APIScopePermission, ProjectMembershipPermission
from llm_server.serializers import UserBasicSerializer
from llm_server.soft_delete import ForbidDestroyMixin, SoftDestroyMixin, set_deleted
from llm_server.viewsets import ProjectScopedViewSet
from tests.fixtures_app.models import Widget


class WidgetSerializer(serializers.ModelSerializer):
    created_by = UserBasicSerializer(read_only=True)
    name = serializers.CharField(max_length=10)
    description = serializers.CharField(max_length=5, required=False)

    class Meta:
        model = Widget
        fields = ["id", "name", "description", "deleted", "created_by", "created_at", "updated_at"]
        read_only_fields = ["id", "created_by", "created_at", "updated_at"]

    def create(self, validated_data):
        validated_data.pop("deleted", None)
        return Widget.objects.create(
            team=self.context["team"], created_by=self.context["request"].user, **validated_data
        )

    def update(self, instance, validated_data):
        deleted = validated_data.pop("deleted", None)
        instance = super().update(instance, validated_data)
        if deleted is not None:
            set_deleted(instance, deleted)
        return instance


class WidgetQuerysetMixin:
    serializer_class = WidgetSerializer
    scope_object = "dataset"

    def get_queryset(self):
        return (
            Widget.objects.filter(team=self.team, deleted=False)
            .select_related("created_by")
            .order_by("created_at", "id")
        )


class ForbidDestroyWidgetViewSet(
    WidgetQuerysetMixin,
    ForbidDestroyMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ProjectScopedViewSet,
):
    """Like datasets: DELETE is refused, PATCH deleted:true soft-deletes."""


class SoftDestroyWidgetViewSet(
    WidgetQuerysetMixin,
    SoftDestroyMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    ProjectScopedViewSet,
):
    """Like review queues: DELETE soft-deletes with 204."""

    scope_object = "llm_analytics"


class NoPutWidgetViewSet(
    WidgetQuerysetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ProjectScopedViewSet,
):
    """Like score definitions: an update action exists but PUT is not an allowed method."""

    scope_object = "llm_analytics"
    http_method_names = ["get", "post", "patch", "head", "options"]


class ExplodingWidgetViewSet(WidgetQuerysetMixin, ProjectScopedViewSet):
    """An action that fails with an unexpected error, to check the generic 500 envelope."""

    @action(detail=False, methods=["get"], required_scopes=["dataset:read"])
    def boom(self, request, **kwargs):
        raise RuntimeError("internal detail that must not leak")


def plain_boom(request):
    """A plain Django view (outside DRF) failing with an unexpected error."""
    raise RuntimeError("internal detail that must not leak")


class MeViewSet(viewsets.ViewSet):
    """An un-nested identity endpoint (scope object `user`), shaped like `/api/llm_analytics/@me/spend/`."""

    scope_object = "user"
    project_based = False
    permission_classes = [IsAuthenticated, APIScopePermission, ProjectMembershipPermission]

    def list(self, request):
        return Response({"email": request.user.email})
