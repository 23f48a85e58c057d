"""Operator pages: log records, read-only, searchable, filtered by service and severity."""

import pytest

from logs.models import LogRecord
from tests.logs.helpers import log_record, seed

pytestmark = pytest.mark.django_db

LOGS = "/admin/logs/logrecord/"
TRACE_ID = "5b8efff798038103d269b633813fc60c"


@pytest.fixture
def stored(client, world):
    seed(
        client,
        world.team.api_token,
        [
            log_record("payment failed for order", severity=("ERROR", 17), trace_id=TRACE_ID),
            log_record("cache warmed", severity=("DEBUG", 5)),
        ],
        service="checkout",
    )
    seed(
        client, world.team_b.api_token, [log_record("queue drained", severity=("WARN", 13))], service="worker"
    )
    return LogRecord.objects.all()


def listed(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_list_and_filters(admin_client, stored):
    page = listed(admin_client.get(LOGS))
    assert "payment failed" in page and "queue drained" in page and "cache warmed" in page
    page = listed(admin_client.get(LOGS, {"service": "worker"}))
    assert "queue drained" in page and "payment failed" not in page
    page = listed(admin_client.get(LOGS, {"severity": "ERROR"}))
    assert "payment failed" in page and "cache warmed" not in page and "queue drained" not in page
    page = listed(admin_client.get(LOGS, {"severity": "DEBUG"}))
    assert "cache warmed" in page and "payment failed" not in page


@pytest.mark.parametrize(
    ("term", "found", "absent"),
    [
        ("order", "payment failed", "cache warmed"),
        ("worker", "queue drained", "payment failed"),
        (TRACE_ID, "payment failed", "cache warmed"),
    ],
)
def test_search(admin_client, stored, term, found, absent):
    page = listed(admin_client.get(LOGS, {"q": term}))
    assert found in page and absent not in page


def test_read_only(admin_client, stored):
    record = stored.get(body="cache warmed")
    assert listed(admin_client.get(f"{LOGS}{record.pk}/change/"))
    assert admin_client.get(f"{LOGS}add/").status_code == 403
    admin_client.post(f"{LOGS}{record.pk}/change/", {"body": "changed"})
    assert admin_client.post(f"{LOGS}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.body == "cache warmed"
