"""Bad input gets a clear error on the field at fault, and nothing is saved half-way."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.models import BoardMembership, Commitment, Engagement, Meeting, StageChange
from tests.boards.factories import BoardFactory, EngagementFactory
from tests.crm.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_leader(client, leader):
    client.force_login(leader)
    return client


def test_paper_deadline_after_the_meeting_is_a_form_error(as_leader):
    board = BoardFactory()
    day = timezone.localdate() + dt.timedelta(days=10)
    response = as_leader.post(
        reverse("boards:meeting_create", args=[board.pk]),
        {"date": day.isoformat(), "start_time": "14:00", "paper_deadline": (day + dt.timedelta(days=2)).isoformat(),
         "status": "planned"},
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "The paper deadline must be on or before the meeting date." in html
    assert not Meeting.objects.exists()


def test_a_meeting_is_saved_in_uk_time(as_leader):
    board = BoardFactory()
    response = as_leader.post(
        reverse("boards:meeting_create", args=[board.pk]),
        {"date": "2027-07-01", "start_time": "14:00", "end_time": "16:00", "status": "planned"},
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.starts_at == dt.datetime(2027, 7, 1, 13, 0, tzinfo=dt.UTC)


def test_term_end_before_start_is_a_form_error(as_leader):
    board = BoardFactory()
    response = as_leader.post(
        reverse("boards:membership_add", args=[board.pk]),
        {"contact": ContactFactory().pk, "seat": "member", "start_date": "2026-05-01", "end_date": "2026-04-01"},
    )
    assert response.status_code == 200
    assert "The term end must be on or after the term start." in response.content.decode()
    assert not BoardMembership.objects.exists()


def test_stage_change_without_evidence_is_a_form_error(as_leader):
    board = BoardFactory()
    response = as_leader.post(reverse("boards:board_stage_change", args=[board.pk]), {"to_stage": "3"})
    assert response.status_code == 200
    assert "Give the evidence for this change" in response.content.decode()
    assert not StageChange.objects.exists()


def test_stage_change_with_evidence_moves_the_board(as_leader):
    board = BoardFactory()
    engagement = EngagementFactory(board=board)
    response = as_leader.post(
        reverse("boards:board_stage_change", args=[board.pk]), {"to_stage": "3", "evidence_engagement": engagement.pk}
    )
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.stage == 3


def test_follow_up_due_in_the_past_is_a_form_error_and_nothing_is_logged(as_leader):
    board = BoardFactory()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = as_leader.post(
        reverse("boards:engagement_create"),
        {"kind": "briefing", "date": timezone.localdate().isoformat(), "board": board.pk, "summary": "Briefing",
         "sentiment": "supportive", "next_step": "Send the pack", "next_step_due": yesterday.isoformat()},
    )  # fmt: skip
    assert response.status_code == 200
    assert "due date must be today or in the future" in response.content.decode()
    assert not Engagement.objects.exists()
    assert not Commitment.objects.exists()


def test_commitment_due_in_the_past_is_a_form_error(as_leader):
    response = as_leader.post(
        reverse("boards:commitment_create"),
        {"description": "Send minutes", "promised_by": "us", "due_date": "2020-01-01"},
    )
    assert response.status_code == 200
    assert "The due date must be today or in the future." in response.content.decode()
    assert not Commitment.objects.exists()


def test_engagement_export_is_csv_of_the_filtered_log(as_leader):
    kept = EngagementFactory(sentiment="supportive", summary="Kept")
    EngagementFactory(sentiment="opposed", summary="Left out")

    response = as_leader.get(reverse("boards:engagement_export"), {"sentiment": "supportive"})

    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Kept" in body
    assert "Left out" not in body
    assert kept.date.strftime("%d/%m/%Y") in body


def test_engagement_filters_with_dates_the_wrong_way_round_say_so(as_leader):
    response = as_leader.get(reverse("boards:engagement_list"), {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert "on or after the “from” date" in response.content.decode()
