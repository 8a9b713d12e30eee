"""Reads for import, duplicates and merge pages. Each returns what its page needs in a fixed number
of queries, however many rows there are."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from crm.models import Affiliation, Contact, ContactMerge, ImportJob, User
from crm.services.duplicates import DuplicatePair
from crm.services.merging import contact_relations


def contact_merges(contact: Contact) -> QuerySet[ContactMerge]:
    """The merges that folded other records into this contact, newest first (for its page)."""
    return contact.merges.select_related("merged_by").order_by("-created_at")


def import_jobs_recent(*, limit: int = 20) -> QuerySet[ImportJob]:
    return ImportJob.objects.select_related("created_by").order_by("-created_at")[:limit]


def import_job_get(*, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)


def import_job_for_change(*, user: User, pk: int) -> ImportJob:
    """The job, if this person may map or confirm it: whoever uploaded it, or an admin."""
    job = import_job_get(pk=pk)
    if job.created_by_id != user.pk and not user.has_perm("crm.delete_importjob"):
        raise PermissionDenied("Only the person who uploaded this file, or an admin, can change this import.")
    return job


def contacts_for_pairs(pairs: list[DuplicatePair]) -> dict[int, Any]:
    """The contacts named in a page of pairs, with what the list shows of them, in three queries."""
    ids = {p.first_id for p in pairs} | {p.second_id for p in pairs}
    current = Affiliation.objects.filter(end_date__isnull=True).select_related("organisation")
    return (
        Contact.objects.select_related("area")
        .prefetch_related(Prefetch("affiliations", queryset=current, to_attr="current_affiliations"))
        .in_bulk(ids)
    )


def contact_for_compare(*, pk: int) -> Contact:
    return get_object_or_404(
        Contact.objects.select_related("area", "owner").prefetch_related(
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("organisation")),
            "other_emails",
            "tags",
        ),
        pk=pk,
        erased_at__isnull=True,
    )


def related_counts(contact: Contact) -> list[dict[str, Any]]:
    """How many rows in every table (any app) point at this contact, for the side-by-side review."""
    counts = []
    for rel in contact_relations():
        model = rel.related_model
        if model._meta.auto_created:
            continue  # a many-to-many's through table; shown as the field itself (tags)
        total = model._base_manager.filter(**{rel.field.name: contact}).aggregate(n=Count("pk"))["n"]
        counts.append(
            {
                "label": str(model._meta.verbose_name_plural).capitalize(),
                "model": model._meta.label_lower,
                "count": total,
            }
        )
    return sorted(counts, key=lambda c: c["label"])
