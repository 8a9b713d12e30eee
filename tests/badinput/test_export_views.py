"""Every export a user can download, with records whose text starts like a formula: each cell comes out
as text (a leading apostrophe), and ordinary text comes out exactly as it was typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.models import Response, ResponseKind
from crm.spreadsheets import FORMULA_TRIGGERS
from tests.badinput.spreadsheets import body_of, csv_cells, formula_cells, xlsx_cells, xlsx_formula_cells
from tests.boards.factories import EngagementFactory
from tests.campaigns.factories import CampaignFactory
from tests.crm.factories import ContactFactory, LocalAreaFactory, NoteFactory, OrganisationFactory

PAYLOAD = 'cmd|" /C calc"!A0'
TRIGGERED = [t + PAYLOAD for t in FORMULA_TRIGGERS]
PLAIN = "Ordinary text, with £ and “quotes”"


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def all_text(rows: list[list[str]]) -> set[str]:
    return {c for row in rows for c in row}


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS, ids=repr)
def test_engagement_log_export_neutralises_every_typed_field(signed_in, trigger):
    # Given an engagement whose summary, ask and outcome start like a formula
    EngagementFactory(summary=trigger + PAYLOAD, our_ask=trigger + "1+1", outcome=PLAIN)

    # When the engagement log is exported
    rows = csv_cells(body_of(signed_in.get(reverse("boards:engagement_export"))))

    # Then nothing would run, the typed text is still there after the apostrophe, and plain text is untouched
    assert formula_cells(rows) == []
    assert {"'" + trigger + PAYLOAD, "'" + trigger + "1+1", PLAIN} <= all_text(rows)


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS, ids=repr)
def test_campaign_results_export_neutralises_area_names(signed_in, admin_user, trigger):
    campaign = CampaignFactory(owner=admin_user)
    contact = ContactFactory(area=LocalAreaFactory(name=trigger + PAYLOAD))
    Response.objects.create(campaign=campaign, contact=contact, kind=ResponseKind.PLEDGED)

    rows = csv_cells(body_of(signed_in.get(reverse("campaigns:results_export", args=[campaign.pk]))))

    assert formula_cells(rows) == []
    assert "'" + trigger + PAYLOAD in all_text(rows)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("url_name", ["crm:contact_list", "crm:organisation_list", "crm:area_list"])
def test_registry_exports_neutralise_names_in_both_formats(signed_in, url_name, file_format):
    for value in [*TRIGGERED, PLAIN]:
        area = LocalAreaFactory(name=value)
        organisation = OrganisationFactory(name=value, area=area, address=value)
        ContactFactory(first_name=value, job_title=value, area=area).affiliations.create(organisation=organisation)

    response = signed_in.get(reverse(url_name), {"export": file_format})
    data = body_of(response)

    assert response.status_code == 200
    if file_format == "csv":
        rows = csv_cells(data)
        assert formula_cells(rows) == []
        assert {"'" + v for v in TRIGGERED} | {PLAIN} <= all_text(rows)
    else:
        assert xlsx_formula_cells(data) == []
        texts = {value for value, _ in xlsx_cells(data)}
        # XML keeps no bare carriage return: the one starting with CR reads back starting with LF after "'".
        assert {"'" + v.replace("\r", "\n") for v in TRIGGERED} | {PLAIN} <= texts


def test_subject_access_csv_neutralises_every_value(signed_in):
    contact = ContactFactory(first_name=TRIGGERED[0], last_name=TRIGGERED[1], job_title=TRIGGERED[4])
    NoteFactory(contact=contact, body=TRIGGERED[3])

    response = signed_in.get(reverse("crm:contact_data_export", args=[contact.pk, "csv"]))
    rows = csv_cells(body_of(response))

    assert formula_cells(rows) == []
    assert {"'" + TRIGGERED[0], "'" + TRIGGERED[1], "'" + TRIGGERED[4], "'" + TRIGGERED[3]} <= all_text(rows)
