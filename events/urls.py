from django.urls import re_path

from events.text_repr_views import TextReprViewSet
from events.views import CaptureView
from llm_server.routers import OptionalSlashRouter

# Capture lives at the top level (`root_urlpatterns`): the token, not the path, picks the project.
router = OptionalSlashRouter()
router.register("llm_analytics/text_repr", TextReprViewSet, basename="llm_analytics_text_repr")

CAPTURE_PATHS = ("batch", "e", "i/v0/e", "capture", "track", "i/v0/ai/batch")

root_urlpatterns = [
    re_path(rf"^{path}/?$", CaptureView.as_view(), name=f"capture-{path.replace('/', '-')}")
    for path in CAPTURE_PATHS
]
