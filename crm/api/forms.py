from django import forms

from .models import ApiToken


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What will use this token, for example “Council case system” or “Power BI”.",
        error_messages={"required": "Enter a name for the token, so you can tell it from your others."},
    )
