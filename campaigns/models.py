"""Campaign outreach: campaigns with goals, saved segments, messages, sends with a delivery ledger,
responses and public pledges. Business rules live in campaigns.services; reads in campaigns.selectors."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from crm.models import Contact, LocalArea, PractitionerGroup, Region, User


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        FINISHED = "finished", "Finished"
        ARCHIVED = "archived", "Archived"

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        "web address name", max_length=80, unique=True, help_text="Used in the public pledge page address."
    )
    aim = models.TextField(help_text="What the campaign is for, in a sentence or two.")
    starts_on = models.DateField("start date")
    ends_on = models.DateField("end date", null=True, blank=True)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="campaigns")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    from_name = models.CharField("from name", max_length=100, help_text="The name people see the email is from.")
    from_email = models.EmailField("from address")
    reply_to = models.EmailField("reply-to address", blank=True)
    pledge_page_enabled = models.BooleanField("publish a public pledge page", default=False)
    pledge_intro = models.TextField(
        "pledge page introduction", blank=True, help_text="Shown at the top of the public pledge page."
    )
    pledge_consent_wording = models.TextField(
        "consent wording",
        blank=True,
        default=(
            "I agree that the campaign team may keep my name, work email and job details and email me "
            "about this campaign and how to support children to keep in touch with both parents. "
            "I can unsubscribe at any time from a link in every email."
        ),
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="campaigns_campaign_ends_after_start",
            ),
            models.UniqueConstraint(Lower("name"), name="campaigns_campaign_name_ci_unique"),
        ]
        indexes = [models.Index(fields=["status", "-starts_on"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign_detail", args=[self.pk])


class ResponseKind(models.TextChoices):
    REPLIED = "replied", "Replied"
    PLEDGED = "pledged", "Pledged support"
    MATERIALS = "materials", "Asked for materials"
    REFERRAL = "referral", "Made a referral"
    SHARED = "shared", "Shared the campaign"
    EVENT = "event", "Came to an event"


class Goal(models.Model):
    """A target for one audience, e.g. reach 2,000 health visitors in the North West."""

    class Measure(models.TextChoices):
        REACHED = "reached", "People reached by email"
        REPLIED = "replied", "Replied"
        PLEDGED = "pledged", "Pledged support"
        MATERIALS = "materials", "Asked for materials"
        REFERRAL = "referral", "Made a referral"
        SHARED = "shared", "Shared the campaign"
        EVENT = "event", "Came to an event"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="goals")
    measure = models.CharField(max_length=20, choices=Measure.choices)
    target = models.PositiveIntegerField()
    practitioner_group = models.CharField(
        "practitioner group", max_length=30, choices=PractitionerGroup.choices, blank=True, help_text="Blank: anyone."
    )
    region = models.CharField(max_length=20, choices=Region.choices, blank=True, help_text="Blank: anywhere.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(target__gt=0), name="campaigns_goal_target_positive"),
            models.UniqueConstraint(
                fields=["campaign", "measure", "practitioner_group", "region"], name="campaigns_goal_unique_audience"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        verb = "Reach" if self.measure == self.Measure.REACHED else self.get_measure_display()
        who = self.get_practitioner_group_display().lower() if self.practitioner_group else "practitioners"
        where = f" in {self.get_region_display()}" if self.region else ""
        if self.measure == self.Measure.REACHED:
            return f"{verb} {self.target:,} {who}{where}"
        return f"{self.target:,} {who}{where}: {verb.lower()}"


class Segment(models.Model):
    """A saved, dynamic filter over contacts. `definition` is validated by campaigns.services.segments."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="segments", help_text="Optional."
    )
    definition = models.JSONField(default=dict)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="campaigns_segment_name_ci_unique")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:segment_detail", args=[self.pk])


class Message(models.Model):
    """An email: subject, HTML and plain-text bodies with {{ merge_fields }}, checked when saved."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages")
    name = models.CharField(max_length=200, help_text="For you, not the recipient. For example, 'First email'.")
    subject = models.CharField(max_length=200)
    html_body = models.TextField("HTML body")
    text_body = models.TextField("plain-text body")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:message_detail", args=[self.pk])


class Send(models.Model):
    """A message to a segment at a time. Recipients are frozen into Delivery rows when it starts."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Not started"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        PAUSED = "paused", "Paused"
        CANCELLED = "cancelled", "Cancelled"
        FINISHED = "finished", "Finished"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sends")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="sends")
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="sends")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    scheduled_for = models.DateTimeField(null=True, blank=True, help_text="Blank: send as soon as it is started.")
    rate_per_second = models.PositiveSmallIntegerField(
        "sending speed", default=10, help_text="Emails per second. Slower is kinder to new sending domains."
    )
    # The message as it was when the send started: editing the message later never changes a send.
    subject = models.CharField(max_length=200, blank=True)
    html_body = models.TextField(blank=True)
    text_body = models.TextField(blank=True)
    from_name = models.CharField(max_length=100, blank=True)
    from_email = models.EmailField(blank=True)
    reply_to = models.EmailField(blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    excluded = models.JSONField(default=dict, blank=True, help_text="Contacts left out at start, by reason.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("send_campaign", "Can start, pause and cancel sends")]
        indexes = [models.Index(fields=["status", "scheduled_for"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_per_second__gte=1) & models.Q(rate_per_second__lte=500),
                name="campaigns_send_rate_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message} to {self.segment}"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:send_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.SCHEDULED}


class Delivery(models.Model):
    """One recipient of one send: the ledger that makes sending exactly-once (see docs/SENDING.md)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        SKIPPED = "skipped", "Skipped"

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="deliveries")
    # Kept when a contact is deleted so the send's numbers stay true.
    contact = models.ForeignKey(Contact, null=True, on_delete=models.SET_NULL, related_name="campaign_deliveries")
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=500, blank=True)
    skip_reason = models.CharField(max_length=100, blank=True)
    # Set once the contact's timeline shows this email, so a flush can run again without doubling it.
    on_timeline = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["send", "contact"], name="campaigns_delivery_once_per_contact"),
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(claim_token__isnull=False),
                name="campaigns_delivery_sending_is_claimed",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="campaigns_delivery_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["send", "status", "next_attempt_at"]),
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["send", "sent_at"]),
            models.Index(fields=["contact", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_status_display()})"


class Response(models.Model):
    """Something a practitioner did because of a campaign."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Recorded by hand"
        IMPORT = "import", "Imported"
        PLEDGE_PAGE = "pledge_page", "Pledge page"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="campaign_responses")
    kind = models.CharField(max_length=20, choices=ResponseKind.choices)
    occurred_on = models.DateField("date", default=timezone.localdate)
    notes = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            # The same thing on the same day is one response, so an import run twice adds nothing.
            models.UniqueConstraint(
                fields=["campaign", "contact", "kind", "occurred_on"], name="campaigns_response_once_a_day"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "kind"]), models.Index(fields=["contact", "kind"])]

    def __str__(self) -> str:
        return f"{self.contact}: {self.get_kind_display()}"


class Pledge(models.Model):
    """A submission from the public pledge page. It changes nothing in the registry until the person
    confirms by the emailed link (double opt-in), so nobody can pledge on someone else's behalf."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="pledges")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField("work email")
    practitioner_group = models.CharField(max_length=30, choices=PractitionerGroup.choices)
    organisation_name = models.CharField("organisation", max_length=255)
    area = models.ForeignKey(LocalArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    consent_wording = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="pledges")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "confirmed_at"])]

    def __str__(self) -> str:
        return f"Pledge by {self.first_name} {self.last_name}"
