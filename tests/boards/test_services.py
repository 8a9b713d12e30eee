"""Boards services against the database: engagements and their timelines, follow-ups, the ladder and
its evidence rules, memberships, meetings, readiness and stakeholder history."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from boards import services
from boards.models import (
    AreaReadiness,
    BoardFollow,
    BoardMembership,
    Commitment,
    Engagement,
    ReadinessChange,
    ReadinessIndicator,
    ReadinessStatus,
    Stage,
    StageChange,
    StakeholderAssessment,
)
from crm.models import AuditEvent, TimelineEntry
from tests.boards.factories import BoardFactory, EngagementFactory, MeetingFactory, MembershipFactory
from tests.crm.factories import ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def log(leader, board, **extra):
    fields = {
        "actor": leader,
        "kind": Engagement.Kind.BRIEFING,
        "date": TODAY(),
        "board": board,
        "summary": "Briefed the board",
    }
    fields.update(extra)
    return services.engagement_create(**fields)


def test_engagement_appears_on_the_timeline_of_every_contact_and_organisation_involved(leader):
    board = BoardFactory()
    organisation = OrganisationFactory(area=board.area)
    a, b = ContactFactory(), ContactFactory()

    engagement = log(leader, board, organisation=organisation, contacts=[a, b], leaders=[leader])

    source = f"boards.engagement:{engagement.pk}"
    entries = TimelineEntry.objects.filter(source=source)
    assert {e.contact_id for e in entries if e.contact_id} == {a.pk, b.pk}
    assert [e.organisation_id for e in entries if e.organisation_id] == [organisation.pk]
    assert all(e.kind == "engagement" and e.url == engagement.get_absolute_url() for e in entries)
    assert engagement.area == board.area
    assert AuditEvent.objects.filter(target_type="boards.engagement", target_id=str(engagement.pk)).exists()


def test_editing_an_engagement_rewrites_its_timeline_entries(leader):
    board = BoardFactory()
    a, b = ContactFactory(), ContactFactory()
    engagement = log(leader, board, contacts=[a])

    services.engagement_update(
        actor=leader, engagement=engagement, contacts=[b], kind=Engagement.Kind.CALL, summary="Called instead"
    )

    entries = TimelineEntry.objects.filter(source=f"boards.engagement:{engagement.pk}")
    assert [e.contact_id for e in entries] == [b.pk]
    assert entries[0].summary.startswith("Call")
    audit = AuditEvent.objects.filter(action="update", target_id=str(engagement.pk)).get()
    assert audit.changes["contacts"] == [[a.pk], [b.pk]]


def test_deleting_an_engagement_removes_it_from_timelines(leader):
    engagement = log(leader, BoardFactory(), contacts=[ContactFactory()])
    source = f"boards.engagement:{engagement.pk}"

    services.engagement_delete(actor=leader, engagement=engagement)

    assert not TimelineEntry.objects.filter(source=source).exists()
    assert not Engagement.objects.filter(pk=engagement.pk).exists()


def test_an_engagement_needs_a_board_or_an_organisation(leader):
    with pytest.raises(ValidationError) as error:
        services.engagement_create(actor=leader, kind="call", date=TODAY(), summary="Spoke to someone")
    assert "board" in error.value.message_dict
    assert Engagement.objects.count() == 0


def test_a_next_step_becomes_a_follow_up_owned_by_its_owner(leader, admin_user):
    due = TODAY() + dt.timedelta(days=3)

    engagement = log(leader, BoardFactory(), next_step="Send the evidence pack", next_step_owner=admin_user,
                     next_step_due=due)  # fmt: skip

    follow_up = Commitment.objects.get(engagement=engagement)
    assert (follow_up.owner, follow_up.due_date, follow_up.status) == (admin_user, due, "open")
    assert follow_up.board == engagement.board
    assert follow_up.area == engagement.area


def test_a_next_step_due_in_the_past_saves_nothing(leader):
    board = BoardFactory()
    with pytest.raises(ValidationError) as error:
        log(leader, board, contacts=[ContactFactory()], next_step="Chase", next_step_due=TODAY() - dt.timedelta(days=1))

    assert "next_step_due" in error.value.message_dict
    assert Engagement.objects.count() == 0
    assert Commitment.objects.count() == 0
    assert TimelineEntry.objects.count() == 0


def test_commitment_status_records_when_it_closed_and_can_reopen(leader):
    commitment = services.commitment_create(actor=leader, description="Send minutes", owner=leader)

    services.commitment_set_status(actor=leader, commitment=commitment, status="done")
    commitment.refresh_from_db()
    assert commitment.status == "done"
    assert commitment.closed_at is not None

    services.commitment_set_status(actor=leader, commitment=commitment, status="open")
    commitment.refresh_from_db()
    assert commitment.status == "open"
    assert commitment.closed_at is None


def test_the_database_refuses_a_closed_commitment_without_a_closing_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(description="x", status="done")


def test_stage_change_without_evidence_is_refused_and_nothing_moves(leader):
    board = BoardFactory()
    with pytest.raises(ValidationError) as error:
        services.stage_change(actor=leader, board=board, to_stage=Stage.BRIEFED)

    assert "evidence_engagement" in error.value.message_dict
    board.refresh_from_db()
    assert board.stage == Stage.NOT_ENGAGED
    assert not StageChange.objects.exists()


def test_the_database_refuses_a_stage_change_without_evidence(leader):
    board = BoardFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StageChange.objects.create(board=board, from_stage=0, to_stage=2)


def test_stage_moves_up_and_down_and_keeps_its_history(leader):
    board = BoardFactory()
    engagement = EngagementFactory(board=board)
    meeting = MeetingFactory(board=board)

    services.stage_change(actor=leader, board=board, to_stage=Stage.BRIEFED, evidence_engagement=engagement)
    services.stage_change(actor=leader, board=board, to_stage=Stage.ON_AGENDA, evidence_meeting=meeting)
    services.stage_change(
        actor=leader,
        board=board,
        to_stage=Stage.AWARE,
        evidence_url="https://example.org/minutes.pdf",
        note="Chair left",
    )

    board.refresh_from_db()
    assert board.stage == Stage.AWARE
    history = list(StageChange.objects.filter(board=board).order_by("changed_at", "id"))
    assert [(c.from_stage, c.to_stage) for c in history] == [(0, 2), (2, 3), (3, 1)]
    assert [c.is_up for c in history] == [True, True, False]
    assert all(c.changed_by == leader for c in history)


def test_evidence_must_belong_to_the_board_being_moved(leader):
    board, other = BoardFactory(), BoardFactory()
    with pytest.raises(ValidationError) as error:
        services.stage_change(
            actor=leader, board=board, to_stage=Stage.BRIEFED, evidence_engagement=EngagementFactory(board=other)
        )
    assert "evidence_engagement" in error.value.message_dict


def test_moving_to_the_same_stage_is_refused(leader):
    board = BoardFactory()
    with pytest.raises(ValidationError):
        services.stage_change(actor=leader, board=board, to_stage=Stage.NOT_ENGAGED, evidence_url="https://x.org")


def test_an_area_has_its_own_ladder(leader):
    board = BoardFactory()
    engagement = EngagementFactory(board=board)

    services.stage_change(actor=leader, area=board.area, to_stage=Stage.COMMITMENT, evidence_engagement=engagement)

    board.area.refresh_from_db()
    assert board.area.ladder.stage == Stage.COMMITMENT
    board.refresh_from_db()
    assert board.stage == Stage.NOT_ENGAGED


def test_membership_term_end_before_start_is_refused(leader):
    board = BoardFactory()
    with pytest.raises(ValidationError) as error:
        services.membership_add(
            actor=leader, board=board, contact=ContactFactory(), seat="member",
            start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 4, 1),
        )  # fmt: skip
    assert "end_date" in error.value.message_dict
    assert not BoardMembership.objects.exists()


def test_membership_is_on_the_contacts_timeline_and_past_members_stay(leader):
    board = BoardFactory()
    contact = ContactFactory()
    membership = services.membership_add(actor=leader, board=board, contact=contact, seat="chair")

    services.membership_update(actor=leader, membership=membership, end_date=TODAY() - dt.timedelta(days=1))

    membership.refresh_from_db()
    assert not membership.is_current
    entry = TimelineEntry.objects.get(source=f"boards.membership:{membership.pk}")
    assert entry.contact == contact
    assert "until" in entry.summary


def test_meeting_paper_deadline_after_the_meeting_is_refused(leader):
    board = BoardFactory()
    starts = timezone.now() + dt.timedelta(days=10)
    with pytest.raises(ValidationError) as error:
        services.meeting_create(
            actor=leader,
            board=board,
            starts_at=starts,
            paper_deadline=timezone.localdate(starts) + dt.timedelta(days=1),
        )
    assert "paper_deadline" in error.value.message_dict


def test_meeting_attendees_start_from_current_members(leader):
    board = BoardFactory()
    current = MembershipFactory(board=board)
    MembershipFactory(board=board, start_date=dt.date(2020, 1, 1), end_date=dt.date(2021, 1, 1))

    meeting = services.meeting_create(actor=leader, board=board, starts_at=timezone.now() + dt.timedelta(days=3))

    assert list(meeting.attendees.all()) == [current.contact]


def test_owners_follow_their_boards_and_following_twice_is_harmless(leader):
    board = services.board_create(actor=leader, name="Schools Forum", kind="schools_forum",
                                  area=BoardFactory().area, owner=leader)  # fmt: skip

    services.board_follow(user=leader, board=board)

    assert BoardFollow.objects.filter(user=leader, board=board).count() == 1


def test_readiness_keeps_history_and_in_place_needs_evidence(leader):
    area = BoardFactory().area
    indicator, _ = ReadinessIndicator.objects.get_or_create(name="Included in the early help strategy")

    with pytest.raises(ValidationError):
        services.readiness_update(actor=leader, area=area, indicator=indicator, status=ReadinessStatus.IN_PLACE)
    services.readiness_update(actor=leader, area=area, indicator=indicator, status=ReadinessStatus.IN_PROGRESS)
    services.readiness_update(actor=leader, area=area, indicator=indicator, status=ReadinessStatus.IN_PLACE,
                              evidence="Section 4.2 of the strategy")  # fmt: skip

    readiness = AreaReadiness.objects.get(area=area, indicator=indicator)
    assert readiness.status == ReadinessStatus.IN_PLACE
    history = ReadinessChange.objects.filter(readiness=readiness).order_by("changed_at", "id")
    assert [(h.from_status, h.to_status) for h in history] == [("unknown", "in_progress"), ("in_progress", "in_place")]


def test_reassessment_keeps_earlier_assessments(leader):
    contact = ContactFactory()
    services.assessment_record(actor=leader, contact=contact, influence=2, interest=3)
    services.assessment_record(actor=leader, contact=contact, influence=5, interest=4)

    from boards.selectors import stakeholder_grid

    assert StakeholderAssessment.objects.filter(contact=contact).count() == 2
    [dot] = stakeholder_grid(contacts=type(contact).objects.filter(pk=contact.pk))
    assert (dot.influence, dot.interest) == (5, 4)


def test_assessment_scores_outside_1_to_5_are_refused(leader):
    with pytest.raises(ValidationError):
        services.assessment_record(actor=leader, contact=ContactFactory(), influence=6, interest=0)


def test_champion_stage_change_goes_on_the_contacts_timeline(leader):
    board = BoardFactory()
    contact = ContactFactory(area=board.area)
    champion = services.champion_create(actor=leader, contact=contact, area=board.area)

    services.champion_update(actor=leader, champion=champion, stage="agreed", contributions="Spoke at the board")

    summaries = list(TimelineEntry.objects.filter(contact=contact, kind="champion").values_list("summary", flat=True))
    assert any("Identified → Agreed" in s for s in summaries)
    with pytest.raises(ValidationError):
        services.champion_create(actor=leader, contact=contact, area=board.area)
