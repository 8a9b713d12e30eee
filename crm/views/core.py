from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from crm import health as health_checks
from crm.dashboard import dashboard_panels
from crm.navigation import sections_for
from crm.typing import current_user


class DashboardView(TemplateView):
    template_name = "crm/dashboard.html"

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        context["sections"] = [s for s in sections_for(self.request, secondary=True) if s["label"] != "Dashboard"]
        context["panels"] = dashboard_panels(user=current_user(self.request))
        return context


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer; 503 naming whichever did not."""
    checks = {"database": health_checks.check_database(), "broker": health_checks.check_broker()}
    failed = {name: reason for name, reason in checks.items() if reason}
    body = {
        "status": "ok" if not failed else "unavailable",
        "checks": {name: (reason or "ok") for name, reason in checks.items()},
    }
    return JsonResponse(body, status=503 if failed else 200)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever broke may be what the context processors need.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
