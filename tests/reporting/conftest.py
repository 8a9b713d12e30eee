"""Fixtures for reminders and reports: a real Celery worker whose mailer is the loopback SMTP server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests.conftest import WorkerProcess, need, port_open


@pytest.fixture
def mail_worker(worker_env, smtp_server) -> Iterator[WorkerProcess]:
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        need("the reminder worker tests need a Redis broker (set REDIS_URL)")
    parsed = urlparse(settings.CELERY_BROKER_URL)
    if not port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379):
        need(f"the Celery broker is not reachable at {settings.CELERY_BROKER_URL}")
    worker = WorkerProcess(f"test-remind-{uuid.uuid4().hex[:10]}", worker_env | smtp_server.env()).start()
    try:
        yield worker
    finally:
        worker.stop()
