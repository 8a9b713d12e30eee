"""Recording responses by hand (from a campaign or a contact) and importing them from CSV."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from campaigns.forms import ResponseForm, ResponseImportForm
from campaigns.models import Campaign
from campaigns.services import responses as response_services
from crm.form_errors import apply_service_errors
from crm.mixins import RoleRequiredMixin
from crm.models import Contact
from crm.typing import current_user


def _contact_from(request: HttpRequest) -> Contact | None:
    raw = request.POST.get("contact") or request.GET.get("contact") or ""
    if not raw.isdigit():
        return None
    return Contact.objects.filter(pk=raw, erased_at__isnull=True).select_related("area").first()


class ResponseCreateView(RoleRequiredMixin, View):
    """Record a response. ?contact=<id> from a contact's page; ?campaign=<id> from a campaign's page,
    where the person is found by email instead."""

    permission_required = "campaigns.add_response"
    template_name = "campaigns/response_form.html"

    def _context(self, request: HttpRequest, form: ResponseForm, contact: Contact | None) -> dict:
        return {"form": form, "contact": contact, "next": request.GET.get("next") or request.POST.get("next") or ""}

    def get(self, request: HttpRequest) -> HttpResponse:
        contact = _contact_from(request)
        initial = {"campaign": request.GET.get("campaign")} if (request.GET.get("campaign") or "").isdigit() else {}
        form = ResponseForm(initial=initial)
        return render(request, self.template_name, self._context(request, form, contact))

    def post(self, request: HttpRequest) -> HttpResponse:
        contact = _contact_from(request)
        form = ResponseForm(request.POST)
        email = (request.POST.get("email") or "").strip().lower()
        if contact is None and email:
            contact = Contact.objects.filter(email__iexact=email, erased_at__isnull=True).first()
            if contact is None:
                form.add_error(None, f"No contact has the email address {email}. Add them to the registry first.")
        elif contact is None:
            form.add_error(None, "Enter the email address of the person who responded.")
        if form.is_valid() and contact is not None:
            try:
                response, created = response_services.response_record(
                    contact=contact,
                    actor=current_user(request),
                    **{k: form.cleaned_data[k] for k in ("campaign", "kind", "occurred_on", "notes")},
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                if created:
                    messages.success(request, f"Recorded: {contact.full_name} — {response.get_kind_display().lower()}.")
                else:
                    messages.info(request, "That response was already recorded for that day.")
                if request.POST.get("next") == "contact":
                    return redirect(contact)
                return redirect(response.campaign)
        return render(request, self.template_name, self._context(request, form, contact), status=400)


class ResponseImportView(RoleRequiredMixin, View):
    permission_required = "campaigns.add_response"
    template_name = "campaigns/response_import.html"

    def get(self, request: HttpRequest, campaign_pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=campaign_pk)
        return render(request, self.template_name, {"form": ResponseImportForm(), "campaign": campaign})

    def post(self, request: HttpRequest, campaign_pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=campaign_pk)
        form = ResponseImportForm(request.POST, request.FILES)
        problems = []
        if form.is_valid():
            result = response_services.response_import_csv(
                campaign=campaign, data=form.cleaned_data["file"].read(), actor=current_user(request)
            )
            if not result.problems:
                messages.success(
                    request,
                    f"Imported {result.created:,} responses"
                    + (f"; {result.already_recorded:,} were already recorded." if result.already_recorded else "."),
                )
                return redirect(campaign)
            problems = result.problems
            form.add_error("file", f"Nothing was imported: {len(problems)} problem(s) in the file, listed below.")
        context = {"form": form, "campaign": campaign, "problems": problems}
        return render(request, self.template_name, context, status=400)
