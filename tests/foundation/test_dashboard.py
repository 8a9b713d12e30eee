import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from boards.models import Commitment
from tests.boards.factories import CommitmentFactory


@pytest.mark.django_db
def test_leader_dashboard_counts_their_overdue_follow_ups(client, leader):
    today = timezone.localdate()
    overdue = CommitmentFactory(owner=leader, due_date=today + dt.timedelta(days=3))
    Commitment.objects.filter(pk=overdue.pk).update(due_date=today - dt.timedelta(days=2))
    CommitmentFactory(owner=leader, due_date=today + dt.timedelta(days=5))
    client.force_login(leader)
    response = client.get(reverse("dashboard"))
    work = response.context["panels"]["work"]
    assert work["overdue"] == 1
    assert work["due_soon"] == 1
    assert reverse("boards:my_work") in response.content.decode()


@pytest.mark.django_db
def test_viewer_dashboard_shows_the_figures_but_no_action_to_log(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("dashboard"))
    panels = response.context["panels"]
    assert "work" in panels
    assert panels["engagements_this_week"] == 0
    assert reverse("boards:engagement_create") not in response.content.decode()


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_data(client, leader, django_assert_max_num_queries):
    for _ in range(30):
        CommitmentFactory(owner=leader, due_date=timezone.localdate() + dt.timedelta(days=1))
    client.force_login(leader)
    with django_assert_max_num_queries(25):
        client.get(reverse("dashboard"))
