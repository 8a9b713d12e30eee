"""Rows for the report page's tables, from the stored figures (the same rows the CSV and PDF use)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def _row(label: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"label": label, **value}


@register.filter
def headline(f: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("Engagements", f["engagements"]["total"]),
        ("Stage moves up", f["stages"]["up"]),
        ("Stage moves down", f["stages"]["down"]),
        ("Commitments done", f["commitments"]["done"]),
        ("Commitments overdue", f["commitments"]["overdue"]),
        ("Emails delivered", f["campaigns"]["deliveries"]),
        ("Campaign responses", f["campaigns"]["responses"]),
    ]


@register.filter
def work_rows(f: dict[str, Any]) -> list[dict[str, Any]]:
    c, m = f["commitments"], f["meetings"]
    return [
        _row("Commitments made", c["made"]),
        _row("Commitments done", c["done"]),
        _row("Commitments overdue at the end of the week", c["overdue"]),
        _row("Meetings held", m["held"]),
        _row("Papers submitted", m["papers"]),
    ]


@register.filter
def campaign_rows(f: dict[str, Any]) -> list[dict[str, Any]]:
    p = f["campaigns"]
    return [
        _row("Sends started", p["sends"]),
        _row("Emails delivered", p["deliveries"]),
        _row("Unsubscribes", p["unsubscribes"]),
        _row("Responses", p["responses"]),
    ]
