"""Merging two contacts keeps every row that pointed at either of them, in every app."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils import timezone

from crm.models import AuditEvent, Contact, ContactMerge, LawfulBasis, LocalArea, Organisation, User
from crm.selectors_data import contact_merges
from crm.services.merging import contact_merge, contact_relations
from tests.crm.factories import (
    AffiliationFactory,
    ConsentedContactFactory,
    ContactEmailFactory,
    ContactFactory,
    LocalAreaFactory,
    NoteFactory,
    OrganisationFactory,
    TagFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
KNOWN = {Contact: ContactFactory, User: UserFactory, LocalArea: LocalAreaFactory, Organisation: OrganisationFactory}


def _value(field: models.Field, depth: int) -> object:
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        related = field.related_model
        return KNOWN[related]() if related in KNOWN else build_row(related, depth=depth + 1)
    if isinstance(field, models.EmailField):
        return f"{uuid.uuid4().hex[:8]}@example.org"
    if isinstance(field, models.URLField):
        return "https://example.org/"
    if isinstance(field, models.SlugField):
        return f"slug-{uuid.uuid4().hex[:10]}"
    if isinstance(field, models.CharField | models.TextField):
        return f"{field.name} {uuid.uuid4().hex[:8]}"[: field.max_length or 100]
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return timezone.localdate()
    if isinstance(field, models.DurationField):
        return dt.timedelta(hours=1)
    if isinstance(field, models.DecimalField):
        return Decimal(1)
    if isinstance(field, models.IntegerField | models.FloatField):
        return 1
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.JSONField):
        return {}
    raise AssertionError(f"Add a value for {field!r} in the merge test's row builder.")


def build_row(model: type[models.Model], depth: int = 0, **given: object) -> models.Model:
    """A saved row of any model, filling only what it requires; enough to prove a row moves."""
    assert depth < 5, f"{model} needs too deep a chain of related rows"
    kwargs = dict(given)
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in kwargs or field.attname in kwargs:
            continue
        optional = field.has_default() or field.null or getattr(field, "auto_now", False)
        optional = optional or getattr(field, "auto_now_add", False)
        if optional or (field.blank and not field.is_relation):
            continue
        kwargs[field.name] = _value(field, depth)
    return model._base_manager.create(**kwargs)


def rows_for_every_relation(contact: Contact) -> dict[tuple[str, str], int]:
    """{(model, field): pk of a row whose field points at `contact`}, one per relation."""
    made: dict[tuple[str, str], int] = {}
    for rel in contact_relations():
        row = build_row(rel.related_model, **{rel.field.name: contact})
        made[(rel.related_model._meta.label_lower, rel.field.name)] = row.pk
    return made


def test_merge_moves_every_row_that_points_at_the_merged_contact(admin_user):
    # Given two contacts with a row in every table (any app) that references Contact, including the
    # hidden ones (a many-to-many's through table, a related_name="+" foreign key)
    survivor, merged = ContactFactory(), ContactFactory()
    relations = contact_relations()
    assert len(relations) >= len(Contact._meta.related_objects)
    rows_for_every_relation(survivor)
    merged_rows = rows_for_every_relation(merged)
    merged_id = merged.pk

    # when an admin merges them
    record = contact_merge(survivor=survivor, merged=merged, actor=admin_user)

    # then no row anywhere still points at the merged contact, and every one of its rows either moved
    # to the survivor or, where the survivor already had its twin, is kept in the merge record
    dropped = {(d["model"], d["pk"]) for d in record.merged_snapshot["dropped_rows"]}
    for rel in relations:
        model = rel.related_model
        label = model._meta.label_lower
        assert not model._base_manager.filter(**{rel.field.attname: merged_id}).exists(), label
        pk = merged_rows[(label, rel.field.name)]
        if (label, pk) not in dropped:
            row = model._base_manager.get(pk=pk)
            assert getattr(row, rel.field.attname) == survivor.pk, f"{label}.{rel.field.name}"
    assert not Contact.objects.filter(pk=merged_id).exists()


def test_merge_keeps_affiliations_emails_notes_tags_and_the_merged_snapshot(admin_user):
    survivor = ContactFactory(email="jo@example.org", first_name="Jo", last_name="Smith")
    merged = ContactFactory(email="joanne.smith@example.org", first_name="Joanne", last_name="Smith", job_title="")
    AffiliationFactory(contact=merged)
    ContactEmailFactory(contact=merged, email="js@example.org")
    ContactEmailFactory(contact=survivor, email="js@example.org")  # the same address on both
    NoteFactory(contact=merged)
    shared, only_merged = TagFactory(name="family hubs"), TagFactory(name="early help")
    survivor.tags.add(shared)
    merged.tags.add(shared, only_merged)

    record = contact_merge(survivor=survivor, merged=merged, actor=admin_user, choices={"first_name": "merged"})

    survivor.refresh_from_db()
    assert survivor.first_name == "Joanne"
    assert survivor.email == "jo@example.org"
    assert sorted(survivor.other_emails.values_list("email", flat=True)) == [
        "joanne.smith@example.org",
        "js@example.org",
    ]
    assert survivor.affiliations.count() == 1
    assert survivor.note_set.count() == 1
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["early help", "family hubs"]
    assert record.merged_snapshot["email"] == "joanne.smith@example.org"
    assert set(record.merged_snapshot["tags"]) == {"family hubs", "early help"}
    assert AuditEvent.objects.filter(action="merge", target_type="crm.contact", target_id=str(survivor.pk)).exists()
    assert survivor.timeline.filter(kind="merge").count() == 1
    assert list(contact_merges(survivor)) == [record]


def test_merge_never_loses_an_objection_and_keeps_the_stronger_consent(admin_user):
    survivor = ContactFactory(lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS, email_opt_out=False)
    merged = ConsentedContactFactory(do_not_contact=True, phone_opt_out=True, consent_source="Pledge page")

    contact_merge(survivor=survivor, merged=merged, actor=admin_user)

    survivor.refresh_from_db()
    assert survivor.lawful_basis == LawfulBasis.CONSENT
    assert survivor.consent_source == "Pledge page"
    assert survivor.do_not_contact
    assert survivor.phone_opt_out


def test_between_two_consents_the_more_recent_is_kept(admin_user):
    older = timezone.now() - dt.timedelta(days=400)
    survivor = ConsentedContactFactory(consent_given_at=timezone.now(), consent_source="Recent event")
    merged = ConsentedContactFactory(consent_given_at=older, consent_source="Old form")
    contact_merge(survivor=survivor, merged=merged, actor=admin_user)
    survivor.refresh_from_db()
    assert survivor.consent_source == "Recent event"


def test_an_earlier_merge_follows_the_contact_it_was_merged_into(admin_user):
    a, b, c = ContactFactory(), ContactFactory(), ContactFactory()
    first = contact_merge(survivor=b, merged=c, actor=admin_user)
    contact_merge(survivor=a, merged=b, actor=admin_user)
    first.refresh_from_db()
    assert first.survivor == a
    assert ContactMerge.objects.filter(survivor=a).count() == 2


@pytest.mark.parametrize("role", ["leader", "campaign_staff", "viewer"])
def test_only_admins_may_merge(role, users_by_role):
    survivor, merged = ContactFactory(), ContactFactory()
    with pytest.raises(PermissionDenied):
        contact_merge(survivor=survivor, merged=merged, actor=users_by_role[role])
    assert Contact.objects.filter(pk=merged.pk).exists()


def test_merging_through_the_compare_page(client, admin_user):
    first = ContactFactory(first_name="Sam", last_name="Taylor", job_title="")
    second = ContactFactory(first_name="Samantha", last_name="Taylor", job_title="Health visitor")
    client.force_login(admin_user)
    url = reverse("crm:duplicate_compare", args=[first.pk, second.pk])

    response = client.post(
        url,
        {
            "survivor": str(first.pk),
            "keep_first_name": str(second.pk),
            "keep_job_title": str(second.pk),
            "keep_email": str(first.pk),
        },
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.first_name, first.job_title) == ("Samantha", "Health visitor")
    assert not Contact.objects.filter(pk=second.pk).exists()


@pytest.mark.parametrize("role", ["leader", "campaign_staff", "viewer"])
def test_the_compare_page_refuses_a_merge_from_other_roles(role, client, users_by_role):
    first, second = ContactFactory(), ContactFactory()
    client.force_login(users_by_role[role])
    url = reverse("crm:duplicate_compare", args=[first.pk, second.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Merge contacts" not in page.content
    assert client.post(url, {"survivor": str(first.pk)}).status_code == 403
    assert Contact.objects.filter(pk=second.pk).exists()
