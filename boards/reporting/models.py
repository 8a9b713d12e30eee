"""Reminders (each user's preferences, the daily digest and the exactly-once ledger) and the weekly
progress report (one stored snapshot per ISO week, and who it was emailed to)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

DEFAULT_FOLLOW_UP_LEAD_DAYS = 7
DEFAULT_MEETING_LEAD_DAYS = 7
DEFAULT_PAPER_LEAD_DAYS = 7
LEAD_DAYS_MAX = 60


def _lead_days(default: int, label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(0), MaxValueValidator(LEAD_DAYS_MAX)]
    )


class ReminderPreference(models.Model):
    """What a user wants in their daily digest. A user without a row gets the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference")
    follow_ups = models.BooleanField("follow-ups and commitments due or overdue", default=True)
    follow_up_lead_days = _lead_days(DEFAULT_FOLLOW_UP_LEAD_DAYS, "days ahead for follow-ups")
    meetings = models.BooleanField("meetings of boards I follow", default=True)
    meeting_lead_days = _lead_days(DEFAULT_MEETING_LEAD_DAYS, "days ahead for meetings")
    paper_deadlines = models.BooleanField("paper deadlines of boards I follow", default=True)
    paper_lead_days = _lead_days(DEFAULT_PAPER_LEAD_DAYS, "days ahead for paper deadlines")
    gone_cold = models.BooleanField("boards, areas and contacts I own that have gone cold", default=True)
    # Local (Europe/London) wall-clock time; the digest goes at the first run of the job after it.
    digest_time = models.TimeField("send my digest after", null=True, blank=True)
    weekly_report = models.BooleanField("email me the weekly progress report", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    follow_up_lead_days__lte=LEAD_DAYS_MAX,
                    meeting_lead_days__lte=LEAD_DAYS_MAX,
                    paper_lead_days__lte=LEAD_DAYS_MAX,
                ),
                name="reporting_pref_lead_days_range",
            )
        ]

    def __str__(self) -> str:
        return f"Reminder preferences of {self.user}"


class ReminderDigest(models.Model):
    """One user's digest for one local day. Unique per (user, day): the claim that stops a second copy."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"
        EMPTY = "empty", "Nothing to remind"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests")
    local_date = models.DateField("day (Europe/London)")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    item_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-local_date", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "local_date"], name="reporting_digest_once_a_day"),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="reporting_digest_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(claim_token__isnull=False),
                name="reporting_digest_sending_is_claimed",
            ),
        ]
        indexes = [models.Index(fields=["local_date", "status"])]

    def __str__(self) -> str:
        return f"Digest for {self.user}, {self.local_date:%d/%m/%Y}"


class Reminder(models.Model):
    """The ledger: one item reminded to one user on one occasion (a due date, a deadline, the start of a
    cold spell). The unique constraint is what makes "at most once per occasion" true."""

    class Kind(models.TextChoices):
        FOLLOW_UP_DUE = "follow_up_due", "Follow-up due soon"
        FOLLOW_UP_OVERDUE = "follow_up_overdue", "Follow-up overdue"
        MEETING = "meeting", "Meeting coming up"
        PAPER_DEADLINE = "paper_deadline", "Paper deadline"
        COLD_BOARD = "cold_board", "Board gone cold"
        COLD_AREA = "cold_area", "Area gone cold"
        COLD_CONTACT = "cold_contact", "Contact gone cold"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    digest = models.ForeignKey(ReminderDigest, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    item_id = models.PositiveBigIntegerField()
    occasion = models.DateField()
    title = models.CharField(max_length=300)
    detail = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["digest", "kind", "occasion", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "item_id", "occasion"], name="reporting_reminder_once_per_occasion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class WeeklyReport(models.Model):
    """The figures for one ISO week (Monday to Sunday), stored so they stay the figures on record."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to build"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    week_start = models.DateField("week beginning", unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    progress_note = models.CharField(max_length=200, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    email_requested = models.BooleanField(default=False)
    built_at = models.DateTimeField(null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    rebuilt_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rebuild_count = models.PositiveSmallIntegerField(default=0)
    build_started_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="reporting_report_progress_range"),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | models.Q(built_at__isnull=False),
                name="reporting_report_ready_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Weekly report {self.week_label}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:report_detail", args=[self.week_label])

    def clean(self) -> None:
        if self.week_start and self.week_start.isoweekday() != 1:
            raise ValidationError({"week_start": "A report week starts on a Monday."})

    @property
    def week_label(self) -> str:
        year, week, _ = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)


class WeeklyReportEmail(models.Model):
    """The ledger of report emails: one per (report, user), so building twice never emails twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report", "user"]
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="reporting_report_email_once"),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="reporting_report_email_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} to {self.user}"
