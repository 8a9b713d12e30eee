"""Reading the cells people type: UK dates, yes/no, choice labels, names with titles."""

from __future__ import annotations

import datetime as dt
import re

from django.db import models

UK_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d %B %y")
TRUE_WORDS = {"yes", "y", "true", "t", "1", "x", "✓", "✔", "optedout", "unsubscribed", "donotcontact", "dnc"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "", "-", "optedin", "subscribed"}
TITLES = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "cllr",
    "councillor",
    "sir",
    "dame",
    "rev",
    "revd",
}
SPLIT_LIST = re.compile(r"\s*[;,\n]\s*")
SPLIT_EMAILS = re.compile(r"[\s;,]+")


def squash(text: str) -> str:
    """Lower-case letters and digits only, so "Health Visiting", "health_visiting" and "HEALTH-VISITING" agree."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def parse_uk_date(text: str) -> dt.date | None:
    """A date written the UK way (day first). None when it is not one."""
    text = " ".join(text.split())
    # A spreadsheet cell typed as a date-time arrives as "dd/mm/yyyy hh:mm".
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", text)
    for fmt in UK_DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_yes_no(text: str) -> bool | None:
    word = squash(text)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def choice_lookup(choices: type[models.TextChoices], extra: dict[str, str] | None = None) -> dict[str, str]:
    """{squashed label or value: value} for matching a choice case- and punctuation-insensitively."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[squash(value)] = value
        lookup[squash(str(label))] = value
    for alias, value in (extra or {}).items():
        lookup[squash(alias)] = value
    return lookup


def split_name(text: str) -> tuple[str, str]:
    """Split "Dr Jane Smith", "Smith, Jane" or "Jane van der Berg" into first and last name."""
    text = " ".join(text.replace("\u00a0", " ").split())
    if "," in text:
        last, _, first = text.partition(",")
        return _drop_titles(first.strip()), last.strip()
    words = _drop_titles(text).split(" ")
    if len(words) == 1:
        return words[0], ""
    # Surname particles belong with the surname: "Jane van der Berg" -> "Jane", "van der Berg".
    particles = {"van", "von", "der", "den", "de", "da", "di", "du", "la", "le", "st", "st.", "ap", "ab", "al", "bin"}
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in particles:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def _drop_titles(text: str) -> str:
    words = text.split(" ")
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words)


def split_list(text: str) -> list[str]:
    return [p for p in (s.strip() for s in SPLIT_LIST.split(text)) if p]


def split_emails(text: str) -> list[str]:
    return [p for p in SPLIT_EMAILS.split(text.strip()) if p]
