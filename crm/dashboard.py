"""What the dashboard shows each person: a few figures from each part of the CRM their role can read,
each linking to the page where they act on it. A handful of aggregate queries, whatever the data size."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from crm.models import User


def dashboard_panels(*, user: User, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    panels: dict[str, Any] = {}
    if user.has_perm("boards.view_board"):
        from boards import selectors as boards_selectors

        horizon = today + dt.timedelta(days=14)
        follow_ups = boards_selectors.open_commitments_for(user=user)
        start = timezone.now()
        end = timezone.make_aware(dt.datetime.combine(horizon + dt.timedelta(days=1), dt.time.min))
        cold_days, cold_boards = boards_selectors.cold_boards_for(user=user, today=today)
        panels["work"] = {
            "overdue": follow_ups.filter(due_date__lt=today).count(),
            "due_soon": follow_ups.filter(due_date__gte=today, due_date__lte=horizon).count(),
            "meetings": boards_selectors.meetings_between(start=start, end=end, user=user).count(),
            "cold_boards": cold_boards.count(),
            "cold_days": cold_days,
        }
    if user.has_perm("boards.view_engagement"):
        from boards.models import Engagement

        week_start = today - dt.timedelta(days=today.weekday())
        panels["engagements_this_week"] = Engagement.objects.filter(date__gte=week_start, date__lte=today).count()
    if user.has_perm("campaigns.view_send"):
        from campaigns.models import Send

        live = [Send.Status.SENDING, Send.Status.PAUSED, Send.Status.SCHEDULED]
        panels["sends"] = list(
            Send.objects.filter(status__in=live).select_related("campaign", "message").order_by("-id")[:5]
        )
    if user.has_perm("reporting.view_weeklyreport"):
        from boards.reporting.models import WeeklyReport

        panels["report"] = WeeklyReport.objects.filter(status=WeeklyReport.Status.READY).order_by("-week_start").first()
    return panels
