"""Work that is not one page: segment counts, the CSV import, the duplicate scan, the weekly report and the
streaming export. Each runs through the same service or view the app uses, in this process (or, for the
export's peak memory, in a child process of its own)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.benchmarks.bench_stats import stopwatch, summary_ms, timed

ROOT = Path(__file__).resolve().parents[2]
IMPORT_DOMAIN = "import.bench.example"


def segment_count(repeat: int) -> dict[str, Any]:
    """The count a send would go to, and the preview's grouped counts, over every contact."""
    from campaigns.selectors import segment_preview, segment_recipients
    from crm.models import Contact, PractitionerGroup, Region

    everyone: dict[str, Any] = {}
    filtered = {"practitioner_groups": [PractitionerGroup.HEALTH_VISITING], "regions": [Region.NORTH_WEST]}
    count_samples, count = timed(lambda: segment_recipients(everyone).count(), repeat)
    preview_samples, preview = timed(lambda: segment_preview(everyone), repeat)
    filtered_samples, _ = timed(lambda: segment_preview(filtered), repeat)
    with CaptureQueriesContext(connection) as queries:
        segment_preview(everyone)
    return {
        "contacts": Contact.objects.count(),
        "repeat": repeat,
        "count": {**summary_ms(count_samples), "eligible": count},
        "preview": {**summary_ms(preview_samples), "matched": preview.matched, "queries": len(queries)},
        "preview_filtered": summary_ms(filtered_samples),
    }


def import_csv_bytes(rows: int) -> bytes:
    """A realistic contacts file: names, emails, groups, areas by name, organisations, tags and UK dates."""
    from crm.models import LocalArea, Organisation, PractitionerGroup

    areas = list(LocalArea.objects.order_by("pk").values_list("name", flat=True)[:50])
    organisations = list(Organisation.objects.order_by("pk").values_list("name", flat=True)[:200])
    groups = [label for _, label in PractitionerGroup.choices]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["First name", "Last name", "Email", "Job title", "Phone", "Practitioner group", "Local area",
         "Organisation", "Tags", "Lawful basis", "Consent date"]
    )  # fmt: skip
    for i in range(rows):
        consent = i % 4 == 0
        writer.writerow(
            [
                f"Imported{i % 997}",
                f"Person{i}",
                f"person.{i}@{IMPORT_DOMAIN}",
                "Health visitor",
                f"0161 496 {i % 10000:04d}",
                groups[i % len(groups)],
                areas[i % len(areas)] if areas else "",
                organisations[i % len(organisations)] if organisations else "",
                "imported; newsletter" if i % 3 == 0 else "",
                "Consent" if consent else "Legitimate interests",
                f"{1 + i % 28:02d}/{1 + i % 12:02d}/2025" if consent else "",
            ]
        )
    return out.getvalue().encode("utf-8")


def remove_imported() -> int:
    """Take an earlier run's imported contacts out again, so each run imports into the same registry."""
    from crm.models import Contact, ImportJob

    ids = list(Contact.objects.filter(email__endswith=f"@{IMPORT_DOMAIN}").values_list("pk", flat=True))
    for start in range(0, len(ids), 5000):
        Contact.objects.filter(pk__in=ids[start : start + 5000]).delete()
    for job in ImportJob.objects.filter(original_name__startswith="bench-import-"):
        job.file.delete(save=False)
        job.delete()
    return len(ids)


def import_contacts(rows: int) -> dict[str, Any]:
    """Upload, map, preview (every row checked) and run, through crm.services.importing."""
    from crm.models import ImportJob, User
    from crm.services import importing

    remove_imported()
    actor = User.objects.get(email="admin@example.org")
    data = import_csv_bytes(rows)
    with stopwatch() as upload:
        job = importing.import_job_create(actor=actor, data=data, filename=f"bench-import-{rows}.csv", kind="contacts")
    columns = importing.job_columns(job)
    with stopwatch() as preview:
        plan = importing.import_job_preview(job=job, actor=actor, columns=columns, match_action="skip")
    with stopwatch() as run:
        job = importing.import_job_run(job_id=job.pk)
    total = upload["seconds"] + preview["seconds"] + run["seconds"]
    result = {
        "rows": rows,
        "bytes": len(data),
        "upload_s": round(upload["seconds"], 2),
        "preview_s": round(preview["seconds"], 2),
        "run_s": round(run["seconds"], 2),
        "total_s": round(total, 2),
        # The run checks every row again before writing, so preview + run is validation twice plus the write.
        "rows_per_second": round(rows / total) if total else 0,
        "run_rows_per_second": round(rows / run["seconds"]) if run["seconds"] else 0,
        "status": job.status,
        "created": job.created_count,
        "rejected": job.error_count,
        "planned_create": plan.summary["create"],
        "mapping": columns,
    }
    if job.status != ImportJob.Status.DONE:
        result["failure"] = job.failure
    remove_imported()
    return result


def duplicate_scan() -> dict[str, Any]:
    from crm.models import Contact
    from crm.services.duplicates import duplicate_candidates

    with CaptureQueriesContext(connection) as queries, stopwatch() as watch:
        pairs = duplicate_candidates()
    return {
        "contacts": Contact.objects.filter(erased_at__isnull=True).count(),
        "seconds": round(watch["seconds"], 2),
        "pairs": len(pairs),
        "queries": len(queries),
    }


def weekly_report() -> dict[str, Any]:
    from boards.models import Engagement
    from boards.reporting.services import weekly
    from boards.reporting.services.weeks import last_completed_week

    week_start = last_completed_week()
    report = weekly.weekly_report_request(actor=None, week_start=week_start, rebuild=True)
    with CaptureQueriesContext(connection) as queries, stopwatch() as watch:
        report = weekly.weekly_report_build(report_id=report.pk)
    figures = report.figures if report else {}
    return {
        "engagements": Engagement.objects.count(),
        "week": figures.get("week", ""),
        "seconds": round(watch["seconds"], 2),
        "queries": len(queries),
        "status": report.status if report else "missing",
        "engagements_that_week": figures.get("engagements", {}).get("total", {}).get("this")
        if isinstance(figures.get("engagements", {}).get("total"), dict)
        else figures.get("engagements", {}).get("total"),
    }


def export_contacts(env: dict[str, str]) -> dict[str, Any]:
    """The contact list as CSV, streamed, in a process of its own so its peak memory is the export's."""
    process = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_export_child"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if process.returncode != 0:
        raise RuntimeError(f"The export child failed:\n{process.stderr[-3000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])
