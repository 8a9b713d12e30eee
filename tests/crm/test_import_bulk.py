"""The import's bulk writer: COPY on PostgreSQL, bulk_create elsewhere, the same rows either way."""

from __future__ import annotations

import pytest
from django.utils import timezone

from crm.importing.bulk import insert_rows
from crm.models import AuditEvent, Contact, ContactEmail, PractitionerGroup, TimelineEntry
from tests.crm.factories import ContactFactory, LocalAreaFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_new_rows_come_back_with_their_ids_in_order_and_model_defaults_filled_in():
    # Given two contacts given only by name, email and area
    area = LocalAreaFactory()
    before = timezone.now()

    # when they are inserted
    ids = insert_rows(
        Contact,
        ["first_name", "last_name", "email", "area_id"],
        [("Ada", "Lovelace", "ada@example.org", area.pk), ("Alan", "Turing", "alan@example.org", None)],
    )

    # then the ids name those rows, and every column left out has the value the model gives it
    ada, alan = (Contact.objects.get(pk=pk) for pk in ids)
    assert (ada.email, ada.area_id, alan.email, alan.area_id) == ("ada@example.org", area.pk, "alan@example.org", None)
    assert ada.practitioner_group == PractitionerGroup.OTHER
    assert (ada.job_title, ada.do_not_contact, ada.erased_at) == ("", False, None)
    assert ada.created_at >= before
    assert ada.updated_at >= before
    # and the table's own numbering carries on after them
    assert ContactFactory().pk > max(ids)


def test_json_is_stored_as_json_even_when_rows_share_one_dict():
    shared = {"import_job": 7, "file": "people “final”.csv", "created": True}
    insert_rows(
        AuditEvent,
        ["action", "target_type", "target_id", "changes"],
        [("import", "crm.contact", "1", shared), ("import", "crm.contact", "2", shared), ("import", "x", "3", {})],
    )
    stored = dict(AuditEvent.objects.values_list("target_id", "changes"))
    assert stored == {"1": shared, "2": shared, "3": {}}
    assert AuditEvent.objects.filter(changes__file="people “final”.csv").count() == 2


def test_ignoring_conflicts_skips_links_that_already_exist_and_keeps_the_rest():
    # Given a contact who already has one tag and one other address
    contact = ContactFactory()
    kept, new = TagFactory(), TagFactory()
    contact.tags.add(kept)
    ContactEmail.objects.create(contact=contact, email="old@example.org")

    # when the same links and new ones are written again, some twice over
    through = Contact.tags.through
    insert_rows(through, ["contact_id", "tag_id"], [(contact.pk, kept.pk), (contact.pk, new.pk)], ignore_conflicts=True)
    insert_rows(
        ContactEmail,
        ["contact_id", "email"],
        [(contact.pk, "old@example.org"), (contact.pk, "new@example.org"), (contact.pk, "new@example.org")],
        ignore_conflicts=True,
    )

    # then each link is there once
    assert sorted(contact.tags.values_list("pk", flat=True)) == sorted([kept.pk, new.pk])
    assert sorted(contact.other_emails.values_list("email", flat=True)) == ["new@example.org", "old@example.org"]


def test_nothing_to_write_writes_nothing():
    assert insert_rows(TimelineEntry, ["contact_id", "kind", "summary"], []) == []
    assert not TimelineEntry.objects.exists()
