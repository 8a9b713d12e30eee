"""Fault-suite fixtures: a redis-server of the test's own on a free port (so it can be stopped without
touching anyone else's), Celery workers and beats as real processes on it, and the test process's own
Celery app pointed at it. Every process a test starts is stopped when the test ends, pass or fail."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, WorkerProcess, free_port, need, port_open

LOG_DIR = ROOT / "var" / "faults"


def wait_for(condition: Callable[[], bool], timeout: float, what: str, every: float = 0.2) -> float:
    """Wait until condition() holds; return the seconds it took, or fail naming what never happened."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def arrivals(smtp_server) -> Counter:
    """Emails that reached the SMTP server, per recipient address."""
    return Counter(rcpt.lower() for m in smtp_server.messages for rcpt in m.rcpt_tos)


class RedisServer:
    """A redis-server of our own, with no persistence: stopping it loses every queued message, the worst
    case for the queue (a restarted Redis that kept its data would only be easier)."""

    def __init__(self, port: int, log_path: Path):
        self.port = port
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> RedisServer:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_for(lambda: port_open("127.0.0.1", self.port, 0.2), timeout, f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class BeatProcess:
    """`celery beat` as its own process, with its own schedule file (as a second beat by mistake would)."""

    def __init__(self, name: str, env: dict[str, str]):
        self.name = name
        self.env = env
        self.log_path = LOG_DIR / f"beat-{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> BeatProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
                "--schedule", str(LOG_DIR / f"beat-{self.name}-{uuid.uuid4().hex[:8]}-schedule"), "--pidfile", "",
            ],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        return self

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


def pool_children(pid: int) -> list[int]:
    """The prefork pool processes of a worker (its child processes)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with open(task / "children") as f:
            children += [int(p) for p in f.read().split()]
    return children


def point_celery_at(url: str) -> None:
    """Make this process's Celery app publish to `url` and keep results there, dropping cached pools."""
    from config.celery_app import app

    app.conf.broker_url = url
    app.conf.result_backend = url
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


@pytest.fixture
def fault_services(postgres):
    """The fault suite needs PostgreSQL (several processes writing at once) and a redis-server to start."""
    if not shutil.which("redis-server"):
        need("redis-server is not installed (apt-get install -y redis-server)")


@pytest.fixture
def own_redis(fault_services, settings) -> Iterator[RedisServer]:
    """A redis-server on a free port, used as broker and result store by this process and its workers."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = RedisServer(port, LOG_DIR / f"redis-{port}.log").start()
    from config.celery_app import app

    previous = (app.conf.broker_url, app.conf.result_backend)
    settings.CELERY_BROKER_URL = server.url  # what /health checks
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = dict(app.conf.broker_transport_options or {})
    settings.CELERY_RESULT_BACKEND = server.url
    point_celery_at(server.url)
    try:
        yield server
    finally:
        server.stop()
        app.conf.broker_url, app.conf.result_backend = previous
        point_celery_at(previous[0])
        app.conf.result_backend = previous[1]


@pytest.fixture
def fault_env(worker_env, own_redis, smtp_server) -> dict[str, str]:
    """Environment for workers and beats: this test's database, its own Redis, the loopback SMTP server,
    and quick retries so a test sees several attempts in seconds."""
    # Workers commit without waiting for the disk flush: what is under test is processes dying, not
    # PostgreSQL itself, and a killed client never loses a commit PostgreSQL has acknowledged.
    database_url = worker_env["DATABASE_URL"]
    if database_url.startswith("postgres"):
        database_url += "?options=-c%20synchronous_commit%3Doff"
    return worker_env | smtp_server.env() | {
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": own_redis.url,
        "CELERY_RESULT_BACKEND": own_redis.url,
        "REDIS_URL": own_redis.url,
        "CAMPAIGN_RETRY_BACKOFF": "1",
        "CAMPAIGN_MAX_ATTEMPTS": "6",
    }  # fmt: skip


@pytest.fixture
def processes() -> Iterator[Callable]:
    """start(kind, ...) starts a worker or a beat and remembers it; all are stopped at the end."""
    started: list[WorkerProcess | BeatProcess] = []

    def start(kind: str, env: dict[str, str], queue: str = "", concurrency: int = 1, name: str = ""):
        if kind == "beat":
            process: WorkerProcess | BeatProcess = BeatProcess(name or uuid.uuid4().hex[:8], env).start()
        else:
            queue = queue or f"fault-{uuid.uuid4().hex[:10]}"
            log = LOG_DIR / f"worker-{queue}-{uuid.uuid4().hex[:6]}.log"
            process = WorkerProcess(queue, env, concurrency=concurrency, log_path=log)
            started.append(process)
            return process.start()
        started.append(process)
        return process

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    try:
        yield start
    finally:
        for process in reversed(started):
            process.stop(signal.SIGKILL) if isinstance(process, WorkerProcess) else process.stop()


# --- What the suite reports (printed at the end of the run, pass or fail) --------------------------

FAULT_REPORT: list[str] = []


@pytest.fixture
def fault_report(request) -> Callable[[str], None]:
    def report(line: str) -> None:
        FAULT_REPORT.append(f"{request.node.name}: {line}")

    return report


def pytest_terminal_summary(terminalreporter) -> None:
    if FAULT_REPORT:
        terminalreporter.section("fault suite")
        for line in FAULT_REPORT:
            terminalreporter.write_line(line)


# --- Data -----------------------------------------------------------------------------------------


def make_recipients(n: int, prefix: str = "r") -> list[str]:
    """n contacts who may be emailed, written in bulk (a factory per row would take minutes at 10,000)."""
    from crm.models import Contact, LawfulBasis, PractitionerGroup

    contacts = [
        Contact(
            first_name=f"Person{i}",
            last_name="Tester",
            email=f"{prefix}{i}@example.nhs.uk",
            practitioner_group=PractitionerGroup.HEALTH_VISITING,
            lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS,
        )
        for i in range(n)
    ]
    Contact.objects.bulk_create(contacts, batch_size=2000)
    return [c.email for c in contacts]


def started_send(actor, rate: int = 500):
    """A send to everyone in the registry, started: its deliveries are frozen into the ledger."""
    from campaigns.services import sending
    from tests.campaigns.factories import SendFactory

    # The factory sets the rate directly, past CAMPAIGN_SEND_RATE_MAX to the database's own ceiling (500).
    return sending.send_start(send=SendFactory(rate_per_second=rate), actor=actor)
