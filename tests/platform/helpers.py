"""Small helpers shared by the platform tests (the error envelopes are tests/api.py's)."""

from datetime import timedelta
from urllib.parse import urlencode

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
