"""Forms for boards and engagement. They check what a person typed; the services check the rules again
(and the database enforces the invariants), so nothing depends on one form getting it right."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from boards.models import (
    AreaReadiness,
    Board,
    BoardMembership,
    Champion,
    Commitment,
    Engagement,
    Meeting,
    ReadinessIndicator,
    ReadinessStatus,
    Sentiment,
    Stage,
    WorkPreference,
)
from crm.models import Contact, LocalArea, Organisation, User
from crm.typing import model_choice_field


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def contacts() -> QuerySet[Contact]:
    return Contact.objects.filter(erased_at__isnull=True).order_by("last_name", "first_name")


def people_who_write() -> QuerySet[User]:
    """Users who may own a board or a follow-up: active leaders and admins."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions__codename="add_engagement"))
        .distinct()
        .order_by("full_name")
    )


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contact) -> str:
        return f"{obj.full_name}{f', {obj.job_title}' if obj.job_title else ''}"


class ContactMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Contact) -> str:
        return f"{obj.full_name}{f', {obj.job_title}' if obj.job_title else ''}"


class BoardForm(forms.ModelForm):
    chair = ContactChoiceField(queryset=contacts(), required=False)
    secretariat = ContactChoiceField(queryset=contacts(), required=False, label="Secretariat contact")

    class Meta:
        model = Board
        fields = ["name", "kind", "area", "cadence", "chair", "secretariat", "website", "owner"]
        help_texts = {"website": "The board's page on the council or NHS website, starting https://"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = people_who_write()
        model_choice_field(self, "area").queryset = LocalArea.objects.order_by("name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        area, name = data.get("area"), data.get("name")
        if area and name:
            clash = Board.objects.filter(area=area, name__iexact=name.strip()).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", f"{area} already has a board called “{name.strip()}”.")
        return data

    def validate_unique(self) -> None:
        # The service validates the model; the clean() above gives the friendlier message.
        pass


class MembershipForm(forms.ModelForm):
    contact = ContactChoiceField(queryset=contacts())

    class Meta:
        model = BoardMembership
        fields = ["contact", "seat", "start_date", "end_date"]
        widgets = {"start_date": date_input(), "end_date": date_input(), "seat": forms.RadioSelect}
        help_texts = {"end_date": "Leave blank while they still sit on the board."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["contact"].disabled = True

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The term end must be on or after the term start.")
        return data

    def _post_clean(self) -> None:
        # The service runs full_clean(); running it here too would repeat the same messages.
        pass


class MeetingForm(forms.Form):
    date = forms.DateField(widget=date_input())
    start_time = forms.TimeField(label="Start time", widget=time_input(), help_text="UK time, for example 14:00")
    end_time = forms.TimeField(label="End time", widget=time_input(), required=False)
    venue = forms.CharField(max_length=255, required=False, help_text="Room and building, or leave blank if online.")
    online_url = forms.URLField(label="Online meeting link", required=False)
    paper_deadline = forms.DateField(widget=date_input(), required=False)
    agenda_item = forms.CharField(label="Our agenda item", max_length=300, required=False)
    status = forms.ChoiceField(choices=Meeting.Status.choices, initial=Meeting.Status.PLANNED, widget=forms.RadioSelect)
    minutes_url = forms.URLField(label="Link to minutes", required=False)
    decisions = forms.CharField(label="Decisions recorded", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    attendees = ContactMultipleChoiceField(
        queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, board: Board, meeting: Meeting | None = None, **kwargs: Any) -> None:
        if meeting is not None and "initial" not in kwargs:
            starts = timezone.localtime(meeting.starts_at)
            kwargs["initial"] = {
                "date": starts.date(),
                "start_time": starts.time(),
                "end_time": timezone.localtime(meeting.ends_at).time() if meeting.ends_at else None,
                "venue": meeting.venue,
                "online_url": meeting.online_url,
                "paper_deadline": meeting.paper_deadline,
                "agenda_item": meeting.agenda_item,
                "status": meeting.status,
                "minutes_url": meeting.minutes_url,
                "decisions": meeting.decisions,
                "attendees": list(meeting.attendees.all()),
            }
        super().__init__(*args, **kwargs)
        self.is_new = meeting is None
        member_ids = board.memberships.values("contact")
        qs = contacts().filter(pk__in=member_ids)
        if meeting is not None:
            qs = (qs | contacts().filter(pk__in=meeting.attendees.values("pk"))).distinct()
        model_choice_field(self, "attendees").queryset = qs
        if self.is_new:
            self.fields["attendees"].help_text = "Leave all unticked to start from the board's current members."

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start:
            data["starts_at"] = timezone.make_aware(dt.datetime.combine(day, start))
            data["ends_at"] = timezone.make_aware(dt.datetime.combine(day, end)) if end else None
            if end and end <= start:
                self.add_error("end_time", "The end time must be after the start time.")
        deadline = data.get("paper_deadline")
        if deadline and day and deadline > day:
            self.add_error("paper_deadline", "The paper deadline must be on or before the meeting date.")
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            k: data[k]
            for k in (
                "starts_at",
                "ends_at",
                "venue",
                "online_url",
                "paper_deadline",
                "agenda_item",
                "status",
                "minutes_url",
                "decisions",
            )
        }
        attendees = list(data["attendees"])
        fields["attendees"] = attendees if (attendees or not self.is_new) else None
        return fields


class EngagementForm(forms.Form):
    """The quick log: the first fields are all most engagements need; the rest is optional."""

    kind = forms.ChoiceField(label="What happened", choices=Engagement.Kind.choices)
    date = forms.DateField(widget=date_input(), initial=timezone.localdate)
    board = forms.ModelChoiceField(queryset=Board.objects.none(), required=False)
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    contacts = ContactMultipleChoiceField(
        label="Contacts involved",
        queryset=contacts(),
        required=False,
        widget=forms.SelectMultiple(attrs={"data-filterable": "true"}),
    )
    leaders = forms.ModelMultipleChoiceField(label="Leaders present", queryset=User.objects.none(), required=False)
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="What happened, in a sentence or two."
    )
    our_ask = forms.CharField(label="Our ask", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    sentiment = forms.ChoiceField(choices=Sentiment.choices, initial=Sentiment.NEUTRAL, widget=forms.RadioSelect)
    next_step = forms.CharField(
        label="Next step",
        max_length=300,
        required=False,
        help_text="Becomes a follow-up for its owner, listed on their My work page.",
    )
    next_step_owner = forms.ModelChoiceField(label="Next step owner", queryset=User.objects.none(), required=False)
    next_step_due = forms.DateField(label="Next step due", widget=date_input(), required=False)

    def __init__(self, *args: Any, engagement: Engagement | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "board").queryset = Board.objects.select_related("area").order_by("area__name", "name")
        model_choice_field(self, "organisation").queryset = Organisation.objects.order_by("name")
        model_choice_field(self, "leaders").queryset = people_who_write()
        model_choice_field(self, "next_step_owner").queryset = people_who_write()
        self.fields["next_step_owner"].help_text = "Leave blank to own it yourself."
        if engagement is not None:
            # Follow-ups of an existing engagement are edited on their own pages.
            for name in ("next_step", "next_step_owner", "next_step_due"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("board") and not data.get("organisation"):
            self.add_error("board", "Choose the board or the organisation you engaged with (or both).")
        day = data.get("date")
        if day and day > timezone.localdate():
            self.add_error("date", "The date of an engagement cannot be in the future. Log it once it has happened.")
        if "next_step" in self.fields:
            due, step = data.get("next_step_due"), (data.get("next_step") or "").strip()
            if due and due < timezone.localdate():
                self.add_error("next_step_due", "The next step's due date must be today or in the future.")
            if (due or data.get("next_step_owner")) and not step:
                self.add_error("next_step", "Say what the next step is, or clear its owner and due date.")
        return data


class StageChangeForm(forms.Form):
    to_stage = forms.TypedChoiceField(label="New stage", choices=Stage.choices, coerce=int, widget=forms.RadioSelect)
    evidence_engagement = forms.ModelChoiceField(
        label="Evidence: an engagement", queryset=Engagement.objects.none(), required=False
    )
    evidence_meeting = forms.ModelChoiceField(
        label="Evidence: a meeting decision", queryset=Meeting.objects.none(), required=False
    )
    evidence_url = forms.URLField(label="Evidence: a document link", required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Why it moved.")

    def __init__(self, *args: Any, board: Board | None = None, area: LocalArea | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if board is not None:
            engagements = Engagement.objects.filter(board=board)
            meetings = Meeting.objects.filter(board=board)
        else:
            engagements = Engagement.objects.filter(area=area)
            meetings = Meeting.objects.filter(board__area=area)
        model_choice_field(self, "evidence_engagement").queryset = engagements.select_related("board", "organisation")
        model_choice_field(self, "evidence_meeting").queryset = meetings.select_related("board")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("evidence_engagement") or data.get("evidence_meeting") or data.get("evidence_url")):
            self.add_error(
                "evidence_engagement",
                "Give the evidence for this change: an engagement, a meeting decision or a link.",
            )
        return data


class ReadinessForm(forms.ModelForm):
    status = forms.ChoiceField(choices=ReadinessStatus.choices, widget=forms.RadioSelect)

    class Meta:
        model = AreaReadiness
        fields = ["status", "evidence", "evidence_url"]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"evidence": "What shows this, for example the strategy section that names it."}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("status") == ReadinessStatus.IN_PLACE and not (data.get("evidence") or data.get("evidence_url")):
            self.add_error("evidence", "Say what shows this is in place, or give a link to it.")
        return data

    def _post_clean(self) -> None:
        pass


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = ReadinessIndicator
        fields = ["name", "description", "position", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ChampionForm(forms.ModelForm):
    contact = ContactChoiceField(queryset=contacts())

    class Meta:
        model = Champion
        fields = ["contact", "stage", "contributions", "engagements"]
        widgets = {
            "stage": forms.RadioSelect,
            "contributions": forms.Textarea(attrs={"rows": 4}),
            "engagements": forms.CheckboxSelectMultiple,
        }
        help_texts = {"engagements": "The engagements this champion took part in or led to."}

    def __init__(self, *args: Any, area: LocalArea, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "engagements").queryset = Engagement.objects.filter(area=area).select_related(
            "board", "organisation"
        )
        self.fields["engagements"].required = False
        if self.instance.pk:
            self.fields["contact"].disabled = True

    def _post_clean(self) -> None:
        pass


class CommitmentForm(forms.ModelForm):
    contact = ContactChoiceField(queryset=contacts(), required=False, help_text="Who made or received the promise.")

    class Meta:
        model = Commitment
        fields = ["description", "promised_by", "owner", "due_date", "board", "contact"]
        widgets = {"due_date": date_input(), "promised_by": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = people_who_write()
        model_choice_field(self, "board").queryset = Board.objects.select_related("area")
        if self.instance.pk:
            for name in ("board", "contact"):
                del self.fields[name]

    def clean_due_date(self) -> dt.date | None:
        due = self.cleaned_data.get("due_date")
        unchanged = self.instance.pk and due == self.instance.due_date
        if due and due < timezone.localdate() and not unchanged:
            raise ValidationError("The due date must be today or in the future.")
        return due

    def _post_clean(self) -> None:
        pass


class CommitmentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Commitment.Status.choices)


class AssessmentForm(forms.Form):
    SCORES = [(i, str(i)) for i in range(1, 6)]

    influence = forms.TypedChoiceField(
        choices=SCORES, coerce=int, widget=forms.RadioSelect, help_text="1 is little influence, 5 is a great deal."
    )
    interest = forms.TypedChoiceField(
        choices=SCORES, coerce=int, widget=forms.RadioSelect, help_text="1 is little interest, 5 is a great deal."
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AssessmentSubjectForm(AssessmentForm):
    """Assess from a board or area page, choosing whom."""

    contact = ContactChoiceField(queryset=contacts(), required=False)
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)

    field_order = ["contact", "organisation", "influence", "interest", "note"]

    def __init__(self, *args: Any, area: LocalArea | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if area is not None:
            model_choice_field(self, "contact").queryset = contacts().filter(area=area)
            model_choice_field(self, "organisation").queryset = Organisation.objects.filter(area=area).order_by("name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if bool(data.get("contact")) == bool(data.get("organisation")):
            self.add_error("contact", "Choose one contact or one organisation to assess.")
        return data


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = WorkPreference
        fields = ["cold_after_days"]
        labels = {"cold_after_days": "Days without an engagement before a board shows as gone cold"}
        help_texts = {"cold_after_days": "Between 7 and 365."}
        widgets = {
            "cold_after_days": forms.NumberInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"})
        }
