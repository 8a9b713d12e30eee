"""Import pages: upload, map columns, preview every problem, confirm, watch progress, see the result.
Each view validates its form and calls one service; nothing here writes to the database itself."""

from __future__ import annotations

import csv
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views import View

from crm.importing.columns import target_labels
from crm.importing.forms import MappingForm, UploadForm
from crm.importing.readers import ImportFileError
from crm.mixins import RoleRequiredMixin
from crm.models import ImportJob, User
from crm.outbox.selectors import deferred_task_is_waiting
from crm.queueing import QUEUE_LATER_MESSAGE
from crm.selectors_data import import_job_for_change, import_job_get, import_jobs_recent
from crm.services.importing import (
    ImportStateError,
    import_job_confirm,
    import_job_create,
    import_job_preview,
    import_job_table,
    import_problem_rows,
    inline_max_rows,
    job_columns,
)
from crm.spreadsheets import neutralise
from crm.tasks import import_run

PROBLEMS_PER_PAGE = 100
SEVERITY_LABELS = {"error": "Not imported", "match": "Matches a record", "notice": "Note"}


def _user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware and the permission mixin have already turned anonymous people away.
    return cast(User, request.user)


def _needs_add_permission(request: HttpRequest, kind: str) -> None:
    needed = "crm.add_contact" if kind == ImportJob.Kind.CONTACTS else "crm.add_organisation"
    if not request.user.has_perm(needed):
        raise PermissionDenied


def _problem_page(request: HttpRequest, job: ImportJob) -> dict[str, Any]:
    show = request.GET.get("show", "all")
    problems = job.problems
    if show in SEVERITY_LABELS:
        problems = [p for p in problems if p.get("severity") == show]
    page = Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    counts = {key: 0 for key in SEVERITY_LABELS}
    for problem in job.problems:
        counts[problem.get("severity", "error")] = counts.get(problem.get("severity", "error"), 0) + 1
    return {
        "problems": [{**p, "severity_label": SEVERITY_LABELS.get(p.get("severity"), "")} for p in page],
        "problem_page": page,
        "problem_show": show,
        "problem_counts": counts,
        "severity_labels": SEVERITY_LABELS,
    }


class ImportStartView(RoleRequiredMixin, View):
    permission_required = "crm.add_importjob"
    template_name = "crm/imports/start.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(request, UploadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            _needs_add_permission(request, kind)
            upload = form.cleaned_data["file"]
            try:
                job = import_job_create(actor=_user(request), data=upload.read(), filename=upload.name, kind=kind)
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("crm:import_mapping", pk=job.pk)
        return self.render(request, form, status=400 if form.errors else 200)

    def render(self, request: HttpRequest, form: UploadForm, status: int = 200) -> HttpResponse:
        context = {
            "form": form,
            "recent_jobs": import_jobs_recent(),
            "inline_max_rows": inline_max_rows(),
            "contact_fields": target_labels(ImportJob.Kind.CONTACTS).values(),
            "organisation_fields": target_labels(ImportJob.Kind.ORGANISATIONS).values(),
        }
        return render(request, self.template_name, context, status=status)


