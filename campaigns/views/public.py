"""Pages anyone can open without signing in: the one-click unsubscribe link and the pledge page.
They reveal nothing about who is in the registry."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from campaigns import selectors, tasks
from campaigns.forms import PledgeForm
from campaigns.models import Campaign
from campaigns.services import pledges as pledge_services
from campaigns.services import unsubscribe as unsubscribe_services
from campaigns.services.email import TEST_DELIVERY_ID, site_url, unsubscribe_token_read
from crm.queueing import enqueue


def _bad_link(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "campaigns/public/bad_link.html", {"what": what}, status=400)


# Mail providers POST here with "List-Unsubscribe=One-Click" (RFC 8058) and no CSRF token or cookie.
@csrf_exempt
@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        delivery_id = unsubscribe_token_read(token)
    except signing.BadSignature:
        return _bad_link(request, "unsubscribe")
    if delivery_id == TEST_DELIVERY_ID:
        return render(request, "campaigns/public/unsubscribe.html", {"test": True})
    if request.method == "GET":
        return render(request, "campaigns/public/unsubscribe.html", {"token": token})
    try:
        delivery = unsubscribe_services.unsubscribe_delivery(token=token)
    except (signing.BadSignature, unsubscribe_services.UnknownDelivery):
        return _bad_link(request, "unsubscribe")
    return render(request, "campaigns/public/unsubscribe_done.html", {"campaign_name": delivery.send.campaign.name})


def _client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR is the address the proxy in front of us saw (set by the web server, not the client).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@login_not_required
@require_http_methods(["GET", "POST"])
def pledge(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        campaign = selectors.pledge_page_campaign(slug=slug)
    except Campaign.DoesNotExist as error:
        raise Http404 from error
    form = PledgeForm(request.POST or None)
    page_url = site_url(reverse("campaigns:pledge", args=[campaign.slug]))
    context = {"campaign": campaign, "form": form, "page_url": page_url}
    if request.method == "POST":
        if request.POST.get("website"):
            # A bot filled in the hidden field: answer as if it worked, store nothing.
            return redirect("campaigns:pledge_thanks", slug=campaign.slug)
        if form.is_valid():
            data = form.cleaned_data
            try:
                pledge_obj = pledge_services.pledge_submit(
                    campaign=campaign,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    practitioner_group=data["practitioner_group"],
                    organisation_name=data["organisation_name"],
                    area=data["area"],
                    ip_address=_client_ip(request),
                )
            except pledge_services.RateLimited:
                return render(request, "campaigns/public/rate_limited.html", {"campaign": campaign}, status=429)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                if pledge_obj is not None:
                    # The public never hears about our task queue: a confirmation kept while it is down
                    # goes out when it is back, and the thanks page already says to look for the email.
                    enqueue(tasks.send_pledge_confirmation, pledge_obj.pk)
                return redirect("campaigns:pledge_thanks", slug=campaign.slug)
        return render(request, "campaigns/public/pledge.html", context, status=400)
    return render(request, "campaigns/public/pledge.html", context)


@login_not_required
def pledge_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        campaign = selectors.pledge_page_campaign(slug=slug)
    except Campaign.DoesNotExist as error:
        raise Http404 from error
    return render(request, "campaigns/public/pledge_thanks.html", {"campaign": campaign})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def pledge_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (so link scanners in mail systems do not confirm for people); POST confirms."""
    if request.method == "GET":
        try:
            signing.loads(token, salt=pledge_services.CONFIRM_SALT, max_age=pledge_services.CONFIRM_MAX_AGE)
        except signing.BadSignature:
            return _bad_link(request, "confirmation")
        return render(request, "campaigns/public/pledge_confirm.html", {"token": token})
    try:
        pledge_obj = pledge_services.pledge_confirm(token=token)
    except ValidationError as error:
        return render(
            request, "campaigns/public/bad_link.html", {"what": "confirmation", "reason": error.messages[0]}, status=400
        )
    except signing.BadSignature:
        return _bad_link(request, "confirmation")
    return render(request, "campaigns/public/pledge_confirmed.html", {"campaign": pledge_obj.campaign})
