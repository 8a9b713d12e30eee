import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_login_by_email_reaches_the_dashboard(client, leader):
    # Emails are matched whatever their case: people type them as they like.
    response = client.post(reverse("login"), {"username": leader.email.upper(), "password": "correct-horse-battery"})
    assert response.status_code == 302
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert leader.full_name.split()[0] in page.content.decode()


@pytest.mark.django_db
def test_wrong_password_gets_a_clear_error(client, leader):
    response = client.post(reverse("login"), {"username": leader.email, "password": "nope"})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()


@pytest.mark.django_db
def test_dashboard_uses_uk_dates_and_the_govuk_frame(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'lang="en-GB"' in html
    assert "govuk-template__body" in html
    assert "Skip to main content" in html
    assert "GDS Transport" not in html


@pytest.mark.django_db
def test_navigation_lists_only_sections_that_exist(client, viewer):
    from crm.navigation import SECTIONS

    client.force_login(viewer)
    html = client.get(reverse("dashboard")).content.decode()
    from django.urls import NoReverseMatch

    for section in SECTIONS:
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            assert f">{section.label}<" not in html.replace("\n", "").replace("  ", "")
            continue
        if section.staff_only:
            assert f'href="{url}"' not in html


@pytest.mark.django_db
def test_friendly_404(client, viewer):
    client.force_login(viewer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_friendly_500_has_no_stack_trace(client):
    from crm.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert "Traceback" not in body


@pytest.mark.django_db
def test_logout_needs_post_and_ends_the_session(client, viewer):
    client.force_login(viewer)
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_unsafe_inline(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("dashboard"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "nonce-" in csp
