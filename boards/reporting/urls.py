from django.urls import path, re_path

from . import views

app_name = "reporting"

WEEK = r"(?P<week>\d{4}-W\d{2})"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="report_list"),
    path("build/", views.ReportBuildView.as_view(), name="report_build"),
    path("reminders/", views.ReminderSettingsView.as_view(), name="reminder_settings"),
    re_path(rf"^{WEEK}/$", views.ReportDetailView.as_view(), name="report_detail"),
    re_path(rf"^{WEEK}/progress/$", views.ReportProgressView.as_view(), name="report_progress"),
    re_path(rf"^{WEEK}/pdf/$", views.ReportPdfView.as_view(), name="report_pdf"),
    re_path(rf"^{WEEK}/csv/$", views.ReportCsvView.as_view(), name="report_csv"),
    re_path(rf"^{WEEK}/xlsx/$", views.ReportXlsxView.as_view(), name="report_xlsx"),
]
