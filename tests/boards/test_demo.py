"""seed_demo's boards part gives every boards page something true to show, and is safe to run twice."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from boards import demo
from boards.models import Board, Commitment, Engagement, Meeting, StageChange
from crm.models import User
from tests.crm.factories import ContactFactory, LocalAreaFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


class FakeCommand:
    def __init__(self):
        self.stdout = io.StringIO()


def test_demo_seed_fills_the_boards_pages_and_is_idempotent(client):
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    for i in range(2):
        area = LocalAreaFactory(name=f"Demo area {i}")
        ContactFactory.create_batch(18, area=area)
        OrganisationFactory.create_batch(2, area=area)

    demo.seed(FakeCommand(), {"contacts": None})
    counts = [Board.objects.count(), Engagement.objects.count(), Meeting.objects.count(), StageChange.objects.count()]
    demo.seed(FakeCommand(), {"contacts": None})

    assert counts == [
        Board.objects.count(),
        Engagement.objects.count(),
        Meeting.objects.count(),
        StageChange.objects.count(),
    ]
    assert Board.objects.count() >= 6
    assert Board.objects.filter(memberships__end_date__isnull=False).exists(), "past members"
    assert StageChange.objects.filter(to_stage__lt=3, from_stage=3).exists(), "a move down the ladder"
    leader = User.objects.get(email="leader@example.org")
    assert Commitment.objects.filter(owner=leader, status="open").exists()

    client.force_login(leader)
    my_work = client.get(reverse("boards:my_work")).content.decode()
    assert "Overdue" in my_work
    assert "No meetings of the boards you follow" not in my_work
    board = Board.objects.first()
    urls = [
        reverse("boards:board_detail", args=[board.pk]),
        reverse("boards:area_detail", args=[board.area_id]),
        reverse("boards:calendar"),
        reverse("boards:engagement_list"),
        reverse("boards:area_list"),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
