"""Forms for campaign outreach. They validate what a person typed; the services enforce the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.text import slugify

from campaigns.models import Campaign, Goal, Message, Response, ResponseKind, Segment, Send
from campaigns.services import merge_fields
from campaigns.services.campaigns import CAMPAIGN_FIELDS
from campaigns.services.segments import EMPTY_DEFINITION
from campaigns.services.sending import send_rate_default, send_rate_max
from crm.models import LocalArea, Organisation, PractitionerGroup, Region, Tag, User
from crm.typing import model_choice_field

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = list(CAMPAIGN_FIELDS)  # the fields campaign_create/campaign_update take
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "aim": forms.Textarea(attrs={"rows": 3}),
            "pledge_intro": forms.Textarea(attrs={"rows": 4}),
            "pledge_consent_wording": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = User.objects.filter(is_active=True).order_by("full_name")
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "Letters, numbers and hyphens, e.g. lost-parents. Blank: made from the name."

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("name") or "")[:80]
        if not slug:
            raise forms.ValidationError("Enter a web address name, like lost-parents.")
        clash = Campaign.objects.filter(slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another campaign already uses this web address name.")
        return slug

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be the same as or after the start date.")
        return data


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["measure", "target", "practitioner_group", "region"]
        labels = {"measure": "What counts", "target": "Target (number of people)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["practitioner_group"]).choices = [
            ("", "Any practitioner group"),
            *PractitionerGroup.choices,
        ]
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", "Anywhere"), *Region.choices]


def _checkboxes(choices: list[tuple[str, str]], label: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple)


class SegmentForm(forms.Form):
    """The segment's name plus each filter; `definition()` turns the filters into the stored JSON."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.order_by("name"), required=False, empty_label="Not tied to one campaign"
    )
    practitioner_groups = _checkboxes(PractitionerGroup.choices, "Practitioner groups")
    regions = _checkboxes(Region.choices, "Regions")
    areas = forms.ModelMultipleChoiceField(
        label="Local areas",
        queryset=LocalArea.objects.order_by("name"),
        required=False,
        help_text="Hold Ctrl (or Cmd) to choose more than one.",
    )
    organisation_kinds = _checkboxes(Organisation.Kind.choices, "Kind of organisation they work at now")
    tags = forms.ModelMultipleChoiceField(label="Tags (any of)", queryset=Tag.objects.order_by("name"), required=False)
    engaged = forms.ChoiceField(
        label="Past engagement",
        choices=[("", "Either"), ("yes", "Has been engaged with"), ("no", "Has never been engaged with")],
        required=False,
        widget=forms.RadioSelect,
    )
    engaged_since = forms.DateField(
        label="Engaged with on or after", required=False, widget=DATE_INPUT, help_text="Optional."
    )
    responded = _checkboxes(ResponseKind.choices, "Has responded to a campaign by")
    received_campaigns = forms.ModelMultipleChoiceField(
        label="Was sent an email in these campaigns", queryset=Campaign.objects.order_by("name"), required=False
    )
    not_received_campaigns = forms.ModelMultipleChoiceField(
        label="Was never sent an email in these campaigns", queryset=Campaign.objects.order_by("name"), required=False
    )

    FILTERS = tuple(EMPTY_DEFINITION)

    @classmethod
    def initial_from(cls, segment: Segment) -> dict[str, Any]:
        d = {**EMPTY_DEFINITION, **segment.definition}
        initial: dict[str, Any] = {
            "name": segment.name,
            "description": segment.description,
            "campaign": segment.campaign_id,
        }
        initial |= {key: d[key] for key in cls.FILTERS}
        initial["engaged_since"] = dt.date.fromisoformat(d["engaged_since"]) if d["engaged_since"] else None
        return initial

    def definition(self) -> dict[str, Any]:
        data = self.cleaned_data
        d: dict[str, Any] = {}
        for key in ("practitioner_groups", "regions", "organisation_kinds", "responded"):
            d[key] = list(data.get(key) or [])
        for key in ("areas", "tags", "received_campaigns", "not_received_campaigns"):
            d[key] = [obj.pk for obj in data.get(key) or []]
        d["engaged"] = data.get("engaged") or ""
        d["engaged_since"] = data["engaged_since"].isoformat() if data.get("engaged_since") else ""
        return d


