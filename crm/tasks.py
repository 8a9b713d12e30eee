from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone


@shared_task(name="crm.worker_echo")
def worker_echo(payload: str) -> dict:
    """Answer from a worker: proves a task reached a real worker process and came back."""
    return {"payload": payload, "hostname": socket.gethostname(), "at": timezone.now().isoformat()}
