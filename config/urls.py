from django.conf import settings
from django.contrib import admin
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from crm import views as crm_views

urlpatterns = [
    path("", crm_views.DashboardView.as_view(), name="dashboard"),
    path("health", crm_views.health, name="health"),
    path("accounts/", include("crm.account_urls")),
    path("crm/", include("crm.urls")),
    path("boards/", include("boards.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("reports/", include("boards.reporting.urls")),
    path("api/", include("crm.api.urls")),
    path("admin/", admin.site.urls),
]


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django answers 400 to a request it will not read (too big, too many fields, a bad host); say
    which, in words, instead of a bare "Bad Request"."""
    if isinstance(exception, RequestDataTooBig):
        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        title = "What you sent was too large"
        advice = [
            f"Common Ground accepts up to {limit_mb:.1f} MB of form data in one go, not counting uploaded files.",
            "Go back, shorten what you typed or split it into smaller parts, and send it again. "
            "To bring in many records at once, use the import page with a CSV or Excel file.",
        ]
    elif isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        title = "What you sent had too many parts"
        advice = ["Go back and send fewer items at once, or use the import page with a CSV or Excel file."]
    else:
        title = "Sorry, that request could not be read"
        advice = ["Something in the request was not in the form Common Ground expects. Go back and try again."]
    return render(request, "400.html", {"title": title, "advice": advice}, status=400)


handler400 = bad_request
handler403 = "crm.views.permission_denied"
handler404 = "crm.views.page_not_found"
handler500 = "crm.views.server_error"
