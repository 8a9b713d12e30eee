"""The calendar feed, parsed by the icalendar library as a calendar app would, across both clock changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from boards import services
from tests.boards.factories import BoardFactory, MeetingFactory

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
pytestmark = pytest.mark.django_db


def london(*args):
    return dt.datetime(*args, tzinfo=LONDON)


def fetch(client, token):
    response = client.get(reverse("boards:calendar_ics", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events_by_summary(calendar):
    return {str(e["SUMMARY"]) + "|" + str(e.decoded("DTSTART")): e for e in calendar.walk("VEVENT")}


def test_feed_has_followed_boards_meetings_at_the_right_time_either_side_of_the_clock_changes(client, leader):
    board = BoardFactory(name="Health and Wellbeing Board")
    services.board_follow(user=leader, board=board)
    # 10:00 UK time each: GMT before 28 March 2027, BST after; BST before 31 October 2027, GMT after.
    starts = [london(2027, 3, 25, 10), london(2027, 4, 1, 10), london(2027, 10, 28, 10), london(2027, 11, 4, 10)]
    for start in starts:
        MeetingFactory(board=board, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    MeetingFactory(board=board, starts_at=london(2027, 3, 25, 10) + dt.timedelta(days=1),
                   paper_deadline=dt.date(2027, 3, 19))  # fmt: skip
    MeetingFactory(starts_at=london(2027, 3, 26, 14))  # a board the leader does not follow
    token = services.calendar_feed_regenerate(user=leader)

    calendar = fetch(client, token)

    [tz] = calendar.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/London"
    meetings = sorted(
        (e.decoded("DTSTART") for e in calendar.walk("VEVENT") if str(e["SUMMARY"]).endswith("meeting")),
    )
    assert len(meetings) == 5
    assert all(str(m.tzinfo) == "Europe/London" for m in meetings)
    in_utc = [m.astimezone(UTC).hour for m in meetings]
    # GMT = UTC; BST = UTC+1, so 10:00 in summer is 09:00 UTC.
    assert in_utc == [10, 10, 9, 9, 10]
    assert [m.astimezone(LONDON).hour for m in meetings] == [10, 10, 10, 10, 10]
    [deadline] = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]).startswith("Paper deadline")]
    assert deadline.decoded("DTSTART") == dt.date(2027, 3, 19)
    assert all(e["UID"] for e in calendar.walk("VEVENT"))


def test_the_raw_feed_names_the_london_zone_on_each_time(client, leader):
    board = BoardFactory()
    services.board_follow(user=leader, board=board)
    MeetingFactory(board=board, starts_at=london(2027, 7, 1, 18, 30))
    token = services.calendar_feed_regenerate(user=leader)

    body = client.get(reverse("boards:calendar_ics", args=[token])).content.decode()

    assert "DTSTART;TZID=Europe/London:20270701T183000" in body
    assert "BEGIN:VTIMEZONE" in body


def test_a_new_address_revokes_the_old_and_switching_off_revokes_all(client, leader):
    old = services.calendar_feed_regenerate(user=leader)
    new = services.calendar_feed_regenerate(user=leader)

    assert client.get(reverse("boards:calendar_ics", args=[old])).status_code == 404
    assert client.get(reverse("boards:calendar_ics", args=[new])).status_code == 200

    services.calendar_feed_revoke(user=leader)
    assert client.get(reverse("boards:calendar_ics", args=[new])).status_code == 404


def test_only_a_hash_of_the_token_is_stored(leader):
    from boards.models import CalendarFeed

    token = services.calendar_feed_regenerate(user=leader)

    stored = CalendarFeed.objects.get(user=leader).token_hash
    assert token not in stored
    assert stored == services.feed_token_hash(token)


def test_the_feed_page_shows_a_new_address_once(client, leader):
    client.force_login(leader)

    response = client.post(reverse("boards:calendar_feed"), {"action": "regenerate"}, follow=True)
    html = response.content.decode()
    assert "/boards/calendar/feed/" in html
    assert "/boards/calendar/feed/" not in client.get(reverse("boards:calendar_feed")).content.decode()
