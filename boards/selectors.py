"""Reads for boards and engagement. Each returns a queryset (or plain data) that already fetches what
its page shows, so a page costs the same number of queries however many rows it lists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from boards.links import url_of
from boards.models import (
    COLD_AFTER_DAYS,
    Board,
    BoardFollow,
    BoardMembership,
    CalendarFeed,
    Champion,
    Commitment,
    Engagement,
    Meeting,
    ReadinessIndicator,
    StageChange,
    StakeholderAssessment,
    WorkPreference,
)
from crm.models import Contact, LocalArea, Organisation, User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

UPCOMING_DAYS = 14


class BoardListAnnotations(TypedDict):
    """What board_list() adds to each board."""

    last_engagement: dt.date | None
    next_meeting: dt.datetime | None


def _last_engagement_date() -> Subquery:
    return Subquery(Engagement.objects.filter(board=OuterRef("pk")).order_by("-date").values("date")[:1])


def _next_meeting_start(now: dt.datetime) -> Subquery:
    return Subquery(
        Meeting.objects.filter(board=OuterRef("pk"), starts_at__gte=now).order_by("starts_at").values("starts_at")[:1]
    )


def board_list(*, user: User | None = None) -> QuerySet[WithAnnotations[Board, BoardListAnnotations]]:
    qs = (
        Board.objects.select_related("area", "owner", "chair")
        .annotate(last_engagement=_last_engagement_date(), next_meeting=_next_meeting_start(timezone.now()))
        .order_by("area__name", "name")
    )
    if user is not None:
        qs = qs.annotate(
            followed=Count("follows", filter=Q(follows__user=user)),
        )
    return qs


def board_get(*, pk: int) -> Board:
    return get_object_or_404(Board.objects.select_related("area", "owner", "chair", "secretariat"), pk=pk)


class BoardFollowedAnnotation(TypedDict):
    """What board_get_for() adds to the board."""

    is_followed: bool


def board_get_for(*, pk: int, user: User) -> WithAnnotations[Board, BoardFollowedAnnotation]:
    """The board with `is_followed` (whether this user follows it) read in the same query."""
    followed = Exists(BoardFollow.objects.filter(board=OuterRef("pk"), user=user))
    return get_object_or_404(
        Board.objects.select_related("area", "owner", "chair", "secretariat").annotate(is_followed=followed), pk=pk
    )


def board_memberships(*, board: Board) -> tuple[list[BoardMembership], list[BoardMembership]]:
    """Current and past members, each list in seat order."""
    today = timezone.localdate()
    memberships = list(board.memberships.select_related("contact").order_by("seat", "contact__last_name"))
    current = [m for m in memberships if m.end_date is None or m.end_date >= today]
    past = sorted(
        (m for m in memberships if m.end_date is not None and m.end_date < today),
        key=lambda m: cast(dt.date, m.end_date),  # past members all have an end date
        reverse=True,
    )
    return current, past


@dataclass
class TimelineItem:
    when: dt.datetime
    kind: str
    title: str
    url: str = ""
    detail: str = ""
    tag: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _midday(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def board_timeline(
    *,
    board: Board,
    limit: int = 100,
    meetings: Sequence[Meeting] | None = None,
    stage_changes: Sequence[StageChange] | None = None,
) -> list[TimelineItem]:
    """The board's own history, newest first: its engagements, meetings and moves on the ladder.

    A page that has already read the board's meetings or stage changes passes them in, so they are not read twice.
    """
    newest_meetings: Iterable[Meeting]
    newest_changes: Iterable[StageChange]
    if meetings is None:
        newest_meetings = board.meetings.order_by("-starts_at")[:limit]
    else:
        newest_meetings = sorted(meetings, key=lambda m: m.starts_at, reverse=True)[:limit]
    if stage_changes is None:
        newest_changes = board.stage_changes.select_related("changed_by").order_by("-changed_at")[:limit]
    else:
        newest_changes = sorted(stage_changes, key=lambda c: c.changed_at, reverse=True)[:limit]
    leaders = Prefetch("leaders", queryset=User.objects.only("id", "full_name", "email"))
    items: list[TimelineItem] = []
    for e in board.engagements.prefetch_related(leaders).order_by("-date")[:limit]:
        items.append(
            TimelineItem(
                when=_midday(e.date),
                kind="Engagement",
                title=e.get_kind_display(),
                url=e.get_absolute_url(),
                detail=e.summary,
                tag=e.get_sentiment_display(),
                extra={"leaders": [str(u) for u in e.leaders.all()]},
            )
        )
    for m in newest_meetings:
        items.append(
            TimelineItem(
                when=m.starts_at,
                kind="Meeting",
                title=f"Meeting ({m.get_status_display().lower()})",
                url=m.get_absolute_url(),
                detail=m.decisions or m.agenda_item,
            )
        )
    for c in newest_changes:
        items.append(
            TimelineItem(
                when=c.changed_at,
                kind="Stage",
                title=f"{c.get_from_stage_display()} → {c.get_to_stage_display()}",
                detail=c.note,
                extra={"by": str(c.changed_by or "")},
            )
        )
    items.sort(key=lambda i: i.when, reverse=True)
    return items[:limit]


def stage_history(*, board: Board | None = None, area: LocalArea | None = None) -> QuerySet[StageChange]:
    qs = StageChange.objects.select_related(
        "changed_by", "evidence_engagement", "evidence_meeting", "evidence_meeting__board"
    )
    return qs.filter(board=board) if board is not None else qs.filter(area=area)


def meeting_get(*, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("board", "board__area").prefetch_related("attendees"), pk=pk
    )


def engagement_list() -> QuerySet[Engagement]:
    return Engagement.objects.select_related("board", "board__area", "organisation", "area").prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.only("id", "first_name", "last_name")),
        Prefetch("leaders", queryset=User.objects.only("id", "full_name", "email")),
    )


def area_recent_engagements(*, area: LocalArea, limit: int = 10) -> QuerySet[Engagement]:
    """The area's latest engagements for its page, which names only each one's board or organisation."""
    return Engagement.objects.select_related("board", "organisation").filter(area=area)[:limit]


def engagement_get(*, pk: int) -> Engagement:
    return get_object_or_404(
        engagement_list().select_related("board__area", "created_by").prefetch_related("commitments__owner"), pk=pk
    )


def area_list() -> QuerySet[LocalArea]:
    """Every local area with its ladder stage, last engagement and number of boards."""
    boards = Board.objects.filter(area=OuterRef("pk")).order_by().values("area").annotate(n=Count("pk")).values("n")
    last = Engagement.objects.filter(area=OuterRef("pk")).order_by("-date").values("date")[:1]
    return LocalArea.objects.annotate(
        stage=Coalesce("ladder__stage", Value(0), output_field=IntegerField()),
        last_engagement=Subquery(last),
        board_count=Coalesce(Subquery(boards, output_field=IntegerField()), Value(0)),
    ).order_by("name")


def area_get(*, pk: int) -> LocalArea:
    return get_object_or_404(LocalArea.objects.select_related("ladder"), pk=pk)


def area_readiness(*, area: LocalArea) -> list[dict[str, Any]]:
    """Every active indicator with this area's status (None when never set), in one query: the area's
    status rows are left-joined onto the indicators (at most one each, by the unique constraint)."""
    indicators = (
        ReadinessIndicator.objects.filter(is_active=True)
        .annotate(area_status=FilteredRelation("statuses", condition=Q(statuses__area=area)))
        # django-stubs does not know relations named by FilteredRelation; Django selects them fine.
        .select_related("area_status")  # type: ignore[misc]
    )
    # Django leaves the attribute unset when the join found no row.
    return [{"indicator": i, "readiness": getattr(i, "area_status", None)} for i in indicators]


def champion_list(*, area: LocalArea | None = None) -> QuerySet[Champion]:
    # No engagements here: the lists show each champion's name and stage; their own page loads the rest.
    qs = Champion.objects.select_related("contact", "area")
    return qs.filter(area=area) if area is not None else qs


def commitment_list() -> QuerySet[Commitment]:
    return Commitment.objects.select_related("owner", "board", "contact", "engagement", "meeting", "area")


def open_commitments_for(*, user: User) -> QuerySet[Commitment]:
    """The user's open follow-ups, overdue first (earliest due first), undated last."""
    return (
        commitment_list()
        .filter(owner=user, status=Commitment.Status.OPEN)
        .order_by(Coalesce("due_date", Value(dt.date(9999, 12, 31))), "id")
    )


