"""An area's page and a board's page cost the same few queries however much the area or board holds."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from boards import services
from boards.models import ReadinessIndicator
from tests.boards.factories import BoardFactory, CommitmentFactory, EngagementFactory, MeetingFactory, MembershipFactory
from tests.crm.factories import ContactFactory, LocalAreaFactory, OrganisationFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The target for detail pages (docs/PERFORMANCE.md), counted after the session is read: the bench and
# Redis-backed test settings keep sessions out of the database, SQLite test runs do not.
MAX_PAGE_QUERIES = 10


def page_queries(client, url: str) -> list[str]:
    """The SQL one request runs, leaving out reads of a database-backed session."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if "django_session" not in q["sql"]]


def fill_area(area, leader, n: int) -> None:
    """Give the area n of everything its page lists: boards with meetings, engagements (each with contacts
    and leaders), champions, open commitments, moves on the ladder, readiness statuses with history, and
    assessed contacts and organisations."""
    now = timezone.now()
    indicators = list(ReadinessIndicator.objects.filter(is_active=True))
    for i in range(len(indicators), n):
        indicators.append(ReadinessIndicator.objects.create(name=f"Indicator {area.pk}-{i}", position=i))
    for i in range(n):
        board = BoardFactory(area=area, owner=leader)
        meeting = MeetingFactory(board=board, starts_at=now + dt.timedelta(days=1 + i))
        contact = ContactFactory(area=area)
        organisation = OrganisationFactory(area=area)
        engagement = EngagementFactory(board=board, organisation=organisation)
        engagement.contacts.add(contact, ContactFactory(area=area))
        engagement.leaders.add(leader, UserFactory())
        champion = services.champion_create(actor=leader, contact=contact, area=area)
        champion.engagements.add(engagement)
        CommitmentFactory(board=board, owner=leader, area=area)
        services.assessment_record(actor=leader, contact=contact, influence=1 + i % 5, interest=2)
        services.assessment_record(actor=leader, contact=contact, influence=3, interest=1 + i % 5)
        services.assessment_record(actor=leader, organisation=organisation, influence=4, interest=1 + i % 5)
        evidence = {"evidence_engagement": engagement} if i % 2 else {"evidence_meeting": meeting}
        services.stage_change(actor=UserFactory(), area=area, to_stage=1 + i % 2, note=f"Move {i}", **evidence)
        for status in ("not_yet", "in_progress"):
            services.readiness_update(actor=UserFactory(), area=area, indicator=indicators[i], status=status)


def fill_board(board, leader, n: int) -> None:
    """Give the board n of everything its page lists: members (current and past) with assessments, meetings
    (past and coming), engagements with leaders, moves on the ladder, open commitments and followers."""
    now = timezone.now()
    today = timezone.localdate()
    for i in range(n):
        current = MembershipFactory(board=board)
        MembershipFactory(board=board, start_date=today - dt.timedelta(days=400), end_date=today - dt.timedelta(days=i))
        services.assessment_record(actor=leader, contact=current.contact, influence=1 + i % 5, interest=3)
        MeetingFactory(board=board, starts_at=now + dt.timedelta(days=1 + i))
        past = MeetingFactory(board=board, starts_at=now - dt.timedelta(days=1 + i), decisions=f"Agreed item {i}")
        engagement = EngagementFactory(board=board)
        engagement.leaders.add(leader, UserFactory())
        engagement.contacts.add(current.contact)
        evidence = {"evidence_engagement": engagement} if i % 2 else {"evidence_meeting": past}
        services.stage_change(actor=UserFactory(), board=board, to_stage=1 + i % 2, note=f"Move {i}", **evidence)
        CommitmentFactory(board=board, owner=UserFactory(), area=board.area)
        services.board_follow(user=UserFactory(), board=board)


def test_the_area_page_runs_the_same_few_queries_for_2_and_30_of_everything(client, leader):
    # Given two areas, one with 2 of every related record and one with 30
    small, large = LocalAreaFactory(), LocalAreaFactory()
    fill_area(small, leader, 2)
    fill_area(large, leader, 30)
    client.force_login(leader)
    client.get(reverse("boards:area_detail", args=[small.pk]))  # warm per-process caches (content types)

    # When a leader opens each area's page
    few = page_queries(client, reverse("boards:area_detail", args=[small.pk]))
    many = page_queries(client, reverse("boards:area_detail", args=[large.pk]))

    # Then both cost the same number of queries, within the target for a detail page
    assert len(many) == len(few), "\n".join(sql[:160] for sql in many)
    assert len(many) <= MAX_PAGE_QUERIES, "\n".join(sql[:160] for sql in many)


