"""Reads for campaign outreach. Every list here is shaped so a page runs a fixed number of queries
however many rows it shows; segment counts are single aggregate queries with EXISTS subqueries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import SHA256, Lower, Trim
from django.utils import timezone

from campaigns.models import Campaign, Delivery, Goal, Message, Pledge, Response, ResponseKind, Segment, Send
from crm.models import Affiliation, Contact, LawfulBasis, Suppression, TimelineEntry

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


class EmailHash(SHA256):
    """sha256 of the normalised address in SQL, equal to crm.services.suppression.suppression_hash, so the
    suppression list is matched by a join rather than by hashing every contact in Python. PostgreSQL has
    sha256() built in (no pgcrypto needed); SQLite gets the function Django registers."""

    output_field = CharField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        return self.as_sql(
            compiler, connection, template="ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')", **extra_context
        )


def email_hash_expression() -> EmailHash:
    return EmailHash(Lower(Trim("email")))


# --- Segments ------------------------------------------------------------------------------------

EXCLUSION_REASONS: dict[str, str] = {
    "erased": "Personal data erased",
    "no_email": "No email address",
    "do_not_contact": "Marked do not contact",
    "opted_out": "Opted out of email",
    "no_lawful_basis": "No lawful basis recorded",
    "suppressed": "On the suppression list (unsubscribed or bounced)",
}


def _current_affiliation_q(today: dt.date) -> Q:
    return Q(end_date__isnull=True) | Q(end_date__gte=today)


def segment_contacts(definition: dict[str, Any]) -> QuerySet[Contact]:
    """Every contact the segment's filters match, before exclusions. One query, EXISTS for relations."""
    d = definition
    qs = Contact.objects.all()
    if d.get("practitioner_groups"):
        qs = qs.filter(practitioner_group__in=d["practitioner_groups"])
    if d.get("regions"):
        qs = qs.filter(area__region__in=d["regions"])
    if d.get("areas"):
        qs = qs.filter(area_id__in=d["areas"])
    if d.get("organisation_kinds"):
        qs = qs.filter(
            Exists(
                Affiliation.objects.filter(
                    _current_affiliation_q(timezone.localdate()),
                    contact=OuterRef("pk"),
                    organisation__kind__in=d["organisation_kinds"],
                )
            )
        )
    if d.get("tags"):
        qs = qs.filter(Exists(Contact.tags.through.objects.filter(contact_id=OuterRef("pk"), tag_id__in=d["tags"])))
    if d.get("engaged") in {"yes", "no"}:
        engagements = TimelineEntry.objects.filter(contact=OuterRef("pk"), kind=TimelineEntry.Kind.ENGAGEMENT)
        if d.get("engaged_since"):
            since = dt.datetime.combine(dt.date.fromisoformat(d["engaged_since"]), dt.time.min)
            engagements = engagements.filter(occurred_at__gte=timezone.make_aware(since))
        qs = qs.filter(Exists(engagements) if d["engaged"] == "yes" else ~Exists(engagements))
    if d.get("responded"):
        qs = qs.filter(Exists(Response.objects.filter(contact=OuterRef("pk"), kind__in=d["responded"])))
    if d.get("received_campaigns"):
        qs = qs.filter(
            Exists(
                Delivery.objects.filter(
                    contact=OuterRef("pk"), status=Delivery.Status.SENT, send__campaign_id__in=d["received_campaigns"]
                )
            )
        )
    if d.get("not_received_campaigns"):
        qs = qs.filter(
            ~Exists(
                Delivery.objects.filter(
                    contact=OuterRef("pk"),
                    status=Delivery.Status.SENT,
                    send__campaign_id__in=d["not_received_campaigns"],
                )
            )
        )
    return qs


def _suppressed() -> Exists:
    return Exists(Suppression.objects.filter(email_hash=OuterRef("email_hash")))


def exclusion_case() -> Case:
    """The first reason a contact may not be emailed, or NULL if they may. Needs the email_hash annotation."""
    return Case(
        When(erased_at__isnull=False, then=Value("erased")),
        When(email="", then=Value("no_email")),
        When(do_not_contact=True, then=Value("do_not_contact")),
        When(email_opt_out=True, then=Value("opted_out")),
        When(lawful_basis=LawfulBasis.NONE, then=Value("no_lawful_basis")),
        When(_suppressed(), then=Value("suppressed")),
        default=None,
        output_field=CharField(),
    )


