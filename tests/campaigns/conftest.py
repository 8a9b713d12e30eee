"""Fixtures for the send path: a real Celery worker process whose mailer is the loopback SMTP server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests.conftest import WorkerProcess, need, port_open


@pytest.fixture
def mail_worker(worker_env, smtp_server) -> Iterator[WorkerProcess]:
    """A worker on its own queue that sends through `smtp_server`. Tests may kill it and start another
    with `mail_worker_factory`."""
    workers = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(queue, worker_env | smtp_server.env()).start()
        workers.append(worker)
        return worker

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        need("the send-path tests need a Redis broker (set REDIS_URL)")
    parsed = urlparse(settings.CELERY_BROKER_URL)
    if not port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379):
        need(f"the Celery broker is not reachable at {settings.CELERY_BROKER_URL}")
    queue = f"test-send-{uuid.uuid4().hex[:10]}"
    worker = start()
    worker.start_another = start  # type: ignore[attr-defined]
    try:
        yield worker
    finally:
        for w in workers:
            w.stop()


@pytest.fixture
def mailer(smtp_settings, settings):
    """This process's default mailer points at the loopback SMTP server; quick retries for tests."""
    settings.CAMPAIGN_RETRY_BACKOFF = 0
    settings.CAMPAIGN_MAX_ATTEMPTS = 3
    return smtp_settings


@pytest.fixture
def eager_tasks():
    """Tasks queued by views run here and now (on commit), for tests of pages that queue work."""
    from config.celery_app import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous
