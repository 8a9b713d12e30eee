"""Render Django forms with GOV.UK Design System markup: classes on widgets, hints and errors linked
with aria-describedby, radios and checkboxes as GOV.UK items, and the error summary."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()

WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select cg-select-multiple",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
    forms.CheckboxInput: "govuk-checkboxes__input",
}


def _is_choice_list(widget: forms.Widget) -> bool:
    return isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


def _described_by(field: BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def govuk_widget(field: BoundField) -> SafeString:
    widget = field.field.widget
    css = next((c for cls, c in WIDGET_CLASSES.items() if isinstance(widget, cls)), "govuk-input")
    if field.errors and css != "govuk-checkboxes__input":
        css += f" {css.split()[0]}--error"
    attrs: dict[str, str | bool] = {"class": " ".join(filter(None, [css, widget.attrs.get("class", "")]))}
    described = _described_by(field)
    if described:
        attrs["aria-describedby"] = described
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_list(field: BoundField) -> bool:
    return _is_choice_list(field.field.widget)


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def is_radio(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.RadioSelect)


@register.filter
def is_hidden(field: BoundField) -> bool:
    return field.is_hidden


@register.inclusion_tag("forms/govuk_error_summary.html")
def govuk_error_summary(*forms_: forms.BaseForm) -> dict:
    errors = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for message in form.non_field_errors():
            errors.append({"href": "#main-content", "message": message})
        for field in form:
            for message in field.errors:
                errors.append({"href": f"#{field.auto_id}", "message": message})
    return {"errors": errors}
