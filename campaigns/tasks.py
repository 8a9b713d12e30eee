"""Celery tasks: thin, take primary keys, call one service, safe to run twice (the delivery ledger and
conditional updates make them so, not the broker). See docs/SENDING.md."""

from __future__ import annotations

import smtplib
from typing import Any, TypedDict

from celery import Task, shared_task

from campaigns.services import pledges, sending
from crm.queueing import enqueue_with

TEMPORARY_SMTP_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError)


class QueueOption(TypedDict, total=False):
    queue: str


def _same_queue(task: Task[Any, Any]) -> QueueOption:
    """Continue on the queue this task came from, so a send stays with the workers that serve it.
    Without one, no option at all: Celery then routes by default, as it would for queue=None."""
    info = getattr(task.request, "delivery_info", None) or {}
    queue = info.get("routing_key")
    return {"queue": queue} if queue else {}


@shared_task(bind=True, acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def deliver_send(self: Task[Any, Any], send_id: int) -> dict:
    """One batch of a send, then the next batch queued; waits out retry back-off with a countdown."""
    outcome = sending.send_deliver_batch(send_id=send_id)
    if outcome.more:
        # Kept in the outbox if the broker went away during the batch, so the chain survives an outage.
        enqueue_with(deliver_send, args=(send_id,), countdown=outcome.wait_seconds, **_same_queue(self))
    return {"sent": outcome.sent, "failed": outcome.failed, "retried": outcome.retried, "more": outcome.more}


@shared_task(bind=True, acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def begin_send(self: Task[Any, Any], send_id: int) -> None:
    """A scheduled send whose time has come: freeze its recipients, then start delivering."""
    send = sending.send_begin(send_id=send_id)
    if send.status == send.Status.SENDING:
        enqueue_with(deliver_send, args=(send_id,), **_same_queue(self))


@shared_task(bind=True, acks_late=True)
def reconcile_sends(self: Task[Any, Any]) -> dict:
    """Every minute (beat): re-queue deliveries stuck after a worker died, begin due scheduled sends,
    and restart delivery of sends no worker is working on."""
    result = sending.send_reconcile()
    for send_id in result.due_sends:
        enqueue_with(begin_send, args=(send_id,), **_same_queue(self))
    for send_id in result.stalled_sends:
        enqueue_with(deliver_send, args=(send_id,), **_same_queue(self))
    return {"requeued": result.requeued, "failed": result.failed}


@shared_task(
    bind=True, acks_late=True, autoretry_for=TEMPORARY_SMTP_ERRORS, retry_backoff=30, retry_jitter=True, max_retries=6
)
def send_pledge_confirmation(self: Task[Any, Any], pledge_id: int) -> bool:
    return pledges.pledge_confirmation_send(pledge_id=pledge_id)
