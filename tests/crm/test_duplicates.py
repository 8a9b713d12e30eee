"""The duplicate finder finds each kind of likely duplicate, without comparing every pair."""

from __future__ import annotations

import time
from difflib import SequenceMatcher
from itertools import combinations

import pytest
from django.urls import reverse

from crm import demo
from crm.models import Contact
from crm.services.duplicates import (
    SAME_EMAIL,
    SAME_NAME_AT_ORGANISATION,
    SIMILAR_NAME_IN_AREA,
    duplicate_candidates,
    normalise_name,
    soundex,
)
from tests.crm.factories import AffiliationFactory, ContactEmailFactory, ContactFactory, LocalAreaFactory

pytestmark = pytest.mark.django_db


def pairs_by_reason(reason: str) -> set[tuple[int, int]]:
    return {(p.first_id, p.second_id) for p in duplicate_candidates() if reason in p.reasons}


def test_same_email_in_any_case_and_in_other_emails():
    a = ContactFactory(email="jo.smith@example.org")
    b = ContactFactory(email="Jo.Smith@Example.org")
    c = ContactFactory(email="c@example.org")
    ContactEmailFactory(contact=c, email="jo.smith@example.org")
    ContactFactory(email="someone.else@example.org")
    assert pairs_by_reason(SAME_EMAIL) == {(a.pk, b.pk), (a.pk, c.pk), (b.pk, c.pk)}


def test_same_name_at_the_same_organisation():
    a = ContactFactory(first_name="Priya", last_name="Patel")
    b = ContactFactory(first_name="priya", last_name="PATEL")
    other_org = ContactFactory(first_name="Priya", last_name="Patel")
    first = AffiliationFactory(contact=a)
    AffiliationFactory(contact=b, organisation=first.organisation)
    AffiliationFactory(contact=other_org)
    assert pairs_by_reason(SAME_NAME_AT_ORGANISATION) == {(a.pk, b.pk)}


def test_near_identical_names_in_the_same_area_only():
    area, elsewhere = LocalAreaFactory(), LocalAreaFactory()
    obrien = ContactFactory(first_name="Siobhan", last_name="O'Brien", area=area)
    obrien2 = ContactFactory(first_name="Siobhan", last_name="OBrien", area=area)
    typo = ContactFactory(first_name="Sarah", last_name="Thompson", area=area)
    typo2 = ContactFactory(first_name="Sara", last_name="Thomson", area=area)
    ContactFactory(first_name="Siobhan", last_name="O'Brien", area=elsewhere)
    ContactFactory(first_name="Tom", last_name="Thompson", area=area)  # different first initial
    assert pairs_by_reason(SIMILAR_NAME_IN_AREA) == {(obrien.pk, obrien2.pk), (typo.pk, typo2.pk)}


def test_name_helpers():
    assert normalise_name(" Zoë O’Brien-Smith ") == "zoeobriensmith"
    assert soundex("Robert") == soundex("Rupert") == "R163"
    assert soundex("Smith") == soundex("Smyth") == "S530"


def test_blocking_keeps_the_finder_linear(django_assert_max_num_queries):
    # Given 3,000 contacts spread over areas, with one planted near-duplicate
    areas = [LocalAreaFactory() for _ in range(30)]
    Contact.objects.bulk_create(
        Contact(first_name=f"Person{i}", last_name=f"Surname{i:05d}x{i * 7919 % 1000}", area=areas[i % 30])
        for i in range(3000)
    )
    planted = ContactFactory(first_name="Person1", last_name="Surname00001x7919", area=areas[1])
    # when the finder runs, it reads the table a fixed number of times and finishes quickly
    started = time.monotonic()
    with django_assert_max_num_queries(3):
        pairs = duplicate_candidates()
    assert time.monotonic() - started < 5
    assert any(planted.pk in (p.first_id, p.second_id) for p in pairs)


