"""One way to show a service's ValidationError on a form, used by every app's views."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def apply_service_errors(form: BaseForm, error: ValidationError) -> None:
    """Put the errors on the fields they name where the form has them, else at the top of the form,
    so the person sees what to fix; nothing was saved."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
