"""Big lists count at most CappedCountPaginator.cap + 1 rows and say "more than" past it; small lists are exact."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.views.registry import CappedCountPaginator
from tests.crm.factories import ContactFactory


@pytest.fixture
def cap_of_ten(monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 10)


@pytest.mark.django_db
def test_a_list_under_the_cap_shows_the_exact_count_and_numbered_pages(client, viewer, cap_of_ten):
    ContactFactory.create_batch(9)
    client.force_login(viewer)

    response = client.get(reverse("crm:contact_list"), {"per_page": 5})

    page = response.content.decode()
    assert "Showing 1 to 5 of 9" in page
    assert 'aria-label="Page 2"' in page
    assert "of more than" not in page


@pytest.mark.django_db
def test_a_list_over_the_cap_says_more_than_and_pages_through_the_first_rows(client, viewer, cap_of_ten):
    ContactFactory.create_batch(13)
    client.force_login(viewer)

    first = client.get(reverse("crm:contact_list"), {"per_page": 5}).content.decode()
    last = client.get(reverse("crm:contact_list"), {"per_page": 5, "page": 2}).content.decode()
    beyond = client.get(reverse("crm:contact_list"), {"per_page": 5, "page": 3})

    assert "Showing 1 to 5 of more than 10. Use the filters to narrow it down." in first
    assert 'rel="next"' in first
    assert 'rel="prev"' not in first
    assert "Showing 6 to 10 of more than 10." in last
    assert 'rel="prev"' in last
    assert 'rel="next"' not in last
    assert beyond.status_code == 200  # past the counted rows: the last counted page, not an error
    assert "Showing 6 to 10 of more than 10." in beyond.content.decode()


@pytest.mark.django_db
def test_the_count_reads_no_more_than_cap_plus_one_rows(client, viewer, cap_of_ten):
    ContactFactory.create_batch(13)
    client.force_login(viewer)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("crm:contact_list"))

    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and "crm_contact" in q["sql"]]
    assert len(counts) == 1
    assert "LIMIT 11" in counts[0]


@pytest.mark.django_db
def test_the_engagement_list_over_the_cap_says_more_than(client, viewer, cap_of_ten):
    from tests.boards.factories import EngagementFactory

    EngagementFactory.create_batch(12)
    client.force_login(viewer)

    response = client.get(reverse("boards:engagement_list"))

    assert response.status_code == 200
    assert "Showing 1 to 10 of more than 10." in response.content.decode()
