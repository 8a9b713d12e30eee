"""Every error is JSON of one shape: {"detail": "what went wrong", "errors": {"field": ["message"]}}.

Service ValidationErrors (the same ones the web forms show) become 400s with their field messages;
PermissionDenied becomes 403; a bad value never reaches the database as a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "non_field_errors"


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def _field_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {("non_field_errors" if key == "__all__" else key): value for key, value in detail.items()}
    return {NON_FIELD: _flatten(detail)}


def django_validation_error_as_drf(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {(NON_FIELD if k == "__all__" else k): v for k, v in error.message_dict.items()}
        )
    return exceptions.ValidationError({NON_FIELD: error.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_as_drf(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("There is nothing here with that number, or you cannot see it.")
    elif isinstance(exc, IntegrityError):
        # A race another request won (two of the same at once): the database kept the rule.
        exc = exceptions.ValidationError({NON_FIELD: ["That clashes with a record saved a moment ago. Try again."]})
    elif isinstance(exc, DataError):
        exc = exceptions.ValidationError({NON_FIELD: ["A value is out of range for what it describes."]})

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(detail)
        messages = _flatten(errors)
        summary = (
            "Check the request: " + messages[0]
            if len(messages) == 1
            else (f"Check the request: {len(messages)} problems, listed by field.")
        )
        response.data = {"detail": summary, "errors": errors}
    else:
        message = detail.get("detail") if isinstance(detail, dict) and "detail" in detail else detail
        response.data = {"detail": " ".join(_flatten(message)), "errors": {}}
    if response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        response.data["detail"] = f"{context['request'].method} is not allowed here."
    return response
