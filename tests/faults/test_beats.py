"""Two beat processes at once (a second started by mistake) for several schedule periods: every digest and
every weekly report is built and emailed once."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from boards.reporting.models import ReminderDigest, WeeklyReport, WeeklyReportEmail
from boards.reporting.services import reminders
from tests.boards.factories import CommitmentFactory
from tests.factories import UserFactory
from tests.faults.conftest import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

PERIOD = 2.0


@pytest.mark.timeout(120)
def test_two_beats_send_each_digest_and_each_weekly_report_once(fault_env, processes, smtp_server, fault_report):
    # Given three people with something due tomorrow, whose digest time (midnight) has passed, and who
    # take the weekly report
    users = [UserFactory() for _ in range(3)]
    for user in users:
        reminders.reminder_preference_update(user=user, digest_time=dt.time(0, 0), weekly_report=True)
        CommitmentFactory(owner=user, due_date=timezone.localdate() + dt.timedelta(days=1))
    # When two beats run every job every two seconds, with two pool processes taking their tasks
    env = fault_env | {"DJANGO_SETTINGS_MODULE": "tests.faults.fault_settings", "FAULT_BEAT_EVERY_SECONDS": str(PERIOD)}
    processes("worker", fault_env, queue="celery", concurrency=2)
    beats = [processes("beat", env, name=f"twin-{n}") for n in (1, 2)]
    wait_for(lambda: ReminderDigest.objects.filter(status="sent").count() == 3, 60, "three digests")
    wait_for(lambda: WeeklyReportEmail.objects.filter(status="sent").count() == 3, 60, "three report emails")
    time.sleep(PERIOD * 5)  # five more periods of both beats: room for any double to show
    # Then both beats really were running the jobs, many times over
    for beat in beats:
        assert beat.proc.poll() is None, f"beat {beat.name} stopped; see {beat.log_path}"
    runs = sum(beat.log_path.read_text().count("dispatch_digests") for beat in beats)
    fault_report(f"two beats ran the digest job {runs} times between them")
    assert runs >= 8
    # And each person got one digest and one weekly report, and there is one report for the week
    for user in users:
        subjects = [m.message["Subject"] for m in smtp_server.messages if user.email in m.rcpt_tos]
        assert len([s for s in subjects if s.startswith("Weekly progress report")]) == 1, subjects
        assert len(subjects) == 2, subjects
    assert ReminderDigest.objects.count() == 3
    assert WeeklyReport.objects.count() == 1
