import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from crm.models import (
    Affiliation,
    Contact,
    LawfulBasis,
    LocalArea,
    Organisation,
    Suppression,
    Tag,
    User,
)
from crm.services.contacts import DETAIL_FIELDS
from crm.services.tags import split_tag_names
from crm.typing import model_choice_field


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both may be case-sensitive.",
        "inactive": "This account has been switched off. Ask an admin to switch it back on.",
    }

    def clean_username(self) -> str:
        # Stored emails are lower-case; people type them in any case.
        return self.cleaned_data["username"].strip().lower()


# --- Registry forms --------------------------------------------------------------------------------
# Forms validate what a person typed and say what is wrong where; the services enforce the rules again.


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Relationship owner",
        queryset=User.objects.filter(is_active=True).order_by("full_name"),
        required=False,
        empty_label="No one yet",
        help_text="The colleague who looks after this relationship.",
    )


class TagsFieldMixin(forms.Form):
    tags = forms.ModelMultipleChoiceField(
        label="Tags", queryset=Tag.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple
    )
    new_tags = forms.CharField(
        label="New tags",
        required=False,
        max_length=500,
        help_text="Separate tags with commas, for example: pilot, 2026.",
    )

    def clean_new_tags(self) -> list[str]:
        names = split_tag_names(self.cleaned_data.get("new_tags", ""))
        too_long = [n for n in names if len(n) > 80]
        if too_long:
            raise forms.ValidationError(f"“{too_long[0][:30]}…” is too long: keep each tag to 80 characters.")
        return names


class ContactForm(TagsFieldMixin, forms.ModelForm):
    owner = _people()

    class Meta:
        model = Contact
        fields = DETAIL_FIELDS  # the fields contact_create/contact_update take
        labels = {"notes": "Background", "area": "Local area"}
        help_texts = {"notes": "Anything colleagues should know. Use notes below for dated updates."}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = model_choice_field(self, "area")
        area.queryset = LocalArea.objects.order_by("name")
        area.empty_label = "Not known"
        seniority = cast(forms.ChoiceField, self.fields["seniority"])
        # Django has already normalised the choices to a list; the first is its "---------" blank.
        seniority.choices = [("", "Not known"), *cast(list[tuple[str, str]], seniority.choices)[1:]]
        if self.instance.pk:
            self.fields["tags"].initial = list(self.instance.tags.all())

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class NewContactForm(ContactForm):
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="None or not known",
        help_text="Where they work now. You can add more roles from their page.",
    )
    role = forms.CharField(label="Role there", max_length=200, required=False, help_text="Defaults to the job title.")
    start_date = forms.DateField(label="Started on", required=False, widget=DATE_WIDGET)

    class Meta(ContactForm.Meta):
        pass


