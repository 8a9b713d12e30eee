"""Every campaigns URL against every role: anonymous, viewer, leader, campaign staff, admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.services.email import unsubscribe_token
from tests.campaigns.factories import GoalFactory, MessageFactory, SegmentFactory, SendFactory

pytestmark = pytest.mark.django_db

READ = {"admin", "leader", "campaign_staff", "viewer"}
WRITE = {"admin", "campaign_staff"}

# (url name, args from the world, method, roles allowed)
URLS = [
    ("campaigns:campaign_list", lambda w: [], "get", READ),
    ("campaigns:campaign_create", lambda w: [], "get", WRITE),
    ("campaigns:campaign_detail", lambda w: [w["campaign"].pk], "get", READ),
    ("campaigns:campaign_update", lambda w: [w["campaign"].pk], "get", WRITE),
    ("campaigns:goal_add", lambda w: [w["campaign"].pk], "post", WRITE),
    ("campaigns:goal_remove", lambda w: [w["goal"].pk], "post", WRITE),
    ("campaigns:results", lambda w: [w["campaign"].pk], "get", READ),
    ("campaigns:results_export", lambda w: [w["campaign"].pk], "get", READ),
    ("campaigns:message_create", lambda w: [w["campaign"].pk], "get", WRITE),
    ("campaigns:message_detail", lambda w: [w["message"].pk], "get", READ),
    ("campaigns:message_update", lambda w: [w["message"].pk], "get", WRITE),
    ("campaigns:message_send_test", lambda w: [w["message"].pk], "post", WRITE),
    ("campaigns:send_create", lambda w: [w["campaign"].pk], "get", WRITE),
    ("campaigns:send_detail", lambda w: [w["send"].pk], "get", READ),
    ("campaigns:send_progress", lambda w: [w["send"].pk], "get", READ),
    ("campaigns:send_start", lambda w: [w["send"].pk], "post", WRITE),
    ("campaigns:send_pause", lambda w: [w["send"].pk], "post", WRITE),
    ("campaigns:send_resume", lambda w: [w["send"].pk], "post", WRITE),
    ("campaigns:send_cancel", lambda w: [w["send"].pk], "post", WRITE),
    ("campaigns:segment_list", lambda w: [], "get", READ),
    ("campaigns:segment_create", lambda w: [], "get", WRITE),
    ("campaigns:segment_count", lambda w: [], "get", READ),
    ("campaigns:segment_detail", lambda w: [w["segment"].pk], "get", READ),
    ("campaigns:segment_update", lambda w: [w["segment"].pk], "get", WRITE),
    ("campaigns:response_create", lambda w: [], "get", WRITE),
    ("campaigns:response_import", lambda w: [w["campaign"].pk], "get", WRITE),
]


@pytest.fixture
def world():
    message = MessageFactory()
    campaign = message.campaign
    return {
        "campaign": campaign,
        "goal": GoalFactory(campaign=campaign),
        "message": message,
        "segment": SegmentFactory(campaign=campaign),
        "send": SendFactory(message=message),
    }


@pytest.mark.parametrize(("name", "args", "method", "allowed"), URLS, ids=[u[0] for u in URLS])
@pytest.mark.parametrize("role", ["anonymous", "viewer", "leader", "campaign_staff", "admin"])
def test_role_matrix(client, users_by_role, world, role, name, args, method, allowed):
    url = reverse(name, args=args(world))
    if role != "anonymous":
        client.force_login(users_by_role[role])
    response = getattr(client, method)(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif role in allowed:
        # Past the permission check: a page, a redirect, or a form error for an empty POST.
        assert response.status_code in {200, 302, 400}, response.content[:500]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ["anonymous", "viewer", "campaign_staff"])
def test_public_pages_need_no_login(client, users_by_role, world, role):
    if role != "anonymous":
        client.force_login(users_by_role[role])
    campaign = world["campaign"]
    assert client.get(reverse("campaigns:pledge", args=[campaign.slug])).status_code == 200
    assert client.get(reverse("campaigns:pledge_thanks", args=[campaign.slug])).status_code == 200
    assert client.get(reverse("campaigns:unsubscribe", args=[unsubscribe_token(0)])).status_code == 200
    assert client.get(reverse("campaigns:unsubscribe", args=["tampered"])).status_code == 400
    assert client.get(reverse("campaigns:pledge_confirm", args=["tampered"])).status_code == 400


def test_an_unpublished_pledge_page_is_not_found(client, world):
    campaign = world["campaign"]
    campaign.pledge_page_enabled = False
    campaign.save()
    assert client.get(reverse("campaigns:pledge", args=[campaign.slug])).status_code == 404
