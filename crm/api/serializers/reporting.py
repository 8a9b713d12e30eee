"""Weekly progress reports: the stored figures of each ISO week, for Power BI, Excel and the like."""

from __future__ import annotations

from rest_framework import serializers

from boards.reporting.models import WeeklyReport

from .common import ApiModelSerializer


class WeeklyReportSerializer(ApiModelSerializer):
    week = serializers.CharField(source="week_label", read_only=True, help_text="ISO week, for example 2026-W47.")
    week_end = serializers.DateField(read_only=True)
    figures = serializers.JSONField(
        read_only=True,
        help_text="The report's figures as built: engagements, ladder moves, readiness, champions and follow-ups, "
        "each with this week's and last week's numbers.",
    )
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = WeeklyReport
        fields = [
            "id", "week", "week_start", "week_end", "status", "figures", "built_at", "rebuilt_at", "rebuild_count",
            "web_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_web_url(self, obj: WeeklyReport) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path
