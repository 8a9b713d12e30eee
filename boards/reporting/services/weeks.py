"""ISO weeks in London time: a report week runs from Monday 00:00 to the next Monday 00:00 local time."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_week(label: str) -> dt.date:
    """The Monday of an ISO week written as 2026-W47."""
    match = WEEK_RE.match(label.strip().upper())
    if not match:
        raise ValueError(f"“{label}” is not a week. Write it as year-W-week, for example 2026-W47.")
    try:
        return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as error:
        raise ValueError(f"{label} is not a week of {match[1]}: {error}.") from error


def week_label(week_start: dt.date) -> str:
    year, week, _ = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def last_completed_week(now: dt.datetime | None = None) -> dt.date:
    """The Monday of the latest week that has ended (London time)."""
    today = (now or timezone.now()).astimezone(LONDON).date()
    return monday_of(today) - dt.timedelta(days=7)


def week_bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware instants of local midnight at the start and end of the week (a clock change week is 167 or
    169 hours long, which zoneinfo gets right)."""
    start = dt.datetime.combine(week_start, dt.time.min, tzinfo=LONDON)
    end = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time.min, tzinfo=LONDON)
    return start, end
