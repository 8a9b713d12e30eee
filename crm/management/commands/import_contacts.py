"""Import contacts or organisations from a CSV or XLSX file, as the web import does, with progress
on the terminal and an optional CSV report of the rows that were left out."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.importing.columns import parse_mapping_option, target_labels
from crm.importing.readers import ImportFileError, read_table
from crm.models import ImportJob, User
from crm.services.importing import (
    ImportStateError,
    import_job_create,
    import_job_preview,
    import_job_run,
    import_problem_rows,
    job_columns,
)
from crm.spreadsheets import neutralise


class Command(BaseCommand):
    help = "Import contacts (or, with --organisations, organisations) from a CSV or Excel file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to a .csv or .xlsx file with a header row.")
        parser.add_argument("--organisations", action="store_true", help="The file holds organisations.")
        parser.add_argument(
            "--match",
            choices=["create", "update", "skip"],
            default="skip",
            help="What to do with a row that matches an existing record (default: skip).",
        )
        parser.add_argument(
            "--mapping",
            default="",
            help='Column to field, overriding the guess: "E-mail=email,Org=organisation,Notes=" ("=" alone skips).',
        )
        parser.add_argument(
            "--create-missing-organisations", action="store_true", help="Create organisations the file names."
        )
        parser.add_argument("--report", help="Write the rows that were left out (row, column, reason) to this CSV.")
        parser.add_argument("--user", help="Email of the person the import is recorded against.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        kind = ImportJob.Kind.ORGANISATIONS if options["organisations"] else ImportJob.Kind.CONTACTS
        actor = None
        if options["user"]:
            actor = User.objects.filter(email__iexact=options["user"]).first()
            if actor is None:
                raise CommandError(f"No user has the email {options['user']}.")
        data = path.read_bytes()
        try:
            table = read_table(data, path.name)
            columns = parse_mapping_option(options["mapping"], table.headers, kind)
        except (ImportFileError, ValueError) as exc:
            raise CommandError(str(exc)) from exc

        labels = target_labels(kind)
        self.stdout.write(f"Read {len(table.rows)} rows from {path.name} ({table.encoding}).")
        for note in table.notes:
            self.stdout.write(f"  {note}")
        for header, key in columns.items():
            self.stdout.write(f"  {header} -> {labels[key] if key else 'not imported'}")

        job = import_job_create(actor=actor, data=data, filename=path.name, kind=kind)
        try:
            plan = import_job_preview(
                job=job,
                actor=actor,
                columns=columns,
                match_action=options["match"],
                create_missing_organisations=options["create_missing_organisations"],
            )
        except ImportStateError as exc:
            job.delete()
            raise CommandError(str(exc)) from exc
        summary = plan.summary
        self.stdout.write(
            f"Checked: {summary['create']} to create, {summary['update']} to update, "
            f"{summary['skip']} to skip, {summary['rejected']} rejected."
        )
        if options["dry_run"]:
            self._report(job, options.get("report"))
            self.stdout.write("Dry run: nothing was written.")
            return

        self.stdout.write(f"Importing (job {job.pk})…")
        job = import_job_run(job_id=job.pk, on_progress=self._progress)
        self.stdout.write("")
        self._report(job, options.get("report"))
        if job.status != ImportJob.Status.DONE:
            raise CommandError(job.failure or "The import did not finish; nothing was written.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {job.created_count} created, {job.updated_count} updated, {job.skipped_count} skipped, "
                f"{job.error_count} rejected. Columns used: {', '.join(k for k in job_columns(job).values() if k)}."
            )
        )

    def _progress(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        self.stdout.write(f"\r  {percent:3d}% ({done} of {total} rows)", ending="")
        self.stdout.flush()

    def _report(self, job: ImportJob, report: str | None) -> None:
        rejected = import_problem_rows(job)
        for problem in rejected[:20]:
            self.stdout.write(f"  row {problem['row']}, {problem['column']}: {problem['message']}")
        if len(rejected) > 20:
            self.stdout.write(f"  … and {len(rejected) - 20} more problems.")
        if report:
            with open(report, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["row", "column", "reason"])
                for problem in rejected:
                    writer.writerow([neutralise(problem[k]) for k in ("row", "column", "message")])
            self.stdout.write(f"Wrote {len(rejected)} rejected-row problems to {report}.")
