"""Demo data: the report for the last completed week, built from whatever history the demo world has."""

from __future__ import annotations

from typing import Any

from .models import WeeklyReport
from .services import weekly
from .services.weeks import last_completed_week


def seed(command: Any, options: dict[str, Any]) -> None:
    week_start = last_completed_week()
    if WeeklyReport.objects.filter(week_start=week_start, status=WeeklyReport.Status.READY).exists():
        command.stdout.write("Weekly report: last week's is already built.")
        return
    report = WeeklyReport.objects.filter(week_start=week_start).first()
    if report is None or report.status != WeeklyReport.Status.QUEUED:
        report = weekly.weekly_report_request(actor=None, week_start=week_start, rebuild=True)
    weekly.weekly_report_build(report_id=report.pk)
    command.stdout.write(f"Weekly report: built {report.week_label}.")
