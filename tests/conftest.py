"""Shared fixtures. Tests talk to real things: the configured database, Redis, a Celery worker
process, an SMTP server on loopback, Chromium. When one is missing, the test skips with the reason,
or fails when REQUIRE_SERVICES=1 (as in CI)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from crm.roles import Role
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need(reason: str) -> None:
    """Skip, or fail when REQUIRE_SERVICES=1, because something a test needs is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_SERVICES:
        missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
        if missing:
            raise pytest.UsageError(f"REQUIRE_SERVICES=1 needs {', '.join(missing)} set")
        if not os.environ["DATABASE_URL"].startswith(("postgres", "postgresql")):
            raise pytest.UsageError("REQUIRE_SERVICES=1 needs DATABASE_URL to point at PostgreSQL")


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Users and roles -----------------------------------------------------------------------------


def make_user(role: Role, **kwargs) -> object:
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role.label))
    return user


@pytest.fixture
def admin_user(db):
    return make_user(Role.ADMIN, is_staff=True)


@pytest.fixture
def leader(db):
    return make_user(Role.LEADER)


@pytest.fixture
def campaign_staff(db):
    return make_user(Role.CAMPAIGN_STAFF)


@pytest.fixture
def viewer(db):
    return make_user(Role.VIEWER)


@pytest.fixture
def users_by_role(admin_user, leader, campaign_staff, viewer) -> dict:
    return {"admin": admin_user, "leader": leader, "campaign_staff": campaign_staff, "viewer": viewer}


# --- Services ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        need("REDIS_URL is not set")
    parsed = urlparse(url)
    if not port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379):
        need(f"Redis is not reachable at {url}")
    return url


@pytest.fixture(scope="session")
def postgres() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        need("DATABASE_URL does not point at PostgreSQL")


def database_url_for_subprocess() -> str:
    """The URL of the test database as the test run sees it, for a worker process to share."""
    from django.db import connection

    cfg = connection.settings_dict
    if cfg["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{cfg['NAME']}"
    user = quote(cfg.get("USER") or "")
    password = f":{quote(cfg['PASSWORD'])}" if cfg.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{cfg.get('HOST') or '127.0.0.1'}:{cfg.get('PORT') or 5432}/{cfg['NAME']}"


class WorkerProcess:
    """A real `celery worker` subprocess on the configured broker, consuming its own queue."""

    def __init__(self, queue: str, env: dict[str, str], concurrency: int = 1, log_path: Path | None = None):
        self.queue = queue
        self.env = env
        self.concurrency = concurrency
        self.log_path = log_path or ROOT / "var" / f"worker-{queue}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> WorkerProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker",
                "--queues", self.queue, "--concurrency", str(self.concurrency), "--pool", "prefork",
                "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--hostname", f"{self.queue}@%h",
            ],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited early; see {self.log_path}")
            if b"ready." in self.log_path.read_bytes():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"celery worker did not become ready in {timeout}s; see {self.log_path}")

    def stop(self, sig: int | None = None, timeout: float = 30) -> None:
        import signal

        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, sig or signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture
def worker_env(transactional_db) -> dict[str, str]:
    """Environment for a worker process that shares this test's database and broker."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["DATABASE_URL"] = database_url_for_subprocess()
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    env["CELERY_RESULT_BACKEND"] = settings.CELERY_RESULT_BACKEND
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture
def celery_worker_process(worker_env) -> Iterator[WorkerProcess]:
    """A real worker on its own queue; tasks are sent with apply_async(queue=worker.queue)."""
    if settings.CELERY_BROKER_URL.startswith("redis"):
        parsed = urlparse(settings.CELERY_BROKER_URL)
        if not port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379):
            need(f"the Celery broker is not reachable at {settings.CELERY_BROKER_URL}")
    elif REQUIRE_SERVICES:
        pytest.fail("REQUIRE_SERVICES=1 but the Celery broker is not Redis", pytrace=False)
    queue = f"test-{uuid.uuid4().hex[:10]}"
    worker = WorkerProcess(queue, worker_env).start()
    try:
        yield worker
    finally:
        worker.stop()


# --- Browser ---------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        need("Debian's chromium is not installed (apt-get install -y chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


# --- SMTP --------------------------------------------------------------------------------------


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; `smtp_server.messages` is what arrived."""
    from tests.smtp import SMTPServer

    server = SMTPServer(free_port()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_settings(smtp_server, settings):
    """Point this process's default mailer at the loopback SMTP server."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 10},
        }
    }
    return smtp_server
