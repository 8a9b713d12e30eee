"""The base for every list table: GOV.UK classes on every cell, rendered by django_tables2/govuk.html."""

import django_tables2 as tables


class GovukTable(tables.Table):
    class Meta:
        attrs = {
            "class": "govuk-table",
            "thead": {"class": "govuk-table__head"},
            "th": {"class": "govuk-table__header"},
            "td": {"class": "govuk-table__cell"},
        }
        row_attrs = {"class": "govuk-table__row"}
        template_name = "django_tables2/govuk.html"
        per_page = 50
