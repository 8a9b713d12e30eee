"""Types for the parts of Django that are too dynamic for mypy to follow on its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from django import forms
from django.db import models
from django.http import HttpRequest

if TYPE_CHECKING:
    from crm.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that got past LoginRequiredMiddleware: its user is a signed-in User, never AnonymousUser.
    Only for annotations; Django still builds plain HttpRequest objects."""

    user: User


def current_user(request: HttpRequest) -> User:
    """The signed-in user of a request that LoginRequiredMiddleware has let through."""
    return cast("User", request.user)


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """form.fields[name] for a model choice field (single or multiple), to set its queryset and labels.
    The stubs type form.fields as plain Field, which has neither."""
    return cast(forms.ModelChoiceField, form.fields[name])


class HasAbsoluteUrl(Protocol):
    def get_absolute_url(self) -> str: ...


def absolute_url(record: models.Model) -> str:
    """The record's page. Model does not declare get_absolute_url (each model adds its own), so the stubs
    cannot see it; this raises AttributeError, as the plain call would, on a model without one."""
    return cast(HasAbsoluteUrl, record).get_absolute_url()
