"""A person signs in as the demo leader in a real browser, sees the dashboard, signs out and is refused."""

import pytest
from django.core.management import call_command


@pytest.mark.browser
def test_leader_signs_in_sees_dashboard_and_is_refused_after_logout(page, live_server, transactional_db):
    call_command("seed_demo", "--quiet-logins")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Email address").fill("leader@example.org")
    page.get_by_label("Password").fill("common-ground-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Hello, Lee").is_visible()
    assert page.locator(".govuk-generic-header__homepage-link").inner_text() == "Common Ground"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("heading", name="Sign in to Common Ground").is_visible()
