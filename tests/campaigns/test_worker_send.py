"""The send path end to end: a real Celery worker process on Redis sending through a real SMTP server
on loopback, including a worker killed with SIGKILL in the middle of a send."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from collections import Counter

import pytest

from campaigns import tasks
from campaigns.models import Delivery, Send
from campaigns.services import sending
from crm.models import Suppression
from crm.services.suppression import suppression_add
from tests.campaigns.factories import SendFactory
from tests.crm.factories import ContactFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def arrivals(smtp_server) -> Counter:
    return Counter(rcpt.lower() for m in smtp_server.messages for rcpt in m.rcpt_tos)


def test_every_recipient_exactly_once_and_suppressed_never(mail_worker, smtp_server, campaign_staff):
    # Given 200 contacts who may be emailed, and some who may not
    recipients = ContactFactory.create_batch(200)
    unsubscribed = ContactFactory.create_batch(3)
    for contact in unsubscribed:
        suppression_add(email=contact.email, reason=Suppression.Reason.UNSUBSCRIBED, source="test")
    opted_out = ContactFactory(email_opt_out=True)
    send = sending.send_start(send=SendFactory(rate_per_second=100), actor=campaign_staff)
    assert send.recipient_count == 200
    # When a worker sends it
    tasks.deliver_send.apply_async((send.pk,), queue=mail_worker.queue)
    wait_for(lambda: Send.objects.get(pk=send.pk).status == Send.Status.FINISHED, 60, "the send to finish")
    # Then the SMTP server got exactly one email for each recipient and none for the rest
    got = arrivals(smtp_server)
    assert {c.email for c in recipients} == set(got)
    assert set(got.values()) == {1}
    for contact in [*unsubscribed, opted_out]:
        assert got[contact.email] == 0
    assert Delivery.objects.filter(send=send, status=Delivery.Status.SENT).count() == 200


def test_a_worker_killed_mid_send_loses_nobody_and_repeats_at_most_its_one_in_flight_email(
    mail_worker, smtp_server, campaign_staff
):
    # Given a send to 300 people at 25 emails a second (about 12 seconds of sending)
    recipients = ContactFactory.create_batch(300)
    send = sending.send_start(send=SendFactory(rate_per_second=25), actor=campaign_staff)
    tasks.deliver_send.apply_async((send.pk,), queue=mail_worker.queue)
    # When the worker's whole process group is killed part-way through
    wait_for(lambda: len(smtp_server.messages) >= 60, 60, "60 emails to arrive")
    os.killpg(mail_worker.proc.pid, signal.SIGKILL)
    mail_worker.proc.wait(timeout=10)
    killed_processes = 1  # concurrency 1: one process could have had an email in flight
    sent_before = len(smtp_server.messages)
    assert sent_before < 300, "the worker finished before it could be killed; slow the send down"
    # And the reconciler runs (with no wait: the dead worker's claims are known to be stale) and a new
    # worker takes over
    reconciled = sending.send_reconcile(stale_after=dt.timedelta(0))
    assert reconciled.requeued <= killed_processes
    assert reconciled.stalled_sends == [send.pk]
    replacement = mail_worker.start_another()
    for send_id in reconciled.stalled_sends:
        tasks.deliver_send.apply_async((send_id,), queue=replacement.queue)
    wait_for(lambda: Send.objects.get(pk=send.pk).status == Send.Status.FINISHED, 90, "the send to finish")
    # Then everybody got the email, and at most the one in flight when the process died got it twice
    got = arrivals(smtp_server)
    assert {c.email for c in recipients} == set(got)
    repeats = sum(n - 1 for n in got.values())
    assert repeats <= killed_processes
    assert len(smtp_server.messages) == 300 + repeats
    assert Delivery.objects.filter(send=send, status=Delivery.Status.SENT).count() == 300
