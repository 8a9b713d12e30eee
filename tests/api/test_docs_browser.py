"""The API docs page in Chromium: Swagger UI served from our own static files, working under the
strict CSP (no CDN, no inline code without the nonce), showing every resource from the live schema."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_the_docs_render_under_the_csp_and_try_it_out_works_with_the_session(page, live_server, viewer, world):
    # Given a signed-in viewer, and a watch on CSP violations and requests leaving the site
    violations: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    sign_in(page, live_server, viewer)
    # When they open the docs
    page.goto(f"{live_server.url}/api/docs/")
    # Then Swagger UI renders the schema's resources
    page.wait_for_selector("text=Common Ground API")
    page.wait_for_selector("#operations-tag-contacts")
    assert page.locator(".opblock").count() > 60
    # And "Try it out" on a list answers from the live API with the session
    page.click("#operations-contacts-contacts_list .opblock-summary")
    page.click("#operations-contacts-contacts_list button.try-out__btn")
    page.click("#operations-contacts-contacts_list button.execute")
    status = page.locator("#operations-contacts-contacts_list .live-responses-table tr.response .response-col_status")
    status.first.wait_for()
    status = status.first
    assert status.inner_text().strip().startswith("200")
    # And nothing was blocked by the CSP or fetched from outside
    assert violations == []
    assert outside == []


def test_the_docs_send_a_stranger_to_sign_in(page, live_server, db):
    page.goto(f"{live_server.url}/api/docs/")
    assert "/accounts/login/" in page.url
