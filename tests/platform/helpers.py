"""Small helpers shared by the platform tests (the error envelopes are tests/api.py's)."""

import re
from datetime import timedelta
from urllib.parse import urlencode

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.fixtures_app.models import Widget

WIDGETS = "test_widgets"  # stands in for `datasets` (scope object `dataset`, DELETE → 405)
SOFT_WIDGETS = "test_soft_widgets"  # stands in for review queues (DELETE → 204 soft delete)
NOPUT_WIDGETS = "test_noput_widgets"  # stands in for score definitions (no PUT, no DELETE)

ENVELOPE_KEYS = ["type", "code", "detail", "attr"]
FORM = "application/x-www-form-urlencoded"


def form(data: dict) -> dict:
    """Keyword arguments for a form-encoded body (the test client defaults to JSON)."""
    return {"data": urlencode(data), "content_type": FORM}


def url(team_id, resource: str = WIDGETS, object_id=None, *, prefix: str = "projects") -> str:
    base = f"/api/{prefix}/{team_id}/{resource}/"
    return f"{base}{object_id}/" if object_id is not None else base


def make_widgets(team, count: int, **fields) -> list[Widget]:
    """Rows with strictly increasing created_at, so list order is deterministic."""
    start = timezone.now() - timedelta(hours=1)
    widgets = [Widget(team=team, name=f"w{i}", **fields) for i in range(count)]
    Widget.objects.bulk_create(widgets)
    for i, widget in enumerate(widgets):
        widget.created_at = start + timedelta(seconds=i)
    Widget.objects.bulk_update(widgets, ["created_at"])
    return widgets


def served_routes():
    """(full regex, URLPattern) of every route of the served URL conf (not the test fixture
    routes): the sweeps over every route use it, so a new route is covered without an edit."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    return list(walk(get_resolver("llm_server.urls").url_patterns))


def served_paths(project_id: int) -> list[str]:
    """One concrete request path per served route, ids and names filled with placeholders; the
    admin is left out."""
    paths = set()
    for raw, _ in served_routes():
        if raw.startswith("admin") or "format" in raw:
            continue
        path = raw.lstrip("^").rstrip("$").replace("\\.", ".")
        path = re.sub(r"\(\?P<project_id>[^)]*\)", str(project_id), path)
        path = re.sub(r"\(\?P<path>[^)]*\)", "a.md", path)
        path = re.sub(r"\(\?P<\w+>[^)]*\)", "x", path)
        path = path.replace("/?", "/")
        if "(" in path or "?" in path or "*" in path:
            continue
        paths.add("/" + path.lstrip("/"))
    return sorted(paths)
