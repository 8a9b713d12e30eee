from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """`{{ form }}` and `{{ form.field.as_field_group }}` render GOV.UK Design System markup."""

    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"
