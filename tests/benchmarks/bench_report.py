"""The targets of issue 9 and the Markdown table that docs/PERFORMANCE.md carries."""

from __future__ import annotations

from typing import Any

PAGE_P95_MS = 150
PAGE_MAX_QUERIES = 10
SEGMENT_COUNT_MS = 300
IMPORT_ROWS_PER_SECOND = 5_000
DUPLICATE_SCAN_S = 10
WEEKLY_REPORT_S = 10
WEEKLY_REPORT_QUERIES = 50
SEND_PER_SECOND = 200
EXPORT_S = 30
EXPORT_PEAK_MB = 300


def _check(name: str, figure: str, target: str, met: bool) -> dict[str, Any]:
    return {"name": name, "figure": figure, "target": target, "met": met}


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: what was measured, the target, and whether it was met."""
    checks = []
    for page in results.get("pages", []):
        same = page.get("queries_at_10_rows") == page.get("queries_at_1000_rows")
        queries = page["queries"]
        if page["group"] == "segment":
            met = page["p95_ms"] < SEGMENT_COUNT_MS
            target = f"p95 < {SEGMENT_COUNT_MS} ms"
        else:
            met = page["p95_ms"] < PAGE_P95_MS and (page["group"] == "write" or queries <= PAGE_MAX_QUERIES)
            target = f"p95 < {PAGE_P95_MS} ms" + ("" if page["group"] == "write" else f", ≤ {PAGE_MAX_QUERIES} queries")
        figure = f"median {page['median_ms']} ms, p95 {page['p95_ms']} ms, {queries} queries"
        if "queries_at_10_rows" in page:
            figure += f" ({page['queries_at_10_rows']} at 10 rows, {page['queries_at_1000_rows']} at 1,000)"
            target += ", same at 10 and 1,000 rows"
            met = met and same
        met = met and all(status < 400 for status in page["status"])
        checks.append(_check(page["name"], figure, target, met))
    if "segments" in results:
        s = results["segments"]
        checks.append(
            _check(
                f"Segment count over {s['contacts']:,} contacts (service)",
                f"median {s['count']['median_ms']} ms, p95 {s['count']['p95_ms']} ms",
                f"< {SEGMENT_COUNT_MS} ms",
                s["count"]["p95_ms"] < SEGMENT_COUNT_MS,
            )
        )
        checks.append(
            _check(
                "Segment preview (counts by exclusion reason)",
                f"median {s['preview']['median_ms']} ms, p95 {s['preview']['p95_ms']} ms, "
                f"{s['preview']['queries']} queries",
                f"< {SEGMENT_COUNT_MS} ms",
                s["preview"]["p95_ms"] < SEGMENT_COUNT_MS,
            )
        )
    if "import" in results:
        i = results["import"]
        checks.append(
            _check(
                f"CSV import of {i['rows']:,} rows with validation",
                f"{i['rows_per_second']:,} rows/s ({i['total_s']} s: preview {i['preview_s']} s, run {i['run_s']} s), "
                f"{i['created']:,} created",
                f"≥ {IMPORT_ROWS_PER_SECOND:,} rows/s",
                i["rows_per_second"] >= IMPORT_ROWS_PER_SECOND and i["status"] == "done",
            )
        )
    if "duplicates" in results:
        d = results["duplicates"]
        checks.append(
            _check(
                f"Duplicate scan of {d['contacts']:,} contacts",
                f"{d['seconds']} s, {d['pairs']:,} pairs",
                f"< {DUPLICATE_SCAN_S} s",
                d["seconds"] < DUPLICATE_SCAN_S,
            )
        )
    if "weekly" in results:
        w = results["weekly"]
        checks.append(
            _check(
                f"Weekly report over {w['engagements']:,} engagements",
                f"{w['seconds']} s, {w['queries']} queries",
                f"< {WEEKLY_REPORT_S} s, < {WEEKLY_REPORT_QUERIES} queries",
                w["seconds"] < WEEKLY_REPORT_S and w["queries"] < WEEKLY_REPORT_QUERIES and w["status"] == "ready",
            )
        )
    if "send" in results:
        s = results["send"]
        checks.append(
            _check(
                f"Send of {s['messages']:,} emails to loopback SMTP, {s['workers']} workers",
                f"{s['messages_per_second']} messages/s; exactly once: {'yes' if s['exactly_once'] else 'NO'}",
                f"≥ {SEND_PER_SECOND} messages/s, exactly once",
                s["messages_per_second"] >= SEND_PER_SECOND and s["exactly_once"],
            )
        )
    if "export" in results:
        e = results["export"]
        checks.append(
            _check(
                f"Streaming CSV export of {e['rows']:,} contacts",
                f"{e['seconds']} s, peak memory {e['peak_memory_mb']} MB",
                f"< {EXPORT_S} s, < {EXPORT_PEAK_MB} MB",
                e["seconds"] < EXPORT_S and e["peak_memory_mb"] < EXPORT_PEAK_MB and e["status"] == 200,
            )
        )
    return checks


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    d = results["data"]
    lines = [
        f"Run started {results['started_at']} (UTC): `{results['command']}`",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu'] or 'unknown CPU'}), {m['memory_gb']} GB memory, {m['database']}, "
        f"Python {m['python']}, Django {m['django']}; load average at start {m['load_average_at_start']}, "
        f"at end {m.get('load_average_at_end', '')}.",
        "",
        f"Data: {d['contacts']:,} contacts, {d['organisations']:,} organisations, {d['boards']:,} boards, "
        f"{d['engagements']:,} engagements, {d['deliveries']:,} deliveries, "
        f"{d['timeline_entries']:,} timeline entries.",
        "",
        "| what | measured | target | met |",
        "|---|---|---|---|",
    ]
    for check in results.get("targets", []):
        lines.append(
            f"| {check['name']} | {check['figure']} | {check['target']} | {'yes' if check['met'] else '**no**'} |"
        )
    return "\n".join(lines) + "\n"
