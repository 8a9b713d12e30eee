"""The iCalendar (RFC 5545) feed of a user's followed boards: meetings as timed events in
Europe/London, paper deadlines as all-day events, so Outlook and Google Calendar show the right local
time on both sides of a clock change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

from boards.models import Meeting

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Common Ground//Boards calendar//EN"


def _uid(kind: str, meeting: Meeting) -> str:
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "common-ground"
    return f"{kind}-{meeting.pk}@{host}"


def build_calendar(*, meetings: Iterable[Meeting], name: str, now: dt.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/London")
    # Calendar apps poll at their own pace; this is a hint that hourly is plenty.
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    base = settings.SITE_URL.rstrip("/")
    for meeting in meetings:
        board = meeting.board
        url = f"{base}{meeting.get_absolute_url()}"
        start = meeting.starts_at.astimezone(LONDON)
        end = (meeting.ends_at or meeting.starts_at + dt.timedelta(hours=2)).astimezone(LONDON)
        event = Event()
        event.add("uid", _uid("meeting", meeting))
        event.add("dtstamp", now)
        event.add("last-modified", meeting.updated_at)
        event.add("summary", f"{board.name} meeting")
        event.add("dtstart", start)
        event.add("dtend", end)
        where = meeting.venue or ("Online" if meeting.online_url else "")
        if where:
            event.add("location", where)
        lines = [f"Board: {board.name} ({board.area.name})", f"Status: {meeting.get_status_display()}"]
        if meeting.agenda_item:
            lines.append(f"Our agenda item: {meeting.agenda_item}")
        if meeting.online_url:
            lines.append(f"Join online: {meeting.online_url}")
        lines.append(url)
        event.add("description", "\n".join(lines))
        event.add("url", url)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
        if meeting.paper_deadline:
            deadline = Event()
            deadline.add("uid", _uid("paper-deadline", meeting))
            deadline.add("dtstamp", now)
            deadline.add("summary", f"Paper deadline: {board.name}")
            deadline.add("dtstart", meeting.paper_deadline)
            deadline.add("dtend", meeting.paper_deadline + dt.timedelta(days=1))
            deadline.add("transp", "TRANSPARENT")
            deadline.add("description", f"Papers due for the meeting on {start:%d %B %Y at %H:%M}.\n{url}")
            deadline.add("url", url)
            calendar.add_component(deadline)
    # VTIMEZONE for Europe/London, built from the tz database, so clients need no outside lookup.
    calendar.add_missing_timezones()
    return calendar.to_ical()
