"""Weekly progress reports, read-only: the figures as they were built for each week."""

from __future__ import annotations

from django.db.models import QuerySet

from boards.reporting import selectors
from boards.reporting.models import WeeklyReport

from .. import filters
from ..serializers.reporting import WeeklyReportSerializer
from .base import ListRetrieveMixin, ServiceViewSet


class WeeklyReportViewSet(ListRetrieveMixin, ServiceViewSet):
    """Each week's figures as JSON. Filter by `week_start`, or a range with `week_from` and `week_to`."""

    serializer_class = WeeklyReportSerializer
    filterset_class = filters.WeeklyReportFilter
    ordering_fields = ["week_start", "id"]
    ordering = ["-week_start"]

    def get_queryset(self) -> QuerySet[WeeklyReport]:
        return selectors.report_list()
