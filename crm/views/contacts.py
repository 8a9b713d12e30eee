"""Contact pages: the list, the record with its timeline and affiliations, and the forms that change it."""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from crm.exports import csv_lines, neutralise
from crm.filters import ContactFilter
from crm.form_errors import apply_service_errors
from crm.forms import (
    AffiliationEndForm,
    AffiliationForm,
    ConfirmForm,
    ContactEmailForm,
    ContactForm,
    ContactPreferencesForm,
    JobMoveForm,
    NewContactForm,
    NoteForm,
)
from crm.mixins import RoleRequiredMixin
from crm.models import Affiliation, Contact, ContactEmail, Note, Organisation
from crm.selectors import audit_for_record, contact_detail, contact_list, timeline_for
from crm.selectors_data import contact_merges
from crm.services.contacts import (
    affiliation_end,
    affiliation_start,
    contact_create,
    contact_delete,
    contact_email_add,
    contact_email_remove,
    contact_move_job,
    contact_preferences_update,
    contact_update,
)
from crm.services.erasure import contact_erase
from crm.services.notes import note_add, note_delete
from crm.services.subject_access import contact_data_csv_rows, contact_data_export
from crm.services.tags import tags_from_names
from crm.tables import ContactTable, describe_changes
from crm.typing import current_user
from crm.views.registry import HistoryView, RegistryListView, ServiceFormView

TIMELINE_PER_PAGE = 25


def _tags(form: BaseForm) -> list:
    return [*form.cleaned_data.get("tags", []), *tags_from_names(form.cleaned_data.get("new_tags", []))]


class ContactListView(RegistryListView):
    permission_required = "crm.view_contact"
    table_class = ContactTable
    filterset_class = ContactFilter
    list_name = "Contacts"
    export_name = "contacts"
    add_url_name = "crm:contact_create"
    add_label = "Add a contact"
    add_permission = "crm.add_contact"

    def get_queryset(self) -> Any:
        return contact_list()


class ContactDetailView(RoleRequiredMixin, TemplateView):
    permission_required = "crm.view_contact"
    template_name = "crm/contact_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            contact = contact_detail(pk=self.kwargs["pk"])
        except Contact.DoesNotExist as exc:
            raise Http404("No such contact") from exc
        timeline = Paginator(timeline_for(contact=contact), TIMELINE_PER_PAGE).get_page(self.request.GET.get("page"))
        audit = list(
            audit_for_record(user=current_user(self.request), target_type="crm.contact", target_id=contact.pk)[:5]
        )
        for event in audit:
            event.summary = describe_changes(event.changes)
        user = self.request.user
        context.update(
            contact=contact,
            current_affiliations=[a for a in contact.all_affiliations if a.is_current],
            past_affiliations=[a for a in contact.all_affiliations if not a.is_current],
            timeline=timeline,
            audit_events=audit,
            merges=contact_merges(contact),
            note_form=NoteForm(),
            can_edit=user.has_perm("crm.change_contact") and not contact.is_erased,
            can_erase=user.has_perm("crm.erase_contact") and not contact.is_erased,
            can_export=user.has_perm("crm.export_contact_data"),
            can_delete=user.has_perm("crm.delete_contact"),
            can_delete_notes=user.has_perm("crm.delete_note"),
        )
        return context


class ContactCreateView(ServiceFormView[Contact]):
    permission_required = "crm.add_contact"
    form_class = NewContactForm
    title = "Add a contact"
    submit_label = "Add contact"

    def perform(self, form: BaseForm) -> Contact:
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"tags", "new_tags"}}
        return contact_create(actor=current_user(self.request), tags=_tags(form), **data)

    def back_url(self) -> str:
        return reverse("crm:contact_list")

    def get_success_url(self) -> str:
        messages.success(self.request, f"{self.performed.full_name} has been added.")
        return self.performed.get_absolute_url()


class ContactMixin:
    """Loads the contact named in the URL for a form page about it."""

    kwargs: dict[str, Any]

    def get_contact(self) -> Contact:
        if not hasattr(self, "_contact"):
            self._contact = get_object_or_404(Contact, pk=self.kwargs["pk"])
        return self._contact

    def get_success_url(self) -> str:
        return self.get_contact().get_absolute_url()

    def back_url(self) -> str:
        return self.get_contact().get_absolute_url()


