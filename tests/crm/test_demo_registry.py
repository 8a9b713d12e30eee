"""The registry's demo world: believable, idempotent, and scalable with bulk writes."""

from io import StringIO

import pytest
from django.core.management import call_command

from crm.models import Affiliation, Contact, LocalArea, Organisation, PractitionerGroup


@pytest.mark.django_db
def test_seed_demo_builds_a_world_and_does_not_duplicate_it():
    call_command("seed_demo", "--quiet-logins", stdout=StringIO())
    counts = (Contact.objects.count(), Organisation.objects.count(), Affiliation.objects.count())

    call_command("seed_demo", "--quiet-logins", stdout=StringIO())

    assert (Contact.objects.count(), Organisation.objects.count(), Affiliation.objects.count()) == counts
    assert LocalArea.objects.filter(is_custom=False).count() == 153
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert set(Contact.objects.values_list("practitioner_group", flat=True)) == set(PractitionerGroup.values)
    assert Contact.objects.filter(lawful_basis="consent", consent_given_at__isnull=False).exists()
    assert Contact.objects.filter(tags__isnull=False).exists()
    assert Affiliation.objects.filter(end_date__isnull=False).exists()  # someone has moved job


@pytest.mark.django_db
def test_contacts_option_tops_up_only_what_is_missing():
    call_command("seed_demo", "--quiet-logins", "--contacts", "300", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", "--quiet-logins", "--contacts", "450", stdout=out)
    assert Contact.objects.count() == 450
    assert "150 contacts added" in out.getvalue()
    assert Contact.objects.values("email").distinct().count() == 450
