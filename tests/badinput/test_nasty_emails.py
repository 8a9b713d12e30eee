"""The reminder digest and the weekly report email, built from records full of nasty text: the HTML
escapes it, the text part carries it as text, and no header gains a line break or a bidi override."""

from __future__ import annotations

import email
import email.policy

import pytest
from django.utils import timezone

from boards.models import Commitment
from boards.reporting.models import WeeklyReport
from boards.reporting.services import weekly
from boards.reporting.services.reminders import digest_email, digest_prepare
from boards.reporting.services.report_emails import report_email_message
from boards.reporting.services.weeks import last_completed_week
from crm.models import User
from tests.badinput.test_nasty_text import ESCAPED_SCRIPT, nasty_world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def assert_headers_whole(message: email.message.EmailMessage) -> None:
    assert message["Bcc"] is None
    for value in message.values():
        assert "\n" not in str(value)
        assert "\u202e" not in str(value)


def html_of(message: email.message.EmailMessage) -> str:
    return next(p for p in message.walk() if p.get_content_type() == "text/html").get_content()


def test_digest_of_nasty_follow_ups_escapes_them(nasty_world):  # noqa: F811
    leader = User.objects.get(email="leader@example.org")
    assert Commitment.objects.filter(owner=leader, status=Commitment.Status.OPEN).exists()
    digest = digest_prepare(user_id=leader.pk, local_date=timezone.localdate())
    assert digest is not None
    assert digest.item_count > 0

    message = parsed(digest_email(digest=digest))

    assert_headers_whole(message)
    html = html_of(message)
    assert "<script>" not in html
    assert ESCAPED_SCRIPT in html


def test_weekly_report_email_of_nasty_names_escapes_them(nasty_world):  # noqa: F811
    week = last_completed_week()
    figures = weekly.weekly_figures(week_start=week)
    nasty_label = "<script>alert('cg')</script>\r\nBcc: victim@example.org\u202e"
    figures["engagements"]["by_area"] = [{"key": "x", "label": nasty_label, "this": 2, "prev": 1, "change": 1}]
    report, _ = WeeklyReport.objects.update_or_create(
        week_start=week, defaults={"figures": figures, "status": WeeklyReport.Status.READY}
    )
    admin = User.objects.get(email="admin@example.org")

    message = parsed(report_email_message(report=report, user=admin))

    assert_headers_whole(message)
    html = html_of(message)
    assert "<script>" not in html
    assert ESCAPED_SCRIPT in html
