"""Property tests for the merge-field language: any template either renders or gives an error naming a
line that exists; nothing but the listed fields is reachable; HTML bodies escape every value."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.services.merge_fields import FIELDS, MergeFieldError, one_line, parse, render

BOUNDED = settings(max_examples=300, deadline=None)
# Template text rich in the characters the language is made of, so the parser's edges get exercised.
PIECES = st.sampled_from(["{{", "}}", "{%", "%}", "{#", "|", "default:", '"', "\n", " ", *FIELDS, "__class__", "x"])
TEMPLATE = st.one_of(st.text(max_size=60), st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=25).map("".join))
VALUES = st.dictionaries(st.sampled_from(sorted(FIELDS)), st.text(max_size=30))


@BOUNDED
@given(source=TEMPLATE, context=VALUES)
def test_any_template_renders_or_names_the_line_of_its_first_problem(source, context):
    try:
        text, error = render(source, context), None
    except MergeFieldError as problem:
        text, error = None, problem
    if error is not None:
        assert 1 <= error.line <= source.count("\n") + 1
        assert str(error).startswith(f"Line {error.line}: ")
    else:
        assert isinstance(text, str)


@BOUNDED
@given(source=TEMPLATE, context=VALUES)
def test_rendering_reaches_nothing_but_the_values_it_is_given(source, context):
    # A template that renders produces only its own literal text and the given values (or defaults):
    # removing every field from the output leaves exactly the literal text.
    try:
        parts = parse(source)
    except MergeFieldError:
        return
    rendered = render(source, context)
    literal = "".join(p.text for p in parts if hasattr(p, "text"))
    fields = [p for p in parts if hasattr(p, "name")]
    assert all(f.name in FIELDS for f in fields)
    filled = [str(context.get(f.name, "") or "") or f.default for f in fields]
    assert len(rendered) == len(literal) + sum(len(v) for v in filled)


@BOUNDED
@given(value=st.text(max_size=40), default=st.text(st.characters(exclude_characters='"{}\r\n'), max_size=10))
def test_html_bodies_escape_every_value_and_default(value, default):
    source = f'<p>{{{{ first_name }}}}</p><p>{{{{ job_title|default:"{default}" }}}}</p>'

    rendered = render(source, {"first_name": value}, escape_html=True)

    assert rendered == f"<p>{html.escape(value, quote=True)}</p><p>{html.escape(default, quote=True)}</p>"


@BOUNDED
@given(st.text(st.sampled_from("ab \r\n\u2028\u202e\u2066\u200d👩"), max_size=60) | st.text(max_size=60))
def test_a_header_value_can_never_start_a_new_header(value):
    line = one_line(value)

    assert not any(ch in line for ch in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
    # nor reverse the text shown after it (U+202E turns "gnp.exe" into "exe.png")
    assert not any(ch in line for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_template_tags_and_attribute_lookups_are_refused_with_their_line():
    for source, line in (
        ("Hi\n{% load static %}", 2),
        ("{{ first_name.__class__ }}", 1),
        ("a\nb\n{{ settings.SECRET_KEY }}", 3),
        ("{{ first_name|safe }}", 1),
    ):
        with pytest.raises(MergeFieldError) as caught:
            render(source, {"first_name": "Jo"})
        assert caught.value.line == line, source