class ImportMappingView(RoleRequiredMixin, View):
    permission_required = "crm.add_importjob"
    template_name = "crm/imports/mapping.html"

    def setup_job(self, request: HttpRequest, pk: int) -> ImportJob | HttpResponse:
        job = import_job_for_change(user=_user(request), pk=pk)
        _needs_add_permission(request, job.kind)
        if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWED):
            return redirect("crm:import_detail", pk=job.pk)
        return job

    def samples(self, job: ImportJob) -> dict[str, list[str]]:
        table = import_job_table(job)
        return {h: [cells[i] for _, cells in table.rows[:3]] for i, h in enumerate(table.headers)}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self.setup_job(request, pk)
        if isinstance(job, HttpResponse):
            return job
        return self.render(request, job, MappingForm(job=job, samples=self.samples(job)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = self.setup_job(request, pk)
        if isinstance(job, HttpResponse):
            return job
        form = MappingForm(request.POST, job=job, samples=self.samples(job))
        if form.is_valid():
            try:
                import_job_preview(
                    job=job,
                    actor=_user(request),
                    columns=form.columns(),
                    match_action=form.cleaned_data["match_action"],
                    create_missing_organisations=form.cleaned_data.get("create_missing_organisations", False),
                )
            except ImportStateError as exc:
                form.add_error(None, str(exc))
            except ImportFileError as exc:
                form.add_error(None, f"The uploaded file can no longer be read: {exc}")
            else:
                return redirect("crm:import_preview", pk=job.pk)
        return self.render(request, job, form, status=400)

    def render(self, request: HttpRequest, job: ImportJob, form: MappingForm, status: int = 200) -> HttpResponse:
        return render(request, self.template_name, {"job": job, "form": form}, status=status)


class ImportPreviewView(RoleRequiredMixin, View):
    permission_required = "crm.add_importjob"
    template_name = "crm/imports/preview.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = import_job_for_change(user=_user(request), pk=pk)
        if job.status == ImportJob.Status.UPLOADED:
            return redirect("crm:import_mapping", pk=job.pk)
        if job.status != ImportJob.Status.PREVIEWED:
            return redirect("crm:import_detail", pk=job.pk)
        labels = target_labels(job.kind)
        # Listed in the file's column order (a JSON object in PostgreSQL does not keep key order).
        columns = job_columns(job)
        mapped = [(h, labels[columns[h]]) for h in job.headers if columns.get(h)]
        ignored = [h for h in job.headers if not columns.get(h)]
        context = {
            "job": job,
            "mapped": mapped,
            "ignored": ignored,
            "runs_in_background": job.total_rows > inline_max_rows(),
            **_problem_page(request, job),
        }
        return render(request, self.template_name, context)


class ImportConfirmView(RoleRequiredMixin, View):
    permission_required = "crm.add_importjob"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = import_job_for_change(user=_user(request), pk=pk)
        _needs_add_permission(request, job.kind)
        try:
            job = import_job_confirm(job=job, actor=_user(request))
        except ImportStateError as exc:
            messages.error(request, str(exc))
            return redirect("crm:import_detail", pk=job.pk)
        if job.status == ImportJob.Status.DONE:
            messages.success(
                request,
                f"Import finished: {job.created_count} created, {job.updated_count} updated, "
                f"{job.skipped_count} skipped, {job.error_count} rows not imported.",
            )
        elif job.status == ImportJob.Status.QUEUED and deferred_task_is_waiting(task=import_run, args=[job.pk]):
            messages.info(request, QUEUE_LATER_MESSAGE)
        return redirect("crm:import_detail", pk=job.pk)


class ImportDetailView(RoleRequiredMixin, View):
    permission_required = "crm.view_importjob"
    template_name = "crm/imports/detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = import_job_get(pk=pk)
        in_progress = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
        context = {
            "job": job,
            "in_progress": in_progress,
            "percent": _percent(job),
            "can_change": job.created_by_id == request.user.pk or request.user.has_perm("crm.delete_importjob"),
            **_problem_page(request, job),
        }
        response = render(request, self.template_name, context)
        if in_progress:
            response["Cache-Control"] = "no-store"
        return response


def _percent(job: ImportJob) -> int:
    if job.status == ImportJob.Status.DONE:
        return 100
    return int(100 * job.processed_rows / job.total_rows) if job.total_rows else 0


class ImportProgressView(RoleRequiredMixin, View):
    permission_required = "crm.view_importjob"

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        job = import_job_get(pk=pk)
        response = JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "processed_rows": job.processed_rows,
                "total_rows": job.total_rows,
                "percent": _percent(job),
                "finished": job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED),
                "detail_url": reverse("crm:import_detail", args=[job.pk]),
            }
        )
        add_never_cache_headers(response)
        return response


class _Echo:
    def write(self, value: str) -> str:
        return value


class ImportRejectedRowsView(RoleRequiredMixin, View):
    """The rows left out of an import, with row number, column and reason, as CSV."""

    permission_required = "crm.view_importjob"

    def get(self, request: HttpRequest, pk: int) -> StreamingHttpResponse:
        job = import_job_get(pk=pk)
        writer = csv.writer(_Echo())
        rows = [("Row", "Column", "Reason")] + [
            (p.get("row"), p.get("column"), p.get("message")) for p in import_problem_rows(job)
        ]
        response = StreamingHttpResponse(
            (writer.writerow([neutralise(c) for c in row]) for row in rows),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected-rows.csv"'
        return response
