"""Reads for reminders and reports. `reminder_items_for` is the one list of what needs a user: the
digest is built from it, and My work can show the same (it reuses the boards selectors that My work uses)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from boards import selectors as boards_selectors
from boards.links import url_of
from boards.models import Board, Engagement
from crm.models import Contact, LocalArea, User

from .models import Reminder, ReminderDigest, ReminderPreference, WeeklyReport

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ColdContactAnnotations(TypedDict):
    last_engagement: dt.date | None
    created_on: dt.date


LONDON = ZoneInfo("Europe/London")
MAX_DIGEST_ATTEMPTS = 8


def london_now(now: dt.datetime | None = None) -> dt.datetime:
    """The wall-clock time in London, right on both clock-change days (zoneinfo, not a fixed offset)."""
    return (now or timezone.now()).astimezone(LONDON)


def default_digest_time() -> dt.time:
    hours, _, minutes = settings.REMINDER_DEFAULT_DIGEST_TIME.partition(":")
    return dt.time(int(hours), int(minutes or 0))


def reminder_preference_for(*, user: User) -> ReminderPreference:
    """The user's saved preferences, or the defaults (unsaved) when they have never set any."""
    return ReminderPreference.objects.filter(user=user).first() or ReminderPreference(user=user)


def digest_time_of(preference: ReminderPreference) -> dt.time:
    return preference.digest_time or default_digest_time()


def users_due_a_digest(*, now: dt.datetime | None = None) -> tuple[dt.date, list[int]]:
    """Active users whose digest time has passed today (London) and who have no finished digest today."""
    local = london_now(now)
    today, wall_clock = local.date(), local.time().replace(tzinfo=None)
    time_passed = Q(reminder_preference__digest_time__lte=wall_clock)
    if default_digest_time() <= wall_clock:
        time_passed |= Q(reminder_preference__isnull=True) | Q(reminder_preference__digest_time__isnull=True)
    # A digest that failed too often waits for someone to look at it rather than retrying all day.
    finished = (
        ReminderDigest.objects.filter(local_date=today)
        .filter(
            Q(status__in=[ReminderDigest.Status.SENT, ReminderDigest.Status.EMPTY])
            | Q(attempts__gte=MAX_DIGEST_ATTEMPTS)
        )
        .values("user_id")
    )
    ids = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(time_passed)
        .exclude(pk__in=finished)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return today, list(ids)


@dataclass(frozen=True)
class ReminderItem:
    kind: str
    item_id: int
    occasion: dt.date
    title: str
    detail: str = ""
    url: str = ""


@dataclass
class ReminderItems:
    today: dt.date
    sections: dict[str, list[ReminderItem]] = field(default_factory=dict)

    @property
    def all(self) -> list[ReminderItem]:
        return [item for items in self.sections.values() for item in items]


