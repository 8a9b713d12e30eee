"""Role matrix for every boards URL: who may open it, who may submit it, and anonymous is sent to login."""

import pytest
from django.urls import reverse

from boards import services

READERS = {"viewer": 200, "campaign_staff": 200, "leader": 200, "admin": 200}
WRITERS = {"viewer": 403, "campaign_staff": 403, "leader": 200, "admin": 200}
ADMINS = {"viewer": 403, "campaign_staff": 403, "leader": 403, "admin": 200}

# (url name, args from the world fixture, expected status per role for GET)
PAGES = [
    ("boards:my_work", [], READERS),
    ("boards:preferences", [], READERS),
    ("boards:area_list", [], READERS),
    ("boards:area_detail", ["area"], READERS),
    ("boards:area_stage_change", ["area"], WRITERS),
    ("boards:area_readiness_update", ["area", "indicator"], READERS),
    ("boards:champion_create", ["area"], WRITERS),
    ("boards:area_assess", ["area"], WRITERS),
    ("boards:champion_detail", ["champion"], READERS),
    ("boards:champion_edit", ["champion"], WRITERS),
    ("boards:indicator_list", [], READERS),
    ("boards:indicator_create", [], ADMINS),
    ("boards:indicator_edit", ["indicator"], ADMINS),
    ("boards:board_list", [], READERS),
    ("boards:board_create", [], WRITERS),
    ("boards:board_detail", ["board"], READERS),
    ("boards:board_edit", ["board"], WRITERS),
    ("boards:board_stage_change", ["board"], WRITERS),
    ("boards:membership_add", ["board"], WRITERS),
    ("boards:membership_edit", ["membership"], WRITERS),
    ("boards:meeting_create", ["board"], WRITERS),
    ("boards:meeting_detail", ["meeting"], READERS),
    ("boards:meeting_edit", ["meeting"], WRITERS),
    ("boards:meeting_delete", ["meeting"], WRITERS),
    ("boards:calendar", [], READERS),
    ("boards:calendar_feed", [], READERS),
    ("boards:engagement_list", [], READERS),
    ("boards:engagement_export", [], READERS),
    ("boards:engagement_create", [], WRITERS),
    ("boards:engagement_detail", ["engagement"], READERS),
    ("boards:engagement_edit", ["engagement"], WRITERS),
    ("boards:engagement_delete", ["engagement"], WRITERS),
    ("boards:commitment_list", [], READERS),
    ("boards:commitment_create", [], WRITERS),
    ("boards:commitment_detail", ["commitment"], READERS),
    ("boards:commitment_edit", ["commitment"], WRITERS),
]


def url_for(world, name, args):
    return reverse(name, args=[world[a].pk for a in args])


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_role_matrix_for_pages(client, users_by_role, world, name, args, expected):
    url = url_for(world, name, args)

    response = client.get(url)
    assert response.status_code == 302, "anonymous must sign in"
    assert reverse("login") in response["Location"]

    for role, status in expected.items():
        client.force_login(users_by_role[role])
        response = client.get(url)
        assert response.status_code == status, f"{role} on {url}"
        if status == 200 and response["Content-Type"].startswith("text/html"):
            assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_stakeholder_pages_read_for_all_and_assess_for_writers(client, users_by_role, world):
    url = reverse("boards:stakeholder", args=["contact", world["contact"].pk])
    organisation_url = reverse("boards:stakeholder", args=["organisation", world["organisation"].pk])
    for role in READERS:
        client.force_login(users_by_role[role])
        assert client.get(url).status_code == 200
        assert client.get(organisation_url).status_code == 200
        response = client.post(url, {"influence": "3", "interest": "2"})
        assert response.status_code == (302 if WRITERS[role] == 200 else 403), role


# POST-only actions: (url name, args, data, expected status per role)
ACTIONS = [
    ("boards:board_follow", ["board"], {}, {r: 302 for r in READERS}),
    ("boards:commitment_status", ["commitment"], {"status": "done"}, {**WRITERS, "leader": 302, "admin": 302}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args", "data", "expected"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_role_matrix_for_actions(client, users_by_role, world, name, args, data, expected):
    url = url_for(world, name, args)
    assert client.post(url, data).status_code == 302  # to the login page
    for role, status in expected.items():
        client.force_login(users_by_role[role])
        assert client.post(url, data).status_code == status, role


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["viewer", "campaign_staff"])
def test_readers_cannot_write_by_posting(client, users_by_role, world, role):
    client.force_login(users_by_role[role])
    for name, args in [
        ("boards:engagement_create", []),
        ("boards:board_create", []),
        ("boards:board_stage_change", ["board"]),
        ("boards:meeting_create", ["board"]),
        ("boards:engagement_delete", ["engagement"]),
        ("boards:meeting_delete", ["meeting"]),
    ]:
        assert client.post(url_for(world, name, args), {}).status_code == 403, name


@pytest.mark.django_db
def test_calendar_feed_needs_no_login_but_a_valid_token(client, leader):
    token = services.calendar_feed_regenerate(user=leader)

    assert client.get(reverse("boards:calendar_ics", args=[token])).status_code == 200
    assert client.get(reverse("boards:calendar_ics", args=["not-a-token"])).status_code == 404


@pytest.mark.django_db
def test_navigation_shows_the_boards_sections(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("dashboard")).content.decode()
    for name in ("boards:my_work", "boards:area_list", "boards:board_list", "boards:engagement_list"):
        assert f'href="{reverse(name)}"' in html
