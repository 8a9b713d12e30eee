"""Queueing work for a Celery worker without ever showing a person an error because the broker is down.

`enqueue(task, *args, **kwargs)` publishes the call once the current transaction commits (at once when
there is none). When the broker cannot be reached it fails fast (short connect timeout, one quick retry:
see the Celery block of config/settings/base.py) and keeps the call in the outbox (crm.outbox), which
beat flushes every minute and every worker flushes as it starts. It returns False then, so a page can say
"it will start as soon as the task queue is back". Every task is idempotent (ledgers, conditional
updates), so the rare call published twice (a flush that dies between publishing and recording it) is
harmless; a call is never lost once enqueue has returned."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from celery import current_app
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

if TYPE_CHECKING:
    from celery import Task

logger = logging.getLogger(__name__)

# What publishing raises when Redis is away: kombu wraps the transport's errors; the Redis result backend
# raises RuntimeError once its reconnect retries are spent; sockets raise OSError (ConnectionError,
# TimeoutError). Anything else (a value that cannot be serialised, say) is a bug and should be loud.
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuOperationalError, OSError, RuntimeError)
try:
    from redis.exceptions import RedisError

    BROKER_ERRORS = (*BROKER_ERRORS, RedisError)
except ImportError:  # pragma: no cover - redis is installed wherever Redis is the broker
    pass

QUEUE_LATER_MESSAGE = "The task queue is not available right now. It will start as soon as the task queue is back."


def publish(
    *,
    task_name: str,
    args: list[Any] | tuple[Any, ...],
    kwargs: dict[str, Any],
    queue: str = "",
    eta: dt.datetime | None = None,
) -> None:
    """Hand one call to the broker now, or raise one of BROKER_ERRORS."""
    options: dict[str, Any] = {}
    if queue:
        options["queue"] = queue
    if eta is not None and eta > timezone.now():
        options["eta"] = eta
    task = current_app.tasks.get(task_name)
    if task is None:  # a process that has not imported the task module still knows it by name
        current_app.send_task(task_name, args=list(args), kwargs=kwargs, **options)
    else:
        task.apply_async(args=tuple(args), kwargs=kwargs, **options)


def _publish_or_keep(
    task_name: str, args: tuple[Any, ...], kwargs: dict[str, Any], queue: str, eta: dt.datetime | None
) -> bool:
    try:
        publish(task_name=task_name, args=args, kwargs=kwargs, queue=queue, eta=eta)
    except BROKER_ERRORS as error:
        from crm.outbox.services import deferred_task_record

        deferred_task_record(
            task_name=task_name, args=list(args), kwargs=kwargs, queue=queue, not_before=eta, error=error
        )
        return False
    return True


def enqueue_with(
    task: Task[Any, Any],
    *,
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    queue: str | None = None,
    countdown: float | None = None,
    eta: dt.datetime | None = None,
) -> bool:
    """enqueue() with Celery's routing and timing options (queue, countdown or eta).

    True when the broker took the call, or when it will be published once the surrounding transaction
    commits (a failure then is kept in the outbox all the same, but the caller can no longer be told).
    False when the broker was unreachable and the call waits in the outbox."""
    if countdown:
        eta = timezone.now() + dt.timedelta(seconds=countdown)
    outcome: list[bool] = []
    call = (task.name, tuple(args), dict(kwargs or {}), queue or "", eta)
    # Outside a transaction on_commit runs the callback at once, so the outcome is known here.
    transaction.on_commit(lambda: outcome.append(_publish_or_keep(*call)))
    return outcome[0] if outcome else True


def enqueue[**P](task: Task[P, Any], *args: P.args, **kwargs: P.kwargs) -> bool:
    """task.delay_on_commit(*args, **kwargs) that never raises because the broker is down: see enqueue_with."""
    return enqueue_with(task, args=tuple(args), kwargs=dict(kwargs))
