"""The contact list's search: what each word matches, and that PostgreSQL answers it from trigram indexes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from crm.filters import ContactFilter
from crm.models import Affiliation, Contact, ContactEmail, Organisation
from crm.selectors import contact_list
from tests.crm.factories import AffiliationFactory, ContactEmailFactory, ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

TRIGRAM_INDEXES = {
    "crm_contact_first_name_trgm": ("crm_contact", "first_name"),
    "crm_contact_last_name_trgm": ("crm_contact", "last_name"),
    "crm_contact_email_trgm": ("crm_contact", "email"),
    "crm_contact_job_title_trgm": ("crm_contact", "job_title"),
    "crm_contactemail_email_trgm": ("crm_contactemail", "email"),
    "crm_organisation_name_trgm": ("crm_organisation", "name"),
}


@pytest.fixture
def people():
    """Contacts each findable by a different part of their record, and one who left the matching employer."""
    hub = OrganisationFactory(name="Bristol Family Hub")
    return {
        "first": ContactFactory(first_name="Oluwaseun", last_name="Adeyemi", email="o.a@example.org"),
        "last": ContactFactory(first_name="Ann", last_name="Featherstonehaugh", email="ann@example.org"),
        "email": ContactFactory(first_name="Bo", last_name="Kim", email="bo.kim@quayside.example.org"),
        "job": ContactFactory(first_name="Cy", last_name="Rees", job_title="Perinatal mental health lead"),
        "other_email": ContactEmailFactory(
            contact=ContactFactory(first_name="Di", last_name="Shaw"), email="d.shaw@harbourside.example.org"
        ).contact,
        "works_at_hub": AffiliationFactory(
            contact=ContactFactory(first_name="Ed", last_name="Lowe"), organisation=hub
        ).contact,
        "left_hub": AffiliationFactory(
            contact=ContactFactory(first_name="Fay", last_name="Moss"),
            organisation=hub,
            start_date=timezone.localdate() - dt.timedelta(days=400),
            end_date=timezone.localdate() - dt.timedelta(days=30),
        ).contact,
    }


def found(query: str) -> list[int]:
    return sorted(ContactFilter(QueryDict(f"q={query}"), queryset=contact_list()).qs.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("luwase", "first"),  # part of a first name
        ("FEATHERSTONE", "last"),  # any case
        ("quayside", "email"),
        ("perinatal", "job"),
        ("harbourside", "other_email"),  # an email kept besides the main one
        ("family hub", "works_at_hub"),  # the current employer's name, not a past one
    ],
)
def test_each_word_matches_names_emails_job_title_and_current_employer(people, query, who):
    # Given contacts each findable by one part of their record
    # When someone searches for a word from that part
    # Then that contact, and only that contact, is listed
    assert found(query) == [people[who].pk]


def test_a_one_or_two_letter_word_matches_the_same_parts_of_a_record(people):
    # Given a contact called Wu, and the hub whose name holds "ub", where only Ed still works
    wu = ContactFactory(first_name="Mei", last_name="Wu", email="mei@example.org")

    # When someone searches for two letters, which no trigram index can look up
    # Then the search still matches names and current employers (the slower way, contact by contact)
    assert found("wu") == [wu.pk]
    assert found("ub") == [people["works_at_hub"].pk]
    assert found("ub lowe") == [people["works_at_hub"].pk]


def test_every_word_must_match_and_a_contact_matching_twice_is_listed_once(people):
    # Given Ed, who works at the hub and whose name is Lowe, and a second hub contact with an email at the hub
    ed = people["works_at_hub"]
    ContactEmailFactory(contact=ed, email="ed@bristolfamilyhub.example.org")

    # When the search names both the hub and Ed, or matches Ed through two routes at once
    # Then Ed is listed once; a word nobody has empties the list
    assert found("bristol lowe") == [ed.pk]
    assert found("bristol") == [ed.pk]
    assert found("bristol nobodyhasthis") == []


def test_the_list_page_shows_the_matches_of_a_search(client, viewer, people):
    # Given the contacts above
    client.force_login(viewer)

    # When a viewer searches the contacts list for part of a surname
    response = client.get(reverse("crm:contact_list"), {"q": "featherstone"})

    # Then the page lists only that contact
    assert response.status_code == 200
    assert [row.record.pk for row in response.context["table"].paginated_rows] == [people["last"].pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm indexes exist on PostgreSQL only")
def test_postgresql_answers_each_searched_column_from_its_trigram_index(people):
    # Given the migrations have run (pytest-django migrates the test database)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, tablename, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"])
        indexes = {name: (table, definition) for name, table, definition in cursor.fetchall()}
    # Then every column the search reads has a GIN trigram index on UPPER(column), the form icontains takes
    for name, (table, column) in TRIGRAM_INDEXES.items():
        assert name in indexes
        assert indexes[name][0] == table
        assert "USING gin" in indexes[name][1]
        assert "gin_trgm_ops" in indexes[name][1]
        assert f"upper(({column})::text)" in indexes[name][1]

    # And a few thousand rows with fresh statistics, so the planner prices each index as it would in use
    grow_registry(3000)

    # When the search for a rare word is planned, with sequential scans priced out (over 100,000 contacts the
    # planner leaves them by itself; a test's few thousand rows sit near the break-even point)
    sql, params = ContactFilter(QueryDict("q=quayside"), queryset=contact_list()).qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # Plain index scans are priced out too, or a few thousand rows can be read through the primary key
        # and filtered; what is left is a bitmap scan of the index that holds the searched expression.
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # Then the plan reads each searched table through its trigram indexes
    for name in TRIGRAM_INDEXES:
        assert name in plan, plan


def grow_registry(n: int) -> None:
    contacts = Contact.objects.bulk_create(
        Contact(first_name=f"First{i}", last_name=f"Last{i}", email=f"person{i}@example.org", job_title=f"Role {i}")
        for i in range(n)
    )
    ContactEmail.objects.bulk_create(ContactEmail(contact=c, email=f"other{c.pk}@example.net") for c in contacts)
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Council {i}", kind=Organisation.Kind.LOCAL_AUTHORITY) for i in range(n // 3)
    )
    Affiliation.objects.bulk_create(
        Affiliation(contact=c, organisation=organisations[i % len(organisations)]) for i, c in enumerate(contacts)
    )
    with connection.cursor() as cursor:
        # Rows inserted since the index was built wait in its pending list (GIN's fast update), which the
        # planner prices as a slow scan; VACUUM would move them, but cannot run inside the test's transaction.
        for name in TRIGRAM_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
        for table in ("crm_contact", "crm_contactemail", "crm_organisation", "crm_affiliation"):
            cursor.execute(f"ANALYZE {table}")
