import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_health_is_public_and_reports_each_check(client):
    # Given the database and the configured broker are up, when anyone asks /health
    response = client.get("/health")
    # then it answers 200 naming each check, without a login
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_health_reports_503_naming_the_broker_when_it_is_unreachable(client):
    # Given a broker URL where nothing listens
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_BROKER_TRANSPORT_OPTIONS={}):
        response = client.get("/health")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("broker unreachable")
    assert response["Cache-Control"].startswith("max-age=0")
