from datasets.views import DatasetItemViewSet, DatasetViewSet
from llm_server.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("datasets", DatasetViewSet, basename="datasets")
router.register("dataset_items", DatasetItemViewSet, basename="dataset_items")
