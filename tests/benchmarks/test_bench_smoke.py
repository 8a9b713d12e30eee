"""The benchmark suite at a tiny scale, so that `make test` notices when it rots. It checks that every figure
is produced and that sending stayed exactly-once; it does not check the targets (no timed assertions: those
belong to `make bench` on a quiet machine, docs/PERFORMANCE.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests.benchmarks.bench_runner import SECTIONS

ROOT = Path(__file__).resolve().parents[2]


def smoke_database_url() -> str:
    """A database of the smoke run's own, next to this test run's (never the test database itself)."""
    name = f"{os.environ.get('TEST_DATABASE_NAME') or 'test'}_bench_smoke"
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return urlparse(url)._replace(path=f"/{name}").geturl()
    return f"sqlite:///{settings.VAR_DIR if hasattr(settings, 'VAR_DIR') else ROOT / 'var'}/{name}.sqlite3"


@pytest.fixture(scope="module")
def smoke_results(tmp_path_factory) -> dict:
    output = tmp_path_factory.mktemp("bench")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_SETTINGS", "CELERY_"))}
    process = subprocess.run(
        [
            sys.executable, "-m", "tests.benchmarks", "--quick",
            "--database-url", smoke_database_url(),
            "--redis-url", os.environ.get("REDIS_URL", ""),
            "--output", str(output),
            "--markdown", str(output / "table.md"),
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert process.returncode == 0, process.stdout[-4000:] + process.stderr[-4000:]
    [path] = list(output.glob("*-quick.json"))
    results = json.loads(path.read_text())
    results["_table"] = (output / "table.md").read_text()
    return results


def test_every_section_produces_its_figures(smoke_results):
    # Given the quick run, then each section is there with its headline figure
    for section in SECTIONS:
        assert section in smoke_results, section
    assert smoke_results["segments"]["count"]["eligible"] > 0
    assert smoke_results["import"]["status"] == "done"
    assert smoke_results["import"]["created"] == smoke_results["scale"]["import_rows"]
    assert smoke_results["duplicates"]["contacts"] >= smoke_results["scale"]["contacts"]
    assert smoke_results["weekly"]["status"] == "ready"
    assert smoke_results["weekly"]["queries"] > 0
    assert smoke_results["export"]["rows"] == smoke_results["data"]["contacts"]
    assert smoke_results["export"]["peak_memory_mb"] > 0


def test_every_page_answers_with_a_query_count(smoke_results):
    # Given the pages measured over HTTP, then each answered without error and reported its query count
    pages = {page["name"]: page for page in smoke_results["pages"]}
    assert {"Dashboard", "Contacts", "Engagements", "Contact page (long timeline)", "Area overview"} <= set(pages)
    assert "Log an engagement (POST)" in pages
    for page in pages.values():
        assert page["requests"] == smoke_results["scale"]["requests"]
        assert page["queries"] > 0, page["name"]
        assert all(status < 400 for status in page["status"]), page
    assert pages["Log an engagement (POST)"]["status"] == [302]
    assert pages["Contacts"]["queries_at_10_rows"] > 0
    assert pages["Contact page (long timeline)"]["timeline_entries"] > 1


def test_sending_is_exactly_once_and_measured(smoke_results):
    send = smoke_results["send"]
    assert send["sent"] == send["messages"] == send["smtp_messages"]
    assert send["exactly_once"] is True
    assert send["messages_per_second"] > 0


def test_the_table_names_the_machine_and_every_target(smoke_results):
    table = smoke_results["_table"]
    assert "CPUs" in table
    assert smoke_results["machine"]["python"] in table
    assert len(smoke_results["targets"]) == table.count("\n| ") - 1  # one row per check, less the header
    assert "Weekly report over" in table
    assert "Streaming CSV export" in table


def test_a_second_run_reuses_the_seeded_data(smoke_results):
    # The POST and import benchmarks clean up after themselves, so the counts are the seeded ones
    data, scale = smoke_results["data"], smoke_results["scale"]
    assert data["contacts"] == scale["contacts"]
    assert data["engagements"] >= scale["engagements"]
