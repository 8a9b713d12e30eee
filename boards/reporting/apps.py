from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Reminders and the weekly progress report: what Celery beat runs for the whole team."""

    name = "boards.reporting"
    label = "reporting"
    verbose_name = "Reminders and weekly reports"
