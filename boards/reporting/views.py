"""Reminder settings and the weekly reports: list, build (admins), progress, page, PDF, CSV and XLSX."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from crm.mixins import RoleRequiredMixin
from crm.queueing import QUEUE_LATER_MESSAGE, enqueue
from crm.typing import current_user

from . import selectors
from .forms import BuildReportForm, ReminderPreferenceForm
from .models import WeeklyReport
from .services import reminders, weekly
from .services.charts import report_charts
from .services.exports import figures_csv, figures_xlsx
from .services.pdf import report_pdf
from .tasks import build_weekly_report

BUILD_PERMISSION = "reporting.add_weeklyreport"


class ReminderSettingsView(RoleRequiredMixin, FormView):
    """Each user sets their own reminders; there is no way to edit someone else's."""

    permission_required = "reporting.view_reminderpreference"
    form_class = ReminderPreferenceForm
    template_name = "reporting/reminder_settings.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        user = current_user(self.request)
        preference = selectors.reminder_preference_for(user=user)
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = preference
        kwargs["initial"] = {"cold_after_days": reminders.cold_after_days_of(user=user)}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            default_time=selectors.default_digest_time(),
            digests=selectors.recent_digests_for(user=current_user(self.request)),
            **kwargs,
        )

    def form_valid(self, form: ReminderPreferenceForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        try:
            reminders.reminder_preference_update(user=current_user(self.request), **data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, "Your reminder settings are saved.")
        return HttpResponseRedirect(reverse("reporting:reminder_settings"))


class ReportListView(RoleRequiredMixin, ListView):
    permission_required = "reporting.view_weeklyreport"
    template_name = "reporting/report_list.html"
    context_object_name = "reports"
    paginate_by = 26

    def get_queryset(self):
        return selectors.report_list().defer("figures")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        can_build = self.request.user.has_perm(BUILD_PERMISSION)
        building = [r for r in kwargs.get("object_list", self.object_list) if r.status in ("queued", "building")]
        return super().get_context_data(
            can_build=can_build,
            form=kwargs.pop("form", None) or (BuildReportForm() if can_build else None),
            building=building,
            **kwargs,
        )


class ReportBuildView(RoleRequiredMixin, View):
    """Admins build (or rebuild) a week's report on demand; a worker builds it while the list shows progress."""

    permission_required = BUILD_PERMISSION
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = BuildReportForm(request.POST)
        if form.is_valid():
            try:
                report = weekly.weekly_report_request(
                    actor=current_user(request),
                    week_start=form.cleaned_data["week"],
                    rebuild=form.cleaned_data["rebuild"],
                    email=form.cleaned_data["email"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if enqueue(build_weekly_report, report.pk, form.cleaned_data["email"]):
                    messages.success(request, f"Building the report for {report.week_label}.")
                else:
                    messages.info(request, f"The report for {report.week_label} is waiting to be built.")
                    messages.info(request, QUEUE_LATER_MESSAGE)
                return HttpResponseRedirect(reverse("reporting:report_list"))
        view = ReportListView()
        view.setup(request)
        view.object_list = view.get_queryset()
        return view.render_to_response(view.get_context_data(form=form), status=400)


class ReportProgressView(RoleRequiredMixin, View):
    """What the progress bar polls: the build's state as JSON."""

    permission_required = "reporting.view_weeklyreport"

    def get(self, request: HttpRequest, week: str) -> JsonResponse:
        report = selectors.report_get(week_label=week)
        return JsonResponse(
            {
                "week": report.week_label,
                "status": report.status,
                "status_label": report.get_status_display(),
                "progress": report.progress,
                "note": report.progress_note if not report.progress_note.startswith("building:") else "Starting",
                "url": report.get_absolute_url(),
                "error": report.error if report.status == WeeklyReport.Status.FAILED else "",
            }
        )


class ReportMixin(RoleRequiredMixin):
    permission_required = "reporting.view_weeklyreport"
    kwargs: dict[str, Any]

    def get_report(self) -> WeeklyReport:
        return selectors.report_get(week_label=self.kwargs["week"])


class ReportDetailView(ReportMixin, TemplateView):
    template_name = "reporting/report_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        report = self.get_report()
        charts = []
        if report.figures:
            charts = [
                {"title": c.title, "alt": c.alt, "src": "data:image/png;base64," + base64.b64encode(c.png).decode()}
                for c in report_charts(report.figures)
            ]
        return super().get_context_data(
            report=report,
            f=report.figures,
            charts=charts,
            can_build=self.request.user.has_perm(BUILD_PERMISSION),
            **kwargs,
        )


class _Download(ReportMixin, View):
    content_type = ""
    extension = ""

    def body(self, report: WeeklyReport) -> bytes | str:
        raise NotImplementedError

    def get(self, request: HttpRequest, week: str) -> HttpResponse:
        report = self.get_report()
        if not report.figures:
            messages.error(request, f"The report for {report.week_label} has not been built yet.")
            return HttpResponseRedirect(reverse("reporting:report_list"))
        response = HttpResponse(self.body(report), content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="weekly-report-{report.week_label}.{self.extension}"'
        return response


def _rebuilt_note(report: WeeklyReport) -> str:
    if not report.rebuilt_at:
        return ""
    by = f" by {report.rebuilt_by}" if report.rebuilt_by else ""
    return f"Rebuilt{by} on {report.rebuilt_at:%d/%m/%Y}; these figures replace the first build's."


class ReportPdfView(_Download):
    content_type, extension = "application/pdf", "pdf"

    def body(self, report: WeeklyReport) -> bytes:
        return report_pdf(figures=report.figures, rebuilt_note=_rebuilt_note(report))


class ReportCsvView(_Download):
    content_type, extension = "text/csv; charset=utf-8", "csv"

    def body(self, report: WeeklyReport) -> str:
        return "\ufeff" + figures_csv(report.figures)  # the BOM makes Excel read UTF-8 names correctly


class ReportXlsxView(_Download):
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension = "xlsx"

    def body(self, report: WeeklyReport) -> bytes:
        return figures_xlsx(report.figures)
