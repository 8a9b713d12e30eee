"""Boards and engagement: the partnership bodies in each local area, their meetings, what leaders did
to make support for parents' relationships a priority there, and the evidence that it worked."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from crm.models import Contact, LocalArea, Organisation

# Boards whose owner has logged nothing for this many days show as "gone cold" on My work,
# unless the owner chose another number on their preferences page.
COLD_AFTER_DAYS = 42


class Stage(models.IntegerChoices):
    """The priority ladder. Stored as a number so that "further up the ladder" sorts and compares."""

    NOT_ENGAGED = 0, "Not engaged"
    AWARE = 1, "Aware"
    BRIEFED = 2, "Briefed"
    ON_AGENDA = 3, "On the agenda"
    COMMITMENT = 4, "Commitment made"
    IN_STRATEGY = 5, "In the strategy or plan"
    RESOURCED = 6, "Resourced"
    REVIEWED = 7, "Reviewed"


class Sentiment(models.TextChoices):
    SUPPORTIVE = "supportive", "Supportive"
    NEUTRAL = "neutral", "Neutral"
    SCEPTICAL = "sceptical", "Sceptical"
    OPPOSED = "opposed", "Opposed"


class Board(models.Model):
    """A partnership body or committee in a local area that we want to make this a priority."""

    class Kind(models.TextChoices):
        HEALTH_WELLBEING = "health_wellbeing", "Health and Wellbeing Board"
        SCHOOLS_FORUM = "schools_forum", "Schools Forum"
        SAFEGUARDING = "safeguarding", "Safeguarding children partnership"
        ELECTED_MEMBERS = "elected_members", "Elected-member committee"
        EARLY_HELP = "early_help", "Early help or family hubs partnership"
        INTEGRATED_CARE = "integrated_care", "Integrated care partnership"
        OTHER = "other", "Other"

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        SIX_WEEKLY = "six_weekly", "Every six weeks"
        BI_MONTHLY = "bi_monthly", "Every two months"
        QUARTERLY = "quarterly", "Quarterly"
        TWICE_YEARLY = "twice_yearly", "Twice a year"
        AD_HOC = "ad_hoc", "As needed"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    area = models.ForeignKey(LocalArea, on_delete=models.PROTECT, related_name="boards", verbose_name="local area")
    chair = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    secretariat = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="secretariat contact",
    )
    cadence = models.CharField("meeting cadence", max_length=20, choices=Cadence.choices, default=Cadence.QUARTERLY)
    website = models.URLField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_boards",
        help_text="The leader who keeps this relationship going.",
    )
    # The current rung of the priority ladder; StageChange rows are its history.
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.NOT_ENGAGED)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="boards_board_name_unique_in_area"),
            models.CheckConstraint(condition=models.Q(stage__lte=Stage.REVIEWED), name="boards_board_stage_valid"),
        ]
        indexes = [models.Index(fields=["kind", "name"]), models.Index(fields=["owner"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.area})" if self.area_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("boards:board_detail", args=[self.pk])


class BoardMembership(models.Model):
    """A contact's seat on a board for a term. Past members stay, marked as past by their end date."""

    class Seat(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice-chair"
        MEMBER = "member", "Member"
        OFFICER = "officer", "Officer"
        CLERK = "clerk", "Clerk"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="memberships")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="board_memberships")
    seat = models.CharField(max_length=20, choices=Seat.choices, default=Seat.MEMBER)
    start_date = models.DateField("term start", null=True, blank=True)
    end_date = models.DateField("term end", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["board", "seat", "contact__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="boards_membership_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["board", "end_date"]), models.Index(fields=["contact", "end_date"])]

    def __str__(self) -> str:
        return f"{self.contact} – {self.get_seat_display()}, {self.board.name}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The term end must be on or after the term start."})

    @property
    def is_current(self) -> bool:
        return self.end_date is None or self.end_date >= timezone.localdate()


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        PAPER_SUBMITTED = "paper_submitted", "Paper submitted"
        HELD = "held", "Held"
        MINUTES_PUBLISHED = "minutes_published", "Minutes published"

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends", null=True, blank=True)
    venue = models.CharField(max_length=255, blank=True)
    online_url = models.URLField("online meeting link", blank=True)
    paper_deadline = models.DateField(null=True, blank=True)
    agenda_item = models.CharField("our agenda item", max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    minutes_url = models.URLField("link to minutes", blank=True)
    decisions = models.TextField("decisions recorded", blank=True)
    attendees = models.ManyToManyField(Contact, blank=True, related_name="board_meetings")
    # blank: the creator's account may be gone (SET_NULL), and the record must stay editable.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                name="boards_meeting_ends_after_start",
            ),
            models.UniqueConstraint(fields=["board", "starts_at"], name="boards_meeting_unique_start"),
        ]
        indexes = [models.Index(fields=["starts_at"]), models.Index(fields=["paper_deadline"])]

    def __str__(self) -> str:
        return f"{self.board.name}, {timezone.localtime(self.starts_at):%d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("boards:meeting_detail", args=[self.pk])

    def clean(self) -> None:
        # A date and an aware datetime cannot be compared in a portable CHECK, so this rule lives here
        # and in the form; the service always calls full_clean().
        if self.starts_at and not (2000 <= timezone.localtime(self.starts_at).year <= timezone.localdate().year + 10):
            # A typo in the year (475, 2205) would put the meeting where no one ever looks for it.
            raise ValidationError({"starts_at": "Enter a meeting date between the year 2000 and ten years from now."})
        if self.paper_deadline and self.starts_at and self.paper_deadline > timezone.localdate(self.starts_at):
            raise ValidationError({"paper_deadline": "The paper deadline must be on or before the meeting date."})
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The meeting must end after it starts."})


