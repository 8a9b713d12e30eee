from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from .models import LEAD_DAYS_MAX, ReminderPreference
from .services.weeks import last_completed_week, parse_week, week_label

DAYS_HELP = f"From 0 (on the day only) to {LEAD_DAYS_MAX}."


class ReminderPreferenceForm(forms.ModelForm):
    cold_after_days = forms.IntegerField(
        label="A board, area or contact goes cold after this many days without an engagement",
        help_text="From 7 to 365. My work uses the same number.",
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )

    class Meta:
        model = ReminderPreference
        fields = [
            "digest_time",
            "follow_ups",
            "follow_up_lead_days",
            "meetings",
            "meeting_lead_days",
            "paper_deadlines",
            "paper_lead_days",
            "gone_cold",
            "cold_after_days",
            "weekly_report",
        ]
        widgets = {
            "digest_time": forms.TimeInput(attrs={"type": "time", "class": "govuk-input--width-5"}, format="%H:%M"),
            "follow_up_lead_days": forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
            "meeting_lead_days": forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
            "paper_lead_days": forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        }
        help_texts = {
            "digest_time": "UK time, for example 07:30. Leave blank for the team's default.",
            "follow_up_lead_days": DAYS_HELP,
            "meeting_lead_days": DAYS_HELP,
            "paper_lead_days": DAYS_HELP,
            "weekly_report": "Every Monday morning, with charts, for the week just ended.",
        }


class BuildReportForm(forms.Form):
    week = forms.CharField(
        label="Week",
        help_text="The ISO week, for example 2026-W47. Weeks run Monday to Sunday.",
        max_length=8,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
    )
    rebuild = forms.BooleanField(label="Rebuild: replace the figures if this week already has a report", required=False)
    email = forms.BooleanField(label="Email it to subscribers who have not had it", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["week"].initial = week_label(last_completed_week())

    def clean_week(self) -> dt.date:
        try:
            return parse_week(self.cleaned_data["week"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
