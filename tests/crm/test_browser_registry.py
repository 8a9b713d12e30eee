"""In a real browser: a leader finds a contact through the list's search and opens their page."""

import pytest

from crm.roles import Role
from tests.conftest import make_user
from tests.crm.factories import AffiliationFactory, ContactFactory, OrganisationFactory


@pytest.mark.browser
def test_leader_finds_a_contact_by_organisation_and_opens_their_page(page, live_server, transactional_db):
    # Given a leader and a registry with the person they are looking for among others
    make_user(Role.LEADER, email="lee@example.org", password="a-long-demo-password")
    hub = OrganisationFactory(name="Hackney Family Hub")
    wanted = ContactFactory(first_name="Amara", last_name="Nwosu", job_title="Family hub manager")
    AffiliationFactory(contact=wanted, organisation=hub, role="Family hub manager")
    ContactFactory.create_batch(5)

    # When they sign in, open Contacts and search for the organisation
    page.goto(f"{live_server.url}/crm/contacts/")
    page.get_by_label("Email address").fill("lee@example.org")
    page.get_by_label("Password").fill("a-long-demo-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/crm/contacts/")
    page.get_by_label("Search").fill("hackney family")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**q=hackney+family**")

    # Then only the matching contact is listed, and their page shows their role and timeline
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    page.get_by_role("link", name="Amara Nwosu").click()
    page.wait_for_url(f"**{wanted.get_absolute_url()}")
    assert page.get_by_role("heading", name="Amara Nwosu", level=1).is_visible()
    assert page.get_by_role("link", name="Hackney Family Hub").first.is_visible()
    assert page.get_by_role("heading", name="Timeline").is_visible()
