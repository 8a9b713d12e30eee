"""The outbox against a real redis-server that the test stops and starts: a call made while the broker is
down is kept, survives failed flushes, and is published exactly once when it is back, even by two
flushes at once."""

from __future__ import annotations

import threading
import time

import pytest
import redis
from django.core.management import call_command

from crm.outbox.models import DeferredTask
from crm.outbox.services import outbox_flush
from crm.queueing import enqueue_with
from crm.tasks import worker_echo

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

QUEUE = "outbox-test"


def queued_messages(own_redis) -> int:
    return redis.Redis.from_url(own_redis.url).llen(QUEUE)


def test_a_call_made_while_redis_is_down_is_kept_and_published_once_it_is_back(own_redis):
    # Given Redis is down
    own_redis.stop()
    # When a task is queued, it comes back at once, saying it was kept
    start = time.monotonic()
    assert enqueue_with(worker_echo, args=("kept",), queue=QUEUE) is False
    assert time.monotonic() - start < 5
    row = DeferredTask.objects.get()
    assert (row.task_name, row.args, row.queue) == ("crm.worker_echo", ["kept"], QUEUE)
    assert "Connection refused" in row.last_error or "Error" in row.last_error
    # And a flush while Redis is still down keeps it waiting, unclaimed
    outcome = outbox_flush()
    assert (outcome.published, outcome.waiting) == (0, 1)
    row.refresh_from_db()
    assert (row.published_at, row.claim_token) == (None, None)
    # When Redis is back, the next flush publishes it, and a later one does not again
    own_redis.start()
    assert outbox_flush().published == 1
    assert outbox_flush().published == 0
    assert queued_messages(own_redis) == 1
    row.refresh_from_db()
    assert row.published_at is not None
    assert row.attempts == 2


def test_a_call_made_while_redis_is_up_goes_straight_to_the_queue(own_redis):
    assert enqueue_with(worker_echo, args=("straight",), queue=QUEUE) is True
    assert queued_messages(own_redis) == 1
    assert not DeferredTask.objects.exists()


def test_two_flushes_at_once_publish_each_waiting_call_once(own_redis):
    # Given 60 calls kept while Redis was down
    own_redis.stop()
    for n in range(60):
        enqueue_with(worker_echo, args=(f"call {n}",), queue=QUEUE)
    own_redis.start()
    # When two flushes run at the same moment (two beats, or beat and a worker starting)
    barrier = threading.Barrier(2)
    results = []

    def flush() -> None:
        from django.db import connection

        barrier.wait()
        try:
            results.append(outbox_flush())
        finally:
            connection.close()

    threads = [threading.Thread(target=flush) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Then every call was published exactly once between them
    assert sum(r.published for r in results) == 60
    assert queued_messages(own_redis) == 60
    assert not DeferredTask.objects.filter(published_at__isnull=True).exists()
    assert set(DeferredTask.objects.values_list("attempts", flat=True)) == {1}


def test_the_command_lists_what_waits_and_flushes_it(own_redis, capsys):
    own_redis.stop()
    enqueue_with(worker_echo, args=("by hand",), queue=QUEUE)
    call_command("flush_outbox", "--list")
    assert "crm.worker_echo('by hand',)" in capsys.readouterr().out
    own_redis.start()
    call_command("flush_outbox")
    assert "Published 1; 0 still waiting." in capsys.readouterr().out
