"""Permission checks shared by every view. Anonymous users never get here (LoginRequiredMiddleware);
a signed-in user without the permission gets the friendly 403 page, not a redirect loop."""

from django.contrib.auth.mixins import PermissionRequiredMixin


class RoleRequiredMixin(PermissionRequiredMixin):
    raise_exception = True
