from llm_server.routers import OptionalSlashRouter
from tests.fixtures_app.views import (
    ExplodingWidgetViewSet,
    ForbidDestroyWidgetViewSet,
    NoPutWidgetViewSet,
    SoftDestroyWidgetViewSet,
)

router = OptionalSlashRouter()
router.register(r"test_widgets", ForbidDestroyWidgetViewSet, basename="test_widgets")
router.register(r"test_soft_widgets", SoftDestroyWidgetViewSet, basename="test_soft_widgets")
router.register(r"test_noput_widgets", NoPutWidgetViewSet, basename="test_noput_widgets")
router.register(r"test_exploding_widgets", ExplodingWidgetViewSet, basename="test_exploding_widgets")
