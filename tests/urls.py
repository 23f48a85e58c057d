from django.urls import path, re_path

from llm_server.routers import project_routes
from llm_server.urls import handler400, handler403, handler404, handler500  # noqa: F401
from llm_server.urls import urlpatterns as server_urlpatterns
from tests.fixtures_app.urls import router
from tests.fixtures_app.views import MeViewSet, plain_boom

# The test resource routes go first: the server's own list ends with the /api/ catch-all.
urlpatterns = [
    path("test_plain_boom", plain_boom),
    re_path(r"^api/test_me/?$", MeViewSet.as_view({"get": "list"})),
    *project_routes(router),
    *server_urlpatterns,
]
