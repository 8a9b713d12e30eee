"""The daily digest: what goes in it, exactly once per occasion, retries, and the clock-change days."""

from __future__ import annotations

import datetime as dt
import smtplib
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from boards.models import BoardFollow, Commitment
from boards.reporting import selectors
from boards.reporting.models import Reminder, ReminderDigest
from boards.reporting.services import reminders
from tests.boards.factories import BoardFactory, CommitmentFactory, EngagementFactory, MeetingFactory
from tests.crm.factories import ContactFactory
from tests.factories import UserFactory

LONDON = ZoneInfo("Europe/London")


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LONDON)


@pytest.fixture
def world(db):
    """A leader with one of each thing a digest lists, on Monday 16 November 2026."""
    with time_machine.travel(at(2026, 11, 16, 9), tick=False):
        user = UserFactory(email="leader@example.org", full_name="Lee Leader")
        today = dt.date(2026, 11, 16)
        followed = BoardFactory(name="Followed board", owner=None)
        BoardFollow.objects.create(user=user, board=followed)
        cold_board = BoardFactory(name="Quiet board", owner=user)
        EngagementFactory(board=cold_board, date=today - dt.timedelta(days=60))
        due = CommitmentFactory(owner=user, description="Send the pack", due_date=today + dt.timedelta(days=3))
        overdue = CommitmentFactory(owner=user, description="Chase the chair", due_date=today - dt.timedelta(days=2))
        CommitmentFactory(owner=user, description="Far away", due_date=today + dt.timedelta(days=30))
        meeting = MeetingFactory(board=followed, starts_at=at(2026, 11, 19, 10), paper_deadline=dt.date(2026, 11, 18))
        MeetingFactory(board=BoardFactory(name="Not followed"), starts_at=at(2026, 11, 18, 10))
        contact = ContactFactory(owner=user)
    return {"user": user, "due": due, "overdue": overdue, "meeting": meeting, "cold_board": cold_board,
            "contact": contact, "followed": followed}  # fmt: skip


@pytest.fixture
def mail(smtp_settings):
    return smtp_settings


def test_items_are_what_my_work_shows_within_the_lead_times(world):
    # Given the world on its Monday; When the user's items are read
    with time_machine.travel(at(2026, 11, 16, 9), tick=False):
        items = selectors.reminder_items_for(user=world["user"])
    # Then each section holds exactly the expected things, with their occasions
    kinds = {(i.kind, i.item_id, i.occasion) for i in items.all}
    assert (Reminder.Kind.FOLLOW_UP_DUE, world["due"].pk, dt.date(2026, 11, 19)) in kinds
    assert (Reminder.Kind.FOLLOW_UP_OVERDUE, world["overdue"].pk, dt.date(2026, 11, 14)) in kinds
    assert (Reminder.Kind.MEETING, world["meeting"].pk, dt.date(2026, 11, 19)) in kinds
    assert (Reminder.Kind.PAPER_DEADLINE, world["meeting"].pk, dt.date(2026, 11, 18)) in kinds
    assert (Reminder.Kind.COLD_BOARD, world["cold_board"].pk, dt.date(2026, 9, 17)) in kinds
    assert (Reminder.Kind.COLD_AREA, world["cold_board"].area_id, dt.date(2026, 9, 17)) in kinds
    assert any(i.kind == Reminder.Kind.COLD_CONTACT and i.item_id == world["contact"].pk for i in items.all)
    assert not any(i.title == "Far away" for i in items.all)
    assert len([i for i in items.all if i.kind == Reminder.Kind.MEETING]) == 1  # the unfollowed board's is left out
    assert all(i.url.startswith("http") for i in items.all)


def test_digest_is_sent_once_and_each_item_only_once_per_occasion(world, mail):
    user = world["user"]
    # When the digest runs on Monday, twice
    with time_machine.travel(at(2026, 11, 16, 9), tick=False):
        assert reminders.digest_deliver(user_id=user.pk, local_date=dt.date(2026, 11, 16)) == "sent"
        assert reminders.digest_deliver(user_id=user.pk, local_date=dt.date(2026, 11, 16)) == "sent"
    # Then one email arrived, with a text and an HTML part that link to the items
    assert mail.handler.count_for(user.email) == 1
    message = mail.messages[0].message
    html = message.get_body(preferencelist=("html",)).get_content()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Send the pack" in html
    assert "Chase the chair" in text
    assert world["due"].get_absolute_url() in html
    first_count = ReminderDigest.objects.get(user=user).item_count
    assert first_count == Reminder.objects.filter(user=user).count() >= 7
    # When Tuesday's digest runs: nothing new has happened, so nothing is reminded again and no email goes
    with time_machine.travel(at(2026, 11, 17, 9), tick=False):
        assert reminders.digest_deliver(user_id=user.pk, local_date=dt.date(2026, 11, 17)) == "empty"
    assert mail.handler.count_for(user.email) == 1
    # When the due follow-up's date moves, it is a new occasion and is reminded again
    Commitment.objects.filter(pk=world["due"].pk).update(due_date=dt.date(2026, 11, 20))
    with time_machine.travel(at(2026, 11, 18, 9), tick=False):
        assert reminders.digest_deliver(user_id=user.pk, local_date=dt.date(2026, 11, 18)) == "sent"
    assert mail.handler.count_for(user.email) == 2
    assert list(
        ReminderDigest.objects.get(local_date=dt.date(2026, 11, 18)).reminders.values_list("title", flat=True)
    ) == ["Send the pack"]


