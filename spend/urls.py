from django.urls import re_path

from llm_server.routers import OptionalSlashRouter
from spend.views import SpendViewSet

# No project-scoped routes: spend is about the caller, outside any project.
router = OptionalSlashRouter()

root_urlpatterns = [
    re_path(
        r"^api/llm_analytics/@me/spend/?$", SpendViewSet.as_view({"get": "retrieve"}), name="personal-spend"
    ),
]
