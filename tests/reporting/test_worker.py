"""Reminders through a real Celery worker process and the loopback SMTP server."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from boards.reporting.models import ReminderDigest
from boards.reporting.services import reminders
from boards.reporting.tasks import dispatch_digests
from tests.boards.factories import CommitmentFactory
from tests.factories import UserFactory


def wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError("timed out waiting for the worker")


@pytest.mark.django_db(transaction=True)
def test_beat_job_run_twice_sends_each_user_one_digest(mail_worker, smtp_server):
    # Given two users whose digest time has passed (midnight) with something due
    users = [UserFactory() for _ in range(2)]
    for user in users:
        reminders.reminder_preference_update(user=user, digest_time=dt.time(0, 0))
        CommitmentFactory(owner=user, due_date=dt.date.today() + dt.timedelta(days=1))
    # When the beat job runs twice (two beats, or a re-run), on the worker
    dispatch_digests.apply_async(queue=mail_worker.queue)
    dispatch_digests.apply_async(queue=mail_worker.queue)
    # Then each user gets exactly one email
    wait_for(lambda: ReminderDigest.objects.filter(status="sent").count() == 2)
    time.sleep(2)  # give a duplicate the chance to arrive, were there one
    for user in users:
        assert smtp_server.handler.count_for(user.email) == 1
    assert ReminderDigest.objects.count() == 2
