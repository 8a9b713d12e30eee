"""Emailing a built report to the users who subscribe. The ledger (one row per report and user, unique)
is written before sending and each row is claimed before its email goes, so building twice, a second
run or a retried task never emails anyone twice."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from crm.models import User

from .. import selectors
from ..models import WeeklyReport, WeeklyReportEmail
from . import emails
from .charts import report_charts

logger = logging.getLogger(__name__)


class ReportEmailFailed(Exception):
    """Some report emails failed; they are marked failed and a retry sends only those."""


def report_email_message(*, report: WeeklyReport, user: User) -> emails.InlineImagesEmail:
    figures = report.figures
    charts = report_charts(figures)
    images = [emails.InlineImage(cid=f"{c.name}.{report.week_label}@common-ground", png=c.png, filename=f"{c.name}.png")
              for c in charts]  # fmt: skip
    site = settings.SITE_URL.rstrip("/")
    context = {
        "report": report,
        "f": figures,
        "user": user,
        "charts": [{"title": c.title, "alt": c.alt, "cid": i.cid} for c, i in zip(charts, images, strict=True)],
        "report_url": site + report.get_absolute_url(),
        "pdf_url": site + reverse("reporting:report_pdf", args=[report.week_label]),
        "preferences_url": site + reverse("reporting:reminder_settings"),
    }
    return emails.compose(
        subject=f"Weekly progress report {report.week_label}",
        to=user.email,
        text=render_to_string("reporting/email/weekly_report.txt", context),
        html=render_to_string("reporting/email/weekly_report.html", context),
        images=images,
    )


def weekly_report_email(*, report_id: int) -> dict[str, int]:
    """Email a ready report to every subscriber who has not had it. Returns counts; raises
    ReportEmailFailed after trying everyone if any failed, so the task retries just those."""
    from django.core.mail import mailers

    report = WeeklyReport.objects.filter(pk=report_id, status=WeeklyReport.Status.READY).first()
    if report is None:
        return {"sent": 0, "failed": 0}
    WeeklyReportEmail.objects.bulk_create(
        [WeeklyReportEmail(report=report, user=user) for user in selectors.report_subscribers()],
        ignore_conflicts=True,
    )
    now = timezone.now()
    stale = now - dt.timedelta(minutes=settings.REMINDER_STALE_CLAIM_MINUTES)
    sendable = Q(status__in=[WeeklyReportEmail.Status.PENDING, WeeklyReportEmail.Status.FAILED]) | Q(
        status=WeeklyReportEmail.Status.SENDING, claimed_at__lt=stale
    )
    sent = failed = 0
    for row in WeeklyReportEmail.objects.filter(sendable, report=report).select_related("user").order_by("pk"):
        token = uuid.uuid4()
        if not WeeklyReportEmail.objects.filter(sendable, pk=row.pk).update(
            status=WeeklyReportEmail.Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        ):
            continue
        try:
            mailers.default.send_messages([report_email_message(report=report, user=row.user)])
        except Exception as error:
            failed += 1
            WeeklyReportEmail.objects.filter(pk=row.pk, claim_token=token).update(
                status=WeeklyReportEmail.Status.FAILED, error=str(error)[:500]
            )
            logger.warning("Report %s to user %s failed: %s", report.week_label, row.user_id, error)
            continue
        sent += 1
        WeeklyReportEmail.objects.filter(pk=row.pk, claim_token=token).update(
            status=WeeklyReportEmail.Status.SENT, sent_at=timezone.now(), error=""
        )
    if failed:
        raise ReportEmailFailed(f"{failed} report email(s) failed for {report.week_label}")
    return {"sent": sent, "failed": failed}