def test_the_board_page_runs_the_same_few_queries_for_2_and_30_of_everything(client, leader):
    # Given two boards, one with 2 of every related record and one with 30, the leader following both
    small, large = BoardFactory(owner=leader), BoardFactory(owner=leader)
    fill_board(small, leader, 2)
    fill_board(large, leader, 30)
    services.board_follow(user=leader, board=small)
    services.board_follow(user=leader, board=large)
    client.force_login(leader)
    client.get(reverse("boards:board_detail", args=[small.pk]))

    # When the leader opens each board's page
    few = page_queries(client, reverse("boards:board_detail", args=[small.pk]))
    many = page_queries(client, reverse("boards:board_detail", args=[large.pk]))

    # Then both cost the same number of queries, within the target for a detail page
    assert len(many) == len(few), "\n".join(sql[:160] for sql in many)
    assert len(many) <= MAX_PAGE_QUERIES, "\n".join(sql[:160] for sql in many)


def test_the_area_page_still_shows_every_section_from_its_merged_queries(client, leader):
    # Given an area with a board, a readiness status, a champion, an engagement, a meeting, a commitment,
    # a move on the ladder, and an assessed contact and organisation
    area = LocalAreaFactory(name="Wirral")
    fill_area(area, leader, 1)
    board = area.boards.get()
    contact = area.champions.get().contact
    organisation = board.engagements.get().organisation
    indicator = ReadinessIndicator.objects.filter(is_active=True).order_by("position", "name").first()
    services.readiness_update(
        actor=leader, area=area, indicator=indicator, status="in_place", evidence="Minuted at the March board."
    )
    client.force_login(leader)

    # When the leader opens its page
    html = client.get(reverse("boards:area_detail", args=[area.pk])).content.decode()

    # Then each section shows what it showed before the queries were merged, in the same order
    sections = [
        "Priority ladder for the area",
        "Move 0",
        board.name,
        "Readiness",
        "Minuted at the March board.",
        "Champions",
        "Open commitments",
        "Upcoming meetings",
        "Recent engagements",
        "Stakeholder map",
    ]
    positions = [html.index(text) for text in sections]
    assert positions == sorted(positions)
    assert html.count("Not known") == ReadinessIndicator.objects.filter(is_active=True).count() - 1
    assert f"{contact} (contact)" in html
    assert f"{organisation} (organisation)" in html


def test_the_board_page_timeline_and_sections_share_their_meetings_and_stage_changes(client, leader, viewer):
    # Given a board with a past and a coming meeting, two moves on the ladder and a follower
    board = BoardFactory(owner=leader)
    now = timezone.now()
    MeetingFactory(board=board, starts_at=now + dt.timedelta(days=3), agenda_item="Parenting together pilot")
    MeetingFactory(board=board, starts_at=now - dt.timedelta(days=3), decisions="Agreed to fund the pilot")
    services.stage_change(
        actor=leader, board=board, to_stage=1, note="First briefing", evidence_url="https://example.org/1"
    )
    services.stage_change(
        actor=leader, board=board, to_stage=2, note="Chair interested", evidence_url="https://example.org/2"
    )
    services.board_follow(user=leader, board=board)

    # When the follower and someone who does not follow it open its page
    followed = client_page(client, leader, board)
    not_followed = client_page(client, viewer, board)

    # Then the meetings, the ladder's history and the timeline all show, newest move first, and each
    # reader sees their own follow button
    for html in (followed, not_followed):
        assert "Parenting together pilot" in html
        assert "Agreed to fund the pilot" in html
        timeline = html[html.index('id="timeline"') :]
        assert timeline.index("Chair interested") < timeline.index("First briefing")
        assert timeline.count("Meeting (") == 2
        history = html[: html.index('id="meetings"')]
        assert history.index("Chair interested") < history.index("First briefing")
    assert "Stop following" in followed
    assert "Stop following" not in not_followed


def client_page(client, user, board) -> str:
    client.force_login(user)
    response = client.get(reverse("boards:board_detail", args=[board.pk]))
    assert response.status_code == 200
    return response.content.decode()