def segment_recipients(definition: dict[str, Any]) -> QuerySet[Contact]:
    """The contacts a send to this segment may email: matched, and not excluded for any reason."""
    return (
        segment_contacts(definition)
        .filter(erased_at__isnull=True, do_not_contact=False, email_opt_out=False)
        .exclude(email="")
        .exclude(lawful_basis=LawfulBasis.NONE)
        .annotate(email_hash=email_hash_expression())
        .filter(~_suppressed())
    )


@dataclass
class SegmentPreview:
    matched: int
    eligible: int
    excluded: list[tuple[str, str, int]] = field(default_factory=list)  # (code, label, count)

    @property
    def excluded_total(self) -> int:
        return self.matched - self.eligible

    def as_dict(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "eligible": self.eligible,
            "excluded_total": self.excluded_total,
            "excluded": [{"reason": code, "label": label, "count": n} for code, label, n in self.excluded],
        }


def segment_preview(definition: dict[str, Any]) -> SegmentPreview:
    """Counts for the live preview: matched, eligible, and excluded by reason, in one grouped query."""
    rows = (
        segment_contacts(definition)
        .annotate(email_hash=email_hash_expression())
        .annotate(exclusion=exclusion_case())
        .order_by()
        .values("exclusion")
        .annotate(n=Count("pk"))
    )
    counts = {row["exclusion"]: row["n"] for row in rows}
    eligible = counts.pop(None, 0)
    excluded = [(code, label, counts[code]) for code, label in EXCLUSION_REASONS.items() if counts.get(code)]
    return SegmentPreview(matched=eligible + sum(counts.values()), eligible=eligible, excluded=excluded)


def segment_sample(definition: dict[str, Any], limit: int = 20) -> list[Contact]:
    return list(segment_recipients(definition).select_related("area").order_by("last_name", "first_name", "pk")[:limit])


def segment_list() -> QuerySet[Segment]:
    return Segment.objects.select_related("campaign", "created_by").annotate(send_count=Count("sends"))


# --- Campaigns -----------------------------------------------------------------------------------


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("owner").annotate(
        send_count=Count("sends", distinct=True), response_count=Count("responses", distinct=True)
    )


def campaign_detail(*, pk: int) -> Campaign:
    return (
        Campaign.objects.select_related("owner", "created_by")
        .prefetch_related(
            "goals",
            Prefetch("messages", queryset=Message.objects.order_by("name")),
            Prefetch("segments", queryset=Segment.objects.order_by("name")),
            Prefetch("sends", queryset=Send.objects.select_related("message", "segment").order_by("-created_at")),
        )
        .get(pk=pk)
    )


@dataclass
class GoalProgress:
    goal: Goal
    achieved: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.achieved / self.goal.target)) if self.goal.target else 0

    @property
    def bar_class(self) -> str:
        """A CSS class per 5% step: the strict CSP forbids inline widths."""
        return f"cg-bar--{5 * round(self.percent / 5)}"


def _audience_filter(goal: Goal, prefix: str) -> Q:
    q = Q()
    if goal.practitioner_group:
        q &= Q(**{f"{prefix}practitioner_group": goal.practitioner_group})
    if goal.region:
        q &= Q(**{f"{prefix}area__region": goal.region})
    return q


def goal_progress(campaign: Campaign) -> list[GoalProgress]:
    """Progress per goal: distinct people reached (a sent delivery) or who made that kind of response.
    One aggregate query for all goals, whatever their number."""
    goals = list(campaign.goals.all())
    if not goals:
        return []
    reached: dict[str, Any] = {}
    responded: dict[str, Any] = {}
    for goal in goals:
        key = f"g{goal.pk}"
        if goal.measure == Goal.Measure.REACHED:
            reached[key] = Count("contact", filter=_audience_filter(goal, "contact__"), distinct=True)
        else:
            responded[key] = Count(
                "contact", filter=Q(kind=goal.measure) & _audience_filter(goal, "contact__"), distinct=True
            )
    totals: dict[str, int] = {}
    if reached:
        totals |= Delivery.objects.filter(send__campaign=campaign, status=Delivery.Status.SENT).aggregate(**reached)
    if responded:
        totals |= Response.objects.filter(campaign=campaign).aggregate(**responded)
    return [GoalProgress(goal=g, achieved=totals.get(f"g{g.pk}") or 0) for g in goals]


