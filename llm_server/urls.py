from django.contrib import admin
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from datasets.urls import router as datasets_router
from llm_server import errors
from llm_server.health import health
from llm_server.routers import project_routes
from prompts.urls import router as prompts_router
from skills.urls import router as skills_router

urlpatterns = [
    path("_health", health, name="health"),
    path("admin/", admin.site.urls),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    *project_routes(prompts_router),
    *project_routes(skills_router),
    *project_routes(datasets_router),
]

# Must stay last: any other /api/ path is an unknown endpoint, answered without authentication.
urlpatterns.append(re_path(r"^api(?:/.*)?$", errors.endpoint_not_found))

handler400 = "llm_server.errors.handler400"
handler403 = "llm_server.errors.handler403"
handler404 = "llm_server.errors.handler404"
handler500 = "llm_server.errors.handler500"
