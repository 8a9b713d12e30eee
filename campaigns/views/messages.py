"""Messages: write (checked on save, with the line of any error), preview against a real contact,
and send a test to yourself."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from campaigns import selectors
from campaigns.forms import MessageForm
from campaigns.models import Campaign, Message, Segment
from campaigns.services import merge_fields
from campaigns.services import messages as message_services
from crm.form_errors import apply_service_errors
from crm.mixins import RoleRequiredMixin
from crm.models import Contact
from crm.typing import current_user


class MessageCreateView(RoleRequiredMixin, View):
    permission_required = "campaigns.add_message"
    template_name = "campaigns/message_form.html"

    def get(self, request: HttpRequest, campaign_pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=campaign_pk)
        form = MessageForm(
            initial={
                "text_body": 'Dear {{ first_name|default:"colleague" }},\n\n\n\nUnsubscribe: {{ unsubscribe_url }}\n',
                "html_body": '<p>Dear {{ first_name|default:"colleague" }},</p>\n\n<p></p>\n',
            }
        )
        return render(request, self.template_name, {"form": form, "campaign": campaign, "fields": merge_fields.FIELDS})

    def post(self, request: HttpRequest, campaign_pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=campaign_pk)
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                message = message_services.message_create(
                    campaign=campaign, actor=current_user(request), **form.cleaned_data
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Message saved. Check the preview, then send yourself a test.")
                return redirect(message)
        context = {"form": form, "campaign": campaign, "fields": merge_fields.FIELDS}
        return render(request, self.template_name, context, status=400)


class MessageUpdateView(RoleRequiredMixin, View):
    permission_required = "campaigns.change_message"
    template_name = "campaigns/message_form.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = get_object_or_404(Message.objects.select_related("campaign"), pk=pk)
        context = {
            "form": MessageForm(instance=message),
            "campaign": message.campaign,
            "message": message,
            "fields": merge_fields.FIELDS,
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = get_object_or_404(Message.objects.select_related("campaign"), pk=pk)
        form = MessageForm(request.POST, instance=Message.objects.get(pk=pk))
        if form.is_valid():
            try:
                message_services.message_update(message=message, actor=current_user(request), **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Message saved.")
                return redirect(message)
        context = {"form": form, "campaign": message.campaign, "message": message, "fields": merge_fields.FIELDS}
        return render(request, self.template_name, context, status=400)


def _preview_contact(request: HttpRequest, message: Message) -> tuple[Segment | None, Contact | None]:
    segment = None
    segment_id = request.GET.get("segment") or request.POST.get("segment")
    if segment_id and segment_id.isdigit():
        segment = Segment.objects.filter(pk=segment_id).first()
    if segment is None:
        segment = message.campaign.segments.order_by("name").first()
    contact_id = request.GET.get("contact") or request.POST.get("contact")
    contact = selectors.contact_choices_for_preview(
        segment=segment, contact_id=int(contact_id) if contact_id and contact_id.isdigit() else None
    )
    return segment, contact


class MessageDetailView(RoleRequiredMixin, View):
    """The message filled in for a real contact (?contact=<id> or the first in a segment)."""

    permission_required = "campaigns.view_message"
    template_name = "campaigns/message_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = get_object_or_404(Message.objects.select_related("campaign"), pk=pk)
        segment, contact = _preview_contact(request, message)
        problems = message_services.message_check(
            subject=message.subject, html_body=message.html_body, text_body=message.text_body
        )
        preview = None
        if contact is not None and not problems:
            preview = message_services.message_preview(message=message, contact=contact)
        context = {
            "message": message,
            "campaign": message.campaign,
            "preview": preview,
            "problems": problems,
            "segment": segment,
            "segments": Segment.objects.order_by("name"),
            "contact": contact,
        }
        return render(request, self.template_name, context)


class MessageSendTestView(RoleRequiredMixin, View):
    permission_required = "campaigns.change_message"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = get_object_or_404(Message.objects.select_related("campaign"), pk=pk)
        _, contact = _preview_contact(request, message)
        if contact is None:
            messages.error(request, "There is no contact to fill the merge fields in with. Add a contact first.")
            return redirect(message)
        try:
            message_services.message_send_test(message=message, contact=contact, to_user=current_user(request))
        except ValidationError as error:
            messages.error(request, "The message has errors: " + " ".join(error.messages))
        except message_services.TestSendFailed as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"A test email, filled in for {contact.full_name}, is on its way to {current_user(request).email}.",
            )
        return redirect(f"{message.get_absolute_url()}?contact={contact.pk}")
