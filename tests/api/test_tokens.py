"""Personal API tokens: made and named on a web page, shown once, stored hashed, last use recorded,
and revoked with effect from the very next request."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from crm.api.models import ApiToken, hash_token
from crm.api.services import token_create
from crm.models import AuditEvent
from tests.api.conftest import ROLES


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_make_a_token_on_the_web_page_and_sees_the_secret_once(role, client, users_by_role):
    # Given a signed-in user of any role
    user = users_by_role[role]
    client.force_login(user)
    # When they name and create a token
    page = client.post(reverse("api:token_create"), {"name": "Council case system"})
    # Then the page shows the secret, which works against the API
    assert page.status_code == 200
    secret = re.search(r'value="(cg_[^"]+)"', page.content.decode()).group(1)
    assert bearer(secret).get("/api/v1/areas/").status_code == 200
    # And only its hash is stored; the list page shows its name and prefix but never the secret again
    token = ApiToken.objects.get(user=user)
    assert token.token_hash == hash_token(secret)
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    listing = client.get(reverse("api:token_list")).content.decode()
    assert "Council case system" in listing
    assert token.prefix in listing
    assert secret not in listing
    assert AuditEvent.objects.filter(target_type="api.apitoken", target_id=str(token.pk), actor=user).exists()


def test_token_pages_need_a_signed_in_user(client):
    for name, args in [("api:token_list", []), ("api:token_create", []), ("api:token_revoke", [1])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_a_token_name_is_needed_and_unique_among_live_tokens(client, leader):
    client.force_login(leader)
    assert client.post(reverse("api:token_create"), {"name": "  "}).status_code == 400
    client.post(reverse("api:token_create"), {"name": "Power BI"})
    again = client.post(reverse("api:token_create"), {"name": "power bi"})
    assert again.status_code == 400
    assert "already have a token called" in again.content.decode()
    assert ApiToken.objects.filter(user=leader).count() == 1


def test_revoking_takes_effect_on_the_very_next_request(client, leader):
    # Given a token in use
    new = token_create(user=leader, name="Spreadsheet")
    api = bearer(new.secret)
    assert api.get("/api/v1/boards/").status_code == 200
    # When its owner revokes it on the web page
    client.force_login(leader)
    assert client.get(reverse("api:token_revoke", args=[new.token.pk])).status_code == 200
    response = client.post(reverse("api:token_revoke", args=[new.token.pk]))
    assert response.status_code == 302
    # Then the same client is refused at once, with a JSON reason
    refused = api.get("/api/v1/boards/")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    # And the list shows it revoked, and the audit trail records who revoked it
    assert "Revoked" in client.get(reverse("api:token_list")).content.decode()
    assert AuditEvent.objects.filter(
        target_type="api.apitoken", target_id=str(new.token.pk), action=AuditEvent.Action.DELETE, actor=leader
    ).exists()


def test_nobody_can_revoke_someone_elses_token(client, leader, viewer):
    new = token_create(user=leader, name="Mine")
    client.force_login(viewer)
    assert client.post(reverse("api:token_revoke", args=[new.token.pk])).status_code == 404
    assert bearer(new.secret).get("/api/v1/boards/").status_code == 200


def test_last_use_is_shown_and_written_at_most_once_a_minute(client, leader, django_assert_num_queries):
    new = token_create(user=leader, name="Case system")
    api = bearer(new.secret)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api.get("/api/v1/areas/")
    new.token.refresh_from_db()
    assert new.token.last_used_at == start
    # Within the minute, a second request writes nothing
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        api.get("/api/v1/areas/")
    new.token.refresh_from_db()
    assert new.token.last_used_at == start
    # After it, the time moves on
    later = start + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        api.get("/api/v1/areas/")
    new.token.refresh_from_db()
    assert new.token.last_used_at == later
    client.force_login(leader)
    assert "Never" not in client.get(reverse("api:token_list")).content.decode()


def test_a_token_of_a_switched_off_account_is_refused(leader):
    new = token_create(user=leader, name="Old laptop")
    leader.is_active = False
    leader.save(update_fields=["is_active"])
    assert bearer(new.secret).get("/api/v1/areas/").status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer not-a-token", "Bearer \u00e9t\u00e9"])
def test_malformed_or_unknown_tokens_get_401_not_500(header, db):
    client = APIClient()
    response = client.get("/api/v1/areas/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_throttling_is_per_token(settings, leader, viewer):
    # Given a small allowance
    settings.API_THROTTLE_RATE = "3/minute"
    busy = bearer(token_create(user=leader, name="Busy").secret)
    other = bearer(token_create(user=leader, name="Quiet").secret)
    # When one token uses it up
    codes = [busy.get("/api/v1/areas/").status_code for _ in range(4)]
    # Then that token is told to wait, and another token of the same person is not
    assert codes == [200, 200, 200, 429]
    refused = busy.get("/api/v1/areas/")
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert other.get("/api/v1/areas/").status_code == 200
