from importlib import import_module

from django.contrib import admin
from django.urls import path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from llm_server import errors
from llm_server.accounts.views import OrganizationViewSet
from llm_server.apps_registry import RESOURCE_APPS
from llm_server.health import health
from llm_server.landing import landing, oauth_protected_resource, safe_methods_only
from llm_server.routers import project_routes

urlpatterns = [
    path("_health", health, name="health"),
    path("", landing, name="landing"),
    path(".well-known/oauth-protected-resource", oauth_protected_resource, name="oauth-protected-resource"),
    path("admin", RedirectView.as_view(url="/admin/", permanent=True)),
    path("admin/", admin.site.urls),
    # GET only: other methods get the API's JSON 405, not the docs renderer's HTML or YAML.
    re_path(r"^api/schema/?$", safe_methods_only(SpectacularAPIView.as_view()), name="schema"),
    re_path(
        r"^api/docs/?$",
        safe_methods_only(SpectacularSwaggerView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
    re_path(
        r"^api/organizations/(?P<pk>[^/]+)/?$",
        OrganizationViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="organization-detail",
    ),
    # Each resource app's `urls.router` (llm_server/apps_registry.py).
    *(route for app in RESOURCE_APPS for route in project_routes(import_module(f"{app}.urls").router)),
    # And its optional top-level `urls.root_urlpatterns` (routes outside any project).
    *(
        route
        for app in RESOURCE_APPS
        for route in getattr(import_module(f"{app}.urls"), "root_urlpatterns", [])
    ),
]

# Must stay last: any other /api/ path is an unknown endpoint, answered without authentication.
urlpatterns.append(re_path(r"^api(?:/.*)?$", errors.endpoint_not_found))

handler400 = "llm_server.errors.handler400"
handler403 = "llm_server.errors.handler403"
handler404 = "llm_server.errors.handler404"
handler500 = "llm_server.errors.handler500"