class ContactEditView(ContactMixin, ServiceFormView):
    permission_required = "crm.change_contact"
    form_class = ContactForm
    title = "Change details"
    success_message = "The contact's details have been saved."

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": Contact.objects.get(pk=self.get_contact().pk)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "caption": self.get_contact().full_name}

    def perform(self, form: BaseForm) -> Contact:
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"tags", "new_tags"}}
        return contact_update(actor=current_user(self.request), contact=self.get_contact(), tags=_tags(form), **data)


class ContactPreferencesView(ContactMixin, ServiceFormView):
    permission_required = "crm.change_contact"
    form_class = ContactPreferencesForm
    title = "Lawful basis and preferences"
    success_message = "Lawful basis and preferences saved."

    def get_initial(self) -> dict[str, Any]:
        return ContactPreferencesForm.initial_for(self.get_contact())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "caption": self.get_contact().full_name}

    def perform(self, form: BaseForm) -> Contact:
        data = form.cleaned_data
        return contact_preferences_update(
            actor=current_user(self.request),
            contact=self.get_contact(),
            lawful_basis=data["lawful_basis"],
            consent_given_at=cast(ContactPreferencesForm, form).consent_given_at(),
            consent_source=data["consent_source"],
            consent_wording=data["consent_wording"],
            email_opt_out=data["email_opt_out"],
            phone_opt_out=data["phone_opt_out"],
            do_not_contact=data["do_not_contact"],
        )


class ContactEmailAddView(ContactMixin, ServiceFormView):
    permission_required = "crm.change_contact"
    form_class = ContactEmailForm
    title = "Add an email address"
    submit_label = "Add email address"
    success_message = "Email address added."

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "caption": self.get_contact().full_name}

    def perform(self, form: BaseForm) -> ContactEmail:
        return contact_email_add(
            actor=current_user(self.request), contact=self.get_contact(), email=form.cleaned_data["email"]
        )


class ContactEmailRemoveView(RoleRequiredMixin, View):
    permission_required = "crm.change_contact"

    def post(self, request: HttpRequest, pk: int, email_pk: int) -> HttpResponse:
        other = get_object_or_404(ContactEmail, pk=email_pk, contact_id=pk)
        contact_email_remove(actor=current_user(request), other_email=other)
        messages.success(request, f"{other.email} removed.")
        return HttpResponseRedirect(reverse("crm:contact_detail", args=[pk]))


class AffiliationAddView(ContactMixin, ServiceFormView):
    permission_required = "crm.add_affiliation"
    form_class = AffiliationForm
    title = "Add a role at an organisation"
    submit_label = "Add role"
    success_message = "Role added."

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "caption": self.get_contact().full_name}

    def perform(self, form: BaseForm) -> Affiliation:
        return affiliation_start(actor=current_user(self.request), contact=self.get_contact(), **form.cleaned_data)


class JobMoveView(ContactMixin, ServiceFormView):
    permission_required = "crm.change_affiliation"
    form_class = JobMoveForm
    title = "Record a job move"
    submit_label = "Record job move"
    success_message = "Job move recorded. The old role is kept in their history."

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "contact": self.get_contact()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "caption": self.get_contact().full_name}

    def perform(self, form: BaseForm) -> Affiliation:
        return contact_move_job(actor=current_user(self.request), contact=self.get_contact(), **form.cleaned_data)


class AffiliationEndView(ServiceFormView):
    permission_required = "crm.change_affiliation"
    form_class = AffiliationEndForm
    title = "End a role"
    submit_label = "End role"
    success_message = "Role ended. It stays in their history."

    def get_affiliation(self) -> Affiliation:
        if not hasattr(self, "_affiliation"):
            self._affiliation = get_object_or_404(
                Affiliation.objects.select_related("contact", "organisation"), pk=self.kwargs["pk"]
            )
        return self._affiliation

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        a = self.get_affiliation()
        return {
            **super().get_context_data(**kwargs),
            "caption": f"{a.contact.full_name}, {a.role or 'role'} at {a.organisation}",
        }

    def get_success_url(self) -> str:
        return self.get_affiliation().contact.get_absolute_url()

    def perform(self, form: BaseForm) -> Affiliation:
        return affiliation_end(
            actor=current_user(self.request), affiliation=self.get_affiliation(), end_date=form.cleaned_data["end_date"]
        )


