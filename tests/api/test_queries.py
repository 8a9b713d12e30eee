"""Every list costs the same number of queries at any page size: 10 rows or 200."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import client_for
from tests.api.test_permissions import RESOURCES
from tests.boards.factories import BoardFactory, CommitmentFactory, EngagementFactory, MeetingFactory, MembershipFactory
from tests.campaigns.factories import SegmentFactory, SendFactory
from tests.crm.factories import AffiliationFactory, ContactFactory, OrganisationFactory, TagFactory


@pytest.fixture
def many(world, leader):
    """More than 200 of the records each list shows, with the relations that could cost a query each."""
    area, board, send = world["area"], world["board"], world["send"]
    tag = TagFactory()
    contacts = ContactFactory.create_batch(205, area=area)
    for contact in contacts:
        contact.tags.add(tag)
    organisations = OrganisationFactory.create_batch(205, area=area)
    for organisation in organisations:
        organisation.tags.add(tag)
    AffiliationFactory.create_batch(205, contact=contacts[0], organisation=organisations[0])
    boards = BoardFactory.create_batch(205, area=area, owner=leader)
    MembershipFactory.create_batch(205, board=board, contact=contacts[1])
    for meeting in MeetingFactory.create_batch(205, board=board):
        meeting.attendees.add(contacts[2])
    for engagement in EngagementFactory.create_batch(205, board=board):
        engagement.contacts.add(contacts[3])
        engagement.leaders.add(leader)
    CommitmentFactory.create_batch(205, board=board, owner=leader)
    SegmentFactory.create_batch(205)
    SendFactory.create_batch(205, campaign=send.campaign, message=send.message, segment=send.segment)
    from boards.models import StageChange
    from boards.reporting.models import WeeklyReport
    from campaigns.models import Delivery, Response

    StageChange.objects.bulk_create(
        StageChange(board=b, from_stage=0, to_stage=1, evidence_url="https://example.org/minutes") for b in boards
    )
    Delivery.objects.bulk_create(Delivery(send=send, contact=c, email=c.email) for c in contacts)
    Response.objects.bulk_create(Response(campaign=send.campaign, contact=c, kind="replied") for c in contacts)
    import datetime as dt

    first = world["weekly-report"].week_start
    WeeklyReport.objects.bulk_create(WeeklyReport(week_start=first - dt.timedelta(weeks=n)) for n in range(1, 206))
    from campaigns.models import Campaign

    Campaign.objects.bulk_create(
        Campaign(name=f"Wave {n}", slug=f"wave-{n}", aim="Reach", starts_on=first, from_name="CG", from_email="a@b.org")
        for n in range(205)
    )
    from crm.models import LocalArea

    LocalArea.objects.bulk_create(LocalArea(name=f"Extra area {n}", region="london") for n in range(205))
    return world


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_list_costs_the_same_queries_for_10_rows_and_200(resource, many, admin_user):
    client = client_for(admin_user)

    def queries_for(page_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/{resource}/", {"page_size": page_size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == page_size, f"fewer than {page_size} {resource} to list"
        return len(captured.captured_queries)

    # The first request of a token records its last use (a write at most once a minute): not a row cost.
    client.get("/api/v1/")
    small, large = queries_for(10), queries_for(200)
    assert small == large, f"{resource}: {small} queries for 10 rows but {large} for 200"


def test_the_next_page_follows_the_cursor_without_repeats(many, admin_user):
    client = client_for(admin_user)
    first = client.get("/api/v1/contacts/", {"page_size": 100}).json()
    second = client.get(first["next"]).json()
    ids_first = {row["id"] for row in first["results"]}
    ids_second = {row["id"] for row in second["results"]}
    assert len(ids_second) == 100
    assert not ids_first & ids_second
