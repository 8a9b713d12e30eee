"""The registry's demo world: believable, idempotent, and scalable with bulk writes."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from crm import demo
from crm.models import Affiliation, Contact, LocalArea, Organisation, PractitionerGroup
from crm.services.duplicates import SIMILAR_NAME_IN_AREA, duplicate_candidates


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


def test_scaled_contacts_are_named_like_a_population_and_always_the_same():
    # Given the names seed_demo gives 20,000 scaled contacts
    people = [demo.demo_contact_fields(i) for i in range(demo.SCALED_FROM, demo.SCALED_FROM + 20_000)]
    surnames = Counter(p["last_name"] for p in people)
    full_names = Counter((p["first_name"], p["last_name"]) for p in people)

    # then there are thousands of surnames, a few common and most rare, as in the UK
    assert len(surnames) > 2_000
    assert 0.005 < surnames.most_common(1)[0][1] / len(people) < 0.03
    assert sum(1 for n in surnames.values() if n <= 3) > 1_000
    # and most people do not share their full name with anyone
    assert sum(1 for n in full_names.values() if n == 1) / len(full_names) > 0.5
    # and every run gives every contact the same name and a unique email
    assert people[:500] == [demo.demo_contact_fields(i) for i in range(demo.SCALED_FROM, demo.SCALED_FROM + 500)]
    assert len({p["email"] for p in people}) == len(people)


@pytest.mark.django_db
def test_a_re_entered_demo_contact_is_found_by_the_duplicate_scan():
    # Given a demo world big enough to hold a person entered twice with the surname typed differently
    reentered = next(
        i for i in range(demo.SCALED_FROM + demo.REENTRY_GAP, 5000) if i % demo.REENTERED_EVERY == 0 and i % 2
    )
    call_command("seed_demo", "--quiet-logins", "--contacts", str(reentered + 1), stdout=StringIO())
    twin = Contact.objects.get(email=demo.demo_contact_fields(reentered)["email"])
    original = Contact.objects.get(email=demo.demo_contact_fields(reentered - demo.REENTRY_GAP)["email"])
    assert twin.last_name != original.last_name

    # when the duplicate scan runs, then it pairs them as a near-identical name in the same area
    pairs = {(p.first_id, p.second_id): p for p in duplicate_candidates(reason=SIMILAR_NAME_IN_AREA)}
    assert (original.pk, twin.pk) in pairs


@pytest.mark.django_db
def test_contacts_seeded_before_scaled_names_are_renamed_not_added_again():
    # Given a registry seeded when contact 600 was called Aisha Bennett, and someone's own look-alike address
    slug = demo.DEMO_AREAS[600 % len(demo.DEMO_AREAS)][1]
    old = Contact.objects.create(first_name="Aisha", last_name="Bennett", email=f"aisha.bennett.600@{slug}.example.org")
    own = Contact.objects.create(first_name="Ann", last_name="Other", email="ann.other.601@nowhere.example.org")

    # when the demo world is seeded at a bigger scale
    call_command("seed_demo", "--quiet-logins", "--contacts", "602", stdout=StringIO())

    # then contact 600 has today's name and email, nobody was added twice, and the look-alike is untouched
    wanted = demo.demo_contact_fields(600)
    old.refresh_from_db()
    assert (old.first_name, old.last_name, old.email) == (wanted["first_name"], wanted["last_name"], wanted["email"])
    assert Contact.objects.count() == 602 + 1
    own.refresh_from_db()
    assert own.email == "ann.other.601@nowhere.example.org"
    assert demo.refresh_scaled_names() == 0
