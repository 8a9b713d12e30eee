"""Sign-in throttling, sign-in audit, session timeouts, no-store caching and re-authentication."""

import time

import pytest
from django.urls import reverse

from crm.middleware import SESSION_LAST_SEEN, SESSION_SIGNED_IN_AT
from crm.models import AuditEvent

PASSWORD = "correct-horse-battery"


def sign_in(client, email, password, address="203.0.113.5"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_guessing_from_one_address_blocks_that_address_but_not_the_real_user_elsewhere(client, leader, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    for _ in range(3):
        assert sign_in(client, leader.email, "wrong", address="198.51.100.9").status_code == 200
    # The attacker's address is now refused, even with the right password...
    blocked = sign_in(client, leader.email, PASSWORD, address="198.51.100.9")
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.content.decode()
    # ...but the real user, signing in from their own address, is not locked out.
    assert sign_in(client, leader.email, PASSWORD, address="203.0.113.5").status_code == 302


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_slowed_down(client, leader, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 4
    for n in range(4):
        sign_in(client, f"someone{n}@example.org", "wrong", address="198.51.100.10")
    assert sign_in(client, leader.email, PASSWORD, address="198.51.100.10").status_code == 429


@pytest.mark.django_db
def test_sign_ins_and_failures_are_audited(client, leader):
    sign_in(client, leader.email, "wrong")
    sign_in(client, leader.email, PASSWORD)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "target_repr"))
    assert actions[0] == (AuditEvent.Action.LOGIN_FAILED, leader.email)
    assert actions[1][0] == AuditEvent.Action.LOGIN
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGIN).actor == leader


@pytest.mark.django_db
def test_sign_in_gives_a_new_session_key(client, leader):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    sign_in(client, leader.email, PASSWORD)
    assert client.session.session_key != before


@pytest.mark.django_db
def test_idle_session_is_signed_out(client, leader, settings):
    sign_in(client, leader.email, PASSWORD)
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_session_ends_at_the_absolute_timeout_even_when_active(client, leader, settings):
    sign_in(client, leader.email, PASSWORD)
    session = client.session
    session[SESSION_SIGNED_IN_AT] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT - 5
    session.save()
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_pages_for_signed_in_users_are_not_stored(client, viewer):
    client.force_login(viewer)
    cache_control = client.get(reverse("dashboard"))["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control


@pytest.mark.django_db
def test_changing_email_needs_the_current_password(client, leader):
    client.force_login(leader)
    refused = client.post(reverse("account"), {"email": "new@example.org", "current_password": "wrong"})
    assert refused.status_code == 400
    assert "Your current password is not right" in refused.content.decode()
    leader.refresh_from_db()
    assert leader.email != "new@example.org"

    done = client.post(reverse("account"), {"email": "New@Example.org", "current_password": PASSWORD})
    assert done.status_code == 302
    leader.refresh_from_db()
    assert leader.email == "new@example.org"
    event = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, target_id=str(leader.pk))
    assert event.changes["email"][1] == "new@example.org"


@pytest.mark.django_db
def test_changing_password_needs_the_old_one_and_refuses_common_passwords(client, leader):
    client.force_login(leader)
    url = reverse("password_change")
    wrong_old = client.post(url, {"old_password": "nope", "new_password1": "x" * 14, "new_password2": "x" * 14})
    assert wrong_old.status_code == 200
    common_password = "password1234"
    common = client.post(
        url, {"old_password": PASSWORD, "new_password1": common_password, "new_password2": common_password}
    )
    assert "too common" in common.content.decode()
    strong = "amber kettle lantern"
    ok = client.post(url, {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong})
    assert ok.status_code == 302
    leader.refresh_from_db()
    assert leader.check_password("amber kettle lantern")
