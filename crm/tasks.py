from __future__ import annotations

import socket

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone


@shared_task(name="crm.worker_echo")
def worker_echo(payload: str) -> dict:
    """Answer from a worker: proves a task reached a real worker process and came back."""
    return {"payload": payload, "hostname": socket.gethostname(), "at": timezone.now().isoformat()}


@shared_task(
    name="crm.import_run",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def import_run(job_id: int) -> str:
    """Run a confirmed import. A second delivery finds the job done and does nothing."""
    from crm.services.importing import import_job_run

    return import_job_run(job_id=job_id, report_progress=True).status
