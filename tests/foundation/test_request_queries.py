"""What every signed-in page pays before its view runs: the session from the cache, and the user with their roles
and permissions in one query (crm.auth_backends.RoleBackend, crm.sessions)."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.auth_backends import RoleBackend
from crm.models import User
from crm.roles import Role
from crm.sessions import CACHE_SECONDS, SessionStore
from tests.factories import UserFactory


def stock_permissions(user: User) -> set[str]:
    fresh = User.objects.get(pk=user.pk)
    return ModelBackend().get_all_permissions(fresh)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "leader", "campaign_staff", "viewer"])
def test_each_role_gets_the_same_permissions_as_djangos_backend_in_one_query(
    users_by_role, role, django_assert_num_queries
):
    person = users_by_role[role]

    with django_assert_num_queries(1):
        user = RoleBackend().get_user(person.pk)
        permissions = user.get_all_permissions()
        labels = user.role_labels
        user.has_perm("crm.view_contact")

    assert permissions == stock_permissions(person)
    assert permissions  # every role may at least read
    assert labels == [Role(role).label]


@pytest.mark.django_db
def test_a_permission_given_to_the_person_directly_counts_too(viewer):
    extra = Permission.objects.get(content_type__app_label="crm", codename="merge_contact")
    viewer.user_permissions.add(extra)

    user = RoleBackend().get_user(viewer.pk)

    assert user.has_perm("crm.merge_contact")
    assert not user.has_perm("crm.delete_contact")
    assert user.get_all_permissions() == stock_permissions(viewer)


@pytest.mark.django_db
def test_a_user_loaded_elsewhere_pays_one_query_for_roles_and_permissions(leader, django_assert_num_queries):
    user = User.objects.get(pk=leader.pk)  # as an API token or the admin would load it

    with django_assert_num_queries(1):
        assert user.has_perm("boards.add_engagement")
        assert not user.has_perm("campaigns.add_campaign")
        assert user.role_labels == [Role.LEADER.label]


@pytest.mark.django_db
def test_a_role_change_shows_at_once_on_the_same_user(leader):
    user = RoleBackend().get_user(leader.pk)
    assert user.role_labels == [Role.LEADER.label]

    user.groups.set([Group.objects.get(name=Role.VIEWER.label)])

    assert user.role_labels == [Role.VIEWER.label]


@pytest.mark.django_db
def test_a_deactivated_user_is_signed_out(leader):
    User.objects.filter(pk=leader.pk).update(is_active=False)

    assert RoleBackend().get_user(leader.pk) is None


@pytest.mark.django_db
def test_a_superuser_still_has_every_permission(db):
    boss = UserFactory(is_superuser=True, is_staff=True)

    user = RoleBackend().get_user(boss.pk)

    assert user.get_all_permissions() == stock_permissions(boss)
    assert len(user.get_all_permissions()) == Permission.objects.count()


@pytest.mark.django_db
def test_a_signed_in_page_reads_no_session_row_and_loads_roles_with_the_user(client, leader, settings):
    settings.SESSION_ENGINE = "crm.sessions"
    client.force_login(leader)
    client.get(reverse("dashboard"))  # the first request after sign-in may write the session's last-seen time

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("crm:contact_list"))

    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "django_session" in s]
    auth = [s for s in sql if '"auth_group"' in s or '"auth_permission"' in s]
    assert len(auth) == 1, "\n".join(auth)
    assert Role.LEADER.label in response.content.decode()


@pytest.mark.django_db
def test_a_session_stays_in_the_cache_for_minutes_not_the_whole_day(client, leader, settings):
    # If Redis cannot be reached when someone signs out, the cached copy outlives the sign-out until it expires.
    settings.SESSION_ENGINE = "crm.sessions"
    client.force_login(leader)
    store = SessionStore(client.session.session_key)

    assert settings.SESSION_COOKIE_AGE > CACHE_SECONDS
    assert store._cache_seconds() == CACHE_SECONDS
    assert caches["default"].get(store.cache_key) is not None


@pytest.mark.django_db
def test_signing_in_works_with_cached_sessions_while_the_cache_is_down(client, leader, settings):
    settings.SESSION_ENGINE = "crm.sessions"
    settings.CACHES = {
        "default": {
            "BACKEND": "crm.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    response = client.post(reverse("login"), {"username": leader.email, "password": "correct-horse-battery"})

    assert response.status_code == 302
    page = client.get(reverse("crm:contact_list"))
    assert page.status_code == 200
    assert leader.email in page.content.decode() or leader.full_name in page.content.decode()
