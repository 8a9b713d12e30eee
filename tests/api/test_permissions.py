"""Each endpoint's permissions per role: the same rules as the web pages (crm.roles), reads included.

Allowed writes are sent an empty body: getting a 400 (the request was judged on its content) proves
the role was let through, a 403 that it was not, and neither saves anything."""

from __future__ import annotations

import pytest

from tests.api.conftest import ROLES

# resource -> (world key, roles that may add, roles that may change, roles that may delete or None if no delete)
CRM_EDIT = {"admin", "leader", "campaign_staff"}
BOARDS_EDIT = {"admin", "leader"}
CAMPAIGNS_EDIT = {"admin", "campaign_staff"}
RESOURCES = {
    "areas": ("area", CRM_EDIT, CRM_EDIT, {"admin"}),
    "organisations": ("organisation", CRM_EDIT, CRM_EDIT, {"admin"}),
    "contacts": ("contact", CRM_EDIT, CRM_EDIT, {"admin"}),
    "affiliations": ("affiliation", CRM_EDIT, None, None),
    "boards": ("board", BOARDS_EDIT, BOARDS_EDIT, None),
    "memberships": ("membership", BOARDS_EDIT, BOARDS_EDIT, None),
    "meetings": ("meeting", BOARDS_EDIT, BOARDS_EDIT, BOARDS_EDIT),
    "engagements": ("engagement", BOARDS_EDIT, BOARDS_EDIT, BOARDS_EDIT),
    "follow-ups": ("follow-up", BOARDS_EDIT, BOARDS_EDIT, None),
    "stage-changes": ("stage-change", BOARDS_EDIT, None, None),
    "campaigns": ("campaign", CAMPAIGNS_EDIT, CAMPAIGNS_EDIT, None),
    "segments": ("segment", CAMPAIGNS_EDIT, CAMPAIGNS_EDIT, None),
    "sends": ("send", CAMPAIGNS_EDIT, CAMPAIGNS_EDIT, None),
    "deliveries": ("delivery", None, None, None),
    "responses": ("response", CAMPAIGNS_EDIT, None, None),
    "weekly-reports": ("weekly-report", None, None, None),
}


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_is_refused_with_401_and_json(resource, world, api_clients):
    # Given no token and no session
    # When the list and a record are asked for
    listing = api_clients["anonymous"].get(f"/api/v1/{resource}/")
    record = api_clients["anonymous"].get(f"/api/v1/{resource}/{world[RESOURCES[resource][0]].pk}/")
    # Then both are 401 with a JSON reason, and the client is told how to authenticate
    for response in (listing, record):
        assert response.status_code == 401
        assert response.json()["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RESOURCES)
def test_every_role_reads_every_resource(resource, role, world, api_clients):
    key = RESOURCES[resource][0]
    listing = api_clients[role].get(f"/api/v1/{resource}/")
    record = api_clients[role].get(f"/api/v1/{resource}/{world[key].pk}/")
    assert listing.status_code == 200, listing.content
    assert world[key].pk in [row["id"] for row in listing.json()["results"]]
    assert record.status_code == 200
    assert record.json()["id"] == world[key].pk


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RESOURCES)
def test_writes_follow_the_role_rules(resource, role, world, api_clients):
    key, may_add, may_change, may_delete = RESOURCES[resource]
    client = api_clients[role]
    url = f"/api/v1/{resource}/{world[key].pk}/"

    created = client.post(f"/api/v1/{resource}/", {}, format="json")
    # Where the API offers no such write, the role check (403) comes before the method check (405).
    if may_add is None:
        assert created.status_code in {403, 405}
    else:
        assert created.status_code == (400 if role in may_add else 403), created.content

    changed = client.patch(url, {"id": "not a number"}, format="json")
    if may_change is None:
        assert changed.status_code in {403, 405}
    else:
        # An empty change is valid, so an allowed role gets 200 and the record back unchanged.
        assert changed.status_code == (200 if role in may_change else 403), changed.content

    if may_delete is None:
        assert client.delete(url).status_code in {403, 405}
    elif role not in may_delete:
        assert client.delete(url).status_code == 403
    # Whatever was refused, the record is still there.
    assert type(world[key]).objects.filter(pk=world[key].pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_roles_that_may_send_start_and_pause_sends(role, world, api_clients):
    # Given a draft send
    send = world["send"]
    client = api_clients[role]
    # When each role tries to pause it (it is not sending, so an allowed role is told why not)
    paused = client.post(f"/api/v1/sends/{send.pk}/pause/")
    # Then admins and campaign staff get a 400 that explains, leaders and viewers a 403
    assert paused.status_code == (400 if role in {"admin", "campaign_staff"} else 403), paused.content
    if paused.status_code == 400:
        assert "cannot be paused" in paused.json()["detail"]
    # And every role may watch its progress and count and preview its segment
    assert client.get(f"/api/v1/sends/{send.pk}/progress/").status_code == 200
    assert client.get(f"/api/v1/segments/{send.segment.pk}/count/").status_code == 200
    assert client.get(f"/api/v1/segments/{send.segment.pk}/preview/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_ending_an_affiliation_needs_the_change_permission(role, world, api_clients):
    response = api_clients[role].post(f"/api/v1/affiliations/{world['affiliation'].pk}/end/", {}, format="json")
    assert response.status_code == (400 if role in CRM_EDIT else 403)


def test_the_schema_and_resource_list_need_a_token_or_session(world, api_clients):
    assert api_clients["anonymous"].get("/api/schema/").status_code == 401
    assert api_clients["anonymous"].get("/api/v1/").status_code == 401
    assert api_clients["viewer"].get("/api/schema/").status_code == 200
    assert "weekly-reports" in api_clients["viewer"].get("/api/v1/").json()


def test_session_writes_need_the_csrf_token(world, leader):
    # Given a leader signed in to the web app, using the API from the browser
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(leader)
    # When they read, then write without the CSRF token
    read = client.get("/api/v1/boards/")
    write = client.patch(f"/api/v1/boards/{world['board'].pk}/", {"website": "https://example.org"}, format="json")
    # Then the read works and the write is refused
    assert read.status_code == 200
    assert write.status_code == 403
    assert "CSRF" in write.json()["detail"]
