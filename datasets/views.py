"""HTTP layer of datasets and dataset items: validates input, calls services and selectors."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from datasets import selectors, services
from datasets.filters import DatasetFilter, DatasetItemFilter
from datasets.models import Dataset, DatasetItem
from datasets.serializers import (
    DatasetItemBulkCreateSerializer,
    DatasetItemBulkResultSerializer,
    DatasetItemSerializer,
    DatasetSerializer,
)
from llm_server.pagination import DeferredJoinPagination
from llm_server.soft_delete import ForbidDestroyMixin
from llm_server.viewsets import ProjectScopedViewSet

BULK_DESCRIPTION = (
    "Import up to 1,000 items into one dataset in a single transaction: either every item is "
    "created or none is. An invalid item is reported with `attr` `items__<index>__<field>`. "
    "The created items are returned in the order sent."
)


class DatasetResourceViewSet(
    ForbidDestroyMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    ProjectScopedViewSet,
):
    """List, create, retrieve, PATCH and PUT; DELETE is refused (soft delete by PATCH).

    Writes go through the services: `perform_create`/`perform_update` call them and set
    `serializer.instance`, so the response is the written row.
    """

    scope_object = "dataset"
    # A method no route maps (e.g. DELETE on the collection) is a 405.
    unmapped_method_scope = "write"
    # Any segment reaches the id route, so a malformed id is a 404 "Not found." like an unknown one.
    lookup_value_regex = "[^/]+"

    def filter_queryset(self, queryset):
        # Query filters shape lists; they never hide or reject the object of a detail route.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def update(self, request: Request, *args, **kwargs) -> Response:
        # PUT and PATCH (partial_update calls this): the body is parsed first
        # (400/415 before the lookup), then 404, then the body is validated.
        request.data  # noqa: B018
        return super().update(request, *args, **kwargs)


@extend_schema(tags=["datasets"])
@extend_schema_view(create=extend_schema(description="Create a dataset. `deleted: true` creates it hidden."))
class DatasetViewSet(DatasetResourceViewSet):
    """Datasets of a project. Soft delete with PATCH `{"deleted": true}`; PATCH or PUT reach
    deleted datasets too, so `{"deleted": false}` restores one."""

    serializer_class = DatasetSerializer
    filterset_class = DatasetFilter
    queryset = Dataset.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return selectors.visible_datasets(team=self.team)
        return selectors.writable_datasets(team=self.team)

    def perform_create(self, serializer: DatasetSerializer) -> None:
        serializer.instance = services.create_dataset(
            team=self.team, created_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: DatasetSerializer) -> None:
        serializer.instance = services.update_dataset(
            dataset=serializer.instance, changes=serializer.validated_data
        )


@extend_schema(tags=["datasets"])
@extend_schema_view(create=extend_schema(description="Add one item to a dataset of this project."))
class DatasetItemViewSet(DatasetResourceViewSet):
    """Items of a project's datasets, newest first. Soft delete with PATCH `{"deleted": true}`."""

    serializer_class = DatasetItemSerializer
    filterset_class = DatasetItemFilter
    # A dataset can hold 100,000s of items; deep pages must not read every skipped row.
    pagination_class = DeferredJoinPagination
    queryset = DatasetItem.objects.none()

    def get_queryset(self):
        if self.action in ("list", "retrieve"):
            return selectors.visible_items(team=self.team)
        return selectors.writable_items(team=self.team)

    def get_serializer_class(self):
        return DatasetItemBulkCreateSerializer if self.action == "bulk" else DatasetItemSerializer

    def perform_create(self, serializer: DatasetItemSerializer) -> None:
        serializer.instance = services.create_dataset_item(
            team=self.team, created_by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: DatasetItemSerializer) -> None:
        serializer.instance = services.update_dataset_item(
            team=self.team, item=serializer.instance, changes=serializer.validated_data
        )

    @extend_schema(
        description=BULK_DESCRIPTION,
        request=DatasetItemBulkCreateSerializer,
        responses={
            201: DatasetItemBulkResultSerializer,
            400: OpenApiResponse(description="Invalid body or item; nothing was created."),
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk", required_scopes=["dataset:write"])
    def bulk(self, request: Request, *args, **kwargs) -> Response:
        """Create many items of one dataset at once."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = services.bulk_create_dataset_items(
            team=self.team,
            dataset=serializer.validated_data["dataset"],
            created_by=request.user,
            items=serializer.validated_data["items"],
        )
        results = DatasetItemSerializer(items, many=True, context=self.get_serializer_context()).data
        return Response({"count": len(items), "results": results}, status=status.HTTP_201_CREATED)
