"""HTTP layer of datasets and dataset items: validates input, calls services and selectors."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
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
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ProjectScopedViewSet,
):
    """List, create, retrieve, PATCH and PUT; DELETE is refused (soft delete by PATCH)."""

    scope_object = "dataset"
    # datasets spec §4.6: a method no route maps (e.g. DELETE on the collection) is a 405.
    unmapped_method_scope = "write"
    # Any segment reaches the id route, so a malformed id is a 404 "Not found." like an unknown one.
    lookup_value_regex = "[^/]+"

    def filter_queryset(self, queryset):
        # Query filters shape lists; they never hide or reject the object of a detail route.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _write(self, request: Request, partial: bool) -> Response:
        # The body is parsed first (platform spec §5: 400/415 before the lookup), then 404, then
        # the body is validated (datasets spec §4.4).
        data = request.data
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=data, partial=partial)
        serializer.is_valid(raise_exception=True)
        updated = self.perform_write(instance, serializer.validated_data)
        return Response(self.get_serializer(updated).data)

    def perform_write(self, instance, changes: dict):
        raise NotImplementedError

    def update(self, request: Request, *args, **kwargs) -> Response:
        return self._write(request, partial=False)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        return self._write(request, partial=True)


@extend_schema(tags=["datasets"])
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

    def create(self, request: Request, *args, **kwargs) -> Response:
        """Create a dataset. `deleted: true` creates it hidden."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dataset = services.create_dataset(
            team=self.team, created_by=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(dataset).data, status=status.HTTP_201_CREATED)

    def perform_write(self, instance: Dataset, changes: dict) -> Dataset:
        return services.update_dataset(dataset=instance, **changes)


@extend_schema(tags=["datasets"])
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

    def create(self, request: Request, *args, **kwargs) -> Response:
        """Add one item to a dataset of this project."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.create_dataset_item(
            team=self.team, created_by=request.user, **serializer.validated_data
        )
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def perform_write(self, instance: DatasetItem, changes: dict) -> DatasetItem:
        return services.update_dataset_item(team=self.team, item=instance, **changes)

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