def _uk(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _cold_areas_for(*, user: User, since: dt.date) -> list[tuple[LocalArea, dt.date | None]]:
    # Areas have no owner of their own: a leader's areas are those of the boards they own.
    areas = LocalArea.objects.filter(boards__owner=user).distinct().order_by("name")
    last = dict(Engagement.objects.filter(area__in=areas).values_list("area_id").annotate(last=Max("date")).order_by())
    return [(a, last.get(a.pk)) for a in areas if last.get(a.pk) is None or last[a.pk] < since]


def _cold_contacts_for(
    *, user: User, since: dt.date, limit: int
) -> QuerySet[WithAnnotations[Contact, ColdContactAnnotations]]:
    return (
        Contact.objects.filter(owner=user, erased_at__isnull=True)
        .annotate(last_engagement=Max("engagements__date"))
        .filter(Q(last_engagement__isnull=True) | Q(last_engagement__lt=since))
        .annotate(created_on=TruncDate("created_at", tzinfo=LONDON))
        .order_by("last_engagement", "last_name", "pk")[:limit]
    )


def reminder_items_for(
    *, user: User, now: dt.datetime | None = None, preference: ReminderPreference | None = None
) -> ReminderItems:
    """Everything that needs the user today, by section, each item with the occasion it is reminded for."""
    now = now or timezone.now()
    today = london_now(now).date()
    preference = preference or reminder_preference_for(user=user)
    limit = settings.REMINDER_MAX_ITEMS_PER_SECTION
    site = settings.SITE_URL.rstrip("/")
    result = ReminderItems(today=today)

    if preference.follow_ups:
        horizon = today + dt.timedelta(days=preference.follow_up_lead_days)
        overdue: list[ReminderItem] = []
        due: list[ReminderItem] = []
        for c in boards_selectors.open_commitments_for(user=user).filter(due_date__lte=horizon)[: 2 * limit]:
            where = c.board.name if c.board else (str(c.contact) if c.contact_id else "")
            due_date = cast(dt.date, c.due_date)  # the due_date filter above leaves out those without one
            item = ReminderItem(
                kind=Reminder.Kind.FOLLOW_UP_OVERDUE if due_date < today else Reminder.Kind.FOLLOW_UP_DUE,
                item_id=c.pk,
                occasion=due_date,
                title=c.description,
                detail=f"Due {_uk(due_date)}" + (f" · {where}" if where else ""),
                url=site + c.get_absolute_url(),
            )
            (overdue if due_date < today else due).append(item)
        result.sections["overdue"] = overdue[:limit]
        result.sections["due"] = due[:limit]

    if preference.meetings:
        end_day = today + dt.timedelta(days=preference.meeting_lead_days + 1)
        end = dt.datetime.combine(end_day, dt.time.min, tzinfo=LONDON)
        result.sections["meetings"] = [
            ReminderItem(
                kind=Reminder.Kind.MEETING,
                item_id=m.pk,
                occasion=london_now(m.starts_at).date(),
                title=f"{m.board.name} ({m.board.area})",
                detail=f"{london_now(m.starts_at):%A} {_uk(london_now(m.starts_at).date())}, "
                f"{london_now(m.starts_at):%H:%M}" + (f" · our item: {m.agenda_item}" if m.agenda_item else ""),
                url=site + m.get_absolute_url(),
            )
            for m in boards_selectors.meetings_between(start=now, end=end, user=user)[:limit]
        ]

    if preference.paper_deadlines:
        horizon = today + dt.timedelta(days=preference.paper_lead_days)
        result.sections["deadlines"] = [
            ReminderItem(
                kind=Reminder.Kind.PAPER_DEADLINE,
                item_id=m.pk,
                # The deadline range filter leaves out meetings without one.
                occasion=cast(dt.date, m.paper_deadline),
                title=f"Papers for {m.board.name} ({m.board.area})",
                detail=f"Deadline {_uk(cast(dt.date, m.paper_deadline))} · "
                f"meeting {_uk(london_now(m.starts_at).date())}",
                url=site + m.get_absolute_url(),
            )
            for m in boards_selectors.paper_deadlines_between(start=today, end=horizon, user=user)[:limit]
        ]

    if preference.gone_cold:
        days, boards = boards_selectors.cold_boards_for(user=user, today=today)
        since = today - dt.timedelta(days=days)
        cold: list[ReminderItem] = []
        for b in boards.order_by("last_engagement", "name")[:limit]:
            # The occasion is the start of the cold spell (the last engagement), so a board is reminded
            # once per spell, whatever the user later sets as their number of days.
            started = b.last_engagement or london_now(b.created_at).date()
            cold.append(
                ReminderItem(
                    kind=Reminder.Kind.COLD_BOARD,
                    item_id=b.pk,
                    occasion=started,
                    title=str(b),
                    detail=_last_seen(b.last_engagement),
                    url=site + b.get_absolute_url(),
                )
            )
        for area, last in _cold_areas_for(user=user, since=since)[:limit]:
            cold.append(
                ReminderItem(
                    kind=Reminder.Kind.COLD_AREA,
                    item_id=area.pk,
                    occasion=last or london_now(area.created_at).date(),
                    title=area.name,
                    detail=_last_seen(last),
                    url=site + reverse("boards:area_detail", args=[area.pk]),
                )
            )
        for contact in _cold_contacts_for(user=user, since=since, limit=limit):
            link = url_of(contact)
            cold.append(
                ReminderItem(
                    kind=Reminder.Kind.COLD_CONTACT,
                    item_id=contact.pk,
                    occasion=contact.last_engagement or contact.created_on,
                    title=str(contact),
                    detail=_last_seen(contact.last_engagement),
                    url=site + link if link else "",
                )
            )
        result.sections["cold"] = cold
    return result


def _last_seen(day: dt.date | None) -> str:
    return f"Last engagement {_uk(day)}" if day else "No engagement yet"


SECTION_TITLES = {
    "overdue": "Overdue follow-ups",
    "due": "Follow-ups due soon",
    "meetings": "Meetings coming up",
    "deadlines": "Paper deadlines",
    "cold": "Gone cold",
}


def digest_get(*, pk: int) -> ReminderDigest:
    return ReminderDigest.objects.select_related("user").get(pk=pk)


def digest_reminders(*, digest: ReminderDigest) -> dict[str, list[Reminder]]:
    """The items a digest claimed, by section, in the order the email lists them."""
    section_of: dict[str, str] = {
        Reminder.Kind.FOLLOW_UP_OVERDUE: "overdue",
        Reminder.Kind.FOLLOW_UP_DUE: "due",
        Reminder.Kind.MEETING: "meetings",
        Reminder.Kind.PAPER_DEADLINE: "deadlines",
        Reminder.Kind.COLD_BOARD: "cold",
        Reminder.Kind.COLD_AREA: "cold",
        Reminder.Kind.COLD_CONTACT: "cold",
    }
    sections: dict[str, list[Reminder]] = {key: [] for key in SECTION_TITLES}
    for reminder in digest.reminders.order_by("occasion", "id"):
        sections[section_of[reminder.kind]].append(reminder)
    return {key: items for key, items in sections.items() if items}


def recent_digests_for(*, user: User, limit: int = 10) -> QuerySet[ReminderDigest]:
    return ReminderDigest.objects.filter(user=user).order_by("-local_date")[:limit]


# --- Weekly reports --------------------------------------------------------------------------------


def report_list() -> QuerySet[WeeklyReport]:
    return WeeklyReport.objects.select_related("built_by", "rebuilt_by").order_by("-week_start")


def report_get(*, week_label: str) -> WeeklyReport:
    from .services.weeks import parse_week

    try:
        week_start = parse_week(week_label)
    except ValueError:
        week_start = None
    return get_object_or_404(report_list(), week_start=week_start)


def report_subscribers() -> QuerySet[User]:
    return User.objects.filter(is_active=True, reminder_preference__weekly_report=True).exclude(email="")


def board_kind_labels() -> dict[str, str]:
    return dict(Board.Kind.choices)