def test_a_failed_email_is_marked_failed_and_the_retry_sends_it_once(world, mail):
    user = world["user"]
    mail.handler.reply_all = "451 4.3.0 Try again later"
    with time_machine.travel(at(2026, 11, 16, 9), tick=False), pytest.raises(smtplib.SMTPException, match="451"):
        reminders.digest_deliver(user_id=user.pk, local_date=dt.date(2026, 11, 16))
    digest = ReminderDigest.objects.get(user=user)
    assert digest.status == ReminderDigest.Status.FAILED
    assert "451" in digest.error
    assert mail.handler.count_for(user.email) == 0
    # Still due: the beat job will queue it again
    with time_machine.travel(at(2026, 11, 16, 9, 15), tick=False):
        assert user.pk in selectors.users_due_a_digest()[1]
    mail.handler.reply_all = ""
    with time_machine.travel(at(2026, 11, 16, 9, 15), tick=False):
        assert reminders.digest_deliver(user_id=user.pk, local_date=dt.date(2026, 11, 16)) == "sent"
        assert reminders.digest_deliver(user_id=user.pk, local_date=dt.date(2026, 11, 16)) == "sent"
    assert mail.handler.count_for(user.email) == 1
    assert ReminderDigest.objects.get(user=user).attempts == 2
    with time_machine.travel(at(2026, 11, 16, 9, 30), tick=False):
        assert user.pk not in selectors.users_due_a_digest()[1]


@pytest.mark.parametrize(
    ("now", "digest_time", "due", "local_date"),
    [
        # Sunday 29 March 2026: clocks go forward at 01:00 GMT to 02:00 BST.
        (dt.datetime(2026, 3, 29, 6, 15, tzinfo=dt.UTC), dt.time(7, 30), False, dt.date(2026, 3, 29)),  # 07:15 BST
        (dt.datetime(2026, 3, 29, 6, 30, tzinfo=dt.UTC), dt.time(7, 30), True, dt.date(2026, 3, 29)),  # 07:30 BST
        (dt.datetime(2026, 3, 29, 0, 45, tzinfo=dt.UTC), dt.time(1, 30), False, dt.date(2026, 3, 29)),  # 00:45 GMT
        # 01:30 never happens that night; the digest goes at the first run after it, 02:00 BST.
        (dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC), dt.time(1, 30), True, dt.date(2026, 3, 29)),
        # Saturday 28 March, 23:30 GMT: still the 28th in London.
        (dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC), dt.time(23, 0), True, dt.date(2026, 3, 28)),
        # Sunday 25 October 2026: clocks go back at 01:00 GMT (02:00 BST) to 01:00 GMT.
        (dt.datetime(2026, 10, 25, 7, 15, tzinfo=dt.UTC), dt.time(7, 30), False, dt.date(2026, 10, 25)),  # 07:15 GMT
        (dt.datetime(2026, 10, 25, 7, 30, tzinfo=dt.UTC), dt.time(7, 30), True, dt.date(2026, 10, 25)),  # 07:30 GMT
        (dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC), dt.time(0, 15), True, dt.date(2026, 10, 25)),  # 00:30 BST
    ],
)
def test_digest_time_is_london_wall_clock_on_the_clock_change_days(db, now, digest_time, due, local_date):
    user = UserFactory()
    reminders.reminder_preference_update(user=user, digest_time=digest_time)
    with time_machine.travel(now, tick=False):
        today, ids = selectors.users_due_a_digest()
    assert today == local_date
    assert (user.pk in ids) is due


def test_the_repeated_hour_in_october_sends_once(db, smtp_settings):
    # Given a digest time of 01:30, which happens twice on 25 October 2026
    user = UserFactory()
    reminders.reminder_preference_update(user=user, digest_time=dt.time(1, 30))
    CommitmentFactory(owner=user, due_date=dt.date(2026, 10, 26))
    sent = []
    for instant in (dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)):
        with time_machine.travel(instant, tick=False):  # 01:30 BST, then 01:30 GMT
            day, ids = reminders.digests_due()
            for user_id in ids:
                sent.append(reminders.digest_deliver(user_id=user_id, local_date=day))
    assert sent == ["sent"]
    assert smtp_settings.handler.count_for(user.email) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_one_digest(postgres, smtp_settings):
    # Given a user with things due
    user = UserFactory()
    for n in range(5):
        CommitmentFactory(owner=user, due_date=dt.date.today() + dt.timedelta(days=n))
    day = selectors.london_now().date()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            outcomes.append(reminders.digest_deliver(user_id=user.pk, local_date=day))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    # When four workers (two beats' worth of duplicates) run the same digest at the same moment
    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    # Then exactly one email went and every item is in the ledger once
    assert not errors
    assert smtp_settings.handler.count_for(user.email) == 1
    assert ReminderDigest.objects.filter(user=user).count() == 1
    assert Reminder.objects.filter(user=user).count() == 5
    assert "sent" in outcomes


def test_preferences_switch_kinds_off_and_share_the_cold_days_with_my_work(world):
    user = world["user"]
    reminders.reminder_preference_update(
        user=user, follow_ups=False, meetings=False, paper_deadlines=False, gone_cold=True, cold_after_days=90
    )
    with time_machine.travel(at(2026, 11, 16, 9), tick=False):
        items = selectors.reminder_items_for(user=user)
    assert {i.kind for i in items.all} == {Reminder.Kind.COLD_CONTACT}  # the board had an engagement 60 days ago
    from boards.selectors import cold_after_days_for

    assert cold_after_days_for(user=user) == 90
