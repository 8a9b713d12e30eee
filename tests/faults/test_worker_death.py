"""Workers that die mid-send: SIGKILL of the whole worker, SIGKILL of one pool process, SIGTERM. The
delivery ledger must lose nobody and repeat at most the one email in flight in each killed process."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time

import pytest

from campaigns import tasks
from campaigns.models import Delivery, Send
from campaigns.services import sending
from tests.faults.conftest import arrivals, make_recipients, pool_children, started_send, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def send_status(send: Send) -> str:
    return Send.objects.get(pk=send.pk).status


def finish_with_reconciler(send: Send, queue: str, timeout: float, stale_after: float = 5) -> int:
    """Wait for the send to finish, running the reconciler whenever nothing has moved for a while, as
    beat does every minute in production (with a claim timeout of seconds here: loopback SMTP answers in
    milliseconds, so a claim this old has no live process behind it). Returns how many it re-queued."""
    requeued = 0
    deadline = time.monotonic() + timeout
    last, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        if send_status(send) == Send.Status.FINISHED:
            return requeued
        done = Delivery.objects.filter(send=send).exclude(status=Delivery.Status.QUEUED).count()
        if done != last:
            last, last_change = done, time.monotonic()
        elif time.monotonic() - last_change > stale_after + 1:
            result = sending.send_reconcile(stale_after=dt.timedelta(seconds=stale_after))
            requeued += result.requeued
            for send_id in result.stalled_sends:
                tasks.deliver_send.apply_async((send_id,), queue=queue)
            last_change = time.monotonic()
        time.sleep(0.5)
    raise AssertionError(f"the send did not finish in {timeout}s")


@pytest.mark.timeout(300)
def test_sigkill_of_the_worker_and_then_of_a_pool_process_loses_nobody(
    fault_env, processes, smtp_server, campaign_staff, fault_report
):
    # Given a send to 10,000 people, started on a worker with two pool processes each working on it
    # (claims are per delivery, so two chains on one send never share an email)
    recipients = make_recipients(10_000)
    send = started_send(campaign_staff)
    assert send.recipient_count == 10_000
    first = processes("worker", fault_env, concurrency=2)
    for _ in range(2):
        tasks.deliver_send.apply_async((send.pk,), queue=first.queue)
    # When the whole worker (main process and pool) is killed with SIGKILL part-way through
    wait_for(lambda: len(smtp_server.messages) >= 1500, 120, "1,500 emails to arrive")
    os.killpg(first.proc.pid, signal.SIGKILL)
    first.proc.wait(timeout=10)
    at_first_kill = len(smtp_server.messages)
    # And a new worker takes over once the reconciler has found the send that nobody is working on
    second = processes("worker", fault_env, queue=first.queue, concurrency=2)
    # (no wait for the claim timeout: the killed worker is known to be dead, so its claims are stale)
    reconciled = sending.send_reconcile(stale_after=dt.timedelta(0))
    assert reconciled.requeued <= 2
    assert reconciled.stalled_sends == [send.pk]
    for _ in range(2):
        tasks.deliver_send.apply_async((send.pk,), queue=second.queue)
    # And then one of the new worker's pool processes is killed with SIGKILL while it sends
    wait_for(lambda: len(smtp_server.messages) >= at_first_kill + 1500, 120, "1,500 more emails")
    children = pool_children(second.proc.pid)
    assert len(children) == 2
    os.kill(children[0], signal.SIGKILL)
    at_second_kill = len(smtp_server.messages)
    assert at_second_kill < 10_000, "the send finished before the second kill; it proves nothing"
    finish_with_reconciler(send, second.queue, timeout=200)
    # Then everybody got the email, and only the emails in flight in the two killed senders may repeat
    got = arrivals(smtp_server)
    killed_senders = 3  # the first worker's two pool processes and one of the second's
    repeats = sum(n - 1 for n in got.values())
    fault_report(
        f"10,000 recipients, {killed_senders} sending processes killed: {repeats} sent twice (bound {killed_senders})"
    )
    assert set(got) == set(recipients)
    assert repeats <= killed_senders
    assert len(smtp_server.messages) == 10_000 + repeats
    assert Delivery.objects.filter(send=send, status=Delivery.Status.SENT).count() == 10_000


@pytest.mark.timeout(180)
def test_sigterm_mid_send_finishes_the_batch_and_a_new_worker_carries_on(
    fault_env, processes, smtp_server, campaign_staff, fault_report, settings
):
    # Given a send to 1,500 people in batches of 200, on a worker
    recipients = make_recipients(1500)
    send = started_send(campaign_staff, rate=300)
    env = fault_env | {"CAMPAIGN_BATCH_SIZE": "200"}
    first = processes("worker", env)
    tasks.deliver_send.apply_async((send.pk,), queue=first.queue)
    # When the worker is told to stop (SIGTERM to its main process, as `docker stop` or systemd do)
    wait_for(lambda: len(smtp_server.messages) >= 300, 60, "300 emails to arrive")
    first.proc.send_signal(signal.SIGTERM)
    first.proc.wait(timeout=60)
    stopped_at = len(smtp_server.messages)
    assert stopped_at < 1500, "the send finished before the worker was stopped; it proves nothing"
    # Then it finished the email it was on and queued the next batch before stopping: nothing is stuck
    assert not Delivery.objects.filter(send=send, status=Delivery.Status.SENDING).exists()
    # And a new worker on the same queue finishes the send with no reconciler at all
    processes("worker", env, queue=first.queue)
    wait_for(lambda: send_status(send) == Send.Status.FINISHED, 90, "the send to finish")
    got = arrivals(smtp_server)
    fault_report(f"SIGTERM after {stopped_at} of 1,500 emails: {sum(n - 1 for n in got.values())} repeats")
    assert set(got) == set(recipients)
    assert set(got.values()) == {1}
