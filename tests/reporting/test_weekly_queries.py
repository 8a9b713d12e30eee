"""The weekly report's query count does not grow with the week's stage moves (each names its evidence)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boards.models import Engagement, StageChange
from boards.reporting.services import weekly
from tests.boards.factories import BoardFactory, EngagementFactory

LONDON = ZoneInfo("Europe/London")
WEEK = dt.date(2026, 11, 9)


def moves_with_evidence(count: int) -> None:
    for i in range(count):
        board = BoardFactory()
        engagement = EngagementFactory(board=board, kind=Engagement.Kind.BRIEFING, date=WEEK)
        StageChange.objects.create(
            board=board,
            from_stage=1,
            to_stage=2,
            evidence_engagement=engagement,
            changed_at=dt.datetime(2026, 11, 10, 9, i % 60, tzinfo=LONDON),
        )


def figures_queries() -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        figures = weekly.weekly_figures(week_start=WEEK)
    return len(queries), figures


@pytest.mark.django_db
def test_the_report_costs_the_same_queries_for_2_and_20_stage_moves():
    moves_with_evidence(2)
    few, figures = figures_queries()
    assert len(figures["stages"]["moves"]) == 2

    moves_with_evidence(18)
    many, figures = figures_queries()

    assert len(figures["stages"]["moves"]) == 20
    assert all(move["evidence"].startswith("Briefing, ") for move in figures["stages"]["moves"])
    assert many == few
    assert many < 30


@pytest.mark.django_db
def test_the_engagement_total_is_the_sum_of_its_kinds():
    moves_with_evidence(3)
    EngagementFactory(kind=Engagement.Kind.CALL, date=WEEK - dt.timedelta(days=2))

    figures = weekly.weekly_figures(week_start=WEEK)["engagements"]

    assert figures["total"] == {"this": 3, "prev": 1, "change": 2}
    assert (
        figures["total"]["this"] == Engagement.objects.filter(date__gte=WEEK, date__lt=WEEK + dt.timedelta(7)).count()
    )
