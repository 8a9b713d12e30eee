"""Demo data for boards: boards in the registry's areas with members, past and future meetings,
engagements over the past months, ladder histories, readiness, champions, stakeholder maps and
commitments. Idempotent: an area that already has boards is left alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from boards import services
from boards.models import Board, BoardMembership, Commitment, Engagement, Meeting, ReadinessIndicator, Stage
from crm.models import Contact, LocalArea, Organisation, User

AREAS = 6
BOARDS = [
    ("Health and Wellbeing Board", Board.Kind.HEALTH_WELLBEING, Board.Cadence.QUARTERLY),
    ("Safeguarding Children Partnership", Board.Kind.SAFEGUARDING, Board.Cadence.BI_MONTHLY),
    ("Family Hubs Partnership", Board.Kind.EARLY_HELP, Board.Cadence.MONTHLY),
]
SUMMARIES = [
    ("Briefed the chair on the cost of parental conflict to children's services.", Engagement.Kind.BRIEFING),
    ("Presented the evidence on reducing parental conflict to the board.", Engagement.Kind.PRESENTATION),
    ("One-to-one with the vice-chair about the early help strategy refresh.", Engagement.Kind.ONE_TO_ONE),
    ("Submitted a paper proposing relationship support in family hubs.", Engagement.Kind.PAPER),
    ("Workshop with practitioners on spotting conflict early.", Engagement.Kind.WORKSHOP),
]
SENTIMENTS = ["supportive", "neutral", "sceptical", "supportive", "neutral"]


def _london(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _seed_board(
    *, board: Board, people: list[Contact], organisation: Organisation | None, leader: User, admin: User, n: int
) -> None:
    today = timezone.localdate()
    seats = [
        BoardMembership.Seat.CHAIR,
        BoardMembership.Seat.VICE_CHAIR,
        BoardMembership.Seat.MEMBER,
        BoardMembership.Seat.MEMBER,
        BoardMembership.Seat.OFFICER,
    ]
    for contact, seat in zip(people, seats, strict=False):
        services.membership_add(
            actor=leader,
            board=board,
            contact=contact,
            seat=seat,
            start_date=today.replace(day=1) - dt.timedelta(days=400),
        )
    if len(people) > len(seats):
        services.membership_add(
            actor=leader,
            board=board,
            contact=people[len(seats)],
            seat=BoardMembership.Seat.MEMBER,
            start_date=today - dt.timedelta(days=900),
            end_date=today - dt.timedelta(days=120),
        )
    if people:
        services.board_update(actor=leader, board=board, chair=people[0], secretariat=people[-1])

    held = services.meeting_create(
        actor=leader,
        board=board,
        starts_at=_london(today - dt.timedelta(days=50 + n), 14),
        ends_at=_london(today - dt.timedelta(days=50 + n), 16),
        venue="Council Chamber, Civic Centre",
        paper_deadline=today - dt.timedelta(days=60 + n),
        agenda_item="Reducing parental conflict: evidence briefing",
        status=Meeting.Status.MINUTES_PUBLISHED,
        minutes_url="https://example.org/minutes",
        decisions="The board agreed to include relationship support in the next early help strategy.",
    )
    services.meeting_create(
        actor=leader,
        board=board,
        starts_at=_london(today + dt.timedelta(days=6 + n), 10),
        ends_at=_london(today + dt.timedelta(days=6 + n), 12),
        online_url="https://example.org/join",
        paper_deadline=today + dt.timedelta(days=2 + n % 5),
        agenda_item="Family hubs relationship offer",
        status=Meeting.Status.PLANNED,
    )
    services.meeting_create(
        actor=leader, board=board, starts_at=_london(today + dt.timedelta(days=60 + n), 14), venue="Committee Room 2"
    )

    # A third of the boards have gone cold: their last engagement was months ago.
    ages = [100, 130] if n % 3 == 2 else [12 + n, 40 + n, 75, 120]
    engagements = []
    for i, age in enumerate(ages):
        summary, kind = SUMMARIES[(i + n) % len(SUMMARIES)]
        engagements.append(
            services.engagement_create(
                actor=leader,
                kind=kind,
                date=today - dt.timedelta(days=age),
                board=board,
                organisation=organisation if i == 0 else None,
                contacts=people[: 2 + i % 2],
                leaders=[leader],
                summary=summary,
                our_ask="Name support for parents' relationships in the strategy.",
                outcome="Chair asked for a short paper." if i == 0 else "",
                sentiment=SENTIMENTS[(i + n) % 5],
            )
        )
    if n % 3 != 2:
        services.engagement_create(
            actor=leader,
            kind=Engagement.Kind.CALL,
            date=today - dt.timedelta(days=2 + n),
            board=board,
            contacts=people[:1],
            leaders=[leader],
            summary="Call with the clerk about the next agenda.",
            sentiment="supportive",
            next_step="Send the draft paper to the clerk",
            next_step_owner=leader,
            next_step_due=today + dt.timedelta(days=3 + n),
        )

    oldest_first = sorted(engagements, key=lambda e: e.date)
    services.stage_change(actor=leader, board=board, to_stage=Stage.AWARE, evidence_engagement=oldest_first[0])
    services.stage_change(actor=leader, board=board, to_stage=Stage.BRIEFED, evidence_engagement=oldest_first[-1])
    if n % 3 == 0:
        services.stage_change(
            actor=leader,
            board=board,
            to_stage=Stage.COMMITMENT,
            evidence_meeting=held,
            note="Minuted decision to include relationship support.",
        )
    if n % 3 == 1:
        services.stage_change(actor=leader, board=board, to_stage=Stage.ON_AGENDA, evidence_meeting=held)
        services.stage_change(
            actor=leader,
            board=board,
            to_stage=Stage.BRIEFED,
            evidence_url="https://example.org/agenda",
            note="Item deferred to next year.",
        )

    commitment = services.commitment_create(
        actor=leader,
        description=f"{board.name}: share local data on parental conflict",
        promised_by="them",
        owner=admin if n % 2 else leader,
        due_date=today + dt.timedelta(days=1),
        board=board,
        contact=people[0] if people else None,
    )
    if n % 2 == 0:
        # As if promised a while ago: now overdue (the service rightly refuses new promises due in the past).
        Commitment.objects.filter(pk=commitment.pk).update(due_date=today - dt.timedelta(days=4 + n))


def _seed_area(area: LocalArea, n: int, leader: User, admin: User) -> None:
    people = list(Contact.objects.filter(area=area, erased_at__isnull=True).order_by("pk")[:18])
    organisations = list(Organisation.objects.filter(area=area).order_by("pk")[:3])
    for b, (name, kind, cadence) in enumerate(BOARDS):
        board = services.board_create(
            actor=leader,
            name=name,
            kind=kind,
            area=area,
            cadence=cadence,
            owner=leader,
            website="https://example.org/boards",
        )
        _seed_board(
            board=board,
            people=people[b * 6 : b * 6 + 6],
            organisation=organisations[0] if organisations else None,
            leader=leader,
            admin=admin,
            n=n * 3 + b,
        )

    evidence = Engagement.objects.filter(area=area).order_by("-date").first()
    if evidence is not None:
        services.stage_change(actor=leader, area=area, to_stage=Stage.AWARE, evidence_engagement=evidence)
        if n % 2 == 0:
            services.stage_change(actor=leader, area=area, to_stage=Stage.BRIEFED, evidence_engagement=evidence)
    statuses = ["in_place", "in_progress", "not_yet", "in_progress", "unknown"]
    for i, indicator in enumerate(ReadinessIndicator.objects.filter(is_active=True)):
        status = statuses[(i + n) % len(statuses)]
        if status != "unknown":
            services.readiness_update(
                actor=leader,
                area=area,
                indicator=indicator,
                status=status,
                evidence="Named in the 2025 to 2028 strategy, section 3." if status == "in_place" else "",
            )
    if people:
        services.champion_create(
            actor=leader,
            contact=people[0],
            area=area,
            stage=["identified", "agreed", "active"][n % 3],
            contributions="Opened the practitioner workshop and asked the board to take the paper.",
            engagements=Engagement.objects.filter(area=area, contacts=people[0])[:2],
        )
    for i, contact in enumerate(people[:10]):
        services.assessment_record(
            actor=leader, contact=contact, influence=1 + (i * 3 + n) % 5, interest=1 + (i * 2 + n) % 5
        )
        if i % 4 == 0:
            services.assessment_record(
                actor=leader,
                contact=contact,
                influence=1 + (i + n + 2) % 5,
                interest=1 + (i + 3) % 5,
                note="Moved to a new role.",
            )
    for i, organisation in enumerate(organisations):
        services.assessment_record(actor=leader, organisation=organisation, influence=5 - i, interest=3 + i % 3)


def seed(command: Any, options: dict[str, Any]) -> None:
    leader = User.objects.filter(email="leader@example.org").first()
    admin = User.objects.filter(email="admin@example.org").first()
    if leader is None or admin is None:
        command.stdout.write("Boards demo: the demo users are missing, so no boards were added.")
        return
    # The areas where the registry's demo put people, so boards have members to seat.
    areas = list(
        LocalArea.objects.annotate(people=Count("contacts")).filter(people__gt=0).order_by("-people", "name")[:AREAS]
    )
    if not areas:
        command.stdout.write("Boards demo: no local area has contacts yet, so no boards were added.")
        return
    added = 0
    for n, area in enumerate(areas):
        if Board.objects.filter(area=area).exists():
            continue
        with transaction.atomic():
            _seed_area(area, n, leader, admin)
        added += 1
    command.stdout.write(f"Boards demo: added boards, meetings and engagements in {added} area(s).")
