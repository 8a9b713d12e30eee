"""`python -m tests.benchmarks`: seed (or reuse) the benchmark database, run every measurement, and write
bench-results/<timestamp>.json plus a Markdown table. See docs/PERFORMANCE.md for the figures and targets."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cg_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
SECTIONS = ("pages", "segments", "import", "duplicates", "weekly", "send", "export")


@dataclass(frozen=True)
class Scale:
    contacts: int
    organisations: int
    boards: int
    engagements: int
    deliveries: int
    requests: int
    import_rows: int
    send_messages: int
    repeat: int  # timed repetitions of in-process queries (segment counts)


FULL = Scale(100_000, 5_000, 1_000, 1_000_000, 200_000, 300, 100_000, 10_000, 20)
QUICK = Scale(200, 60, 20, 2_000, 500, 5, 300, 40, 3)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Smoke scale: 200 contacts, a few requests a page.")
    parser.add_argument("--only", action="append", default=[], help=f"Run only these sections: {', '.join(SECTIONS)}.")
    parser.add_argument("--requests", type=int, default=None, help="Requests per page (default 300, quick 5).")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--output", default=str(ROOT / "bench-results"), help="Folder for the JSON results.")
    parser.add_argument("--markdown", default="", help="Also write the results table to this file.")
    parser.add_argument("--skip-seed", action="store_true", help="Measure the database as it is.")
    for name in ("contacts", "engagements", "send-messages", "import-rows"):
        parser.add_argument(f"--{name}", type=int, default=None, help=f"Override the scale's {name}.")
    return parser.parse_args(argv)


def scale_from(args: argparse.Namespace) -> Scale:
    scale = QUICK if args.quick else FULL
    overrides = {
        "requests": args.requests,
        "contacts": args.contacts,
        "engagements": args.engagements,
        "send_messages": args.send_messages,
        "import_rows": args.import_rows,
    }
    return Scale(**{**asdict(scale), **{k: v for k, v in overrides.items() if v is not None}})


def environment(args: argparse.Namespace) -> dict[str, str]:
    """What every process of the benchmark (this one, gunicorn, the workers, the export child) runs with."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_SETTINGS", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        PYTHONUNBUFFERED="1",
    )
    return env


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database when it is missing (SQLite creates its file on connect)."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    from urllib.parse import urlparse

    import psycopg
    from psycopg import sql

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}", flush=True)


def machine() -> dict[str, Any]:
    import platform

    import django
    from django.db import connection

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    return {
        "nproc": os.cpu_count(),
        "memory_gb": memory_gb,
        "cpu": cpu,
        "database": database,
        "python": platform.python_version(),
        "django": django.get_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def counts() -> dict[str, int]:
    from boards.models import Board, Engagement
    from campaigns.models import Delivery
    from crm.models import Contact, Organisation, TimelineEntry

    return {
        "contacts": Contact.objects.count(),
        "organisations": Organisation.objects.count(),
        "boards": Board.objects.count(),
        "engagements": Engagement.objects.count(),
        "deliveries": Delivery.objects.count(),
        "timeline_entries": TimelineEntry.objects.count(),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scale = scale_from(args)
    only = {o.strip().lower() for value in args.only for o in value.split(",") if o.strip()}
    unknown = only - set(SECTIONS)
    if unknown:
        print(f"Unknown section(s): {', '.join(sorted(unknown))}. Choose from {', '.join(SECTIONS)}.", file=sys.stderr)
        return 2
    env = environment(args)
    for key in [k for k in os.environ if k.startswith("CELERY_")]:
        del os.environ[key]
    os.environ.update(env)
    ensure_database(args.database_url)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    from crm.demo import DEMO_PASSWORD
    from tests.benchmarks import bench_jobs, bench_pages, bench_send
    from tests.benchmarks.bench_report import evaluate, markdown

    started_at = dt.datetime.now(dt.UTC)
    call_command("migrate", verbosity=0, interactive=False)
    seeding: dict[str, Any] = {}
    if not args.skip_seed:
        t0 = time.monotonic()
        call_command(
            "seed_bench",
            contacts=scale.contacts,
            organisations=scale.organisations,
            boards=scale.boards,
            engagements=scale.engagements,
            deliveries=scale.deliveries,
        )
        seeding["seconds"] = round(time.monotonic() - t0, 1)
    results: dict[str, Any] = {
        "started_at": started_at.isoformat(),
        "command": " ".join(["python -m tests.benchmarks", *(argv if argv is not None else sys.argv[1:])]),
        "scale": asdict(scale),
        "quick": args.quick,
        "machine": machine(),
        "data": counts(),
        "seeding": seeding,
    }

    def wanted(section: str) -> bool:
        return not only or section in only

    def section(name: str, run: Any) -> None:
        if not wanted(name):
            return
        print(f"{name} ...", flush=True)
        t0 = time.monotonic()
        results[name] = run()
        print(f"{name} done in {time.monotonic() - t0:.1f}s", flush=True)

    section("pages", lambda: bench_pages.run(env, DEMO_PASSWORD, scale.requests, None))
    section("segments", lambda: bench_jobs.segment_count(scale.repeat))
    section("import", lambda: bench_jobs.import_contacts(scale.import_rows))
    section("duplicates", bench_jobs.duplicate_scan)
    section("weekly", bench_jobs.weekly_report)
    section("send", lambda: bench_send.run(env, scale.send_messages))
    section("export", lambda: bench_jobs.export_contacts(env))
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["finished_at"] = dt.datetime.now(dt.UTC).isoformat()
    results["targets"] = evaluate(results)

    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    path = output / f"{started_at:%Y%m%dT%H%M%SZ}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = markdown(results)
    if args.markdown:
        Path(args.markdown).write_text(table)
    print(table)
    print(f"Results written to {path}")
    return 0
