"""The contact page links to the next things a person does with a contact, and shows merges."""

import pytest
from django.urls import reverse

from crm.services.merging import contact_merge
from tests.crm.factories import ContactFactory


@pytest.mark.django_db
def test_leader_can_log_an_engagement_from_a_contact_page_with_the_contact_filled_in(client, leader):
    contact = ContactFactory()
    client.force_login(leader)
    page = client.get(reverse("crm:contact_detail", args=[contact.pk])).content.decode()
    link = f"{reverse('boards:engagement_create')}?contact={contact.pk}"
    assert link in page
    form = client.get(link).context["form"]
    assert list(form.initial["contacts"]) == [contact]


@pytest.mark.django_db
def test_campaign_staff_can_record_a_response_from_a_contact_page(client, campaign_staff):
    contact = ContactFactory()
    client.force_login(campaign_staff)
    page = client.get(reverse("crm:contact_detail", args=[contact.pk])).content.decode()
    assert f"{reverse('campaigns:response_create')}?contact={contact.pk}" in page
    assert reverse("boards:engagement_create") not in page  # campaign staff read boards only


@pytest.mark.django_db
def test_viewer_sees_neither_action(client, viewer):
    contact = ContactFactory()
    client.force_login(viewer)
    page = client.get(reverse("crm:contact_detail", args=[contact.pk])).content.decode()
    assert reverse("boards:engagement_create") not in page
    assert reverse("campaigns:response_create") not in page


@pytest.mark.django_db
def test_the_survivor_page_shows_the_merge(client, admin_user):
    survivor = ContactFactory(first_name="Priya", last_name="Shah")
    twin = ContactFactory(first_name="Priya", last_name="Shah", email="p.shah@example.org")
    contact_merge(actor=admin_user, survivor=survivor, merged=twin)
    client.force_login(admin_user)
    page = client.get(reverse("crm:contact_detail", args=[survivor.pk])).content.decode()
    assert "Merged records" in page
    assert "p.shah@example.org" in page
