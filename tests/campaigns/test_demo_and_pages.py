import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from campaigns.models import Campaign, Delivery, Response, Send
from campaigns.services import sending
from tests.campaigns.factories import CampaignFactory, GoalFactory, MessageFactory, SendFactory
from tests.crm.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_campaign_once():
    ContactFactory.create_batch(30)
    call_command("seed_demo", "--quiet-logins", "--contacts", "40")
    campaign = Campaign.objects.get(slug="lost-parents")
    assert campaign.goals.count() == 4
    assert campaign.segments.count() == 2
    statuses = set(campaign.sends.values_list("status", flat=True))
    assert statuses == {Send.Status.FINISHED, Send.Status.DRAFT}
    finished = campaign.sends.get(status=Send.Status.FINISHED)
    assert Delivery.objects.filter(send=finished, status="sent").exists()
    assert Response.objects.filter(campaign=campaign).exists()
    call_command("seed_demo", "--quiet-logins", "--contacts", "40")
    assert Campaign.objects.filter(slug="lost-parents").count() == 1
    assert campaign.sends.count() == 2


def test_creating_a_campaign_through_the_page(client, campaign_staff):
    client.force_login(campaign_staff)
    response = client.post(
        reverse("campaigns:campaign_create"),
        {
            "name": "#LostParents North West",
            "aim": "Reach health visitors",
            "starts_on": "2026-11-22",
            "ends_on": "2026-11-01",
            "status": "draft",
            "from_name": "Campaigns",
            "from_email": "campaigns@example.org",
        },
    )
    assert response.status_code == 400
    assert "The end date must be the same as or after the start date" in response.content.decode()
    assert not Campaign.objects.exists()
    response = client.post(
        reverse("campaigns:campaign_create"),
        {
            "name": "#LostParents North West",
            "aim": "Reach health visitors",
            "starts_on": "2026-11-22",
            "status": "draft",
            "from_name": "Campaigns",
            "from_email": "campaigns@example.org",
        },
    )
    campaign = Campaign.objects.get()
    assert response["Location"] == campaign.get_absolute_url()
    assert campaign.slug == "lostparents-north-west"


def test_campaign_list_runs_the_same_queries_for_few_and_many(client, viewer, django_assert_max_num_queries):
    client.force_login(viewer)
    CampaignFactory.create_batch(3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("campaigns:campaign_list"))  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("campaigns:campaign_list")).status_code == 200
    CampaignFactory.create_batch(40)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("campaigns:campaign_list"))
    assert len(many) == len(few)


def test_send_page_queries_do_not_grow_with_recipients(client, viewer, campaign_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(viewer)
    ContactFactory.create_batch(10)
    small = sending.send_start(send=SendFactory(), actor=campaign_staff)
    client.get(reverse("campaigns:send_detail", args=[small.pk]))  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("campaigns:send_detail", args=[small.pk]))
    ContactFactory.create_batch(60)
    big = sending.send_start(send=SendFactory(), actor=campaign_staff)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("campaigns:send_detail", args=[big.pk]))
    assert len(many) == len(few)


def test_progress_json_reports_counts_and_time_to_finish(client, viewer, campaign_staff):
    ContactFactory.create_batch(5)
    send = sending.send_start(send=SendFactory(rate_per_second=1), actor=campaign_staff)
    client.force_login(viewer)
    data = json.loads(client.get(reverse("campaigns:send_progress", args=[send.pk])).content)
    assert data["total"] == 5
    assert data["remaining"] == 5
    assert data["sent"] == 0
    assert data["finishes_in_seconds"] == 6


def test_segment_count_json_names_excluded_reasons(client, viewer):
    ContactFactory.create_batch(2)
    ContactFactory(do_not_contact=True)
    client.force_login(viewer)
    data = json.loads(
        client.get(reverse("campaigns:segment_count"), {"practitioner_groups": "health_visiting"}).content
    )
    assert data["eligible"] == 2
    assert data["excluded"] == [{"reason": "do_not_contact", "label": "Marked do not contact", "count": 1}]
    bad = client.get(reverse("campaigns:segment_count"), {"regions": "atlantis"})
    assert bad.status_code == 400


def test_message_preview_uses_a_real_contact_and_shows_errors_with_lines(client, campaign_staff):
    contact = ContactFactory(first_name="Aisha")
    message = MessageFactory()
    client.force_login(campaign_staff)
    page = client.get(reverse("campaigns:message_detail", args=[message.pk]), {"contact": contact.pk})
    assert "Hello Aisha, children need both parents" in page.content.decode()
    response = client.post(
        reverse("campaigns:message_update", args=[message.pk]),
        {"name": "x", "subject": "Hi", "html_body": "<p>\n{{ frist_name }}</p>", "text_body": "ok"},
    )
    assert response.status_code == 400
    assert "Line 2: &#x27;frist_name&#x27; is not a merge field" in response.content.decode()


def test_send_a_test_to_yourself(client, campaign_staff, mailer):
    contact = ContactFactory(first_name="Bea")
    message = MessageFactory()
    client.force_login(campaign_staff)
    client.post(reverse("campaigns:message_send_test", args=[message.pk]), {"contact": contact.pk})
    assert len(mailer.messages) == 1
    received = mailer.messages[0]
    assert received.rcpt_tos == [campaign_staff.email]
    assert received.message["Subject"] == "[Test] Hello Bea, children need both parents"


def test_results_page_and_csv(client, leader, campaign_staff, mailer):
    ContactFactory.create_batch(3)
    send = sending.send_start(send=SendFactory(), actor=campaign_staff)
    GoalFactory(campaign=send.campaign, target=6)
    sending.send_deliver_batch(send_id=send.pk)
    client.force_login(leader)
    page = client.get(reverse("campaigns:results", args=[send.campaign.pk])).content.decode()
    assert "cg-bar--50" in page  # 3 of 6 reached
    assert "Health visiting" in page
    assert 'style="' not in page
    csv_text = client.get(reverse("campaigns:results_export", args=[send.campaign.pk])).content.decode("utf-8-sig")
    assert "Totals,All recipients,3,0,0," in csv_text
    assert "Practitioner group,Health visiting,3,0,0,0" in csv_text
    per_send = client.get(reverse("campaigns:results", args=[send.campaign.pk]), {"send": send.pk})
    assert per_send.status_code == 200
