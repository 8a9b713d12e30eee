"""Publishing the outbox: every minute from beat, and once when a worker starts."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import connections

from crm.outbox.services import outbox_flush

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def flush_outbox() -> dict:
    """Safe to run twice at once: each row is claimed before it is published."""
    outcome = outbox_flush()
    return {"published": outcome.published, "waiting": outcome.waiting}


def flush_on_worker_start(sender: Any = None, **kwargs: Any) -> None:
    """worker_ready handler. Runs in the worker's main process, so it must never stop the worker starting,
    and it closes its database connection rather than keep one open in a process that does no tasks."""
    try:
        outbox_flush()
    except Exception:  # the database may be down too; beat's flush will try again
        logger.exception("Outbox flush on worker start failed")
    finally:
        connections.close_all()
