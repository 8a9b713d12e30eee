"""API fixtures: a token per role, a client that sends it, and one of every record the API serves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from boards.models import StageChange
from boards.reporting.models import WeeklyReport
from campaigns.models import Delivery, Response
from crm.api.services import token_create
from tests.boards.factories import BoardFactory, CommitmentFactory, EngagementFactory, MeetingFactory, MembershipFactory
from tests.campaigns.factories import CampaignFactory, MessageFactory, SegmentFactory, SendFactory
from tests.crm.factories import AffiliationFactory, ContactFactory, LocalAreaFactory, OrganisationFactory

ROLES = ["admin", "leader", "campaign_staff", "viewer"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Token ids can repeat between tests (SQLite reuses rolled-back ids); throttle counts must not.
    cache.clear()


def client_for(user) -> APIClient:
    """A client that authenticates as an integration would: with a personal token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user, name='Tests').secret}")
    return client


@pytest.fixture
def api_clients(users_by_role) -> dict[str, APIClient]:
    clients = {role: client_for(user) for role, user in users_by_role.items()}
    clients["anonymous"] = APIClient()
    return clients


@pytest.fixture
def admin_api(admin_user) -> APIClient:
    return client_for(admin_user)


@pytest.fixture
def world(db, leader, campaign_staff):
    """One of every record the API serves."""
    # A user-added area, so that roles allowed to change areas can (ONS areas are read-only to everyone).
    board = BoardFactory(owner=leader, area=LocalAreaFactory(is_custom=True))
    membership = MembershipFactory(board=board)
    contact = membership.contact
    organisation = OrganisationFactory(area=board.area)
    affiliation = AffiliationFactory(contact=contact, organisation=organisation)
    engagement = EngagementFactory(board=board, created_by=leader)
    engagement.contacts.add(contact)
    meeting = MeetingFactory(board=board, created_by=leader)
    follow_up = CommitmentFactory(board=board, owner=leader, area=board.area, created_by=leader)
    stage_change = StageChange.objects.create(
        board=board, from_stage=0, to_stage=1, evidence_engagement=engagement, changed_by=leader
    )
    campaign = CampaignFactory(owner=campaign_staff)
    message = MessageFactory(campaign=campaign)
    segment = SegmentFactory(campaign=campaign)
    send = SendFactory(campaign=campaign, message=message, segment=segment)
    delivery = Delivery.objects.create(send=send, contact=contact, email=contact.email)
    response = Response.objects.create(
        campaign=campaign, contact=contact, kind="pledged", occurred_on=timezone.localdate() - dt.timedelta(days=1)
    )
    return {
        "area": board.area,
        "organisation": organisation,
        "contact": contact,
        "affiliation": affiliation,
        "board": board,
        "membership": membership,
        "meeting": meeting,
        "engagement": engagement,
        "follow-up": follow_up,
        "stage-change": stage_change,
        "campaign": campaign,
        "message": message,
        "segment": segment,
        "send": send,
        "delivery": delivery,
        "response": response,
        "weekly-report": WeeklyReport.objects.create(
            week_start=timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday() + 7),
            status=WeeklyReport.Status.READY,
            built_at=timezone.now(),
            figures={"engagements": {"total": {"this": 3, "prev": 1, "change": 2}}},
        ),
        "extra_contact": ContactFactory(area=board.area),
    }
