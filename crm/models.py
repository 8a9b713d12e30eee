from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .roles import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("Users log in by email, so an email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who works in Common Ground. Logs in by email; what they may do comes from their role group."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField("can use the admin site", default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="crm_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def role_labels(self) -> list[str]:
        labels = {role.label for role in Role}
        return sorted(g.name for g in self.groups.all() if g.name in labels)


# --- Reference lists -------------------------------------------------------------------------------


class Region(models.TextChoices):
    NORTH_EAST = "north_east", "North East"
    NORTH_WEST = "north_west", "North West"
    YORKSHIRE = "yorkshire_humber", "Yorkshire and The Humber"
    EAST_MIDLANDS = "east_midlands", "East Midlands"
    WEST_MIDLANDS = "west_midlands", "West Midlands"
    EAST = "east", "East of England"
    LONDON = "london", "London"
    SOUTH_EAST = "south_east", "South East"
    SOUTH_WEST = "south_west", "South West"


class PractitionerGroup(models.TextChoices):
    MIDWIFERY = "midwifery", "Midwifery"
    HEALTH_VISITING = "health_visiting", "Health visiting"
    GENERAL_PRACTICE = "general_practice", "General practice"
    SCHOOL_STAFF = "school_staff", "Teachers and school staff"
    CAMHS = "camhs", "CAMHS"
    POLICE = "police", "Police"
    HOUSING = "housing", "Housing"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    CAFCASS = "cafcass", "Cafcass"
    FAMILY_SUPPORT = "family_support", "Family support and early help"
    ELECTED_MEMBER = "elected_member", "Elected member"
    SENIOR_LEADER = "senior_leader", "Senior leader"
    OTHER = "other", "Other"


class Seniority(models.TextChoices):
    FRONTLINE = "frontline", "Frontline practitioner"
    TEAM_LEADER = "team_leader", "Team leader or supervisor"
    MANAGER = "manager", "Service manager"
    SENIOR = "senior", "Head of service or assistant director"
    DIRECTOR = "director", "Director or chief executive"
    ELECTED = "elected", "Elected member"


class LawfulBasis(models.TextChoices):
    NONE = "none", "None recorded"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (professional at a corporate body)"
    CONSENT = "consent", "Consent"


# --- Places and organisations ----------------------------------------------------------------------


class LocalArea(models.Model):
    """An English upper-tier local authority area (or an area a user added), where boards sit."""

    class Kind(models.TextChoices):
        COUNTY = "county", "County council"
        UNITARY = "unitary", "Unitary authority"
        METROPOLITAN = "metropolitan", "Metropolitan borough"
        LONDON = "london", "London borough"
        OTHER = "other", "Other area"

    name = models.CharField(max_length=200)
    code = models.CharField("ONS code", max_length=9, blank=True, help_text="For example, E10000002.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    region = models.CharField(max_length=20, choices=Region.choices)
    is_custom = models.BooleanField(default=False, help_text="Added by a user rather than loaded from the ONS list.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="crm_localarea_name_ci_unique"),
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="crm_localarea_code_unique"),
        ]
        indexes = [models.Index(fields=["region", "name"])]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="crm_tag_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        NHS_TRUST = "nhs_trust", "NHS trust"
        ICB = "icb", "Integrated care board"
        GP_PRACTICE = "gp_practice", "GP practice"
        SCHOOL = "school", "School or academy trust"
        POLICE = "police", "Police force"
        HOUSING = "housing", "Housing provider"
        CAFCASS = "cafcass", "Cafcass"
        CONTACT_CENTRE = "contact_centre", "Child contact centre"
        FAMILY_HUB = "family_hub", "Children's centre or family hub"
        VOLUNTARY = "voluntary", "Voluntary or community organisation"
        OTHER = "other", "Other"

    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    area = models.ForeignKey(LocalArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisations")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children", verbose_name="part of"
    )
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField("general email", blank=True)
    notes = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="organisations")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["kind", "name"]),
            models.Index(fields=["area", "name"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("crm:organisation_detail", args=[self.pk])


# --- People -------------------------------------------------------------------------------------


class Contact(models.Model):
    """A professional we work with or write to. Personal data: see crm.services.erasure."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    job_title = models.CharField(max_length=200, blank=True)
    # Primary work email, stored lower-case; further addresses are ContactEmail rows.
    email = models.EmailField("work email", blank=True)
    phone = models.CharField("work phone", max_length=40, blank=True)
    practitioner_group = models.CharField(
        max_length=30, choices=PractitionerGroup.choices, default=PractitionerGroup.OTHER
    )
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True)
    area = models.ForeignKey(LocalArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts")
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    owner = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_contacts",
        verbose_name="relationship owner",
    )
    # UK GDPR / PECR: why we may write to them, and what they asked us not to do.
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices, default=LawfulBasis.NONE)
    consent_given_at = models.DateTimeField(null=True, blank=True)
    consent_source = models.CharField(max_length=200, blank=True, help_text="Where consent was given.")
    consent_wording = models.TextField(blank=True, help_text="The words the person agreed to.")
    email_opt_out = models.BooleanField("opted out of email", default=False)
    phone_opt_out = models.BooleanField("opted out of phone calls", default=False)
    do_not_contact = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [
            ("merge_contact", "Can merge contacts"),
            ("erase_contact", "Can erase a contact's personal data"),
            ("export_contact_data", "Can export everything held on a contact"),
        ]
        indexes = [
            models.Index(fields=["email"]),
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["practitioner_group", "last_name"]),
            models.Index(fields=["area", "last_name"]),
            models.Index(fields=["lawful_basis"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(lawful_basis="consent") | models.Q(consent_given_at__isnull=False),
                name="crm_contact_consent_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("crm:contact_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class ContactEmail(models.Model):
    """A further work email address for a contact (the primary one is Contact.email)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="other_emails")
    email = models.EmailField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "email"], name="crm_contactemail_unique")]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.email


