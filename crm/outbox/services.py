"""Keeping task calls the broker could not take, and publishing them once it can."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from crm.outbox.models import DeferredTask

logger = logging.getLogger(__name__)

# Publishing fails or succeeds within seconds (short broker timeouts), so a claim this old belongs to a
# flush that died: another flush may take the row over.
CLAIM_TIMEOUT = dt.timedelta(minutes=5)
# Published rows are kept this long so an operator can see what waited and when it went.
KEEP_PUBLISHED = dt.timedelta(days=7)
FLUSH_LIMIT = 1000


def deferred_task_record(
    *,
    task_name: str,
    args: list[Any],
    kwargs: dict[str, Any],
    queue: str = "",
    not_before: dt.datetime | None = None,
    error: BaseException | None = None,
) -> DeferredTask:
    """Keep a call the broker could not take, to be published by outbox_flush()."""
    row = DeferredTask(
        task_name=task_name,
        args=args,
        kwargs=kwargs,
        queue=queue,
        not_before=not_before,
        last_error=f"{type(error).__name__}: {error}"[:1000] if error else "",
    )
    row.full_clean()
    row.save()
    logger.warning("Broker unreachable: kept %s%s in the outbox (row %s): %s", task_name, tuple(args), row.pk, error)
    return row


def _claimable(now: dt.datetime) -> Q:
    return Q(published_at__isnull=True) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))


@dataclass
class FlushOutcome:
    published: int = 0
    waiting: int = 0
    error: str = ""


def outbox_flush(*, limit: int = FLUSH_LIMIT) -> FlushOutcome:
    """Publish waiting calls, oldest first, each exactly once: a row is claimed by a conditional UPDATE
    before it is published, so two flushes (two beats, a worker starting) never both publish it. Stops at
    the first broker error, leaving that row and the rest for the next flush."""
    from crm.queueing import BROKER_ERRORS, publish

    outcome = FlushOutcome()
    now = timezone.now()
    ids = list(DeferredTask.objects.filter(_claimable(now)).order_by("pk").values_list("pk", flat=True)[:limit])
    for pk in ids:
        token = uuid.uuid4()
        claimed = DeferredTask.objects.filter(_claimable(timezone.now()), pk=pk).update(
            claim_token=token, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
        if not claimed:
            continue  # another flush has it
        row = DeferredTask.objects.get(pk=pk)
        try:
            publish(task_name=row.task_name, args=row.args, kwargs=row.kwargs, queue=row.queue, eta=row.not_before)
        except BROKER_ERRORS as error:
            outcome.error = f"{type(error).__name__}: {error}"[:1000]
            DeferredTask.objects.filter(pk=pk, claim_token=token).update(
                claim_token=None, claimed_at=None, last_error=outcome.error
            )
            break
        DeferredTask.objects.filter(pk=pk, claim_token=token).update(published_at=timezone.now())
        outcome.published += 1
    DeferredTask.objects.filter(published_at__lt=now - KEEP_PUBLISHED).delete()
    outcome.waiting = DeferredTask.objects.filter(published_at__isnull=True).count()
    if outcome.published or outcome.waiting:
        logger.info("Outbox: published %s, %s still waiting %s", outcome.published, outcome.waiting, outcome.error)
    return outcome