class Engagement(models.Model):
    """Something a leader did with a board, an organisation or people: the log leaders use most."""

    class Kind(models.TextChoices):
        BRIEFING = "briefing", "Briefing"
        PRESENTATION = "presentation", "Presentation"
        AGENDA_ITEM = "agenda_item", "Agenda item"
        PAPER = "paper", "Paper submitted"
        ONE_TO_ONE = "one_to_one", "One-to-one with chair or member"
        WORKSHOP = "workshop", "Workshop"
        EMAIL = "email", "Email"
        CALL = "call", "Call"
        EVENT = "event", "Event"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    date = models.DateField()
    board = models.ForeignKey(Board, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagements")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagements"
    )
    # Taken from the board (or else the organisation) by the service, so lists filter by area and
    # region without joining two ways.
    area = models.ForeignKey(LocalArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagements")
    contacts = models.ManyToManyField(Contact, blank=True, related_name="engagements", verbose_name="contacts involved")
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="engagements", verbose_name="leaders present"
    )
    summary = models.TextField()
    our_ask = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    sentiment = models.CharField(max_length=20, choices=Sentiment.choices, default=Sentiment.NEUTRAL)
    # blank: the creator's account may be gone (SET_NULL), and the record must stay editable.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["-date"]),
            models.Index(fields=["board", "-date"]),
            models.Index(fields=["area", "-date"]),
            models.Index(fields=["organisation", "-date"]),
        ]

    def __str__(self) -> str:
        where = self.board.name if self.board else (self.organisation.name if self.organisation else "")
        return f"{self.get_kind_display()}, {where}, {self.date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("boards:engagement_detail", args=[self.pk])


class Commitment(models.Model):
    """What someone promised, us or them: a follow-up with an owner and a due date."""

    class PromisedBy(models.TextChoices):
        US = "us", "Us"
        THEM = "them", "Them"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    description = models.CharField("what was promised", max_length=300)
    promised_by = models.CharField(max_length=10, choices=PromisedBy.choices, default=PromisedBy.US)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
        help_text="Who on our side sees it through or chases it.",
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments"
    )
    board = models.ForeignKey(Board, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments")
    area = models.ForeignKey(LocalArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitments")
    closed_at = models.DateTimeField(null=True, blank=True)
    # blank: the creator's account may be gone (SET_NULL), and the record must stay editable.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | (~models.Q(status="open") & models.Q(closed_at__isnull=False)),
                name="boards_commitment_closed_when_not_open",
            ),
            # One follow-up per engagement's next step, so a resubmitted form cannot make two.
            models.UniqueConstraint(
                fields=["engagement", "description"],
                condition=models.Q(engagement__isnull=False),
                name="boards_commitment_unique_per_engagement",
            ),
        ]
        indexes = [models.Index(fields=["owner", "status", "due_date"]), models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.description

    def get_absolute_url(self) -> str:
        return reverse("boards:commitment_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date is not None and self.due_date < timezone.localdate()


class AreaStage(models.Model):
    """The current rung of the priority ladder for a local area as a whole."""

    area = models.OneToOneField(LocalArea, on_delete=models.CASCADE, related_name="ladder")
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.NOT_ENGAGED)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(stage__lte=Stage.REVIEWED), name="boards_areastage_valid")
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_stage_display()}"


