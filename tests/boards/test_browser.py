"""A leader on a phone logs an engagement with a next step and finds the follow-up on My work."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.boards.factories import BoardFactory


@pytest.mark.browser
def test_leader_logs_an_engagement_on_a_phone_and_sees_the_follow_up(page, live_server, transactional_db):
    from crm.roles import Role
    from tests.conftest import make_user

    leader = make_user(Role.LEADER, email="lee@example.org", full_name="Lee Leader")
    board = BoardFactory(name="Schools Forum", owner=leader)
    due = timezone.localdate() + dt.timedelta(days=4)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/boards/engagements/new/")
    page.get_by_label("Email address").fill(leader.email)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/boards/engagements/new/")

    page.get_by_label("What happened").select_option(label="One-to-one with chair or member")
    page.locator("#id_board").select_option(label=str(board))
    page.get_by_label("Summary").fill("Met the chair; she will table our paper.")
    page.get_by_label("Supportive").check()
    page.get_by_label("Next step", exact=False).first.fill("Send the chair our two-page paper")
    page.locator("#id_next_step_due").fill(due.isoformat())
    # Usable on a phone: the form fits the screen without sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Save engagement").click()

    assert page.get_by_text("Engagement logged").is_visible()
    page.goto(f"{live_server.url}/boards/my-work/")
    follow_up = page.get_by_role("link", name="Send the chair our two-page paper")
    assert follow_up.is_visible()
    assert due.strftime("%-d %B %Y") in page.locator("#main-content").inner_text()
