"""Celery tasks: thin, take keys, call one service. The ledgers (digest per user per day, reminder per
item per occasion, report per week, report email per user) make every task safe to run twice."""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any, TypedDict

from celery import Task, shared_task
from django.conf import settings

from crm.queueing import enqueue_with

from .services import reminders, report_emails, weekly
from .services.weeks import last_completed_week

TEMPORARY_MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


class QueueOption(TypedDict, total=False):
    queue: str


def _same_queue(task: Task[Any, Any]) -> QueueOption:
    """Follow-on tasks go to the queue this one came from (tests run a worker on a queue of its own).
    Without one, no option at all: Celery then routes by default, as it would for queue=None."""
    queue = (getattr(task.request, "delivery_info", None) or {}).get("routing_key")
    return {"queue": queue} if queue else {}


@shared_task(bind=True, acks_late=True)
def dispatch_digests(self: Task[Any, Any]) -> int:
    """Every 15 minutes (beat): one digest task per user whose digest time has passed today."""
    local_date, user_ids = reminders.digests_due()
    for user_id in user_ids:
        enqueue_with(send_digest, args=(user_id, local_date.isoformat()), **_same_queue(self))
    return len(user_ids)


@shared_task(
    bind=True, acks_late=True, autoretry_for=TEMPORARY_MAIL_ERRORS, retry_backoff=True, retry_jitter=True, max_retries=6
)
def send_digest(self: Task[Any, Any], user_id: int, local_date: str) -> str:
    return reminders.digest_deliver(user_id=user_id, local_date=dt.date.fromisoformat(local_date))


@shared_task(bind=True, acks_late=True, max_retries=2, autoretry_for=(ConnectionError,), retry_backoff=True)
def build_weekly_report(self: Task[Any, Any], report_id: int, email: bool = False) -> str:
    report = weekly.weekly_report_build(report_id=report_id)
    if report is not None and report.status == report.Status.READY and (email or report.email_requested):
        enqueue_with(email_weekly_report, args=(report.pk,), **_same_queue(self))
    return report.status if report else ""


@shared_task(bind=True, acks_late=True)
def build_scheduled_weekly_report(self: Task[Any, Any]) -> str:
    """Monday morning (beat): last week's report, built once; emailed when WEEKLY_REPORT_EMAIL is on."""
    report, queued = weekly.weekly_report_for_week(week_start=last_completed_week())
    if queued:
        enqueue_with(build_weekly_report, args=(report.pk, settings.WEEKLY_REPORT_EMAIL), **_same_queue(self))
    return report.week_label


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(*TEMPORARY_MAIL_ERRORS, report_emails.ReportEmailFailed),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=6,
)
def email_weekly_report(self: Task[Any, Any], report_id: int) -> dict:
    return report_emails.weekly_report_email(report_id=report_id)
