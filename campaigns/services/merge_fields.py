"""Merge fields in messages: a deliberately tiny template language, so a message can reach nothing but
the plain strings it is given. `{{ field }}` and `{{ field|default:"text" }}` are all it knows; anything
else is an error that names the line, found when the message is saved or previewed, never at send time."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

FIELDS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "job_title": "Job title",
    "organisation": "Organisation (their current one)",
    "area": "Local area",
    "practitioner_group": "Practitioner group",
    "campaign_name": "Campaign name",
    "unsubscribe_url": "Their own unsubscribe link",
    "pledge_url": "The campaign's pledge page",
}

_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_EXPR = re.compile(r'^\s*([a-z_]+)\s*(?:\|\s*default\s*:\s*"([^"{}\r\n]*)"\s*)?$')


class MergeFieldError(ValueError):
    """A problem in a message template, with the line it is on (1-based)."""

    def __init__(self, message: str, line: int):
        super().__init__(f"Line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class _Literal:
    text: str


@dataclass(frozen=True)
class _Field:
    name: str
    default: str


def _line_of(source: str, index: int) -> int:
    return source.count("\n", 0, index) + 1


def parse(source: str) -> list[_Literal | _Field]:
    """Split a template into literal text and fields; raise MergeFieldError on the first problem."""
    for marker, what in (("{%", "Template tags like {% … %}"), ("{#", "Comments like {# … #}")):
        at = source.find(marker)
        if at != -1:
            raise MergeFieldError(
                f"{what} are not allowed. Use merge fields like {{{{ first_name }}}}.", _line_of(source, at)
            )
    parts: list[_Literal | _Field] = []
    position = 0
    for match in _TAG.finditer(source):
        parts.append(_Literal(source[position : match.start()]))
        line = _line_of(source, match.start())
        inner = match.group(1)
        if "{{" in inner:
            raise MergeFieldError("A merge field was opened with {{ but not closed with }}.", line)
        parsed = _EXPR.match(inner)
        if not parsed:
            raise MergeFieldError(
                f"'{{{{{inner}}}}}' is not a merge field. Write it like {{{{ first_name }}}} or "
                f'{{{{ first_name|default:"colleague" }}}}.',
                line,
            )
        name, default = parsed.group(1), parsed.group(2) or ""
        if name not in FIELDS:
            raise MergeFieldError(
                f"'{name}' is not a merge field. You can use: {', '.join(sorted(FIELDS))}.",
                line,
            )
        parts.append(_Field(name, default))
        position = match.end()
    rest = source[position:]
    for marker in ("{{", "}}"):
        at = rest.find(marker)
        if at != -1:
            what = "opened with {{ but not closed with }}" if marker == "{{" else "closed with }} but never opened"
            raise MergeFieldError(f"A merge field was {what}.", _line_of(source, position + at))
    parts.append(_Literal(rest))
    return parts


def uses_field(source: str, name: str) -> bool:
    return any(isinstance(p, _Field) and p.name == name for p in parse(source))


def render(source: str, context: dict[str, str], *, escape_html: bool = False) -> str:
    """Fill the fields from `context` (plain strings only). HTML bodies escape every value."""
    out = []
    for part in parse(source):
        if isinstance(part, _Literal):
            out.append(part.text)
            continue
        value = str(context.get(part.name, "") or "") or part.default
        out.append(html.escape(value, quote=True) if escape_html else value)
    return "".join(out)


# Bidirectional overrides and isolates: in a subject or a sender's name they can make "exe.pdf" read as
# "fdp.exe" in a mail client, so they never reach a header. Joiners (U+200D) stay: emoji need them.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def one_line(value: str) -> str:
    """A header value that cannot start a new header or reverse its text: line breaks become spaces and
    bidirectional override characters are dropped."""
    value = _BIDI_CONTROLS.sub("", value or "")
    return " ".join(re.split(r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+", value)).strip()
