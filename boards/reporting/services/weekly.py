"""The weekly progress report: figures for one ISO week and the week before, computed with grouped
aggregate queries over date ranges (each query reads only two weeks of rows through the date indexes),
stored as a snapshot that a rebuild replaces on purpose and says so."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from boards.models import (
    Board,
    Champion,
    Commitment,
    Engagement,
    Meeting,
    ReadinessChange,
    ReadinessStatus,
    Stage,
    StageChange,
)
from campaigns.models import Campaign, Delivery, Goal, Response, ResponseKind, Send
from crm.models import Region, User
from crm.services.audit import audit_record

from ..models import WeeklyReport
from .weeks import LONDON, week_bounds, week_label

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
STAGE_LABELS = dict(Stage.choices)
READINESS_LABELS = dict(ReadinessStatus.choices)


def _change(this: int, prev: int) -> dict[str, Any]:
    return {"this": this, "prev": prev, "change": this - prev}


def _rows(pairs: list[tuple[str, str, int, int]]) -> list[dict[str, Any]]:
    """[{key, label, this, prev, change}], busiest first, then by name."""
    rows = [{"key": k, "label": label, **_change(t, p)} for k, label, t, p in pairs if t or p]
    return sorted(rows, key=lambda r: (-r["this"], -r["prev"], r["label"]))


def _two_weeks(field: str, week_start: dt.date) -> tuple[Q, Q, Q]:
    """Filters for (both weeks, this week, last week) on a date field."""
    prev = week_start - dt.timedelta(days=7)
    end = week_start + dt.timedelta(days=7)
    return (
        Q(**{f"{field}__gte": prev, f"{field}__lt": end}),
        Q(**{f"{field}__gte": week_start}),
        Q(**{f"{field}__lt": week_start}),
    )


def _two_weeks_dt(field: str, week_start: dt.date) -> tuple[Q, Q, Q]:
    """The same for a timestamp field, with week edges at London midnight."""
    start, end = week_bounds(week_start)
    prev, _ = week_bounds(week_start - dt.timedelta(days=7))
    return (
        Q(**{f"{field}__gte": prev, f"{field}__lt": end}),
        Q(**{f"{field}__gte": start}),
        Q(**{f"{field}__lt": start}),
    )


def _engagements(week_start: dt.date) -> dict[str, Any]:
    both, this, prev = _two_weeks("date", week_start)
    week = Engagement.objects.filter(both).order_by()
    counts = {"this": Count("pk", filter=this), "prev": Count("pk", filter=prev)}
    kinds = dict(Engagement.Kind.choices)
    by_kind = [(r["kind"], kinds.get(r["kind"], r["kind"]), r["this"], r["prev"]) for r in
               week.values("kind").annotate(this=counts["this"], prev=counts["prev"])]  # fmt: skip
    # Every engagement has exactly one kind, so the kinds add up to the total without a query of its own.
    totals = {"this": sum(row[2] for row in by_kind), "prev": sum(row[3] for row in by_kind)}
    by_area = [
        (str(r["area_id"] or ""), r["area__name"] or "No area", r["this"], r["prev"])
        for r in week.values("area_id", "area__name").annotate(this=counts["this"], prev=counts["prev"])
    ]
    board_kinds = dict(Board.Kind.choices)
    by_board_kind = [
        (r["board__kind"] or "", board_kinds.get(r["board__kind"], "Not with a board"), r["this"], r["prev"])
        for r in week.values("board__kind").annotate(this=counts["this"], prev=counts["prev"])
    ]
    leader_rows = week.values("leaders__id", "leaders__full_name", "leaders__email").annotate(
        this=Count("pk", filter=this, distinct=True), prev=Count("pk", filter=prev, distinct=True)
    )
    by_leader = [
        (str(r["leaders__id"] or ""), r["leaders__full_name"] or r["leaders__email"] or "No leader recorded",
         r["this"], r["prev"])
        for r in leader_rows
    ]  # fmt: skip
    return {
        "total": _change(totals["this"], totals["prev"]),
        "by_kind": _rows(by_kind),
        "by_area": _rows(by_area),
        "by_board_kind": _rows(by_board_kind),
        "by_leader": _rows(by_leader),
    }


def _stage_moves(week_start: dt.date) -> dict[str, Any]:
    both, this, prev = _two_weeks_dt("changed_at", week_start)
    moves = StageChange.objects.filter(both).order_by()
    up, down = Q(to_stage__gt=F("from_stage")), Q(to_stage__lt=F("from_stage"))
    totals = moves.aggregate(
        up=Count("pk", filter=this & up),
        down=Count("pk", filter=this & down),
        up_prev=Count("pk", filter=prev & up),
        down_prev=Count("pk", filter=prev & down),
    )
    listed = []
    for c in (
        moves.filter(this)
        .select_related(
            "board",
            "board__area",
            "area",
            "changed_by",
            # str(engagement) names its board or organisation: without these, one query per move.
            "evidence_engagement__board",
            "evidence_engagement__organisation",
            "evidence_meeting",
        )
        .order_by("changed_at", "pk")
    ):
        evidence = []
        if c.evidence_engagement_id:
            evidence.append(str(c.evidence_engagement))
        if c.evidence_meeting is not None:
            meeting = c.evidence_meeting
            evidence.append(
                f"Meeting of {meeting.starts_at.astimezone(LONDON):%d/%m/%Y}: {meeting.decisions}".rstrip(": ")
            )
        if c.evidence_url:
            evidence.append(c.evidence_url)
        listed.append(
            {
                "subject": str(c.board) if c.board_id else str(c.area),
                "subject_kind": "Board" if c.board_id else "Area",
                "url": c.board.get_absolute_url() if c.board else reverse("boards:area_detail", args=[c.area_id]),
                "from": STAGE_LABELS.get(c.from_stage, c.from_stage),
                "to": STAGE_LABELS.get(c.to_stage, c.to_stage),
                "direction": "up" if c.to_stage > c.from_stage else "down",
                "on": c.changed_at.astimezone(LONDON).date().isoformat(),
                "by": str(c.changed_by or ""),
                "evidence": "; ".join(evidence)[:500],
                "note": c.note[:500],
            }
        )
    return {
        "up": _change(totals["up"], totals["up_prev"]),
        "down": _change(totals["down"], totals["down_prev"]),
        "moves": listed,
    }


def _readiness(week_start: dt.date) -> dict[str, Any]:
    both, this, prev = _two_weeks_dt("changed_at", week_start)
    changes = ReadinessChange.objects.filter(both).order_by()
    in_place = Q(to_status=ReadinessStatus.IN_PLACE)
    figures = changes.aggregate(
        this=Count("pk", filter=this),
        prev=Count("pk", filter=prev),
        in_place=Count("pk", filter=this & in_place),
        in_place_prev=Count("pk", filter=prev & in_place),
    )
    listed = [
        {
            "area": r.readiness.area.name,
            "indicator": r.readiness.indicator.name,
            "from": READINESS_LABELS.get(r.from_status, r.from_status),
            "to": READINESS_LABELS.get(r.to_status, r.to_status),
            "on": r.changed_at.astimezone(LONDON).date().isoformat(),
            "by": str(r.changed_by or ""),
            "evidence": (r.evidence or r.evidence_url)[:500],
        }
        for r in changes.filter(this)
        .select_related("readiness__area", "readiness__indicator", "changed_by")
        .order_by("changed_at", "pk")
    ]
    return {
        "changes": _change(figures["this"], figures["prev"]),
        "now_in_place": _change(figures["in_place"], figures["in_place_prev"]),
        "list": listed,
    }


def _champions(week_start: dt.date) -> dict[str, Any]:
    both, this, prev = _two_weeks_dt("created_at", week_start)
    _, end = week_bounds(week_start)
    new = (
        Champion.objects.filter(both).order_by().aggregate(this=Count("pk", filter=this), prev=Count("pk", filter=prev))
    )
    stages = dict(Champion.Stage.choices)
    by_stage = {
        r["stage"]: r["n"]
        for r in Champion.objects.filter(created_at__lt=end).order_by().values("stage").annotate(n=Count("pk"))
    }
    listed = [
        {"name": str(c.contact), "area": c.area.name, "stage": c.get_stage_display()}
        for c in Champion.objects.filter(this & both).select_related("contact", "area").order_by("area__name", "pk")
    ]
    return {
        "new": _change(new["this"], new["prev"]),
        "by_stage": [{"key": k, "label": label, "count": by_stage.get(k, 0)} for k, label in stages.items()],
        "new_list": listed,
    }


def _commitments(week_start: dt.date) -> dict[str, Any]:
    start, end = week_bounds(week_start)
    prev_start, _ = week_bounds(week_start - dt.timedelta(days=7))
    last_day, prev_last_day = week_start + dt.timedelta(days=6), week_start - dt.timedelta(days=1)

    def overdue_at(moment: dt.datetime, day: dt.date) -> Q:
        # Open at that moment (not yet closed then) with a due date before that day ended.
        return (
            Q(created_at__lt=moment, due_date__lt=day + dt.timedelta(days=1), due_date__isnull=False)
            & ~Q(status=Commitment.Status.DROPPED, closed_at__lt=moment)
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=moment))
        )

    done = Q(status=Commitment.Status.DONE)
    figures = Commitment.objects.order_by().aggregate(
        made=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        made_prev=Count("pk", filter=Q(created_at__gte=prev_start, created_at__lt=start)),
        done=Count("pk", filter=done & Q(closed_at__gte=start, closed_at__lt=end)),
        done_prev=Count("pk", filter=done & Q(closed_at__gte=prev_start, closed_at__lt=start)),
        overdue=Count("pk", filter=overdue_at(end, last_day)),
        overdue_prev=Count("pk", filter=overdue_at(start, prev_last_day)),
    )
    return {
        "made": _change(figures["made"], figures["made_prev"]),
        "done": _change(figures["done"], figures["done_prev"]),
        "overdue": _change(figures["overdue"], figures["overdue_prev"]),
    }


def _meetings(week_start: dt.date) -> dict[str, Any]:
    both, this, prev = _two_weeks_dt("starts_at", week_start)
    held = Q(status__in=[Meeting.Status.HELD, Meeting.Status.MINUTES_PUBLISHED])
    meetings = (
        Meeting.objects.filter(both)
        .order_by()
        .aggregate(held=Count("pk", filter=this & held), held_prev=Count("pk", filter=prev & held))
    )
    p_both, p_this, p_prev = _two_weeks("date", week_start)
    papers = (
        Engagement.objects.filter(p_both, kind=Engagement.Kind.PAPER)
        .order_by()
        .aggregate(this=Count("pk", filter=p_this), prev=Count("pk", filter=p_prev))
    )
    return {
        "held": _change(meetings["held"], meetings["held_prev"]),
        "papers": _change(papers["this"], papers["prev"]),
    }


def _audience(goal: Goal, prefix: str) -> Q:
    q = Q()
    if goal.practitioner_group:
        q &= Q(**{f"{prefix}practitioner_group": goal.practitioner_group})
    if goal.region:
        q &= Q(**{f"{prefix}area__region": goal.region})
    return q


def _campaigns(week_start: dt.date) -> dict[str, Any]:
    _, end = week_bounds(week_start)
    s_both, s_this, s_prev = _two_weeks_dt("started_at", week_start)
    sends = (
        Send.objects.filter(s_both)
        .order_by()
        .aggregate(this=Count("pk", filter=s_this), prev=Count("pk", filter=s_prev))
    )
    d_both, d_this, d_prev = _two_weeks_dt("sent_at", week_start)
    sent = Q(status=Delivery.Status.SENT)
    deliveries = (
        Delivery.objects.filter(d_both & sent)
        .order_by()
        .aggregate(this=Count("pk", filter=d_this), prev=Count("pk", filter=d_prev))
    )
    u_both, u_this, u_prev = _two_weeks_dt("unsubscribed_at", week_start)
    unsubscribes = (
        Delivery.objects.filter(u_both)
        .order_by()
        .aggregate(this=Count("pk", filter=u_this), prev=Count("pk", filter=u_prev))
    )
    r_both, r_this, r_prev = _two_weeks("occurred_on", week_start)
    response_kinds = dict(ResponseKind.choices)
    by_kind = [
        (r["kind"], response_kinds.get(r["kind"], r["kind"]), r["this"], r["prev"])
        for r in Response.objects.filter(r_both)
        .order_by()
        .values("kind")
        .annotate(this=Count("pk", filter=r_this), prev=Count("pk", filter=r_prev))
    ]
    responses_total = sum(row[2] for row in by_kind), sum(row[3] for row in by_kind)
    # Goals of campaigns running at some point in the week, with progress to the end of the week.
    last_day = week_start + dt.timedelta(days=6)
    campaigns = list(
        Campaign.objects.filter(starts_on__lte=last_day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=week_start))
        .exclude(status__in=[Campaign.Status.DRAFT, Campaign.Status.ARCHIVED])
        .prefetch_related("goals")
        .order_by("name")
    )
    goals = [g for c in campaigns for g in c.goals.all()]
    reached, responded = {}, {}
    for g in goals:
        key = f"g{g.pk}"
        if g.measure == Goal.Measure.REACHED:
            reached[key] = Count("contact", filter=Q(send__campaign_id=g.campaign_id) & _audience(g, "contact__"),
                                 distinct=True)  # fmt: skip
        else:
            responded[key] = Count(
                "contact",
                filter=Q(campaign_id=g.campaign_id, kind=g.measure) & _audience(g, "contact__"),
                distinct=True,
            )
    achieved: dict[str, int] = {}
    if reached:
        achieved |= Delivery.objects.filter(status=Delivery.Status.SENT, sent_at__lt=end).aggregate(**reached)
    if responded:
        achieved |= Response.objects.filter(occurred_on__lte=last_day).aggregate(**responded)
    regions = dict(Region.choices)
    goal_rows = []
    for c in campaigns:
        for g in c.goals.all():
            got = achieved.get(f"g{g.pk}") or 0
            goal_rows.append(
                {
                    "campaign": c.name,
                    "goal": g.label,
                    "region": regions.get(g.region, ""),
                    "target": g.target,
                    "achieved": got,
                    "percent": min(100, round(100 * got / g.target)) if g.target else 0,
                }
            )
    return {
        "sends": _change(sends["this"], sends["prev"]),
        "deliveries": _change(deliveries["this"], deliveries["prev"]),
        "unsubscribes": _change(unsubscribes["this"], unsubscribes["prev"]),
        "responses": _change(*responses_total),
        "responses_by_kind": _rows(by_kind),
        "goals": goal_rows,
    }


SECTIONS: list[tuple[str, str, Callable[[dt.date], dict[str, Any]]]] = [
    ("engagements", "Engagements", _engagements),
    ("stages", "Stage moves", _stage_moves),
    ("readiness", "Readiness", _readiness),
    ("champions", "Champions", _champions),
    ("commitments", "Commitments", _commitments),
    ("meetings", "Meetings and papers", _meetings),
    ("campaigns", "Campaigns", _campaigns),
]


def weekly_figures(*, week_start: dt.date, progress: Progress | None = None) -> dict[str, Any]:
    """Every figure of the report for the week beginning `week_start` (a Monday), with last week's."""
    if week_start.isoweekday() != 1:
        raise ValueError("A report week starts on a Monday.")
    figures: dict[str, Any] = {
        "week": week_label(week_start),
        "week_start": week_start.isoformat(),
        "week_end": (week_start + dt.timedelta(days=6)).isoformat(),
        "previous_week": week_label(week_start - dt.timedelta(days=7)),
    }
    for index, (key, label, compute) in enumerate(SECTIONS):
        if progress:
            progress(5 + 90 * index // len(SECTIONS), f"Counting {label.lower()}")
        figures[key] = compute(week_start)
    return figures


def _set_progress(report_id: int, percent: int, note: str) -> None:
    # Outside the build's own transaction (there is none), so the page polling it sees it at once.
    WeeklyReport.objects.filter(pk=report_id).update(progress=percent, progress_note=note[:200])


def weekly_report_request(
    *, actor: User | None, week_start: dt.date, rebuild: bool = False, email: bool = False
) -> WeeklyReport:
    """Queue the report for a week: a new row, or, when asked to rebuild, the existing one marked queued.
    Building a week that already has a report needs rebuild=True, so nobody replaces figures by accident."""
    if week_start.isoweekday() != 1:
        raise ValidationError({"week": "A report week starts on a Monday."})
    _, end = week_bounds(week_start)
    if end > timezone.now():
        raise ValidationError(
            {"week": f"The week {week_label(week_start)} has not ended yet, so it cannot be reported."}
        )
    with transaction.atomic():
        report = WeeklyReport.objects.select_for_update().filter(week_start=week_start).first()
        if report is None:
            try:
                with transaction.atomic():
                    report = WeeklyReport.objects.create(week_start=week_start, email_requested=email, built_by=actor)
            except IntegrityError as error:
                raise ValidationError(
                    {"week": f"The report for {week_label(week_start)} is already being built."}
                ) from error
            audit_record(actor=actor, action="create", target=report, changes={"week": week_label(week_start)})
            return report
        if report.status in (WeeklyReport.Status.QUEUED, WeeklyReport.Status.BUILDING):
            raise ValidationError({"week": f"The report for {report.week_label} is already being built."})
        if report.status == WeeklyReport.Status.READY and not rebuild:
            raise ValidationError(
                {"week": f"There is already a report for {report.week_label}. Tick “rebuild” to replace its figures."}
            )
        report.status = WeeklyReport.Status.QUEUED
        report.progress, report.progress_note, report.error = 0, "Waiting for a worker", ""
        report.email_requested = report.email_requested or email
        report.rebuilt_by = actor if report.built_at else report.rebuilt_by
        report.save()
    return report


def weekly_report_build(*, report_id: int, progress: Progress | None = None) -> WeeklyReport | None:
    """Build a queued report: claim it, compute the figures, store them. A rebuild replaces the figures
    and records who rebuilt it, when, and what changed, in the audit trail."""
    token = f"building:{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    claimed = WeeklyReport.objects.filter(pk=report_id, status=WeeklyReport.Status.QUEUED).update(
        status=WeeklyReport.Status.BUILDING, progress=1, progress_note=token, build_started_at=now
    )
    if not claimed:
        return WeeklyReport.objects.filter(pk=report_id).first()
    report = WeeklyReport.objects.get(pk=report_id)

    def report_progress(percent: int, note: str) -> None:
        _set_progress(report_id, percent, note)
        if progress:
            progress(percent, note)

    try:
        figures = weekly_figures(week_start=report.week_start, progress=report_progress)
    except Exception as error:
        WeeklyReport.objects.filter(pk=report_id).update(status=WeeklyReport.Status.FAILED, error=str(error)[:500])
        logger.exception("Weekly report %s failed", report.week_label)
        raise
    with transaction.atomic():
        report = WeeklyReport.objects.select_for_update().get(pk=report_id)
        rebuilt = report.built_at is not None
        previous = report.figures
        report.figures = figures
        report.status = WeeklyReport.Status.READY
        report.progress, report.progress_note = 100, "Ready"
        if rebuilt:
            report.rebuilt_at = timezone.now()
            report.rebuild_count += 1
        else:
            report.built_at = timezone.now()
        report.save()
        if rebuilt:
            audit_record(
                actor=report.rebuilt_by,
                action="update",
                target=report,
                changes={
                    "rebuilt": [None, cast(dt.datetime, report.rebuilt_at).isoformat()],  # set just above
                    **_headline_diff(previous, figures),
                },
            )
    report_progress(100, "Ready")
    return report


def _headline(figures: dict[str, Any]) -> dict[str, Any]:
    def this(section: str, key: str) -> Any:
        return (figures.get(section) or {}).get(key, {}).get("this")

    return {
        "engagements": this("engagements", "total"),
        "stage moves up": this("stages", "up"),
        "stage moves down": this("stages", "down"),
        "commitments done": this("commitments", "done"),
        "deliveries": this("campaigns", "deliveries"),
    }


def _headline_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    old, new = _headline(before), _headline(after)
    return {k: [old[k], new[k]] for k in new if old.get(k) != new[k]}


def weekly_report_for_week(*, week_start: dt.date, actor: User | None = None) -> tuple[WeeklyReport, bool]:
    """The scheduled build's entry: the week's report, queued if it does not exist yet. Returns
    (report, queued_now); a week that already has a report is left as it is."""
    report = WeeklyReport.objects.filter(week_start=week_start).first()
    if report is not None:
        return report, False
    try:
        return weekly_report_request(actor=actor, week_start=week_start), True
    except ValidationError:
        return WeeklyReport.objects.get(week_start=week_start), False