class NoteAddView(RoleRequiredMixin, View):
    """Adds a note from the form on a contact's or organisation's page."""

    permission_required = "crm.add_note"
    subject = "contact"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        record: Contact | Organisation
        if self.subject == "contact":
            record = get_object_or_404(Contact, pk=pk)
        else:
            record = get_object_or_404(Organisation, pk=pk)
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                note_add(
                    actor=current_user(request),
                    body=form.cleaned_data["body"],
                    contact=record if isinstance(record, Contact) else None,
                    organisation=record if isinstance(record, Organisation) else None,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
        if form.errors:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        else:
            messages.success(request, "Note added.")
        return HttpResponseRedirect(record.get_absolute_url() + "#timeline")


class NoteDeleteView(RoleRequiredMixin, View):
    permission_required = "crm.view_note"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        note = get_object_or_404(Note.objects.select_related("contact", "organisation"), pk=pk)
        # Authors may take back their own note; anyone else's needs the delete permission (admins).
        if note.author_id != request.user.pk and not request.user.has_perm("crm.delete_note"):
            raise PermissionDenied
        # The Note CheckConstraint guarantees one of the two.
        back = cast("Contact | Organisation", note.contact or note.organisation).get_absolute_url()
        note_delete(actor=current_user(request), note=note)
        messages.success(request, "Note deleted.")
        return HttpResponseRedirect(back + "#timeline")


class ContactHistoryView(HistoryView):
    permission_required = "crm.view_contact"
    model = Contact


class ContactDataExportView(RoleRequiredMixin, View):
    """Subject access: everything held on the contact, as JSON or CSV."""

    permission_required = "crm.export_contact_data"

    def get(self, request: HttpRequest, pk: int, file_format: str) -> HttpResponseBase:
        if file_format not in {"json", "csv"}:
            raise Http404("Subject access exports come as JSON or CSV.")
        contact = get_object_or_404(Contact, pk=pk)
        data = contact_data_export(actor=current_user(request), contact=contact, file_format=file_format)
        filename = f"contact-{contact.pk}-subject-access.{file_format}"
        response: HttpResponseBase
        if file_format == "json":
            response = HttpResponse(
                json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
                content_type="application/json; charset=utf-8",
            )
        else:
            rows = ([neutralise(cell) for cell in row] for row in contact_data_csv_rows(data))
            response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ContactEraseView(ContactMixin, ServiceFormView):
    permission_required = "crm.erase_contact"
    form_class = ConfirmForm
    template_name = "crm/contact_erase.html"
    title = "Erase this contact's personal data"
    submit_label = "Erase personal data"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "contact": self.get_contact()}

    def perform(self, form: BaseForm) -> Contact:
        if self.get_contact().is_erased:
            raise ValidationError("This contact has already been erased.")
        return contact_erase(actor=current_user(self.request), contact=self.get_contact())

    def get_success_url(self) -> str:
        messages.success(self.request, "Personal data erased. The address stays on the suppression list.")
        return self.get_contact().get_absolute_url()


class ContactDeleteView(ContactMixin, ServiceFormView):
    permission_required = "crm.delete_contact"
    form_class = ConfirmForm
    template_name = "crm/confirm_delete.html"
    title = "Delete this contact"
    submit_label = "Delete contact"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "record": self.get_contact()}

    def perform(self, form: BaseForm) -> None:
        contact_delete(actor=current_user(self.request), contact=self.get_contact())

    def get_success_url(self) -> str:
        messages.success(self.request, "Contact deleted.")
        return reverse("crm:contact_list")

    def back_url(self) -> str:
        return self.get_contact().get_absolute_url()
