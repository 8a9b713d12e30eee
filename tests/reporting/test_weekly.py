"""The weekly report against a hand-built week: exact figures, snapshot and rebuild, PDF, email, exports."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from boards.models import Commitment, Engagement, Meeting, StageChange
from boards.reporting.models import ReminderPreference, WeeklyReport, WeeklyReportEmail
from boards.reporting.services import report_emails, weekly
from boards.reporting.services.exports import figures_csv, figures_xlsx
from boards.reporting.services.pdf import report_pdf
from crm.models import AuditEvent
from tests.boards.factories import BoardFactory, CommitmentFactory, EngagementFactory, MeetingFactory
from tests.crm.factories import LocalAreaFactory
from tests.factories import UserFactory

LONDON = ZoneInfo("Europe/London")
WEEK = dt.date(2026, 11, 9)  # 2026-W46, Monday 9 to Sunday 15 November


def at(d: int, hh: int = 12, mm: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, d, hh, mm, tzinfo=LONDON)


@pytest.fixture
def week(db):
    north, south = LocalAreaFactory(name="Northshire"), LocalAreaFactory(name="Southshire")
    leader = UserFactory(full_name="Lee Leader")
    board = BoardFactory(name="Northshire HWB", area=north)
    # This week: two briefings with the board (one with Lee), one paper with no board in Southshire.
    e1 = EngagementFactory(board=board, kind=Engagement.Kind.BRIEFING, date=dt.date(2026, 11, 9))
    e1.leaders.add(leader)
    EngagementFactory(board=board, kind=Engagement.Kind.BRIEFING, date=dt.date(2026, 11, 15))
    EngagementFactory(board=None, area=south, kind=Engagement.Kind.PAPER, date=dt.date(2026, 11, 11))
    # Last week: one call; next week: one briefing that must not count.
    EngagementFactory(board=board, kind=Engagement.Kind.CALL, date=dt.date(2026, 11, 8))
    EngagementFactory(board=board, kind=Engagement.Kind.BRIEFING, date=dt.date(2026, 11, 16))
    # Stage moves: up on Wednesday, down late on Sunday night; one just after the week (Monday 00:30).
    StageChange.objects.create(board=board, from_stage=1, to_stage=2, evidence_url="https://example.org/minutes",
                               changed_by=leader, changed_at=at(11))  # fmt: skip
    StageChange.objects.create(area=north, from_stage=3, to_stage=2, evidence_engagement=e1, changed_at=at(15, 23, 30))
    StageChange.objects.create(board=board, from_stage=2, to_stage=3, evidence_url="https://example.org/x",
                               changed_at=at(16, 0, 30))  # fmt: skip
    # Commitments: two made this week, one of them done on Friday; one made earlier is overdue.
    made = [CommitmentFactory(board=board, due_date=dt.date(2026, 11, 30)) for _ in range(2)]
    Commitment.objects.filter(pk__in=[c.pk for c in made]).update(created_at=at(10))
    Commitment.objects.filter(pk=made[0].pk).update(status="done", closed_at=at(13))
    late = CommitmentFactory(board=board, due_date=dt.date(2026, 11, 12))
    Commitment.objects.filter(pk=late.pk).update(created_at=at(1))
    # One meeting held this week, one still planned.
    MeetingFactory(board=board, starts_at=at(10, 14), status=Meeting.Status.HELD)
    MeetingFactory(board=board, starts_at=at(12, 14))
    return {"board": board, "leader": leader}


def test_figures_match_the_hand_built_week(week, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        f = weekly.weekly_figures(week_start=WEEK)
    e = f["engagements"]
    assert f["week"] == "2026-W46"
    assert f["previous_week"] == "2026-W45"
    assert e["total"] == {"this": 3, "prev": 1, "change": 2}
    assert {r["key"]: (r["this"], r["prev"]) for r in e["by_kind"]} == {"briefing": (2, 0), "paper": (1, 0),
                                                                        "call": (0, 1)}  # fmt: skip
    assert {r["label"]: (r["this"], r["prev"]) for r in e["by_area"]} == {"Northshire": (2, 1), "Southshire": (1, 0)}
    assert {r["key"]: r["this"] for r in e["by_board_kind"]} == {"health_wellbeing": 2, "": 1}
    assert {r["label"]: r["this"] for r in e["by_leader"]} == {"Lee Leader": 1, "No leader recorded": 2}
    assert f["stages"]["up"]["this"] == 1
    assert f["stages"]["down"]["this"] == 1
    assert [m["direction"] for m in f["stages"]["moves"]] == ["up", "down"]
    assert f["stages"]["moves"][0]["evidence"] == "https://example.org/minutes"
    assert f["commitments"]["made"]["this"] == 2
    assert f["commitments"]["done"]["this"] == 1
    assert f["commitments"]["overdue"] == {"this": 1, "prev": 0, "change": 1}
    assert f["meetings"]["held"]["this"] == 1
    assert f["meetings"]["papers"]["this"] == 1


def test_report_is_a_snapshot_and_a_rebuild_replaces_it_and_says_so(week):
    admin = UserFactory()
    with time_machine.travel(at(16, 6), tick=False):
        report = weekly.weekly_report_request(actor=None, week_start=WEEK)
        weekly.weekly_report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "ready"
    assert report.figures["engagements"]["total"]["this"] == 3
    # A late-logged engagement does not change the figures on record...
    EngagementFactory(board=week["board"], date=dt.date(2026, 11, 12))
    with pytest.raises(ValidationError, match="already a report"):
        weekly.weekly_report_request(actor=admin, week_start=WEEK)
    report.refresh_from_db()
    assert report.figures["engagements"]["total"]["this"] == 3
    # ...until someone rebuilds the week on purpose, which is recorded.
    weekly.weekly_report_request(actor=admin, week_start=WEEK, rebuild=True)
    weekly.weekly_report_build(report_id=report.pk)
    report.refresh_from_db()
    assert report.figures["engagements"]["total"]["this"] == 4
    assert report.rebuilt_by == admin
    assert report.rebuilt_at
    assert report.rebuild_count == 1
    event = AuditEvent.objects.get(target_type="reporting.weeklyreport", action="update")
    assert event.actor == admin
    assert event.changes["engagements"] == [3, 4]
    assert WeeklyReport.objects.count() == 1


def test_a_week_that_has_not_ended_cannot_be_built(db):
    with time_machine.travel(at(15, 23), tick=False), pytest.raises(ValidationError, match="not ended"):
        weekly.weekly_report_request(actor=None, week_start=WEEK)


def test_pdf_has_the_figures_and_the_charts(week):
    f = weekly.weekly_figures(week_start=WEEK)
    pdf = PdfReader(io.BytesIO(report_pdf(figures=f)))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Weekly progress report, 2026-W46" in text
    assert "9 November 2026" in text
    assert "15 November 2026" in text
    assert "Engagements by kind" in text
    assert "Northshire" in text
    assert sum(len(page.images) for page in pdf.pages) >= 3  # the summary, by kind and by area charts


def test_csv_and_xlsx_carry_the_same_figures(week):
    f = weekly.weekly_figures(week_start=WEEK)
    csv_text = figures_csv(f)
    assert "Engagements,All engagements,3,1,2" in csv_text
    sheet = load_workbook(io.BytesIO(figures_xlsx(f))).active
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert ("Engagements", "All engagements", 3, 1, 2) in rows


def test_email_has_inline_charts_and_building_twice_emails_once(week, smtp_settings):
    reader = UserFactory(email="reader@example.org")
    ReminderPreference.objects.create(user=reader, weekly_report=True)
    UserFactory(email="not-subscribed@example.org")
    with time_machine.travel(at(16, 6), tick=False):
        call_command("build_weekly_report", "--week", "2026-W46", "--email", stdout=io.StringIO())
        out = io.StringIO()
        call_command("build_weekly_report", "--week", "2026-W46", "--email", "--rebuild", stdout=out)
    assert "100%" in out.getvalue()
    assert "rebuilt" in out.getvalue()
    assert smtp_settings.handler.count_for("reader@example.org") == 1
    assert smtp_settings.handler.count_for("not-subscribed@example.org") == 0
    message = smtp_settings.messages[0].message
    html = message.get_body(preferencelist=("html",))
    assert html.get_content_type() == "text/html"
    related = [p for p in message.walk() if p.get_content_type() == "multipart/related"]
    assert related, "the HTML and its images belong together in multipart/related"
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) >= 3
    content = html.get_content()
    for image in images:
        assert f'src="cid:{image["Content-ID"].strip("<>")}"' in content
        assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Engagements: 3" in message.get_body(preferencelist=("plain",)).get_content()
    assert WeeklyReportEmail.objects.get(user=reader).status == "sent"
    # Sending again (a retried task) sends nothing more
    assert report_emails.weekly_report_email(report_id=WeeklyReport.objects.get().pk) == {"sent": 0, "failed": 0}
    assert smtp_settings.handler.count_for("reader@example.org") == 1


def test_past_weeks_are_built_from_history(week):
    # The week before has its own figures from the dated history, not today's state
    f = weekly.weekly_figures(week_start=WEEK - dt.timedelta(days=7))
    assert f["engagements"]["total"]["this"] == 1
    assert f["engagements"]["by_kind"][0]["key"] == "call"