def test_namesakes_and_near_namesakes_are_all_paired():
    # Given three Sarah Thompsons and two Sara Thomsons in one area, and a Sarah Thompson elsewhere
    area, elsewhere = LocalAreaFactory(), LocalAreaFactory()
    thompsons = [ContactFactory(first_name="Sarah", last_name="Thompson", area=area).pk for _ in range(3)]
    thomsons = [ContactFactory(first_name="Sara", last_name="Thomson", area=area).pk for _ in range(2)]
    ContactFactory(first_name="Sarah", last_name="Thompson", area=elsewhere)

    # when the finder runs
    found = {(p.first_id, p.second_id): p.reasons[SIMILAR_NAME_IN_AREA] for p in duplicate_candidates()}

    # then every pair in the area is there once: namesakes as identical, the rest as similar
    identical = {(a, b) for group in (thompsons, thomsons) for a, b in combinations(group, 2)}
    similar = {(min(a, b), max(a, b)) for a in thompsons for b in thomsons}
    assert set(found) == identical | similar
    assert {found[p] for p in identical} == {"identical apart from punctuation or case"}
    assert {found[p] for p in similar} == {"similar last name, same first initial"}


def test_comparing_by_name_finds_exactly_what_comparing_every_pair_in_a_block_finds():
    # Given 1,500 demo-named contacts in three areas (namesakes, re-entered twins and near-misses among them)
    areas = [LocalAreaFactory() for _ in range(3)]
    people = []
    for i in range(demo.SCALED_FROM, demo.SCALED_FROM + 1500):
        first, last = demo.scaled_name(i)
        if i % 50 == 0:
            last = last[:-1]  # a dropped last letter: similar to some surnames, not to others
        people.append(Contact(first_name=first, last_name=last, area=areas[i % 3]))
    Contact.objects.bulk_create(people)
    rows = list(Contact.objects.values_list("pk", "area_id", "first_name", "last_name"))

    # when the finder runs
    found = {(p.first_id, p.second_id): p.reasons[SIMILAR_NAME_IN_AREA] for p in duplicate_candidates()}

    # then it agrees pair for pair with the slow way: every two people in the same block, one at a time
    expected = {}
    for (a, area_a, first_a, last_a), (b, area_b, first_b, last_b) in combinations(sorted(rows), 2):
        fa, la, fb, lb = (normalise_name(x) for x in (first_a, last_a, first_b, last_b))
        same_block = soundex(la) == soundex(lb) or la[:3] == lb[:3]
        if area_a != area_b or fa[0] != fb[0] or not same_block:
            continue
        if fa + la == fb + lb:
            expected[(a, b)] = "identical apart from punctuation or case"
        elif SequenceMatcher(None, la, lb).ratio() >= 0.9 or SequenceMatcher(None, lb, la).ratio() >= 0.9:
            expected[(a, b)] = "similar last name, same first initial"
    assert found == expected
    assert len(expected) > 50


URLS = [("crm:duplicate_list", None)]


@pytest.mark.parametrize(
    ("role", "list_status", "post_status"),
    [("admin", 200, 302), ("leader", 200, 403), ("campaign_staff", 200, 403), ("viewer", 200, 403)],
)
def test_role_matrix_for_duplicate_pages(role, list_status, post_status, client, users_by_role):
    a = ContactFactory(email="same@example.org")
    b = ContactFactory(email="same@example.org", area=a.area)
    client.force_login(users_by_role[role])
    listing = client.get(reverse("crm:duplicate_list"))
    assert listing.status_code == list_status
    assert b"Same email address" in listing.content
    compare_url = reverse("crm:duplicate_compare", args=[a.pk, b.pk])
    assert client.get(compare_url).status_code == 200
    assert client.post(compare_url, {"survivor": str(a.pk)}).status_code == post_status


def test_anonymous_people_are_sent_to_sign_in(client):
    a, b = ContactFactory(), ContactFactory()
    for url in (reverse("crm:duplicate_list"), reverse("crm:duplicate_compare", args=[a.pk, b.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_duplicate_list_runs_the_same_queries_for_few_and_many_pairs(client, viewer, django_assert_num_queries):
    client.force_login(viewer)
    ContactFactory(email="a@example.org")
    ContactFactory(email="a@example.org")
    client.get(reverse("crm:duplicate_list"))  # warm the session and permission caches

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("crm:duplicate_list"))
    for i in range(40):
        ContactFactory(email=f"dup{i}@example.org")
        ContactFactory(email=f"dup{i}@example.org")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("crm:duplicate_list"))
    assert b"41 possible duplicates" in response.content
    assert len(many) == len(few)
