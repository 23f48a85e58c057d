from assist.views import TranslateViewSet
from llm_server.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("llm_analytics/translate", TranslateViewSet, basename="llm_analytics_translate")
