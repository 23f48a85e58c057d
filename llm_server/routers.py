"""Routers for project-scoped resources: trailing slash optional, no redirect."""

from django.urls import include, re_path
from rest_framework.routers import SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    def __init__(self):
        super().__init__()
        # SimpleRouter only takes a boolean; the pattern itself makes the slash optional.
        self.trailing_slash = "/?"


def project_routes(router: SimpleRouter) -> list:
    """Mounts one router under `/api/projects/<id>/` and `/api/environments/<id>/`."""
    return [
        re_path(rf"^api/{prefix}/(?P<project_id>[^/]+)/", include(router.urls))
        for prefix in ("projects", "environments")
    ]
