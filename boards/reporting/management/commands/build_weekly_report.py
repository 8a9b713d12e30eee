"""python manage.py build_weekly_report [--week 2026-W47] [--email] [--rebuild]"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from boards.reporting.services import report_emails, weekly
from boards.reporting.services.weeks import last_completed_week, parse_week, week_label


class Command(BaseCommand):
    help = "Build the weekly progress report for a week (default: the last completed week), with progress output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", help="ISO week such as 2026-W47. Default: the week just ended.")
        parser.add_argument("--email", action="store_true", help="Email it to subscribers who have not had it.")
        parser.add_argument("--rebuild", action="store_true", help="Replace the figures if the week has a report.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            week_start = parse_week(options["week"]) if options["week"] else last_completed_week()
        except ValueError as error:
            raise CommandError(str(error)) from error
        label = week_label(week_start)
        try:
            requested = weekly.weekly_report_request(actor=None, week_start=week_start, rebuild=options["rebuild"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Building the report for {label} ({week_start:%d/%m/%Y} to {requested.week_end:%d/%m/%Y})")

        def progress(percent: int, note: str) -> None:
            self.stdout.write(f"  {percent:3d}%  {note}")

        report = weekly.weekly_report_build(report_id=requested.pk, progress=progress)
        if report is None or report.status != report.Status.READY:
            raise CommandError(f"The report for {label} was not built.")
        self.stdout.write(self.style.SUCCESS(f"Report {label} is ready" + (" (rebuilt)" if report.rebuilt_at else "")))
        if options["email"]:
            try:
                outcome = report_emails.weekly_report_email(report_id=report.pk)
            except report_emails.ReportEmailFailed as error:
                raise CommandError(f"{error}. Run the command again with --email to retry only those.") from error
            self.stdout.write(f"Emailed to {outcome['sent']} subscriber(s) who had not had it.")
