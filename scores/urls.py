from llm_server.routers import OptionalSlashRouter
from scores.views import ScoreDefinitionViewSet

router = OptionalSlashRouter()
router.register("llm_analytics/score_definitions", ScoreDefinitionViewSet, basename="score_definitions")