class SegmentFilterForm(SegmentForm):
    """The same filters without a name, for the live count while a segment is being edited."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False


FIELD_HELP = ", ".join("{{ %s }}" % name for name in merge_fields.FIELDS)  # noqa: UP031 - braces are literal


class MessageForm(forms.ModelForm):
    class Meta:
        model = Message
        fields = ["name", "subject", "html_body", "text_body"]
        widgets = {
            "html_body": forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}),
            "text_body": forms.Textarea(attrs={"rows": 10, "spellcheck": "true"}),
        }
        help_texts = {
            "subject": "You can use merge fields, e.g. {{ first_name }}.",
            "html_body": f"Merge fields: {FIELD_HELP}. An unsubscribe link is added if you do not place one.",
            "text_body": "For people whose email shows no HTML. Every email has this plain-text part.",
        }


class SendForm(forms.ModelForm):
    class Meta:
        model = Send
        fields = ["message", "segment", "scheduled_for", "rate_per_second"]
        labels = {"scheduled_for": "Send at (UK time)", "rate_per_second": "Sending speed (emails a second)"}
        widgets = {"scheduled_for": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "message").queryset = Message.objects.filter(campaign=campaign).order_by("name")
        model_choice_field(self, "segment").queryset = Segment.objects.order_by("name")
        scheduled_for = cast(forms.DateTimeField, self.fields["scheduled_for"])
        scheduled_for.help_text = "Leave blank to send as soon as you start it."
        scheduled_for.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
        rate = cast(forms.IntegerField, self.fields["rate_per_second"])
        rate.initial = send_rate_default()
        rate.min_value = 1
        rate.max_value = send_rate_max()
        rate.widget.attrs.update({"min": 1, "max": send_rate_max(), "inputmode": "numeric"})

    def clean_scheduled_for(self) -> dt.datetime | None:
        value = self.cleaned_data.get("scheduled_for")
        if value and value < timezone.now():
            raise forms.ValidationError("Choose a time in the future, or leave it blank.")
        return value


class ResponseForm(forms.ModelForm):
    contact_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Response
        fields = ["campaign", "kind", "occurred_on", "notes"]
        widgets = {"occurred_on": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 3}), "kind": forms.RadioSelect}
        labels = {"kind": "What did they do?"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "campaign").queryset = Campaign.objects.order_by("name")
        self.fields["occurred_on"].initial = timezone.localdate()

    def clean_occurred_on(self) -> dt.date:
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return value


class ContactEmailForm(forms.Form):
    """Record a response for someone by email address, from the campaign page."""

    email = forms.EmailField(label="Their work email")


class ResponseImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email, response, date (and optionally notes). For example: "
        "jo.smith@nhs.net, pledged support, 22/11/2026.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 5 MB. Split it into smaller files.")
        return upload


class PledgeForm(forms.Form):
    first_name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(
        label="Work email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    practitioner_group = forms.ChoiceField(label="What kind of work do you do?", choices=PractitionerGroup.choices)
    organisation_name = forms.CharField(
        label="Organisation you work for",
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    area = forms.ModelChoiceField(
        label="Local area you work in",
        queryset=LocalArea.objects.order_by("name"),
        required=False,
        empty_label="Choose an area",
    )
    consent = forms.BooleanField(
        label="I agree", error_messages={"required": "Tick the box to agree, or you cannot pledge."}
    )
    # A honeypot: hidden from people by CSS, filled in by bots. Never named like a real field.
    website = forms.CharField(required=False, label="Leave this empty")