class StageChange(models.Model):
    """One move on the priority ladder of a board or an area: who, when, and the evidence for it."""

    board = models.ForeignKey(Board, null=True, blank=True, on_delete=models.CASCADE, related_name="stage_changes")
    area = models.ForeignKey(LocalArea, null=True, blank=True, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    to_stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    evidence_engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="engagement"
    )
    evidence_meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="meeting decision",
    )
    evidence_url = models.URLField("document link", blank=True)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(board__isnull=False) & models.Q(area__isnull=True))
                | (models.Q(board__isnull=True) & models.Q(area__isnull=False)),
                name="boards_stagechange_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(evidence_engagement__isnull=False)
                | models.Q(evidence_meeting__isnull=False)
                | ~models.Q(evidence_url=""),
                name="boards_stagechange_has_evidence",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_stage=models.F("to_stage")), name="boards_stagechange_moves"
            ),
        ]
        indexes = [models.Index(fields=["board", "-changed_at"]), models.Index(fields=["area", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"

    @property
    def is_up(self) -> bool:
        return self.to_stage > self.from_stage


class ReadinessIndicator(models.Model):
    """Something that shows an area is ready, such as "in the early help strategy". Admins define these."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    is_active = models.BooleanField("in use", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]
        permissions = [("manage_readinessindicator", "Can define readiness indicators")]

    def __str__(self) -> str:
        return self.name


class ReadinessStatus(models.TextChoices):
    UNKNOWN = "unknown", "Not known"
    NOT_YET = "not_yet", "Not yet"
    IN_PROGRESS = "in_progress", "In progress"
    IN_PLACE = "in_place", "In place"


class AreaReadiness(models.Model):
    """The current status of one readiness indicator in one area; ReadinessChange rows are its history."""

    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="readiness")
    indicator = models.ForeignKey(ReadinessIndicator, on_delete=models.CASCADE, related_name="statuses")
    status = models.CharField(max_length=20, choices=ReadinessStatus.choices, default=ReadinessStatus.UNKNOWN)
    evidence = models.TextField(blank=True)
    evidence_url = models.URLField("evidence link", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator__position", "indicator__name"]
        constraints = [models.UniqueConstraint(fields=["area", "indicator"], name="boards_areareadiness_unique")]
        verbose_name_plural = "area readiness"

    def __str__(self) -> str:
        return f"{self.area}: {self.indicator} – {self.get_status_display()}"


class ReadinessChange(models.Model):
    readiness = models.ForeignKey(AreaReadiness, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=ReadinessStatus.choices)
    to_status = models.CharField(max_length=20, choices=ReadinessStatus.choices)
    evidence = models.TextField(blank=True)
    evidence_url = models.URLField(blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Champion(models.Model):
    """A senior leader who champions support for parents' relationships in an area."""

    class Stage(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        APPROACHED = "approached", "Approached"
        AGREED = "agreed", "Agreed"
        ACTIVE = "active", "Active"
        STEPPED_DOWN = "stepped_down", "Stepped down"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="championships")
    area = models.ForeignKey(LocalArea, on_delete=models.CASCADE, related_name="champions")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.IDENTIFIED)
    contributions = models.TextField("what they did", blank=True)
    engagements = models.ManyToManyField(Engagement, blank=True, related_name="champions")
    # blank: the creator's account may be gone (SET_NULL), and the record must stay editable.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area__name", "contact__last_name"]
        constraints = [models.UniqueConstraint(fields=["contact", "area"], name="boards_champion_unique")]

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_stage_display()})"

    def get_absolute_url(self) -> str:
        return reverse("boards:champion_detail", args=[self.pk])


class StakeholderAssessment(models.Model):
    """Influence and interest of a contact or an organisation at one time. The newest is current."""

    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="stakeholder_assessments"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="stakeholder_assessments"
    )
    influence = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    interest = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(contact__isnull=False) & models.Q(organisation__isnull=True))
                | (models.Q(contact__isnull=True) & models.Q(organisation__isnull=False)),
                name="boards_assessment_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(influence__gte=1, influence__lte=5, interest__gte=1, interest__lte=5),
                name="boards_assessment_scores_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["contact", "-assessed_at"]),
            models.Index(fields=["organisation", "-assessed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject}: influence {self.influence}, interest {self.interest}"

    @property
    def subject(self) -> Contact | Organisation | None:
        return self.contact if self.contact_id else self.organisation


class BoardFollow(models.Model):
    """A user follows a board: its meetings and paper deadlines go into their calendar feed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_follows")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "board"], name="boards_follow_unique")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.board}"


class CalendarFeed(models.Model):
    """A user's secret calendar address. Only a SHA-256 hash of the token is kept, so a database
    leak does not leak working feed addresses; making a new one revokes the old."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed for {self.user}"


class WorkPreference(models.Model):
    """A user's own settings for My work."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="work_preference")
    cold_after_days = models.PositiveSmallIntegerField(
        "a board goes cold after this many days without an engagement",
        default=COLD_AFTER_DAYS,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cold_after_days__gte=7, cold_after_days__lte=365), name="boards_pref_cold_days_range"
            )
        ]

    def __str__(self) -> str:
        return f"Preferences of {self.user}"
