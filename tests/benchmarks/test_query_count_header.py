"""The X-Query-Count header the benchmarks read: there only when QUERY_COUNT_HEADER is on, and exact."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MIDDLEWARE = "crm.middleware.QueryCountHeaderMiddleware"


@pytest.fixture
def counting(settings):
    settings.QUERY_COUNT_HEADER = True
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    return settings


def test_the_header_counts_every_query_of_the_request(counting, client):
    # Given a signed-in user and the header switched on
    client.force_login(UserFactory())
    # When they open a page
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/")
    # Then the header says how many queries the whole request ran, middleware included
    assert response.status_code == 200
    assert int(response["X-Query-Count"]) == len(queries)
    assert len(queries) > 0


def test_the_header_is_absent_unless_switched_on(settings, client):
    # Given the middleware listed but the setting off (as anywhere but the benchmark)
    settings.QUERY_COUNT_HEADER = False
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    client.force_login(UserFactory())
    # When a page is opened, then nothing is counted or added
    assert "X-Query-Count" not in client.get("/accounts/")
