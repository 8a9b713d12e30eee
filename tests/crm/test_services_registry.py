"""Registry services against the database: areas, organisations, contacts, affiliations, notes, suppression."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from crm.models import Affiliation, AuditEvent, Contact, LawfulBasis, LocalArea, Suppression, TimelineEntry
from crm.services.areas import LOCAL_AREAS_CSV, area_create, load_local_areas, read_local_areas_file
from crm.services.contacts import (
    affiliation_end,
    affiliation_start,
    contact_create,
    contact_email_add,
    contact_move_job,
    contact_preferences_update,
    contact_update,
)
from crm.services.notes import note_add, note_delete
from crm.services.organisations import organisation_create, organisation_update
from crm.services.suppression import is_suppressed, suppressed_emails, suppression_add, suppression_hash
from crm.services.tags import tags_from_names
from tests.crm.factories import AffiliationFactory, ContactFactory, LocalAreaFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


# --- Local areas -------------------------------------------------------------------------------------


def test_the_shipped_file_holds_every_english_upper_tier_authority():
    rows = read_local_areas_file()
    kinds = [r["kind"] for r in rows]
    assert len(rows) == 153
    assert (kinds.count("county"), kinds.count("unitary"), kinds.count("metropolitan"), kinds.count("london")) == (
        21,
        63,
        36,
        33,
    )
    assert len({r["code"] for r in rows}) == 153
    by_code = {r["code"]: r["name"] for r in rows}
    assert by_code["E06000063"] == "Cumberland"
    assert by_code["E06000064"] == "Westmorland and Furness"
    assert by_code["E06000065"] == "North Yorkshire"
    assert by_code["E06000066"] == "Somerset"
    assert by_code["E09000001"] == "City of London"
    prefixes = {"county": "E10", "unitary": "E06", "metropolitan": "E08", "london": "E09"}
    assert all(r["code"].startswith(prefixes[r["kind"]]) for r in rows)
    assert "Open Government Licence" in (LOCAL_AREAS_CSV.parent / "README.md").read_text()


def test_loading_areas_twice_creates_them_once_and_adopts_a_hand_made_area():
    # Given someone added Leeds by hand before the ONS list was loaded
    LocalArea.objects.create(name="leeds", region="north_east", is_custom=True)

    first = load_local_areas()
    second = load_local_areas()

    assert (first.created, first.updated) == (152, 1)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 153)
    leeds = LocalArea.objects.get(code="E08000035")
    assert (leeds.name, leeds.region, leeds.is_custom) == ("Leeds", "yorkshire_humber", False)
    assert LocalArea.objects.filter(is_custom=False).count() == 153


def test_load_local_areas_command_reports_what_it_did():
    from io import StringIO

    out = StringIO()
    call_command("load_local_areas", stdout=out)
    assert "153 added" in out.getvalue()


def test_a_user_area_gets_a_clear_error_when_the_name_is_taken(leader):
    area_create(actor=leader, name="Greater Manchester", region="north_west")
    with pytest.raises(ValidationError) as exc:
        area_create(actor=leader, name="greater manchester ", region="north_west")
    assert "already an area called" in str(exc.value.message_dict["name"])
    assert AuditEvent.objects.filter(action="create", target_type="crm.localarea").count() == 1


# --- Organisations and contacts --------------------------------------------------------------------------


def test_organisation_create_and_update_are_audited_and_on_the_timeline(leader):
    organisation = organisation_create(actor=leader, name="Leeds Family Hub", kind="family_hub", postcode="ls1 4ap")
    assert organisation.postcode == "LS1 4AP"

    organisation_update(
        actor=leader, organisation=organisation, website="https://example.org", tags=tags_from_names(["pilot"])
    )

    events = list(AuditEvent.objects.filter(target_type="crm.organisation").order_by("created_at", "id"))
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].changes["website"] == ["", "https://example.org"]
    assert events[1].changes["tags"] == [[], ["pilot"]]
    assert organisation.timeline.filter(summary__startswith="Details updated").exists()


def test_an_organisation_cannot_be_part_of_its_own_part(leader):
    trust = OrganisationFactory()
    school = OrganisationFactory(parent=trust)
    with pytest.raises(ValidationError) as exc:
        organisation_update(actor=leader, organisation=trust, parent=school)
    assert "part of itself" in str(exc.value)


def test_contact_create_with_an_organisation_starts_a_current_affiliation(campaign_staff):
    organisation = OrganisationFactory()
    contact = contact_create(
        actor=campaign_staff,
        first_name=" Amara ",
        last_name="Okafor",
        email="Amara.Okafor@Example.NHS.uk",
        job_title="Health visitor",
        organisation=organisation,
        start_date=dt.date(2024, 4, 1),
    )
    assert contact.first_name == "Amara"
    assert contact.email == "amara.okafor@example.nhs.uk"
    affiliation = contact.affiliations.get()
    assert (affiliation.organisation, affiliation.role, affiliation.is_current) == (
        organisation,
        "Health visitor",
        True,
    )
    assert AuditEvent.objects.filter(target_type="crm.contact", target_id=str(contact.pk), action="create").exists()
    assert organisation.timeline.filter(summary__contains="Amara Okafor started").exists()


def test_contact_update_records_what_changed(leader):
    contact = ContactFactory(job_title="Health visitor")
    contact_update(actor=leader, contact=contact, job_title="Lead health visitor")
    event = AuditEvent.objects.get(target_type="crm.contact", action="update")
    assert event.changes == {"job_title": ["Health visitor", "Lead health visitor"]}
    assert event.actor == leader
    assert contact.timeline.get().summary == "Details updated: job title"


def test_a_job_move_ends_the_old_role_and_keeps_it(leader):
    contact = ContactFactory(job_title="Health visitor")
    old = AffiliationFactory(contact=contact, start_date=dt.date(2020, 1, 6))
    new_place = OrganisationFactory(name="Kent Family Hub")

    new = contact_move_job(
        actor=leader, contact=contact, previous=old, organisation=new_place, role="Family hub manager",
        start_date=dt.date(2025, 9, 1),
    )  # fmt: skip

    old.refresh_from_db()
    assert old.end_date == dt.date(2025, 8, 31)
    assert old.role == "Health visitor"
    assert (new.organisation, new.start_date, new.end_date) == (new_place, dt.date(2025, 9, 1), None)
    assert Affiliation.objects.filter(contact=contact).count() == 2
    contact.refresh_from_db()
    assert contact.job_title == "Family hub manager"


def test_ending_a_role_before_it_began_is_refused_with_the_date():
    affiliation = AffiliationFactory(start_date=dt.date(2024, 5, 1))
    with pytest.raises(ValidationError) as exc:
        affiliation_end(actor=None, affiliation=affiliation, end_date=dt.date(2024, 4, 1))
    assert "01/05/2024" in str(exc.value.message_dict["end_date"])


def test_the_same_current_role_twice_is_refused():
    affiliation = AffiliationFactory(role="GP partner")
    with pytest.raises(ValidationError):
        affiliation_start(
            actor=None, contact=affiliation.contact, organisation=affiliation.organisation, role="gp partner"
        )


def test_consent_needs_a_date_in_the_form_of_words_a_user_reads(leader):
    contact = ContactFactory(lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS)
    with pytest.raises(ValidationError) as exc:
        contact_preferences_update(actor=leader, contact=contact, lawful_basis=LawfulBasis.CONSENT)
    assert exc.value.message_dict["consent_given_at"] == ["Enter the date consent was given."]


def test_the_database_refuses_consent_without_a_date():
    contact = ContactFactory()
    with pytest.raises(IntegrityError):
        Contact.objects.filter(pk=contact.pk).update(lawful_basis=LawfulBasis.CONSENT, consent_given_at=None)


def test_preferences_changes_go_on_the_timeline_as_consent(leader):
    contact = ContactFactory(lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS)
    given = timezone.now() - dt.timedelta(days=3)
    contact_preferences_update(
        actor=leader, contact=contact, lawful_basis=LawfulBasis.CONSENT, consent_given_at=given,
        consent_source="Pledge page", email_opt_out=True,
    )  # fmt: skip
    entry = contact.timeline.get(kind=TimelineEntry.Kind.CONSENT)
    assert entry.summary == "Lawful basis now consent; opted out of email"


def test_another_email_cannot_repeat_the_main_one():
    contact = ContactFactory(email="sam@example.org")
    with pytest.raises(ValidationError):
        contact_email_add(actor=None, contact=contact, email="SAM@example.org")
    contact_email_add(actor=None, contact=contact, email="sam.work@example.org")
    assert list(contact.other_emails.values_list("email", flat=True)) == ["sam.work@example.org"]


def test_a_note_is_on_the_timeline_until_it_is_deleted(leader):
    contact = ContactFactory()
    note = note_add(actor=leader, contact=contact, body="Keen to host a session in March.")
    entry = contact.timeline.get(kind="note")
    assert entry.detail == "Keen to host a session in March."
    note_delete(actor=leader, note=note)
    assert not contact.timeline.filter(kind="note").exists()
    assert AuditEvent.objects.filter(target_type="crm.note", action="delete").exists()


def test_tags_are_matched_without_regard_to_case():
    first = tags_from_names(["Pilot", "champion"])
    again = tags_from_names(["pilot", " Champion ", ""])
    assert [t.pk for t in first] == [t.pk for t in again]


# --- Suppression ---------------------------------------------------------------------------------------


def test_suppression_keeps_only_a_hash_and_is_idempotent():
    entry = suppression_add(email=" Jo.Bloggs@Example.org ", reason=Suppression.Reason.UNSUBSCRIBED, source="link")
    again = suppression_add(email="jo.bloggs@example.org", reason=Suppression.Reason.BOUNCED)

    assert again.pk == entry.pk
    assert entry.email_hash == suppression_hash("jo.bloggs@example.org")
    assert "jo.bloggs" not in entry.email_hash
    assert is_suppressed("JO.BLOGGS@example.org")
    assert not is_suppressed("someone.else@example.org")
    assert suppressed_emails(["jo.bloggs@example.org", "x@example.org"]) == {"jo.bloggs@example.org"}
    assert Suppression.objects.get().reason == Suppression.Reason.UNSUBSCRIBED


def test_an_erasure_request_upgrades_an_existing_suppression():
    suppression_add(email="a@example.org", reason=Suppression.Reason.BOUNCED)
    suppression_add(email="a@example.org", reason=Suppression.Reason.ERASED)
    assert Suppression.objects.get().reason == Suppression.Reason.ERASED


def test_the_area_factory_never_clashes_with_the_ons_list():
    load_local_areas()
    areas = LocalAreaFactory.create_batch(40)
    assert all(a.code.startswith("E99") for a in areas)
