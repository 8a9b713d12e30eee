"""Permission checks shared by every view. Anonymous users never get here (LoginRequiredMiddleware);
a signed-in user without the permission gets the friendly 403 page, not a redirect loop."""

from typing import Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class RoleRequiredMixin(PermissionRequiredMixin):
    raise_exception = True

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        # Check in setup(), before any dispatch() override loads a record: a role without the
        # permission gets 403 whether or not the record exists, so it cannot probe for records.
        super().setup(request, *args, **kwargs)  # type: ignore[misc]
        if not self.has_permission():
            raise PermissionDenied(self.get_permission_denied_message())
