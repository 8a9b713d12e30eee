"""Importing contacts and organisations: upload, map, preview, confirm, run.

Nothing touches the registry until the person confirms; the run writes everything in one
transaction or nothing at all. Big files run on a Celery worker (the task calls import_job_run);
small ones run inside the request. The run is safe to repeat: the job is claimed with a conditional
update, and a lock taken inside the write transaction makes a second runner wait, then find it done."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connection, connections, transaction
from django.utils import timezone

from crm.importing.columns import guess_mapping, target_labels
from crm.importing.readers import ImportFileError, Table, read_table
from crm.importing.validation import MATCH_ACTIONS, Options, Plan, validate
from crm.importing.writing import write_plan
from crm.models import ImportJob, User
from crm.queueing import enqueue
from crm.services.audit import audit_record

logger = logging.getLogger(__name__)

DEFAULT_INLINE_MAX_ROWS = 500
ProgressCallback = Callable[[int, int], None]
ADVISORY_LOCK_NAMESPACE = 7301  # any constant; keeps import locks apart from other advisory locks


class ImportStateError(Exception):
    """The job is not at a step where this can happen (confirming twice, say)."""


def inline_max_rows() -> int:
    return getattr(settings, "IMPORT_INLINE_MAX_ROWS", DEFAULT_INLINE_MAX_ROWS)


def job_columns(job: ImportJob) -> dict[str, str]:
    return dict(job.mapping.get("columns", {}))


def job_options(job: ImportJob) -> Options:
    options = job.mapping.get("options", {})
    return Options(
        match_action=job.match_action,
        create_missing_organisations=bool(options.get("create_missing_organisations", False)),
    )


def import_job_create(*, actor: User | None, data: bytes, filename: str, kind: str) -> ImportJob:
    """Read the file (refusing anything that is not a readable table) and keep it with a first guess
    at the column mapping. Raises ImportFileError with a message for the person; nothing is stored then."""
    if kind not in ImportJob.Kind.values:
        raise ImportFileError("Choose whether the file holds contacts or organisations.")
    table = read_table(data, filename)
    job = ImportJob(
        kind=kind,
        original_name=filename[:255],
        encoding=table.encoding,
        headers=table.headers,
        mapping={"columns": guess_mapping(table.headers, kind), "options": {}},
        total_rows=len(table.rows),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    job.file.save(filename[-100:] or "import.csv", ContentFile(data), save=False)
    # created_by may be empty for a command-line import (the field is null=True but not blank=True).
    job.full_clean(exclude=["file", "created_by"])
    job.save()
    return job


def import_job_table(job: ImportJob) -> Table:
    with job.file.open("rb") as handle:
        data = handle.read()
    return read_table(data, job.original_name)


def mapping_errors(columns: dict[str, str], kind: str) -> list[str]:
    """What is wrong with a mapping, in words for the person choosing it."""
    labels = target_labels(kind)
    errors = []
    used: dict[str, str] = {}
    for header, key in columns.items():
        if not key:
            continue
        if key not in labels:
            errors.append(f"“{key}” is not a field you can import into.")
        elif key in used:
            errors.append(f"“{header}” and “{used[key]}” both go to {labels[key]}; choose one of them.")
        else:
            used[key] = header
    if kind == ImportJob.Kind.CONTACTS:
        if "name" not in used and not {"first_name", "last_name"} <= set(used):
            errors.append("Choose the column with the full name, or the columns with the first and last names.")
    elif "name" not in used:
        errors.append("Choose the column with the organisation’s name.")
    return errors


def import_job_preview(
    *,
    job: ImportJob,
    actor: User | None,
    columns: dict[str, str],
    match_action: str,
    create_missing_organisations: bool = False,
) -> Plan:
    """Check every row against the chosen mapping and keep the findings on the job. Writes nothing
    to the registry."""
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWED):
        raise ImportStateError("This import has already been confirmed, so its mapping can no longer change.")
    if match_action not in MATCH_ACTIONS:
        raise ImportStateError("Choose what to do with rows that match a record already in the registry.")
    columns = {h: columns.get(h, "") for h in job.headers}
    errors = mapping_errors(columns, job.kind)
    if errors:
        raise ImportStateError(" ".join(errors))
    job.mapping = {"columns": columns, "options": {"create_missing_organisations": create_missing_organisations}}
    job.match_action = match_action
    plan = validate(import_job_table(job), columns, job.kind, job_options(job))
    summary = plan.summary
    job.total_rows = plan.total
    job.created_count, job.updated_count = summary["create"], summary["update"]
    job.skipped_count, job.error_count = summary["skip"], summary["rejected"]
    job.problems = plan.problem_dicts()
    job.status = ImportJob.Status.PREVIEWED
    job.save()
    return plan


def import_job_confirm(*, job: ImportJob, actor: User | None) -> ImportJob:
    """Run the import now when it is small, or queue it for a worker when it is big."""
    if job.status != ImportJob.Status.PREVIEWED:
        raise ImportStateError("Only a previewed import can be confirmed; this one has already been started.")
    if job.total_rows > inline_max_rows():
        from crm.tasks import import_run

        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
            status=ImportJob.Status.QUEUED, processed_rows=0
        )
        enqueue(import_run, job.pk)
        job.refresh_from_db()
        return job
    return import_job_run(job_id=job.pk)


class _ProgressWriter:
    """Write processed_rows as the import goes. The write itself runs in one long transaction that
    no one else can see into, so progress goes through a second connection that commits at once.
    SQLite allows one writer at a time, so there the bar moves only between the check and the write."""

    def __init__(self, job_id: int, total: int, enabled: bool, on_progress: ProgressCallback | None = None):
        self.job_id = job_id
        self.total = total
        self.on_progress = on_progress
        self.side = None
        if enabled and connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)

    def checking(self, done: int) -> None:
        # Checking is the first half of the bar; it runs outside the transaction, so a plain update shows.
        ImportJob.objects.filter(pk=self.job_id).update(processed_rows=done // 2)
        if self.on_progress:
            self.on_progress(done // 2, self.total)

    def writing(self, planned: int) -> Any:
        def report(done: int) -> None:
            value = self.total // 2 + (done * (self.total - self.total // 2)) // max(planned, 1)
            if self.on_progress:
                self.on_progress(min(value, self.total), self.total)
            if self.side is None:
                return
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET processed_rows = %s WHERE id = %s",  # noqa: S608
                    [min(value, self.total), self.job_id],
                )

        return report

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _lock_job(job_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_NAMESPACE, job_id])
    # SQLite runs write transactions one at a time (transaction_mode IMMEDIATE), which is lock enough.


def _fail(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportJob.Status.DONE).update(
        status=ImportJob.Status.FAILED, failure=message, finished_at=timezone.now()
    )


def import_job_run(
    *, job_id: int, report_progress: bool = False, on_progress: ProgressCallback | None = None
) -> ImportJob:
    """Check the rows again (the registry may have changed since the preview) and write them all, or
    nothing. Safe to call twice: a finished job is left alone."""
    claimable = [ImportJob.Status.PREVIEWED, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    claimed = ImportJob.objects.filter(pk=job_id, status__in=claimable).update(
        status=ImportJob.Status.RUNNING, processed_rows=0, failure=""
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return job
    progress = _ProgressWriter(job_id, job.total_rows, enabled=report_progress, on_progress=on_progress)
    try:
        plan = validate(
            import_job_table(job),
            job_columns(job),
            job.kind,
            job_options(job),
            progress=progress.checking if report_progress or on_progress else None,
        )
        if report_progress or on_progress:
            progress.checking(plan.total)
        planned = plan.count("create") + plan.count("update")
        with transaction.atomic():
            _lock_job(job_id)
            if ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.DONE).exists():
                return ImportJob.objects.get(pk=job_id)
            outcome = write_plan(plan=plan, job=job, actor=job.created_by, progress=progress.writing(planned))
            job.status = ImportJob.Status.DONE
            job.total_rows = plan.total
            job.processed_rows = plan.total
            job.created_count = len(outcome.created)
            job.updated_count = len(outcome.updated)
            job.skipped_count = outcome.skipped
            job.error_count = len(plan.rejected)
            job.problems = plan.problem_dicts()
            job.failure = ""
            job.finished_at = timezone.now()
            job.save()
            audit_record(
                actor=job.created_by,
                action="import",
                target=job,
                changes={
                    "file": job.original_name,
                    "kind": job.kind,
                    "created": job.created_count,
                    "updated": job.updated_count,
                    "skipped": job.skipped_count,
                    "rejected": job.error_count,
                    "organisations_created": outcome.organisations_created,
                },
            )
    except ImportFileError as exc:
        _fail(job_id, f"The file could no longer be read, so nothing was imported. {exc}")
    except (OperationalError, InterfaceError):
        # The database went away: nothing was written, and the task retries.
        with contextlib.suppress(OperationalError, InterfaceError):
            ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).update(status=ImportJob.Status.QUEUED)
        raise
    except Exception:
        logger.exception("Import job %s failed", job_id)
        _fail(
            job_id,
            f"Something went wrong while importing, so nothing was saved. The error has been logged under "
            f"import {job_id}; try again, and tell an admin if it happens again.",
        )
    finally:
        progress.close()
    return ImportJob.objects.get(pk=job_id)


def import_problem_rows(job: ImportJob) -> list[dict[str, Any]]:
    """The problems that kept rows out of the import, for the rejected-rows report."""
    return [p for p in job.problems if p.get("severity") == "error"]
