"""Pages through the full stack: real HTTP to gunicorn (2 workers, bench settings) on loopback, signed in as
the demo leader, each page requested many times; latency from the client, query count from X-Query-Count."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from django.utils import timezone

from tests.benchmarks.bench_stats import summary_ms

ROOT = Path(__file__).resolve().parents[2]
LEADER_EMAIL = "leader@example.org"
MARKER = "Benchmark engagement (removed after the run)"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn on a free loopback port with production-like settings (config/settings/bench.py)."""

    def __init__(self, env: dict[str, str], workers: int = 2):
        self.port = free_port()
        self.env = env
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.log = ROOT / "var" / f"bench-gunicorn-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "120",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_answering(timeout=60)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_answering(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start-up; see {self.log}")
            try:
                if requests.get(f"{self.url}/accounts/login/", timeout=15).status_code < 500:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def sign_in(base_url: str, email: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/accounts/login/", timeout=30)
    token = CSRF_INPUT.search(page.text)
    if token is None:
        raise RuntimeError("The sign-in page has no CSRF token")
    response = session.post(
        f"{base_url}/accounts/login/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": token.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise RuntimeError(f"Signing in as {email} failed ({response.status_code})")
    return session


@dataclass
class Page:
    name: str
    path: str
    group: str  # "list", "detail" or "write": which target applies (docs/PERFORMANCE.md)
    list_page: bool = False  # also compare query counts at 10 and 1,000 rows a page
    extra: dict[str, Any] = field(default_factory=dict)


def pages_to_measure() -> list[Page]:
    """The pages a leader opens most, with realistic filters picked from the seeded data."""
    from boards.models import Board
    from crm.management.commands.seed_bench import long_timeline_contact_id
    from crm.models import Contact, LocalArea, PractitionerGroup, Region

    area = LocalArea.objects.filter(boards__isnull=False).order_by("pk").first()
    busiest = Board.objects.order_by("pk").first()
    contact_id = long_timeline_contact_id()
    year_ago = (timezone.localdate().replace(day=1) - timezone.timedelta(days=365)).isoformat()
    timeline = Contact.objects.get(pk=contact_id).timeline.count() if contact_id else 0
    return [
        Page("Dashboard", "/", "detail"),
        Page("Contacts", "/crm/contacts/", "list", list_page=True),
        Page(
            "Contacts, filtered",
            f"/crm/contacts/?q=patel&region={Region.NORTH_WEST}&practitioner_group={PractitionerGroup.HEALTH_VISITING}",
            "list",
            list_page=True,
        ),
        Page("Organisations", "/crm/organisations/", "list", list_page=True),
        Page("Organisations, filtered", "/crm/organisations/?q=bench&kind=nhs_trust", "list", list_page=True),
        Page("Boards", "/boards/boards/", "list", list_page=True),
        Page("Boards, filtered", f"/boards/boards/?region={Region.NORTH_WEST}&stage=2", "list", list_page=True),
        Page("Engagements", "/boards/engagements/", "list", list_page=True),
        Page(
            "Engagements, filtered",
            f"/boards/engagements/?region={Region.NORTH_WEST}&kind=briefing&date_from={year_ago}",
            "list",
            list_page=True,
        ),
        Page(
            "Contact page (long timeline)",
            f"/crm/contacts/{contact_id}/",
            "detail",
            extra={"timeline_entries": timeline},
        ),
        Page("Area overview", "/boards/areas/", "list", list_page=True),
        Page("Area page", f"/boards/areas/{area.pk}/" if area else "/boards/areas/", "detail"),
        Page("Board page", f"/boards/boards/{busiest.pk}/" if busiest else "/boards/boards/", "detail"),
        Page("Segment count (live preview)", "/campaigns/segments/count.json", "segment"),
        Page(
            "Segment count, filtered",
            f"/campaigns/segments/count.json?practitioner_groups={PractitionerGroup.HEALTH_VISITING}"
            f"&regions={Region.NORTH_WEST}",
            "segment",
        ),
    ]


def _get(session: requests.Session, url: str) -> tuple[float, requests.Response]:
    started = time.perf_counter()
    response = session.get(url, timeout=120)
    _ = response.content
    return time.perf_counter() - started, response


def measure_page(session: requests.Session, base_url: str, page: Page, repeat: int) -> dict[str, Any]:
    url = f"{base_url}{page.path}"
    for _ in range(min(3, repeat)):  # warm each worker's caches and connections
        _get(session, url)
    samples, queries, statuses = [], set(), set()
    for _ in range(repeat):
        elapsed, response = _get(session, url)
        samples.append(elapsed)
        statuses.add(response.status_code)
        queries.add(int(response.headers.get("X-Query-Count", "-1")))
    result: dict[str, Any] = {
        "name": page.name,
        "path": page.path,
        "group": page.group,
        "requests": repeat,
        **summary_ms(samples),
        "queries": max(queries),
        "queries_min": min(queries),
        "status": sorted(statuses),
        **page.extra,
    }
    if page.list_page:
        joiner = "&" if "?" in page.path else "?"
        for rows in (10, 1000):
            _, response = _get(session, f"{url}{joiner}per_page={rows}")
            result[f"queries_at_{rows}_rows"] = int(response.headers.get("X-Query-Count", "-1"))
            result[f"status_at_{rows}_rows"] = response.status_code
    return result


def measure_engagement_log(session: requests.Session, base_url: str, repeat: int) -> dict[str, Any]:
    """Logging an engagement: the form POST (validation, the service, audit and timeline) and its redirect."""
    from boards.models import Board
    from crm.models import Contact, User

    leader = User.objects.get(email=LEADER_EMAIL)
    board = Board.objects.order_by("pk").first()
    contact_ids = list(Contact.objects.order_by("pk").values_list("pk", flat=True)[:2])
    form_url = f"{base_url}/boards/engagements/new/"
    elapsed, form = _get(session, form_url)
    token = CSRF_INPUT.search(form.text)
    if token is None:
        raise RuntimeError("The engagement form has no CSRF token")
    data = {
        "csrfmiddlewaretoken": token.group(1),
        "kind": "briefing",
        "date": timezone.localdate().isoformat(),
        "board": str(board.pk) if board else "",
        "contacts": [str(pk) for pk in contact_ids],
        "leaders": [str(leader.pk)],
        "summary": MARKER,
        "sentiment": "supportive",
    }
    samples, queries, statuses = [], set(), set()
    for _ in range(repeat):
        started = time.perf_counter()
        response = session.post(form_url, data=data, allow_redirects=False, timeout=120, headers={"Referer": form_url})
        samples.append(time.perf_counter() - started)
        statuses.add(response.status_code)
        queries.add(int(response.headers.get("X-Query-Count", "-1")))
    return {
        "name": "Log an engagement (POST)",
        "path": "/boards/engagements/new/",
        "group": "write",
        "requests": repeat,
        **summary_ms(samples),
        "queries": max(queries),
        "queries_min": min(queries),
        "status": sorted(statuses),
        "form_page_ms": round(elapsed * 1000, 1),
        "form_page_queries": int(form.headers.get("X-Query-Count", "-1")),
    }


def remove_benchmark_engagements() -> int:
    """The POST benchmark's engagements go again, so every run measures the same database."""
    from boards.models import Engagement
    from crm.models import TimelineEntry

    ids = list(Engagement.objects.filter(summary=MARKER).values_list("pk", flat=True))
    TimelineEntry.objects.filter(source__in=[f"boards.engagement:{pk}" for pk in ids]).delete()
    _deleted, _ = Engagement.objects.filter(pk__in=ids).delete()
    return len(ids)


def run(env: dict[str, str], password: str, repeat: int, only: set[str] | None) -> list[dict[str, Any]]:
    server = Gunicorn(env).start()
    results = []
    try:
        session = sign_in(server.url, LEADER_EMAIL, password)
        for page in pages_to_measure():
            if only and not ({page.name.lower(), page.group} & only or any(o in page.name.lower() for o in only)):
                continue
            results.append(measure_page(session, server.url, page, repeat))
            print(f"  {page.name}: p95 {results[-1]['p95_ms']} ms, {results[-1]['queries']} queries", flush=True)
        if not only or {"write", "engagement", "log"} & only:
            try:
                results.append(measure_engagement_log(session, server.url, repeat))
                print(f"  Log an engagement: p95 {results[-1]['p95_ms']} ms", flush=True)
            finally:
                remove_benchmark_engagements()
    finally:
        server.stop()
    return results
