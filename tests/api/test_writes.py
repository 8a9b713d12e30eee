"""Writes go through the same services as the web forms: what the API adds shows on the web pages,
on timelines and in the audit trail, and every rule of the service applies with a message per field."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from boards.models import Commitment, Engagement
from crm.models import AuditEvent, Contact, TimelineEntry
from tests.api.conftest import client_for


def test_a_contact_created_through_the_api_appears_in_the_ui_and_the_audit_trail(client, world, leader):
    # Given a leader's token
    api = client_for(leader)
    organisation = world["organisation"]
    # When a case system adds a contact with their current role
    response = api.post(
        "/api/v1/contacts/",
        {
            "first_name": "Amara",
            "last_name": "Okafor",
            "email": "Amara.Okafor@Example.gov.uk",
            "practitioner_group": "health_visiting",
            "area": world["area"].pk,
            "tags": ["Pilot"],
            "organisation": organisation.pk,
            "role": "Health visitor",
        },
        format="json",
    )
    # Then it is created as the web form would create it (email normalised, affiliation started)
    assert response.status_code == 201, response.content
    body = response.json()
    contact = Contact.objects.get(pk=body["id"])
    assert contact.email == "amara.okafor@example.gov.uk"
    assert [a["organisation"] for a in body["affiliations"]] == [organisation.pk]
    assert body["tags"] == ["Pilot"]
    # And the contact's web page shows them and their role
    client.force_login(leader)
    page = client.get(reverse("crm:contact_detail", args=[contact.pk]))
    assert page.status_code == 200
    assert "Amara" in page.content.decode()
    assert organisation.name in page.content.decode()
    # And the audit trail says the leader created them
    created = AuditEvent.objects.get(target_type="crm.contact", target_id=str(contact.pk), action="create")
    assert created.actor == leader
    assert created.changes["email"] == "amara.okafor@example.gov.uk"


def test_an_engagement_logged_through_the_api_appears_in_the_ui_timeline_and_audit_trail(client, world, leader):
    # Given a leader's token and a contact on the board
    api = client_for(leader)
    contact = world["contact"]
    due = timezone.localdate() + dt.timedelta(days=7)
    # When an engagement with a next step is logged from another system
    response = api.post(
        "/api/v1/engagements/",
        {
            "kind": "presentation",
            "date": timezone.localdate().isoformat(),
            "board": world["board"].pk,
            "contacts": [contact.pk],
            "leaders": [leader.pk],
            "summary": "Presented the local data on parental conflict to the board.",
            "sentiment": "supportive",
            "next_step": "Send the slides to the chair",
            "next_step_due": due.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    engagement = Engagement.objects.get(pk=response.json()["id"])
    # Then its web page shows it
    client.force_login(leader)
    page = client.get(reverse("boards:engagement_detail", args=[engagement.pk]))
    assert page.status_code == 200
    assert "Presented the local data" in page.content.decode()
    # And it is on the contact's timeline, and the next step became an open follow-up owned by the leader
    assert TimelineEntry.objects.filter(contact=contact, source=f"boards.engagement:{engagement.pk}").exists()
    follow_up = Commitment.objects.get(engagement=engagement)
    assert (follow_up.owner, follow_up.status, follow_up.due_date) == (leader, "open", due)
    # And the audit trail records both, by the leader
    assert AuditEvent.objects.filter(target_type="boards.engagement", target_id=str(engagement.pk), actor=leader)
    assert AuditEvent.objects.filter(target_type="boards.commitment", target_id=str(follow_up.pk), actor=leader)
    # And the engagement is on the contact's page
    contact_page = client.get(reverse("crm:contact_detail", args=[contact.pk])).content.decode()
    assert "Presentation" in contact_page


def test_service_rules_come_back_as_field_errors_and_nothing_is_saved(world, leader):
    api = client_for(leader)
    # An engagement with neither a board nor an organisation breaks the service's rule
    response = api.post(
        "/api/v1/engagements/",
        {"kind": "call", "date": timezone.localdate().isoformat(), "summary": "Rang the chair"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "board" in body["errors"]
    assert body["detail"].startswith("Check the request")
    assert not Engagement.objects.filter(summary="Rang the chair").exists()


def test_a_bad_next_step_stops_the_whole_engagement(world, leader):
    # The follow-up is due in the past: the service refuses it, and the engagement is not kept either
    api = client_for(leader)
    response = api.post(
        "/api/v1/engagements/",
        {
            "kind": "call",
            "date": timezone.localdate().isoformat(),
            "board": world["board"].pk,
            "summary": "Call with the chair",
            "next_step": "Chase the minutes",
            "next_step_due": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "next_step_due" in response.json()["errors"]
    assert not Engagement.objects.filter(summary="Call with the chair").exists()


def test_consent_needs_its_date_in_the_api_as_on_the_web(world, leader):
    api = client_for(leader)
    contact = world["contact"]
    response = api.patch(f"/api/v1/contacts/{contact.pk}/", {"lawful_basis": "consent"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"consent_given_at": ["Enter the date consent was given."]}
    contact.refresh_from_db()
    assert contact.lawful_basis == "legitimate_interests"


def test_a_contact_update_changes_details_and_preferences_with_audit_and_timeline(world, leader):
    api = client_for(leader)
    contact = world["contact"]
    response = api.patch(
        f"/api/v1/contacts/{contact.pk}/", {"job_title": "Lead health visitor", "email_opt_out": True}, format="json"
    )
    assert response.status_code == 200, response.content
    contact.refresh_from_db()
    assert (contact.job_title, contact.email_opt_out) == ("Lead health visitor", True)
    summaries = list(TimelineEntry.objects.filter(contact=contact).values_list("summary", flat=True))
    assert any("Details updated" in s for s in summaries)
    assert any("opted out of email" in s.lower() for s in summaries)
    assert AuditEvent.objects.filter(target_type="crm.contact", target_id=str(contact.pk), action="update").count() == 2


def test_unknown_choices_and_missing_records_are_named_by_field(world, leader):
    api = client_for(leader)
    response = api.post("/api/v1/boards/", {"name": "X", "kind": "parliament", "area": 999_999_999}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"kind", "area"}
    assert "not a valid choice" in errors["kind"][0]


def test_a_follow_up_is_closed_with_a_patch_of_its_status(world, leader):
    api = client_for(leader)
    follow_up = world["follow-up"]
    response = api.patch(f"/api/v1/follow-ups/{follow_up.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 200
    assert response.json()["closed_at"]
    follow_up.refresh_from_db()
    assert follow_up.status == "done"


def test_a_stage_change_needs_evidence_and_moves_the_board(world, leader):
    api = client_for(leader)
    board = world["board"]
    refused = api.post("/api/v1/stage-changes/", {"board": board.pk, "to_stage": 2}, format="json")
    assert refused.status_code == 400
    assert "evidence_engagement" in refused.json()["errors"]
    moved = api.post(
        "/api/v1/stage-changes/",
        {"board": board.pk, "to_stage": 2, "evidence_engagement": world["engagement"].pk},
        format="json",
    )
    assert moved.status_code == 201, moved.content
    assert moved.json()["from_stage"] == board.stage
    board.refresh_from_db()
    assert board.stage == 2


def test_responses_recorded_twice_are_one_response(world, campaign_staff):
    api = client_for(campaign_staff)
    payload = {
        "campaign": world["campaign"].pk,
        "contact": world["extra_contact"].pk,
        "kind": "materials",
        "occurred_on": timezone.localdate().isoformat(),
    }
    first = api.post("/api/v1/responses/", payload, format="json")
    second = api.post("/api/v1/responses/", payload, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]


def test_a_send_is_created_started_paused_and_its_progress_read(
    world, campaign_staff, django_capture_on_commit_callbacks
):
    api = client_for(campaign_staff)
    created = api.post(
        "/api/v1/sends/",
        {"campaign": world["campaign"].pk, "message": world["message"].pk, "segment": world["segment"].pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    send_id = created.json()["id"]
    # Starting freezes the recipients and queues delivery after the commit, as the web page does
    with django_capture_on_commit_callbacks() as callbacks:
        started = api.post(f"/api/v1/sends/{send_id}/start/")
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "sending"
    assert len(callbacks) == 1
    paused = api.post(f"/api/v1/sends/{send_id}/pause/")
    assert paused.json()["status"] == "paused"
    progress = api.get(f"/api/v1/sends/{send_id}/progress/").json()
    assert progress["status"] == "paused"
    assert progress["total"] == started.json()["recipient_count"]
    assert AuditEvent.objects.filter(target_type="campaigns.send", target_id=str(send_id)).count() == 3


def test_a_segment_count_and_preview_say_who_a_send_would_reach(world, viewer):
    api = client_for(viewer)
    segment = world["segment"]
    count = api.get(f"/api/v1/segments/{segment.pk}/count/").json()
    preview = api.get(f"/api/v1/segments/{segment.pk}/preview/").json()
    assert count["matched"] == Contact.objects.count()
    assert count["eligible"] == len(preview["sample"])
    assert {row["id"] for row in preview["sample"]} <= set(Contact.objects.values_list("pk", flat=True))


def test_weekly_report_figures_come_as_json(world, viewer):
    report = world["weekly-report"]
    body = client_for(viewer).get(f"/api/v1/weekly-reports/{report.pk}/").json()
    assert body["figures"] == report.figures
    assert body["week"] == report.week_label
