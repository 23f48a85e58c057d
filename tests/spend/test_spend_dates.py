"""The spend window's date rules, on the parser itself and through the endpoint."""

from datetime import UTC, datetime

import pytest

from spend.dates import UnreadableDate, iso_z, resolve
from tests.api import validation
from tests.spend.helpers import get_spend

NOW = datetime(2026, 3, 31, 15, 45, 30, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-04-23", datetime(2026, 4, 23, tzinfo=UTC)),
        ("2026-04-23T10:00", datetime(2026, 4, 23, 10, tzinfo=UTC)),
        ("2026-04-23T10:00:05.5", datetime(2026, 4, 23, 10, 0, 5, 500000, tzinfo=UTC)),
        ("2026-04-23T10:00:00+02:00", datetime(2026, 4, 23, 8, tzinfo=UTC)),
        ("2026-04-23T10:00:00Z", datetime(2026, 4, 23, 10, tzinfo=UTC)),
        ("2026-04-23 10:00", datetime(2026, 4, 23, 10, tzinfo=UTC)),
        ("2026-4-3", datetime(2026, 4, 3, tzinfo=UTC)),
        ("20260423", datetime(2026, 4, 23, tzinfo=UTC)),
        ("2026-04", datetime(2026, 4, 1, tzinfo=UTC)),
        ("2026", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_iso_values(value, expected):
    assert resolve(value, NOW) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("-7d", datetime(2026, 3, 24, 15, 45, 30, 123456, tzinfo=UTC)),
        ("7d", datetime(2026, 3, 24, 15, 45, 30, 123456, tzinfo=UTC)),
        ("-7dStart", datetime(2026, 3, 24, tzinfo=UTC)),
        ("-7dEnd", datetime(2026, 3, 24, 23, 59, 59, 999999, tzinfo=UTC)),
        ("-3h", datetime(2026, 3, 31, 12, 45, 30, 123456, tzinfo=UTC)),
        ("-3hStart", datetime(2026, 3, 31, 12, tzinfo=UTC)),
        ("-2w", datetime(2026, 3, 17, 15, 45, 30, 123456, tzinfo=UTC)),
        ("-1m", datetime(2026, 2, 28, 15, 45, 30, 123456, tzinfo=UTC)),  # the day is kept within February
        ("-1mStart", datetime(2026, 2, 1, 15, 45, 30, 123456, tzinfo=UTC)),
        ("-1q", datetime(2025, 12, 30, 15, 45, 30, 123456, tzinfo=UTC)),
        ("-1y", datetime(2025, 3, 31, 15, 45, 30, 123456, tzinfo=UTC)),
        ("-1yStart", datetime(2025, 1, 1, 15, 45, 30, 123456, tzinfo=UTC)),
        ("-30M", datetime(2026, 3, 31, 15, 15, 30, 123456, tzinfo=UTC)),
        ("-5D", NOW),  # other capitals move nothing
        ("2026-13-45", NOW),  # digit-leading but no date, and no unit in it
        ("5s", datetime(2026, 3, 31, 15, 45, 25, 123456, tzinfo=UTC)),
    ],
)
def test_relative_values(value, expected):
    assert resolve(value, NOW) == expected


@pytest.mark.parametrize("value", ["wibble", "", "now", "-d", "today", "T10:00"])
def test_unreadable_values(value):
    with pytest.raises(UnreadableDate) as raised:
        resolve(value, NOW)
    assert str(raised.value) == (
        f"Could not parse `{value}`. Use an ISO date (e.g. `2026-04-23`) or relative shorthand (e.g. `-7d`)."
    )


def test_values_that_cannot_be_resolved():
    with pytest.raises(UnreadableDate) as raised:
        resolve("-99999999d", NOW)
    assert str(raised.value) == "Could not parse `-99999999d`: date value out of range"


def test_iso_z_keeps_microseconds_only_when_set():
    assert iso_z(NOW) == "2026-03-31T15:45:30.123456Z"
    assert iso_z(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("params", "attr", "detail"),
    [
        (
            {"date_from": "-91d"},
            "date_from",
            "Window between `date_from` and `date_to` cannot exceed 90 days.",
        ),
        (
            {"date_from": "-13w"},
            "date_from",
            "Window between `date_from` and `date_to` cannot exceed 90 days.",
        ),
        (
            {"date_from": "-1q"},
            "date_from",
            "Window between `date_from` and `date_to` cannot exceed 90 days.",
        ),
        ({"date_from": "-5D"}, "date_to", "Must be later than `date_from`."),
        ({"date_from": "2026-13-45"}, "date_to", "Must be later than `date_from`."),
        ({"date_from": "-7d", "date_to": "-7d"}, "date_to", "Must be later than `date_from`."),
        (
            {"date_to": "wibble"},
            "date_to",
            "Could not parse `wibble`. Use an ISO date (e.g. `2026-04-23`) or relative shorthand (e.g. `-7d`).",
        ),
        ({"date_from": "-99999999d"}, "date_from", "Could not parse `-99999999d`: date value out of range"),
    ],
)
def test_window_errors(client, world, params, attr, detail):
    response = get_spend(client, world.k_all, **params)
    assert response.status_code == 400
    assert response.json() == validation(attr, "invalid_input", detail)


def test_absolute_window_is_echoed(client, world):
    response = get_spend(client, world.k_all, date_from="2026-01-01", date_to="2026-01-31T12:00:00+01:00")
    summary = response.json()["summary"]
    assert (summary["date_from"], summary["date_to"]) == ("2026-01-01T00:00:00Z", "2026-01-31T11:00:00Z")


def test_exactly_90_days_is_allowed(client, world):
    assert get_spend(client, world.k_all, date_from="-90d").status_code == 200
    assert get_spend(client, world.k_all, date_from="2026-01-01", date_to="2026-04-01").status_code == 200
    assert (
        get_spend(client, world.k_all, date_from="2026-01-01", date_to="2026-04-01T00:00:01").status_code
        == 400
    )
