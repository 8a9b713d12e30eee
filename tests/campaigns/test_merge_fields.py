import pytest
from django.core.exceptions import ValidationError

from campaigns.services import merge_fields
from campaigns.services.messages import message_check, message_create
from tests.campaigns.factories import CampaignFactory


def test_fields_are_filled_and_html_values_are_escaped():
    # Given a contact whose name carries markup
    context = {"first_name": "<b>Sam</b>", "organisation": ""}
    # When the HTML and the text versions are rendered
    html = merge_fields.render(
        '<p>Hi {{ first_name }} at {{ organisation|default:"your team" }}</p>', context, escape_html=True
    )
    text = merge_fields.render("Hi {{first_name}}", context)
    # Then HTML escapes the value, text keeps it, and the fallback fills the blank
    assert html == "<p>Hi &lt;b&gt;Sam&lt;/b&gt; at your team</p>"
    assert text == "Hi <b>Sam</b>"


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        ("Hello\n\n{{ firstname }}", 3, "'firstname' is not a merge field"),
        ("Hello {{ first_name", 1, "not closed"),
        ("ok\n}} oops", 2, "never opened"),
        ("one\ntwo\n{% load static %}", 3, "Template tags"),
        ("{{ first_name.__class__ }}", 1, "is not a merge field"),
        ("{{ first_name|upper }}", 1, "is not a merge field"),
        ("a\n{# note #}", 2, "Comments"),
    ],
)
def test_template_errors_name_the_line(source, line, fragment):
    with pytest.raises(merge_fields.MergeFieldError) as caught:
        merge_fields.parse(source)
    assert caught.value.line == line
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(f"Line {line}:")


def test_the_sandbox_reaches_nothing_but_its_strings():
    # Django template syntax that would reach settings or objects is not syntax here at all
    for attack in ("{{ settings.SECRET_KEY }}", "{% debug %}", "{{ request.user }}"):
        with pytest.raises(merge_fields.MergeFieldError):
            merge_fields.parse(attack)


def test_one_line_removes_every_kind_of_line_break():
    assert merge_fields.one_line("Hi\r\nBcc: evil@example.com\u2028x") == "Hi Bcc: evil@example.com x"


@pytest.mark.django_db
def test_a_message_with_an_unknown_field_is_refused_on_save_with_its_line(campaign_staff):
    campaign = CampaignFactory()
    with pytest.raises(ValidationError) as caught:
        message_create(
            campaign=campaign,
            name="First",
            subject="Hello",
            html_body="<p>Hi</p>\n<p>{{ favourite_colour }}</p>",
            text_body="Hi",
            actor=campaign_staff,
        )
    assert "Line 2" in caught.value.message_dict["html_body"][0]
    assert campaign.messages.count() == 0


def test_message_check_reports_each_part():
    problems = message_check(subject="{{ nope }}", html_body="fine", text_body="x\n{% if %}")
    assert set(problems) == {"subject", "text_body"}
    assert problems["text_body"].startswith("Line 2")