# --- Sends ---------------------------------------------------------------------------------------


def send_list(*, campaign: Campaign | None = None) -> QuerySet[Send]:
    qs = Send.objects.select_related("campaign", "message", "segment")
    return qs.filter(campaign=campaign) if campaign is not None else qs


STATUS_KEYS = [s.value for s in Delivery.Status]


def delivery_counts(*, sends: QuerySet[Send] | list[Send]) -> dict[str, int]:
    """Deliveries by status (and unsubscribes) across the given sends, in one query."""
    aggregates: dict[str, Any] = {key: Count("pk", filter=Q(status=key)) for key in STATUS_KEYS}
    aggregates["unsubscribed"] = Count("pk", filter=Q(unsubscribed_at__isnull=False))
    aggregates["total"] = Count("pk")
    return Delivery.objects.filter(send__in=sends).aggregate(**aggregates)


@dataclass
class SendProgress:
    send: Send
    counts: dict[str, int]
    rate_per_minute: float
    finishes_in_seconds: int | None

    @property
    def done(self) -> int:
        c = self.counts
        return c["sent"] + c["failed"] + c["bounced"] + c["skipped"]

    @property
    def remaining(self) -> int:
        return self.counts["queued"] + self.counts["sending"]

    @property
    def percent(self) -> int:
        total = self.counts["total"]
        return round(100 * self.done / total) if total else 0

    @property
    def bar_class(self) -> str:
        return f"cg-bar--{5 * round(self.percent / 5)}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.send.status,
            "status_label": self.send.get_status_display(),
            "total": self.counts["total"],
            "sent": self.counts["sent"],
            "failed": self.counts["failed"] + self.counts["bounced"],
            "skipped": self.counts["skipped"],
            "unsubscribed": self.counts["unsubscribed"],
            "remaining": self.remaining,
            "percent": self.percent,
            "bar_class": self.bar_class,
            "rate_per_minute": round(self.rate_per_minute, 1),
            "finishes_in_seconds": self.finishes_in_seconds,
        }


def send_progress(*, send: Send, window: dt.timedelta = dt.timedelta(minutes=1)) -> SendProgress:
    """Counts, the rate over the last minute, and an estimate of the time to finish: two queries."""
    counts = delivery_counts(sends=[send])
    now = timezone.now()
    recent = Delivery.objects.filter(send=send, sent_at__gte=now - window).aggregate(
        n=Count("pk"), first=Min("sent_at")
    )
    per_second = 0.0
    if recent["n"] and recent["first"]:
        span = max((now - recent["first"]).total_seconds(), 1.0)
        per_second = recent["n"] / span
    remaining = counts["queued"] + counts["sending"]
    finishes_in = None
    if send.status == Send.Status.SENDING and remaining:
        per_second = per_second or float(send.rate_per_second)
        finishes_in = int(remaining / per_second) + 1
    return SendProgress(
        send=send, counts=counts, rate_per_minute=per_second * 60, finishes_in_seconds=finishes_in if remaining else 0
    )


def send_deliveries(*, send: Send) -> QuerySet[Delivery]:
    return Delivery.objects.filter(send=send).select_related("contact", "contact__area")


# --- Responses and results -----------------------------------------------------------------------


def response_list(*, campaign: Campaign | None = None, contact: Contact | None = None) -> QuerySet[Response]:
    qs = Response.objects.select_related("campaign", "contact", "contact__area", "recorded_by")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if contact is not None:
        qs = qs.filter(contact=contact)
    return qs


@dataclass
class Results:
    counts: dict[str, int]
    responses_by_kind: list[tuple[str, str, int]]
    funnel: list[tuple[str, int]]
    by_group: list[dict[str, Any]]
    by_area: list[dict[str, Any]]

    @property
    def max_funnel(self) -> int:
        return max((n for _, n in self.funnel), default=0)


