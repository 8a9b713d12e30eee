"""List pages cost the same number of queries for 10 rows as for 500."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from boards.models import Board, Commitment, Engagement, Meeting
from crm.models import LocalArea
from tests.crm.factories import ContactFactory

pytestmark = pytest.mark.django_db


def grow(n, leader):
    """Bring the world up to n areas, boards, engagements (each with two contacts and a leader) and
    commitments, in bulk so the test stays quick."""
    have = LocalArea.objects.count()
    areas = LocalArea.objects.bulk_create(
        [LocalArea(name=f"Area {i}", code=f"E{20000000 + i}", region="london") for i in range(have, n)]
    )
    areas = list(LocalArea.objects.order_by("pk"))[:n]
    have = Board.objects.count()
    Board.objects.bulk_create(
        [
            Board(name=f"Board {i}", kind="schools_forum", area=areas[i % len(areas)], owner=leader)
            for i in range(have, n)
        ]
    )
    boards = list(Board.objects.order_by("pk"))
    now = timezone.now()
    Meeting.objects.bulk_create(
        [Meeting(board=b, starts_at=now + dt.timedelta(days=1 + i % 10)) for i, b in enumerate(boards[have:])]
    )
    contacts = [ContactFactory(area=None) for _ in range(2)]
    have = Engagement.objects.count()
    new = Engagement.objects.bulk_create(
        [
            Engagement(kind="call", date=timezone.localdate(), board=boards[i], area=boards[i].area, summary="Call")
            for i in range(have, n)
        ]
    )
    Through = Engagement.contacts.through
    Through.objects.bulk_create([Through(engagement=e, contact=c) for e in new for c in contacts])
    Leaders = Engagement.leaders.through
    Leaders.objects.bulk_create([Leaders(engagement=e, user=leader) for e in new])
    have = Commitment.objects.count()
    Commitment.objects.bulk_create(
        [
            Commitment(description=f"Promise {i}", owner=leader, board=boards[i], due_date=timezone.localdate())
            for i in range(have, n)
        ]
    )


PAGES = ["boards:board_list", "boards:engagement_list", "boards:area_list", "boards:commitment_list", "boards:my_work"]


@pytest.mark.parametrize("name", PAGES)
def test_list_pages_run_the_same_queries_for_10_and_500_rows(client, leader, name):
    client.force_login(leader)
    url = reverse(name)

    grow(10, leader)
    client.get(url)  # warm caches (content types, permissions) so both counts compare like with like
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(500, leader)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
        assert response.status_code == 200

    assert len(large) == len(small), "\n".join(q["sql"][:150] for q in large.captured_queries)
    if name == "boards:engagement_list":
        assert b"Showing 1 to 50 of 500" in response.content
