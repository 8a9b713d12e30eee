"""Security headers: production sends HSTS; every HTML page, for strangers and signed-in users alike,
carries the CSP (no 'unsafe-inline', frame-ancestors 'none'), nosniff and a Referrer-Policy. Generated
over the URL configuration, so a new page is covered the day it is added."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.test import override_settings

from crm.roles import Role
from tests.conftest import ROOT, make_user
from tests.security.test_url_matrix import concrete_path, demo_world, routes  # noqa: F401 - fixture shared

PRODUCTION_SECURITY = [
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
]


@pytest.fixture(scope="module")
def production_security() -> dict:
    """The security settings exactly as config.settings.production computes them, read in a process of
    its own (production refuses to start without its secrets, so it is given made-up ones)."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "cg.example",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    for name in ("DJANGO_SECURE_HSTS_SECONDS", "DJANGO_SECURE_SSL_REDIRECT"):
        env.pop(name, None)
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{k: getattr(settings, k) for k in {PRODUCTION_SECURITY!r}}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_for_a_year_with_subdomains_and_preload(client, db, production_security):
    assert production_security["SECURE_HSTS_SECONDS"] >= 31_536_000
    settings = production_security | {"SECURE_PROXY_SSL_HEADER": tuple(production_security["SECURE_PROXY_SSL_HEADER"])}

    with override_settings(**settings):
        over_https = client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})
        over_http = client.get("/accounts/login/")

    assert over_https["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert over_http.status_code == 301
    assert over_http["Location"].startswith("https://")


def check_headers(response, path: str) -> list[tuple[str, str]]:
    problems = []
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append((path, "no nosniff"))
    if not response.get("Referrer-Policy"):
        problems.append((path, "no Referrer-Policy"))
    if response.get("Content-Type", "").startswith("text/html"):
        csp = response.get("Content-Security-Policy", "")
        if not csp:
            problems.append((path, "no Content-Security-Policy"))
        if "unsafe-inline" in csp or "unsafe-eval" in csp:
            problems.append((path, f"unsafe CSP: {csp}"))
        if "frame-ancestors 'none'" not in csp:
            problems.append((path, "CSP allows framing"))
    return problems


def test_every_page_a_stranger_can_reach_carries_the_security_headers(client, demo_world):  # noqa: F811
    problems = []
    for route in routes():
        path = concrete_path(route)
        problems += check_headers(client.get(path), path)
    problems += check_headers(client.get("/no-such-page/"), "/no-such-page/")
    assert problems == []


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ADMIN], ids=["viewer", "admin"])
def test_every_page_a_signed_in_user_opens_carries_the_security_headers(client, demo_world, role):  # noqa: F811
    client.force_login(make_user(role, is_staff=role == Role.ADMIN))
    problems = []
    for route in routes():
        if route.name == "logout":
            continue
        path = concrete_path(route)
        response = client.get(path)
        problems += check_headers(response, path)
        is_page = response.get("Content-Type", "").startswith("text/html") and response.status_code == 200
        # Pages with personal data must not be kept by the browser or a proxy.
        if is_page and "no-store" not in response.get("Cache-Control", ""):
            problems.append((path, "no Cache-Control: no-store"))
    for path in ("/api/v1/", "/api/docs/", "/admin/"):
        problems += check_headers(client.get(path, headers={"accept": "text/html"}), path)
    assert problems == []