def cold_after_days_for(*, user: User) -> int:
    preference = WorkPreference.objects.filter(user=user).first()
    return preference.cold_after_days if preference else COLD_AFTER_DAYS


def cold_boards_for(
    *, user: User, today: dt.date | None = None
) -> tuple[int, QuerySet[WithAnnotations[Board, BoardListAnnotations]]]:
    """Boards the user owns with no engagement in their cold-after number of days (or none ever)."""
    days = cold_after_days_for(user=user)
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=days)
    boards = board_list().filter(owner=user).filter(Q(last_engagement__isnull=True) | Q(last_engagement__lt=since))
    return days, boards


def meetings_between(*, start: dt.datetime, end: dt.datetime, user: User | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("board", "board__area").filter(starts_at__gte=start, starts_at__lt=end)
    if user is not None:
        qs = qs.filter(board__follows__user=user)
    return qs.order_by("starts_at")


def paper_deadlines_between(*, start: dt.date, end: dt.date, user: User | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("board", "board__area").filter(
        paper_deadline__gte=start, paper_deadline__lte=end
    )
    if user is not None:
        qs = qs.filter(board__follows__user=user)
    return qs.order_by("paper_deadline")


def feed_meetings(*, user: User) -> QuerySet[Meeting]:
    """What goes into a user's calendar feed: meetings of boards they follow from 90 days ago on."""
    since = timezone.now() - dt.timedelta(days=90)
    return (
        Meeting.objects.select_related("board", "board__area")
        .filter(board__follows__user=user, starts_at__gte=since)
        .order_by("starts_at")
    )


def calendar_feed_for_token(*, token_hash: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(token_hash=token_hash, user__is_active=True).first()


@dataclass
class GridDot:
    label: str
    url: str
    influence: int
    interest: int
    kind: str
    assessed_at: dt.datetime
    x: float = 0
    y: float = 0


def _latest_assessments(**subject_filter: Any) -> QuerySet[StakeholderAssessment]:
    # Newest first, so the first row met for each subject is its current assessment; the history per
    # subject is short, so one ordered query beats a correlated subquery per dot.
    return StakeholderAssessment.objects.filter(**subject_filter).order_by("-assessed_at", "-id")


def stakeholder_grid(
    *, contacts: QuerySet[Contact], organisations: QuerySet[Organisation] | None = None
) -> list[GridDot]:
    """The current (newest) influence and interest of each given contact and organisation."""
    subjects = Q(contact__in=contacts)
    if organisations is not None:
        subjects |= Q(organisation__in=organisations)
    # One query for both kinds: an assessment is of a contact or of an organisation, never both.
    contact_dots: list[GridDot] = []
    organisation_dots: list[GridDot] = []
    seen: set[tuple[str, int | None]] = set()
    for a in _latest_assessments().filter(subjects).select_related("contact", "organisation"):
        if a.contact_id is not None:
            if ("c", a.contact_id) in seen:
                continue
            seen.add(("c", a.contact_id))
            contact_dots.append(
                GridDot(str(a.contact), url_of(a.contact), a.influence, a.interest, "Contact", a.assessed_at)
            )
        elif organisations is not None:
            if ("o", a.organisation_id) in seen:
                continue
            seen.add(("o", a.organisation_id))
            organisation_dots.append(
                GridDot(
                    str(a.organisation), url_of(a.organisation), a.influence, a.interest, "Organisation", a.assessed_at
                )
            )
    dots = contact_dots + organisation_dots
    dots.sort(key=lambda d: (-d.influence, -d.interest, d.label))
    return dots


def assessment_history(*, contact: Contact | None = None, organisation: Organisation | None = None):
    qs = StakeholderAssessment.objects.select_related("assessed_by")
    return qs.filter(contact=contact) if contact is not None else qs.filter(organisation=organisation)


GRID_CELL = 72
GRID_LEFT = 56
GRID_TOP = 16
# Offsets within a cell for the 1st, 2nd, ... dot that share it, so none hides another.
_SPREAD = [(0, 0), (-18, -18), (18, 18), (18, -18), (-18, 18), (0, -22), (0, 22), (-22, 0), (22, 0)]


def grid_layout(dots: list[GridDot]) -> dict[str, Any]:
    """Place each dot on a 5×5 power/interest grid (SVG user units): interest left to right,
    influence bottom to top."""
    taken: dict[tuple[int, int], int] = {}
    for dot in dots:
        cell = (dot.interest, dot.influence)
        n = taken.get(cell, 0)
        taken[cell] = n + 1
        dx, dy = _SPREAD[n % len(_SPREAD)]
        dot.x = GRID_LEFT + (dot.interest - 0.5) * GRID_CELL + dx
        dot.y = GRID_TOP + (5 - dot.influence + 0.5) * GRID_CELL + dy
    size = GRID_CELL * 5
    return {
        "dots": dots,
        "left": GRID_LEFT,
        "top": GRID_TOP,
        "size": size,
        "half": size / 2,
        "width": GRID_LEFT + size + 8,
        "height": GRID_TOP + size + 48,
        "ticks": [
            {"n": i, "x": GRID_LEFT + (i - 0.5) * GRID_CELL, "y": GRID_TOP + (5 - i + 0.5) * GRID_CELL}
            for i in range(1, 6)
        ],
    }
