"""A task that outlives the broker's visibility timeout is handed out again while it still runs. The second
copy must have no effect: the ledger lets each delivery be claimed once."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from campaigns import tasks
from campaigns.models import Delivery, Send
from tests.faults.conftest import arrivals, make_recipients, started_send, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


@pytest.mark.timeout(120)
def test_a_batch_longer_than_the_visibility_timeout_sends_each_email_once(
    fault_env, processes, smtp_server, campaign_staff, fault_report
):
    # Given a worker whose broker hands an unacknowledged task out again after 2 seconds (looking for
    # such tasks every second)
    env = fault_env | {
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "DJANGO_SETTINGS_MODULE": "tests.faults.fault_settings",
        "FAULT_RESTORE_SWEEP_SECONDS": "1",
    }
    worker = processes("worker", env, concurrency=2)
    # And one batch that takes about 8 seconds (160 emails at 20 a second)
    recipients = make_recipients(160)
    send = started_send(campaign_staff, rate=20)
    # When it runs
    result = tasks.deliver_send.apply_async((send.pk,), queue=worker.queue)
    wait_for(lambda: Send.objects.get(pk=send.pk).status == Send.Status.FINISHED, 90, "the send to finish")
    # Then the broker did hand the same task out more than once (the fault really happened)
    received = Counter(re.findall(r"deliver_send\[([0-9a-f-]+)\] received", worker.log_path.read_text()))
    fault_report(f"a batch of 8 s under a 2 s visibility timeout was received {received[result.id]} times")
    assert received[result.id] >= 2, worker.log_path.read_text()[-2000:]
    # And still every recipient got exactly one email
    got = arrivals(smtp_server)
    assert set(got) == set(recipients)
    assert set(got.values()) == {1}
    assert Delivery.objects.filter(send=send, status=Delivery.Status.SENT).count() == 160