def _breakdown(deliveries: QuerySet[Delivery], responses: QuerySet[Response], key: str, label_of: Any) -> list[dict]:
    sent = {
        row[key]: row
        for row in deliveries.values(key).annotate(
            delivered=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            failed=Count("pk", filter=Q(status__in=[Delivery.Status.FAILED, Delivery.Status.BOUNCED])),
            unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        )
    }
    answered = {row[key]: row["n"] for row in responses.values(key).annotate(n=Count("contact", distinct=True))}
    keys = set(sent) | set(answered)
    rows = []
    for k in keys:
        row = sent.get(k, {})
        rows.append(
            {
                "label": label_of(k),
                "delivered": row.get("delivered", 0),
                "failed": row.get("failed", 0),
                "unsubscribed": row.get("unsubscribed", 0),
                "responded": answered.get(k, 0),
            }
        )
    rows.sort(key=lambda r: (-r["delivered"], -r["responded"], r["label"]))
    return rows


def results_for(*, campaign: Campaign, send: Send | None = None) -> Results:
    """Delivered, failed, bounced, unsubscribed, responses, the goal funnel and breakdowns by
    practitioner group and by area, for a campaign or one of its sends. A fixed number of queries."""
    from crm.models import LocalArea, PractitionerGroup

    sends = [send] if send is not None else list(campaign.sends.all())
    counts = delivery_counts(sends=sends)
    deliveries = Delivery.objects.filter(send__in=sends)
    responses = Response.objects.filter(campaign=campaign)
    if send is not None:
        # A send's responses: people it reached who responded after it started.
        responses = responses.filter(
            contact__in=deliveries.filter(status=Delivery.Status.SENT).values("contact"),
            occurred_on__gte=timezone.localdate(send.started_at) if send.started_at else timezone.localdate(),
        )
    by_kind = dict(responses.order_by().values_list("kind").annotate(n=Count("contact", distinct=True)))
    responses_by_kind = [(kind.value, kind.label, by_kind.get(kind.value, 0)) for kind in ResponseKind]
    responders = responses.aggregate(n=Count("contact", distinct=True))["n"]
    funnel = [
        ("Recipients", counts["total"]),
        ("Delivered", counts["sent"]),
        ("Responded in any way", responders),
        ("Pledged support", by_kind.get(ResponseKind.PLEDGED, 0)),
    ]
    group_labels = dict(PractitionerGroup.choices)
    area_ids = set(deliveries.values_list("contact__area", flat=True).distinct()) | set(
        responses.values_list("contact__area", flat=True).distinct()
    )
    area_names = dict(LocalArea.objects.filter(pk__in=[a for a in area_ids if a]).values_list("pk", "name"))
    return Results(
        counts=counts,
        responses_by_kind=responses_by_kind,
        funnel=funnel,
        by_group=_breakdown(
            deliveries, responses, "contact__practitioner_group", lambda k: group_labels.get(k, "Unknown")
        ),
        by_area=_breakdown(deliveries, responses, "contact__area", lambda k: area_names.get(k, "No area recorded")),
    )


def pledge_page_campaign(*, slug: str) -> Campaign:
    return Campaign.objects.get(slug=slug, pledge_page_enabled=True)


def pledge_list(*, campaign: Campaign) -> QuerySet[Pledge]:
    return Pledge.objects.filter(campaign=campaign).select_related("area", "contact")


def contact_choices_for_preview(*, segment: Segment | None, contact_id: int | None) -> Contact | None:
    """The contact a message preview uses: the one asked for, else the first in the segment, else anyone."""
    base = Contact.objects.select_related("area").prefetch_related("affiliations__organisation")
    if contact_id:
        return base.filter(pk=contact_id, erased_at__isnull=True).first()
    if segment is not None:
        first = segment_recipients(segment.definition).order_by("last_name", "first_name", "pk").values("pk")[:1]
        found = base.filter(pk__in=Subquery(first)).first()
        if found:
            return found
    return base.filter(erased_at__isnull=True).exclude(email="").order_by("last_name", "first_name", "pk").first()
