"""Every reporting URL against every role, the build button, the settings page and the progress JSON."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from boards.reporting.models import ReminderPreference, WeeklyReport
from boards.reporting.services import weekly
from boards.reporting.services.weeks import last_completed_week, week_label

ROLES = ["viewer", "campaign_staff", "leader", "admin"]


@pytest.fixture
def report(db):
    r = weekly.weekly_report_request(actor=None, week_start=last_completed_week())
    return weekly.weekly_report_build(report_id=r.pk)


def read_urls(report):
    label = report.week_label
    return [
        reverse("reporting:report_list"),
        reverse("reporting:reminder_settings"),
        reverse("reporting:report_detail", args=[label]),
        reverse("reporting:report_progress", args=[label]),
        reverse("reporting:report_pdf", args=[label]),
        reverse("reporting:report_csv", args=[label]),
        reverse("reporting:report_xlsx", args=[label]),
    ]


def test_anonymous_is_sent_to_sign_in_everywhere(client, report):
    for url in [*read_urls(report), reverse("reporting:report_build")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"], url


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_reports_and_sets_own_reminders(client, users_by_role, report, role):
    client.force_login(users_by_role[role])
    for url in read_urls(report):
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("reporting:report_detail", args=[report.week_label])).content.decode()
    assert "Weekly progress report" in page
    assert "data:image/png;base64," in page
    assert "style=" not in page.split("<main", 1)[1]  # the CSP forbids inline styles


@pytest.mark.parametrize(("role", "allowed"), [("viewer", False), ("campaign_staff", False), ("leader", False),
                                               ("admin", True)])  # fmt: skip
def test_only_admins_build_reports(client, users_by_role, role, allowed, django_capture_on_commit_callbacks):
    client.force_login(users_by_role[role])
    week = week_label(last_completed_week())
    list_page = client.get(reverse("reporting:report_list")).content.decode()
    assert ("Build report" in list_page) is allowed
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reporting:report_build"), {"week": week})
    if allowed:
        assert response.status_code == 302
        assert WeeklyReport.objects.get().status == "queued"
        assert len(callbacks) == 1
        progress = client.get(reverse("reporting:report_progress", args=[week])).json()
        assert progress["status"] == "queued"
        assert progress["progress"] == 0
        listing = client.get(reverse("reporting:report_list")).content.decode()
        assert 'data-module="reporting-progress"' in listing
        assert "js/reporting/progress.js" in listing
    else:
        assert response.status_code == 403
        assert not WeeklyReport.objects.exists()


def test_build_form_says_what_is_wrong(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("reporting:report_build"), {"week": "2026-47"})
    assert response.status_code == 400
    assert "is not a week" in response.content.decode()
    future = week_label(dt.date.today() + dt.timedelta(days=14))
    response = client.post(reverse("reporting:report_build"), {"week": future})
    assert "has not ended yet" in response.content.decode()
    assert not WeeklyReport.objects.exists()


def test_settings_page_saves_my_own_preferences(client, viewer):
    client.force_login(viewer)
    data = {"digest_time": "06:45", "follow_ups": "on", "follow_up_lead_days": "3", "meeting_lead_days": "7",
            "paper_lead_days": "5", "cold_after_days": "30", "weekly_report": "on"}  # fmt: skip
    response = client.post(reverse("reporting:reminder_settings"), data)
    assert response.status_code == 302
    pref = ReminderPreference.objects.get(user=viewer)
    assert pref.digest_time == dt.time(6, 45)
    assert pref.follow_up_lead_days == 3
    assert pref.weekly_report
    assert not pref.meetings
    assert not pref.gone_cold
    bad = client.post(reverse("reporting:reminder_settings"), {**data, "follow_up_lead_days": "99"})
    assert bad.status_code == 200
    assert "govuk-error-summary" in bad.content.decode()
    assert ReminderPreference.objects.get(user=viewer).follow_up_lead_days == 3


def test_unknown_week_is_a_404(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("reporting:report_detail", args=["2026-W60"])).status_code == 404
