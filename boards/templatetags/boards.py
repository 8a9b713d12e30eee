from __future__ import annotations

from django import template
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from boards.links import url_of
from boards.models import Stage

register = template.Library()


@register.filter
def link_to(obj: models.Model | None) -> str:
    """The record's name as a link to its page, or just its name when it has no page."""
    if obj is None:
        return "—"
    url = url_of(obj)
    if not url:
        return format_html("{}", obj)
    return format_html('<a class="govuk-link" href="{}">{}</a>', url, obj)


@register.filter
def stage_tag(value: int | None) -> str:
    value = value or 0
    colour = "govuk-tag--grey" if value == 0 else ("govuk-tag--blue" if value < 4 else "govuk-tag--green")
    return format_html('<strong class="govuk-tag {}">{}</strong>', colour, Stage(value).label)


@register.filter
def stage_label(value: int | None) -> str:
    return Stage(value or 0).label


READINESS_TAGS = {
    "unknown": "govuk-tag--grey",
    "not_yet": "govuk-tag--red",
    "in_progress": "govuk-tag--yellow",
    "in_place": "govuk-tag--green",
}
SENTIMENT_TAGS = {
    "supportive": "govuk-tag--green",
    "neutral": "govuk-tag--grey",
    "sceptical": "govuk-tag--yellow",
    "opposed": "govuk-tag--red",
}


@register.simple_tag
def readiness_tag(readiness) -> str:
    if readiness is None:
        return mark_safe('<strong class="govuk-tag govuk-tag--grey">Not known</strong>')
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>', READINESS_TAGS[readiness.status], readiness.get_status_display()
    )


@register.simple_tag
def sentiment_tag(engagement) -> str:
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>',
        SENTIMENT_TAGS.get(engagement.sentiment, ""),
        engagement.get_sentiment_display(),
    )
