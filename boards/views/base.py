"""What every boards view shares: the permission check and the form → service → redirect step."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.views.generic import FormView

from crm.form_errors import apply_service_errors
from crm.mixins import RoleRequiredMixin
from crm.typing import absolute_url


class ServiceFormView[SavedT: models.Model](RoleRequiredMixin, FormView):
    """A form page whose valid submission calls one service. A ValidationError from the service shows on
    the form (on the field it names), so the person sees what to fix and nothing is saved."""

    success_message = "Saved."

    def perform(self, form: Any) -> SavedT:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            saved = self.perform(form)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_redirect_url(saved))

    def get_redirect_url(self, saved: SavedT) -> str:
        return absolute_url(saved)
