"""Reads for the registry. Every list queryset fetches its related rows up front, so a page of 50 runs
the same handful of queries whether the registry holds 10 contacts or 100,000."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from crm.models import Affiliation, AuditEvent, Contact, LocalArea, Note, Organisation, TimelineEntry, User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ContactListPrefetched(TypedDict):
    """What contact_list() and the export and duplicate queries prefetch onto each contact."""

    current_affiliations: list[Affiliation]


class ContactPrefetched(TypedDict):
    """What contact_detail() prefetches onto the contact (Prefetch to_attr)."""

    all_affiliations: list[Affiliation]
    notes_list: list[Note]


class OrganisationPrefetched(TypedDict):
    """What organisation_detail() prefetches onto the organisation (Prefetch to_attr)."""

    parts: list[Organisation]
    all_affiliations: list[Affiliation]
    notes_list: list[Note]


def current_affiliations_q(prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today})


def _current_affiliations_prefetch() -> Prefetch:
    return Prefetch(
        "affiliations",
        queryset=Affiliation.objects.filter(current_affiliations_q()).select_related("organisation"),
        to_attr="current_affiliations",
    )


def contact_list(*, include_erased: bool = False) -> QuerySet[Contact]:
    queryset = Contact.objects.select_related("area", "owner").prefetch_related(
        "tags", _current_affiliations_prefetch()
    )
    if not include_erased:
        queryset = queryset.filter(erased_at__isnull=True)
    return queryset


def contact_detail(*, pk: int) -> WithAnnotations[Contact, ContactPrefetched]:
    return (
        Contact.objects.select_related("area", "owner", "created_by")
        .prefetch_related(
            "tags",
            "other_emails",
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.select_related("organisation", "organisation__area"),
                to_attr="all_affiliations",
            ),
            Prefetch("note_set", queryset=Note.objects.select_related("author"), to_attr="notes_list"),
        )
        .get(pk=pk)
    )


def _current_contact_count() -> Coalesce:
    today = timezone.localdate()
    counts = (
        Affiliation.objects.filter(organisation=OuterRef("pk"))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by()
        .values("organisation")
        .annotate(n=Count("contact", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def organisation_list() -> QuerySet[Organisation]:
    return (
        Organisation.objects.select_related("area", "parent")
        .prefetch_related("tags")
        .annotate(current_contact_count=_current_contact_count())
    )


def organisation_detail(*, pk: int) -> WithAnnotations[Organisation, OrganisationPrefetched]:
    return (
        Organisation.objects.select_related("area", "parent", "created_by")
        .prefetch_related(
            "tags",
            Prefetch("children", queryset=Organisation.objects.order_by("name"), to_attr="parts"),
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.select_related("contact").order_by("end_date", "contact__last_name"),
                to_attr="all_affiliations",
            ),
            Prefetch("note_set", queryset=Note.objects.select_related("author"), to_attr="notes_list"),
        )
        .annotate(current_contact_count=_current_contact_count())
        .get(pk=pk)
    )


def area_list() -> QuerySet[LocalArea]:
    organisations = (
        Organisation.objects.filter(area=OuterRef("pk")).order_by().values("area").annotate(n=Count("pk")).values("n")
    )
    contacts = (
        Contact.objects.filter(area=OuterRef("pk"), erased_at__isnull=True)
        .order_by()
        .values("area")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return LocalArea.objects.annotate(
        organisation_count=Coalesce(Subquery(organisations), 0), contact_count=Coalesce(Subquery(contacts), 0)
    )


def timeline_for(*, contact: Contact | None = None, organisation: Organisation | None = None) -> QuerySet:
    """Newest first; paginate it and each page is one query (plus the count), however long it gets."""
    queryset = TimelineEntry.objects.select_related("actor")
    if contact is not None:
        return queryset.filter(contact=contact)
    return queryset.filter(organisation=organisation)


def audit_visible_to(user: User) -> QuerySet[AuditEvent]:
    """Admins see every event; anyone else sees the trail of records but only their own exports."""
    queryset = AuditEvent.objects.select_related("actor")
    if user.has_perm("crm.view_others_exports"):
        return queryset
    return queryset.exclude(Q(action=AuditEvent.Action.EXPORT) & ~Q(actor=user))


def audit_for_record(*, user: User, target_type: str, target_id: int | str) -> QuerySet[AuditEvent]:
    return audit_visible_to(user).filter(target_type=target_type, target_id=str(target_id))


def audit_page_events(*, user: User) -> QuerySet[AuditEvent]:
    """The audit trail page: everything for admins, your own exports for everyone else."""
    queryset = AuditEvent.objects.select_related("actor")
    if user.has_perm("crm.view_others_exports"):
        return queryset
    return queryset.filter(action=AuditEvent.Action.EXPORT, actor=user)