class ContactPreferencesForm(forms.Form):
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for contacting them",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        help_text="Legitimate interests covers writing to a professional at a public body about their work. "
        "Use consent when they signed up themselves.",
    )
    consent_date = forms.DateField(
        label="Date consent was given",
        required=False,
        widget=DATE_WIDGET,
        help_text="Needed when the basis is consent.",
    )
    consent_source = forms.CharField(
        label="Where consent was given",
        max_length=200,
        required=False,
        help_text="For example: pledge page, event sign-up sheet.",
    )
    consent_wording = forms.CharField(
        label="What they agreed to", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    email_opt_out = forms.BooleanField(label="Opted out of email", required=False)
    phone_opt_out = forms.BooleanField(label="Opted out of phone calls", required=False)
    do_not_contact = forms.BooleanField(
        label="Do not contact", required=False, help_text="Nobody contacts them by any channel."
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("lawful_basis") == LawfulBasis.CONSENT:
            when = data.get("consent_date")
            if when is None and "consent_date" not in self.errors:
                self.add_error("consent_date", "Enter the date consent was given.")
            elif when is not None and when > timezone.localdate():
                self.add_error("consent_date", "The date consent was given must be today or in the past.")
        return data

    def consent_given_at(self) -> dt.datetime | None:
        when = self.cleaned_data.get("consent_date")
        if self.cleaned_data.get("lawful_basis") != LawfulBasis.CONSENT or when is None:
            return None
        # Midday UK time: the date a person gave stays the same date whatever the clocks did.
        return timezone.make_aware(dt.datetime.combine(when, dt.time(12, 0)))

    @classmethod
    def initial_for(cls, contact: Contact) -> dict:
        return {
            "lawful_basis": contact.lawful_basis,
            "consent_date": timezone.localtime(contact.consent_given_at).date() if contact.consent_given_at else None,
            "consent_source": contact.consent_source,
            "consent_wording": contact.consent_wording,
            "email_opt_out": contact.email_opt_out,
            "phone_opt_out": contact.phone_opt_out,
            "do_not_contact": contact.do_not_contact,
        }


class OrganisationForm(TagsFieldMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "area", "parent", "address", "postcode", "website", "phone", "email", "notes"]
        labels = {"area": "Local area", "parent": "Part of"}
        help_texts = {"parent": "For example, a GP practice's primary care network or a school's academy trust."}
        widgets = {"address": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = model_choice_field(self, "area")
        area.queryset = LocalArea.objects.order_by("name")
        area.empty_label = "Not known"
        parents = Organisation.objects.order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.fields["tags"].initial = list(self.instance.tags.all())
        parent = model_choice_field(self, "parent")
        parent.queryset = parents
        parent.empty_label = "None"

    def clean_postcode(self) -> str:
        value = " ".join(self.cleaned_data["postcode"].split()).upper()
        compact = value.replace(" ", "")
        if compact and not (5 <= len(compact) <= 7 and compact[:1].isalpha() and compact[-3:-2].isdigit()):
            raise forms.ValidationError("Enter a real postcode, like SW1A 1AA.")
        return value


class AffiliationForm(forms.Form):
    organisation = forms.ModelChoiceField(label="Organisation", queryset=Organisation.objects.order_by("name"))
    role = forms.CharField(label="Role", max_length=200, required=False)
    start_date = forms.DateField(label="Started on", required=False, widget=DATE_WIDGET)


class CurrentRoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Affiliation) -> str:
        return f"{obj.role or 'Role'} at {obj.organisation.name}"


class JobMoveForm(forms.Form):
    previous = CurrentRoleChoiceField(
        label="Role they are leaving",
        queryset=Affiliation.objects.none(),
        required=False,
        empty_label="None (keep all current roles)",
    )
    organisation = forms.ModelChoiceField(label="New organisation", queryset=Organisation.objects.order_by("name"))
    role = forms.CharField(label="New role", max_length=200)
    start_date = forms.DateField(label="Starts on", widget=DATE_WIDGET, help_text="The old role ends the day before.")

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        previous = model_choice_field(self, "previous")
        previous.queryset = contact.affiliations.filter(end_date__isnull=True).select_related("organisation")

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        previous, start = data.get("previous"), data.get("start_date")
        if previous and start and previous.start_date and start <= previous.start_date:
            self.add_error(
                "start_date", f"The new role must start after the old one began ({previous.start_date:%d/%m/%Y})."
            )
        return data


class AffiliationEndForm(forms.Form):
    end_date = forms.DateField(label="Left on", widget=DATE_WIDGET)


class ContactEmailForm(forms.Form):
    email = forms.EmailField(label="Another work email address")


class NoteForm(forms.Form):
    body = forms.CharField(label="Add a note", widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)


class LocalAreaForm(forms.ModelForm):
    class Meta:
        model = LocalArea
        fields = ["name", "region", "code"]
        labels = {"code": "Code"}
        help_texts = {
            "code": "Optional: an ONS or your own code.",
            "name": "For example, a combined authority or a locality.",
        }


class SuppressionForm(forms.Form):
    email = forms.EmailField(label="Email address")
    reason = forms.ChoiceField(
        label="Why",
        choices=[c for c in Suppression.Reason.choices if c[0] != Suppression.Reason.ERASED],
        widget=forms.RadioSelect,
    )
    source = forms.CharField(
        label="How we heard",
        max_length=200,
        required=False,
        help_text="For example: phone call to the office, 3 March.",
    )


class SuppressionCheckForm(forms.Form):
    email = forms.EmailField(label="Check an email address")


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="I understand this cannot be undone", required=True)
