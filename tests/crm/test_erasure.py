"""Erasure leaves no personal data in any crm table; subject access finds everything, in every app."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from crm.models import AuditEvent, Contact, ContactMerge, ImportJob, Suppression, TimelineEntry
from crm.services import erasure
from crm.services.contacts import contact_email_add, contact_update
from crm.services.erasure import contact_erase, register_erasure_hook
from crm.services.notes import note_add
from crm.services.subject_access import contact_data, contact_data_csv_rows, contact_data_export
from crm.services.suppression import is_suppressed
from tests.crm.factories import AffiliationFactory, ContactFactory, ImportJobFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

PERSONAL = ["Zoë Quillfeather", "zoe.quillfeather@example.nhs.uk", "zq.home-office@example.org", "07700 900123"]


def rows_mentioning(term: str) -> list[str]:
    """Every crm row holding `term` in any text or JSON column."""
    found = []
    for model in apps.get_app_config("crm").get_models():
        text_fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not text_fields:
            continue
        query = Q()
        queryset = model._default_manager.all()
        for field in text_fields:
            if isinstance(field, models.JSONField):
                queryset = queryset.annotate(**{f"{field.name}_text": Cast(field.name, TextField())})
                query |= Q(**{f"{field.name}_text__icontains": term})
                query |= Q(**{f"{field.name}_text__icontains": json.dumps(term)[1:-1]})
            else:
                query |= Q(**{f"{field.name}__icontains": term})
        found += [f"{model._meta.label}:{pk}" for pk in queryset.filter(query).values_list("pk", flat=True)]
    return found


@pytest.fixture
def zoe(leader):
    """A contact with personal data in every place the registry keeps it."""
    organisation = OrganisationFactory(name="Hackney Family Hub")
    contact = ContactFactory(
        first_name="Zoë", last_name="Quillfeather", email=PERSONAL[1], phone=PERSONAL[3], notes="Prefers mornings",
        job_title="Family hub lead",
    )  # fmt: skip
    contact_email_add(actor=leader, contact=contact, email=PERSONAL[2])
    contact_update(actor=leader, contact=contact, job_title="Family hub manager")
    note_add(actor=leader, contact=contact, body="Zoë Quillfeather said she would champion the pledge.")
    AffiliationFactory(contact=contact, organisation=organisation, role="Family hub manager")
    TimelineEntry.objects.create(
        organisation=organisation, kind="engagement", summary="Met Zoë Quillfeather", detail="Call 07700 900123"
    )
    ContactMerge.objects.create(
        survivor=contact, merged_contact_id=999, merged_snapshot={"first_name": "Zoe", "email": PERSONAL[1]}
    )
    ImportJobFactory(problems=[{"row": 3, "column": "Email", "message": f"{PERSONAL[1]} matches an existing contact"}])
    AuditEvent.objects.create(action="update", target_type="crm.organisation", target_id="1",
                              changes={"notes": ["", "Zoë Quillfeather is the lead"]})  # fmt: skip
    return contact


def test_before_erasure_the_personal_data_is_where_we_expect(zoe):
    assert rows_mentioning("Quillfeather")
    assert rows_mentioning(PERSONAL[2])


def test_erasure_leaves_no_personal_data_in_any_crm_table(zoe, admin_user):
    contact_erase(actor=admin_user, contact=zoe)

    for term in [*PERSONAL, "Quillfeather"]:
        assert rows_mentioning(term) == [], term
    zoe.refresh_from_db()
    assert zoe.full_name == "Erased contact"
    assert zoe.erased_at is not None
    assert zoe.do_not_contact


def test_erasure_keeps_the_row_aggregates_and_a_hashed_suppression(zoe, admin_user):
    affiliations = zoe.affiliations.count()

    contact_erase(actor=admin_user, contact=zoe)

    assert Contact.objects.filter(pk=zoe.pk).exists()
    assert zoe.affiliations.count() == affiliations
    assert zoe.note_set.count() == 0
    assert zoe.other_emails.count() == 0
    assert is_suppressed(PERSONAL[1])
    assert is_suppressed(PERSONAL[2])
    assert set(Suppression.objects.values_list("reason", flat=True)) == {"erased"}
    assert AuditEvent.objects.filter(action="erase", target_id=str(zoe.pk)).get().actor == admin_user
    assert ImportJob.objects.get().problems[0]["row"] == 3


def test_erasing_twice_is_harmless(zoe, admin_user):
    contact_erase(actor=admin_user, contact=zoe)
    contact_erase(actor=admin_user, contact=zoe)
    assert AuditEvent.objects.filter(action="erase").count() == 1


def test_erasure_runs_other_apps_hooks_inside_the_transaction(zoe, admin_user, monkeypatch):
    seen = []
    monkeypatch.setattr(erasure, "ERASURE_HOOKS", [])
    monkeypatch.setattr("tests.crm.test_erasure.HOOK_CALLS", seen, raising=False)
    register_erasure_hook("tests.crm.test_erasure.record_hook")
    register_erasure_hook("tests.crm.test_erasure.record_hook")  # registering twice runs it once

    contact_erase(actor=admin_user, contact=zoe)

    assert seen == [("Zoë Quillfeather", PERSONAL[1])]


def test_a_failing_hook_rolls_the_whole_erasure_back(zoe, admin_user, monkeypatch):
    monkeypatch.setattr(erasure, "ERASURE_HOOKS", ["tests.crm.test_erasure.failing_hook"])
    with pytest.raises(RuntimeError):
        contact_erase(actor=admin_user, contact=zoe)
    zoe.refresh_from_db()
    assert zoe.full_name == "Zoë Quillfeather"
    assert not is_suppressed(PERSONAL[1])


HOOK_CALLS: list = []


def record_hook(contact: Contact) -> None:
    # Hooks see the contact before it is blanked, so they can find their own rows by name or address.
    import tests.crm.test_erasure as me

    me.HOOK_CALLS.append((contact.full_name, contact.email))


def failing_hook(contact: Contact) -> None:
    raise RuntimeError("campaigns could not scrub")


def test_only_an_admin_may_erase(zoe, leader):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        contact_erase(actor=leader, contact=zoe)


# --- Subject access -------------------------------------------------------------------------------------


def test_subject_access_holds_every_section_and_records_the_export(zoe, admin_user):
    data = contact_data_export(actor=admin_user, contact=zoe, file_format="json")

    assert data["contact"]["email"] == PERSONAL[1]
    assert data["other_emails"] == [PERSONAL[2]]
    assert data["affiliations"][0]["organisation"] == "Hackney Family Hub"
    assert "champion the pledge" in data["notes"][0]["body"]
    assert {e["action"] for e in data["audit_events"]} >= {"update", "create"}
    assert data["merges"][0]["merged_contact_id"] == 999
    assert len(data["timeline"]) == zoe.timeline.count()
    json.dumps(data)  # JSON-safe throughout
    assert AuditEvent.objects.filter(action="export", target_id=str(zoe.pk)).exists()


def test_subject_access_finds_rows_in_other_apps_through_relations(zoe):
    """Any model in any app with a relation to Contact shows up, without crm importing that app."""
    related = [rel for rel in Contact._meta.related_objects if rel.related_model._meta.app_label not in {"crm"}]
    if not related:
        pytest.skip("no other app relates to Contact yet")
    data = contact_data(zoe)
    assert isinstance(data["related_records"], dict)


def test_subject_access_csv_has_a_row_per_value(zoe):
    rows = list(contact_data_csv_rows(contact_data(zoe)))
    assert rows[0] == ["Section", "Record", "Field", "Value"]
    assert ["contact", "1", "email", PERSONAL[1]] in rows
    assert ["other_emails", "1", "value", PERSONAL[2]] in rows
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    assert "Quillfeather" in buffer.getvalue()
