from django.urls import re_path

from llm_server.routers import OptionalSlashRouter
from logs.explain_views import ExplainLogViewSet
from logs.views import LogAttributesViewSet, LogsIngestView

# Ingest lives at the top level (`root_urlpatterns`): the token, not the path, picks the project.
router = OptionalSlashRouter()
router.register("logs/attributes", LogAttributesViewSet, basename="logs_attributes")
router.register("logs/explainLogWithAI", ExplainLogViewSet, basename="logs_explain")

root_urlpatterns = [
    re_path(r"^i/v1/logs/?$", LogsIngestView.as_view(), name="logs-ingest"),
]