class Affiliation(models.Model):
    """A contact's role at an organisation over time. A job move ends this row; it is never overwritten."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="affiliations")
    role = models.CharField(max_length=200, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="crm_affiliation_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "end_date"]), models.Index(fields=["contact", "end_date"])]

    def __str__(self) -> str:
        return f"{self.contact} at {self.organisation}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None or self.end_date >= timezone.localdate()


class Suppression(models.Model):
    """An address we must never email. Keeps only a hash, so it outlives erasure of the contact."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        OBJECTED = "objected", "Objected"
        ERASED = "erased", "Asked to be erased"

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.email_hash[:10]}…)"


class Note(models.Model):
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="note_set")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="note_set"
    )
    body = models.TextField()
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False) | models.Q(organisation__isnull=False),
                name="crm_note_has_subject",
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]


# --- History: the timeline people read, and the audit trail ----------------------------------------


class TimelineEntry(models.Model):
    """One thing that touched a contact or organisation, written by the service that did it.

    Denormalised on purpose: a page reads a contact's whole history in one indexed query, however
    many kinds of thing (notes, engagements, emails, responses, changes) it holds."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        CHANGE = "change", "Change"
        AFFILIATION = "affiliation", "Affiliation"
        ENGAGEMENT = "engagement", "Engagement"
        EMAIL = "email", "Email sent"
        RESPONSE = "response", "Response"
        CONSENT = "consent", "Consent"
        MERGE = "merge", "Merge"
        IMPORT = "import", "Import"
        MEMBERSHIP = "membership", "Board membership"
        COMMITMENT = "commitment", "Commitment"
        CHAMPION = "champion", "Champion"

    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="timeline")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="timeline"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What wrote this entry ("boards.engagement:42"), so the source can update or remove it.
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "-occurred_at"]),
            models.Index(fields=["organisation", "-occurred_at"]),
            models.Index(fields=["source"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False) | models.Q(organisation__isnull=False),
                name="crm_timeline_has_subject",
            )
        ]

    def __str__(self) -> str:
        return self.summary


class AuditEvent(models.Model):
    """Who did what to which record, and what changed. Written explicitly by services."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        MERGE = "merge", "Merged"
        IMPORT = "import", "Imported"
        EXPORT = "export", "Exported"
        ERASE = "erase", "Erased"
        LOGIN = "login", "Signed in"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        ROLE_CHANGE = "role_change", "Role changed"

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events")
    action = models.CharField(max_length=20, choices=Action.choices)
    # The record acted on, as "app_label.model" and its primary key (none for a list export).
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    # Not a column: record pages set it to a readable account of `changes` for the template.
    summary: str

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_others_exports", "Can see the audit trail of others' exports")]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"]),
            models.Index(fields=["actor", "-created_at"]),
            models.Index(fields=["action", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target_repr}"


class ImportJob(models.Model):
    """An upload of contacts or organisations: mapped, previewed, then written all-or-nothing."""

    class Kind(models.TextChoices):
        CONTACTS = "contacts", "Contacts"
        ORGANISATIONS = "organisations", "Organisations"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UPLOADED)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    encoding = models.CharField(max_length=30, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="Column in the file -> field.")
    match_action = models.CharField(max_length=10, default="skip", help_text="create, update or skip.")
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True, help_text="[{row, column, message}]")
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import of {self.original_name}"


class ContactMerge(models.Model):
    """The record of two contacts merged into one: who, when, and the merged-away contact's data."""

    survivor = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges")
    merged_contact_id = models.BigIntegerField()
    merged_snapshot = models.JSONField(default=dict)
    merged_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Contact {self.merged_contact_id} merged into {self.survivor_id}"
