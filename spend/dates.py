"""The spend window's dates: ISO dates and datetimes, or relative shorthands such as `-7d`.

A relative value is subtracted from one `now` shared by both ends of the window (not truncated to
the start of a day); `Start`/`End` snap the smaller units. Calendar months and years move by the
calendar, keeping the day within the target month.
"""

import calendar
import re
from datetime import UTC, datetime, timedelta

RELATIVE = re.compile(r"^-?\d+[hdwmqyHDWMQY](Start|End)?$")
# Where a digit-leading value is not an ISO date, the first unit found in it counts.
UNIT = re.compile(r"\-?(?P<number>[0-9]+)?(?P<kind>[hdwmqysHDWMQY])(?P<position>Start|End)?")
YEAR = re.compile(r"^(\d{4})$")
YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_WINDOW = timedelta(days=90)
# What `Start` / `End` set, per unit (`mEnd` and `yEnd` are the 31st, kept within the month).
SNAPS = {
    "h": {
        "Start": {"minute": 0, "second": 0, "microsecond": 0},
        "End": {"minute": 59, "second": 59, "microsecond": 999999},
    },
    "d": {
        "Start": {"hour": 0, "minute": 0, "second": 0, "microsecond": 0},
        "End": {"hour": 23, "minute": 59, "second": 59, "microsecond": 999999},
    },
    "m": {"Start": {"day": 1}, "End": {"day": 31}},
    "y": {"Start": {"month": 1, "day": 1}, "End": {"day": 31}},
}


class UnreadableDate(ValueError):
    """A value that is neither ISO-like nor a relative shorthand, or that cannot be resolved."""


def unreadable_message(value: str) -> str:
    return (
        f"Could not parse `{value}`. Use an ISO date (e.g. `2026-04-23`) or relative shorthand (e.g. `-7d`)."
    )


def resolve(value: str, now: datetime) -> datetime:
    """`value` as a UTC datetime. Raises UnreadableDate with the client-facing message."""
    if not (RELATIVE.match(value) or value[:1].isdigit()):
        raise UnreadableDate(unreadable_message(value))
    try:
        parsed = _iso(value)
        if parsed is not None:
            return parsed
        match = UNIT.search(value)
        if match is None:
            return now
        return _shift_back(now, **match.groupdict())
    except (ValueError, OverflowError) as exc:
        raise UnreadableDate(f"Could not parse `{value}`: {exc}") from exc


def _iso(value: str) -> datetime | None:
    parsed = None
    for parse in (datetime.fromisoformat, _year_or_month, _unpadded_date):
        try:
            parsed = parse(value)
        except ValueError:
            continue
        if parsed is not None:
            break
    if parsed is None:
        return None
    # Naive values are UTC; offsets are converted.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _year_or_month(value: str) -> datetime | None:
    if match := YEAR.match(value):
        return datetime(int(match[1]), 1, 1)
    if match := YEAR_MONTH.match(value):
        return datetime(int(match[1]), int(match[2]), 1)
    return None


def _unpadded_date(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d")


def _shift_back(now: datetime, *, number: str | None, kind: str, position: str | None) -> datetime:
    """`now` minus `<number><kind>`, with `Start`/`End` setting the smaller units."""
    count = int(number) if number else 0
    months = days = hours = minutes = seconds = 0
    snap = SNAPS.get(kind, {}).get(position or "", {})
    if kind == "h":
        hours = count
    elif kind == "d":
        days = count
    elif kind == "w":
        days = 7 * count
    elif kind == "m":
        months = count
    elif kind == "M":
        minutes = count
    elif kind == "s":
        seconds = count
    elif kind == "q":
        days = 7 * 13 * count
    elif kind == "y":
        months = 12 * count
    # Other capitals pass the shorthand pattern but move nothing.
    year, month = divmod(now.year * 12 + snap.get("month", now.month) - 1 - months, 12)
    month += 1
    day = min(calendar.monthrange(year, month)[1], snap.get("day", now.day))
    times = {unit: snap[unit] for unit in ("hour", "minute", "second", "microsecond") if unit in snap}
    moved = now.replace(year=year, month=month, day=day, **times)
    return moved + timedelta(days=-days, hours=-hours, minutes=-minutes, seconds=-seconds)


def iso_z(moment: datetime) -> str:
    """UTC ISO-8601 with a `Z` suffix; microseconds only when non-zero."""
    text = moment.astimezone(UTC).isoformat()
    return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text
