"""Run by bench_jobs.export_contacts in a process of its own: the contact list's CSV export, streamed through
the full middleware stack by Django's test client (no network), consumed chunk by chunk as a browser would.
Prints one JSON line: rows, bytes, seconds, and the process's peak resident memory (VmHWM)."""

from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import django


def peak_memory_kb() -> int:
    """This process's high-water mark of resident memory. VmHWM belongs to the process's own address space,
    which exec starts afresh; ru_maxrss would also carry the parent's peak from before the fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    django.setup()
    from django.test import Client

    from crm.models import User

    client = Client()
    client.force_login(User.objects.get(email="admin@example.org"))
    before_kb = peak_memory_kb()
    started = time.perf_counter()
    response = client.get("/crm/contacts/", {"export": "csv"})
    size, lines = 0, 0
    first_byte = None
    for chunk in response.streaming_content:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    peak_kb = peak_memory_kb()
    print(
        json.dumps(
            {
                "status": response.status_code,
                "streaming": response.streaming,
                "rows": max(lines - 1, 0),  # less the header line
                "bytes": size,
                "seconds": round(seconds, 2),
                "first_byte_s": round(first_byte or 0.0, 3),
                "rows_per_second": round(max(lines - 1, 0) / seconds) if seconds else 0,
                "peak_memory_mb": round(peak_kb / 1024, 1),
                "memory_before_export_mb": round(before_kb / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
