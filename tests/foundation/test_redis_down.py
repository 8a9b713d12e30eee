"""While Redis is unreachable, people can still sign in and read pages; /health says what is wrong."""

import pytest
from django.core.cache import caches
from django.urls import reverse

NOWHERE = "redis://127.0.0.1:1/0"


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "crm.cache.ResilientRedisCache",
            "LOCATION": NOWHERE,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Django's setting_changed handler rebuilds the cache connections for the new CACHES.
    assert caches["default"].__class__.__name__ == "ResilientRedisCache"


@pytest.mark.django_db
def test_sign_in_and_pages_work_while_the_cache_is_down(client, leader, cache_down):
    response = client.post(reverse("login"), {"username": leader.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_failed_sign_ins_while_the_cache_is_down_still_get_a_clear_error(client, leader, cache_down):
    response = client.post(reverse("login"), {"username": leader.email, "password": "wrong"})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
