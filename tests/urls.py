from llm_server.routers import project_routes
from llm_server.urls import handler400, handler403, handler404, handler500  # noqa: F401
from llm_server.urls import urlpatterns as server_urlpatterns
from tests.fixtures_app.urls import router

# The test resource routes go first: the server's own list ends with the /api/ catch-all.
urlpatterns = [*project_routes(router), *server_urlpatterns]
