"""Apply a checked plan to the database. Called inside one transaction by the import service, so a
failure anywhere leaves nothing behind; writes are bulk and batched so 50,000 rows take seconds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from crm.models import (
    Affiliation,
    AuditEvent,
    Contact,
    ContactEmail,
    ImportJob,
    Organisation,
    Tag,
    TimelineEntry,
    User,
)
from crm.services.audit import _plain

from .bulk import insert_rows
from .validation import Plan, RowPlan, existing_tags, organisations_named

BATCH_SIZE = 1000
CONTACT_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "job_title",
    "phone",
    "practitioner_group",
    "seniority",
    "area_id",
    "lawful_basis",
    "consent_given_at",
    "consent_source",
    "email_opt_out",
    "do_not_contact",
    "notes",
]
# Column order of the rows _history builds for the bulk writer (the subject column comes first).
TIMELINE_COLUMNS = ["kind", "summary", "detail", "url", "actor_id", "source"]
AUDIT_COLUMNS = ["actor_id", "action", "target_type", "target_id", "target_repr", "changes"]
# The columns a new contact's row gives, in the order the create step builds them; the rest take defaults.
NEW_CONTACT_COLUMNS = [*CONTACT_FIELDS, "created_by_id"]
# Big enough that the per-batch round trips vanish, small enough that progress moves every second or so.
CREATE_BATCH_SIZE = 10_000
ORGANISATION_FIELDS = ["name", "kind", "area_id", "address", "postcode", "website", "phone", "email"]


@dataclass
class Outcome:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: int = 0
    organisations_created: int = 0


Progress = Callable[[int], None]


def _batches(items: list[Any], size: int = BATCH_SIZE) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def write_plan(*, plan: Plan, job: ImportJob, actor: User | None, progress: Progress | None = None) -> Outcome:
    if plan.kind == ImportJob.Kind.ORGANISATIONS:
        return _write_organisations(plan=plan, job=job, actor=actor, progress=progress)
    return _write_contacts(plan=plan, job=job, actor=actor, progress=progress)


def _history(
    *, job: ImportJob, actor: User | None, created: dict[int, str], updated: dict[int, tuple[str, dict]], model: str
) -> None:
    """One timeline entry and one audit event per touched record, written in bulk."""
    url = reverse("crm:import_detail", args=[job.pk])
    source = f"crm.importjob:{job.pk}"
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    subject = "contact_id" if model == "crm.contact" else "organisation_id"
    added = f"Added by an import of {job.original_name}"[:300]
    changed_by = f"Updated by an import of {job.original_name}"[:300]
    created_changes = {"import_job": job.pk, "file": job.original_name, "created": True}
    kind, action = TimelineEntry.Kind.IMPORT, AuditEvent.Action.IMPORT
    entries: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for pk, label in created.items():
        entries.append((pk, kind, added, "", url, actor_id, source))
        events.append((actor_id, action, model, str(pk), label[:300], created_changes))
    for pk, (label, changes) in updated.items():
        detail = f"Changed: {', '.join(sorted(changes)) or 'nothing new'}"
        entries.append((pk, kind, changed_by, detail, url, actor_id, source))
        audit_changes = {"import_job": job.pk, "file": job.original_name, **changes}
        events.append((actor_id, action, model, str(pk), label[:300], audit_changes))
    insert_rows(TimelineEntry, [subject, *TIMELINE_COLUMNS], entries)
    insert_rows(AuditEvent, AUDIT_COLUMNS, events)


def _ensure_tags(names: set[str]) -> dict[str, int]:
    """{lower name: tag id}, creating the tags nobody has used before."""
    if not names:
        return {}
    found = existing_tags(names)
    wanted = {n.lower(): n for n in names}
    missing = [Tag(name=wanted[lower]) for lower in wanted if lower not in found]
    if missing:
        Tag.objects.bulk_create(missing, batch_size=BATCH_SIZE, ignore_conflicts=True)
        found = existing_tags(names)
    return found


def _ensure_organisations(plan: Plan, actor: User | None) -> tuple[dict[str, int], int]:
    if not plan.missing_organisations:
        return {}, 0
    area_for: dict[str, int | None] = {}
    for row in plan.rows:
        lower = row.values.get("organisation_name", "").lower()
        if lower and lower not in area_for:
            area_for[lower] = row.values.get("area_id")
    new = [
        Organisation(name=name, area_id=area_for.get(lower), created_by=actor)
        for lower, name in plan.missing_organisations.items()
    ]
    Organisation.objects.bulk_create(new, batch_size=BATCH_SIZE)
    return {org.name.lower(): org.pk for org in new}, len(new)


def _write_contacts(*, plan: Plan, job: ImportJob, actor: User | None, progress: Progress | None) -> Outcome:
    outcome = Outcome()
    created_orgs, outcome.organisations_created = _ensure_organisations(plan, actor)
    tag_ids = _ensure_tags({t for r in plan.rows for t in r.values.get("tags", [])})
    done = 0

    def org_for(row: RowPlan) -> int | None:
        if "organisation_id" in row.values:
            return row.values["organisation_id"]
        name = row.values.get("organisation_name")
        return created_orgs.get(name.lower()) if name else None

    # (contact id, row plan) pairs whose extras (emails, tags, affiliation) need writing.
    touched: list[tuple[int, RowPlan]] = []
    created_labels: dict[int, str] = {}
    creates = [r for r in plan.rows if r.action == "create"]
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    for batch in _batches(creates, CREATE_BATCH_SIZE):
        rows = []
        for row in batch:
            v = row.values
            rows.append(
                (
                    v["first_name"],
                    v["last_name"],
                    v.get("email", ""),
                    v.get("job_title", ""),
                    v.get("phone", ""),
                    v.get("practitioner_group", "other"),
                    v.get("seniority", ""),
                    v.get("area_id"),
                    v.get("lawful_basis", "none"),
                    v.get("consent_given_at"),
                    v.get("consent_source", ""),
                    v.get("email_opt_out", False),
                    v.get("do_not_contact", False),
                    v.get("notes", ""),
                    actor_id,
                )
            )
        ids = insert_rows(Contact, NEW_CONTACT_COLUMNS, rows)
        for pk, row in zip(ids, batch, strict=True):
            touched.append((pk, row))
            created_labels[pk] = f"{row.values['first_name']} {row.values['last_name']}".strip()
        outcome.created.extend(ids)
        done += len(batch)
        if progress:
            progress(done)

    updates = [r for r in plan.rows if r.action == "update" and r.match_id]
    updated_changes: dict[int, tuple[str, dict]] = {}
    for batch in _batches(updates):
        existing = Contact.objects.in_bulk([r.match_id for r in batch])
        changed_fields: set[str] = set()
        changed_contacts = []
        for row in batch:
            found = existing.get(row.match_id) if row.match_id else None
            if found is None or found.pk in updated_changes:
                # Two rows matching one contact: the first row wins, the second counts as skipped.
                outcome.skipped += 1
                continue
            contact = found
            changes: dict[str, list[Any]] = {}
            for name in CONTACT_FIELDS:
                if name not in row.present or name not in row.values:
                    continue
                new = row.values[name]
                # An opt-out or do-not-contact on record is an objection; a file never withdraws it.
                if name in ("email_opt_out", "do_not_contact") and not new:
                    continue
                if name == "email":
                    continue  # the match was by email; the primary address stays as it is
                old = getattr(contact, name)
                if old != new:
                    changes[name.removesuffix("_id")] = [_plain(old), _plain(new)]
                    setattr(contact, name, new)
                    changed_fields.add(name)
            updated_changes[contact.pk] = (contact.full_name, changes)
            if changes:
                changed_contacts.append(contact)
            touched.append((contact.pk, row))
        if changed_contacts:
            Contact.objects.bulk_update(changed_contacts, sorted(changed_fields | {"updated_at"}))
        outcome.updated.extend(pk for pk in existing if pk in updated_changes)
        done += len(batch)
        if progress:
            progress(done)
    outcome.skipped += sum(1 for r in plan.rows if r.action == "skip")

    _write_contact_extras(touched, tag_ids, org_for, set(created_labels))
    _history(job=job, actor=actor, created=created_labels, updated=updated_changes, model="crm.contact")
    outcome.updated = list(updated_changes)
    return outcome


def _write_contact_extras(
    touched: list[tuple[int, RowPlan]],
    tag_ids: dict[str, int],
    org_for: Callable[[RowPlan], int | None],
    created: set[int],
) -> None:
    emails: dict[tuple[int, str], None] = {}
    tag_links: dict[tuple[int, int], None] = {}
    wanted_affiliations: dict[tuple[int, int], str] = {}
    for contact_id, row in touched:
        for address in row.values.get("other_emails", []):
            emails[(contact_id, address)] = None
        for tag in row.values.get("tags", []):
            tag_links[(contact_id, tag_ids[tag.lower()])] = None
        org_id = org_for(row)
        if org_id:
            wanted_affiliations[(contact_id, org_id)] = row.values.get("role") or row.values.get("job_title", "")
    # A contact updated by the file may already have the address or tag: the unique constraints skip those.
    insert_rows(ContactEmail, ["contact_id", "email"], list(emails), ignore_conflicts=True)
    insert_rows(Contact.tags.through, ["contact_id", "tag_id"], list(tag_links), ignore_conflicts=True)
    if wanted_affiliations:
        # A contact already working at the organisation keeps that affiliation; only new links are added.
        # Contacts this import created have none yet, so only the updated ones are looked up.
        existing_ids = list({c for c, _ in wanted_affiliations if c not in created})
        current = set()
        for batch in _batches(existing_ids):
            current |= set(
                Affiliation.objects.filter(contact_id__in=batch, end_date__isnull=True).values_list(
                    "contact_id", "organisation_id"
                )
            )
        insert_rows(
            Affiliation,
            ["contact_id", "organisation_id", "role"],
            [(c, o, role[:200]) for (c, o), role in wanted_affiliations.items() if (c, o) not in current],
        )


def _write_organisations(*, plan: Plan, job: ImportJob, actor: User | None, progress: Progress | None) -> Outcome:
    outcome = Outcome()
    done = 0
    created_labels: dict[int, str] = {}
    parents: list[tuple[int, RowPlan]] = []
    for batch in _batches([r for r in plan.rows if r.action == "create"]):
        organisations = [
            Organisation(
                name=r.values["name"],
                kind=r.values.get("kind", Organisation.Kind.OTHER),
                area_id=r.values.get("area_id"),
                address=r.values.get("address", ""),
                postcode=r.values.get("postcode", ""),
                website=r.values.get("website", ""),
                phone=r.values.get("phone", ""),
                email=r.values.get("email", ""),
                parent_id=r.values.get("parent_id"),
                created_by=actor,
            )
            for r in batch
        ]
        Organisation.objects.bulk_create(organisations)
        for org, row in zip(organisations, batch, strict=True):
            created_labels[org.pk] = org.name
            parents.append((org.pk, row))
        outcome.created.extend(o.pk for o in organisations)
        done += len(batch)
        if progress:
            progress(done)

    updated_changes: dict[int, tuple[str, dict]] = {}
    for batch in _batches([r for r in plan.rows if r.action == "update" and r.match_id]):
        existing = Organisation.objects.in_bulk([r.match_id for r in batch])
        changed_fields: set[str] = set()
        changed = []
        for row in batch:
            found_org = existing.get(row.match_id) if row.match_id else None
            if found_org is None or found_org.pk in updated_changes:
                outcome.skipped += 1
                continue
            org = found_org
            changes: dict[str, list[Any]] = {}
            for name in [*ORGANISATION_FIELDS, "parent_id"]:
                if name in row.values and name != "name" and getattr(org, name) != row.values[name]:
                    changes[name.removesuffix("_id")] = [_plain(getattr(org, name)), _plain(row.values[name])]
                    setattr(org, name, row.values[name])
                    changed_fields.add(name)
            updated_changes[org.pk] = (org.name, changes)
            parents.append((org.pk, row))
            if changes:
                changed.append(org)
        if changed:
            Organisation.objects.bulk_update(changed, sorted(changed_fields | {"updated_at"}))
        done += len(batch)
        if progress:
            progress(done)
    outcome.skipped += sum(1 for r in plan.rows if r.action == "skip")

    # Parents named in the same file exist only now that every row is written.
    named = {r.values["parent_name"] for _, r in parents if r.values.get("parent_name")}
    if named:
        by_name = {lower: ids[0][0] for lower, ids in organisations_named(named).items()}
        linked = []
        for pk, row in parents:
            parent_name = row.values.get("parent_name")
            if parent_name and by_name.get(parent_name.lower()) not in (None, pk):
                linked.append(Organisation(pk=pk, parent_id=by_name[parent_name.lower()]))
        Organisation.objects.bulk_update(linked, ["parent_id"], batch_size=BATCH_SIZE)
    _history(job=job, actor=actor, created=created_labels, updated=updated_changes, model="crm.organisation")
    outcome.updated = list(updated_changes)
    return outcome
