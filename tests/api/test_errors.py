"""Every error is JSON of one shape, with a message per field, and never a 500 for bad input."""

from __future__ import annotations

from tests.api.conftest import client_for


def test_a_missing_record_is_a_json_404(world, viewer):
    response = client_for(viewer).get("/api/v1/contacts/999999999/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "There is nothing here with that number, or you cannot see it.",
        "errors": {},
    }


def test_a_body_that_is_not_json_is_a_400_that_says_so(world, leader):
    response = client_for(leader).generic(
        "POST", "/api/v1/organisations/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_each_bad_field_is_named_with_its_message(world, leader):
    response = client_for(leader).post(
        "/api/v1/contacts/", {"first_name": "", "email": "not an email", "area": "x"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"first_name", "last_name", "email", "area"}
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())
    assert body["detail"] == "Check the request: 4 problems, listed by field."


def test_a_bad_filter_value_is_a_400_not_a_500(world, viewer):
    response = client_for(viewer).get("/api/v1/engagements/", {"date_from": "yesterday", "board": "abc"})
    assert response.status_code == 400
    assert {"date_from", "board"} <= set(response.json()["errors"])


def test_an_unknown_ordering_is_ignored_and_a_bad_cursor_is_a_404(world, viewer):
    client = client_for(viewer)
    assert client.get("/api/v1/contacts/", {"ordering": "password"}).status_code == 200
    bad_cursor = client.get("/api/v1/contacts/", {"cursor": "nonsense"})
    assert bad_cursor.status_code == 404
    assert bad_cursor.json()["detail"] == "Invalid cursor"
