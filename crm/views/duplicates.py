"""Duplicate review: a list of likely pairs with the reason, a side-by-side comparison, and the merge
(admins only: crm.merge_contact)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views import View

from crm.mixins import RoleRequiredMixin
from crm.models import Contact, User
from crm.selectors_data import contact_for_compare, contacts_for_pairs, related_counts
from crm.services.duplicates import REASONS, duplicate_candidates
from crm.services.merging import CHOOSABLE_FIELDS, contact_merge

PAIRS_PER_PAGE = 50


def contact_url(contact_id: int) -> str:
    try:
        return reverse("crm:contact_detail", args=[contact_id])
    except NoReverseMatch:
        return ""


class DuplicateListView(RoleRequiredMixin, View):
    permission_required = "crm.view_contact"
    template_name = "crm/duplicates/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        reason = request.GET.get("reason") or None
        if reason not in REASONS:
            reason = None
        pairs = duplicate_candidates(reason=reason)
        page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
        contacts = contacts_for_pairs(list(page))
        rows = [
            {"pair": p, "first": contacts[p.first_id], "second": contacts[p.second_id]}
            for p in page
            if p.first_id in contacts and p.second_id in contacts
        ]
        context = {
            "rows": rows,
            "page_obj": page,
            "total": len(pairs),
            "reasons": REASONS,
            "reason": reason or "",
        }
        return render(request, self.template_name, context)


class MergeForm(forms.Form):
    """Which record survives, and per field which value to keep."""

    survivor = forms.ChoiceField(label="Which record should remain?", widget=forms.RadioSelect)

    def __init__(self, *args: Any, first: Contact, second: Contact, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first, self.second = first, second
        cast(Any, self.fields["survivor"]).choices = [
            (str(first.pk), f"{first.full_name} (contact {first.pk})"),
            (str(second.pk), f"{second.full_name} (contact {second.pk})"),
        ]
        self.fields["survivor"].initial = str(first.pk)
        self.field_rows = []
        for name in CHOOSABLE_FIELDS:
            field: Any = Contact._meta.get_field(name)
            a, b = _display(first, name), _display(second, name)
            row = {"name": name, "label": str(field.verbose_name).capitalize(), "first": a, "second": b}
            if a != b:
                key = f"keep_{name}"
                self.fields[key] = forms.ChoiceField(
                    label=row["label"],
                    choices=[(str(first.pk), a or "(blank)"), (str(second.pk), b or "(blank)")],
                    initial=str(first.pk if a or not b else second.pk),
                    widget=forms.RadioSelect,
                    # Left unanswered, the record that remains keeps its value unless it is blank.
                    required=False,
                )
                row["field"] = key
            self.field_rows.append(row)

    def choices_for(self, survivor_id: int) -> dict[str, str]:
        picks = {}
        for row in self.field_rows:
            if row.get("field") and self.cleaned_data.get(row["field"]):
                chosen = int(self.cleaned_data[row["field"]])
                picks[row["name"]] = "survivor" if chosen == survivor_id else "merged"
        return picks


def _display(contact: Contact, name: str) -> str:
    field: Any = Contact._meta.get_field(name)
    if field.choices:
        return getattr(contact, f"get_{name}_display")() if getattr(contact, name) else ""
    value = getattr(contact, name)
    return "" if value is None else str(value)


class DuplicateCompareView(RoleRequiredMixin, View):
    """Both records side by side; admins can merge them from here."""

    permission_required = "crm.view_contact"
    template_name = "crm/duplicates/compare.html"

    def contacts(self, a: int, b: int) -> tuple[Contact, Contact]:
        first, second = contact_for_compare(pk=a), contact_for_compare(pk=b)
        return first, second

    def get(self, request: HttpRequest, a: int, b: int) -> HttpResponse:
        first, second = self.contacts(a, b)
        return self.render(request, first, second, MergeForm(first=first, second=second))

    def post(self, request: HttpRequest, a: int, b: int) -> HttpResponse:
        if not request.user.has_perm("crm.merge_contact"):
            raise PermissionDenied
        first, second = self.contacts(a, b)
        form = MergeForm(request.POST, first=first, second=second)
        if form.is_valid():
            survivor_id = int(form.cleaned_data["survivor"])
            survivor, merged = (first, second) if survivor_id == first.pk else (second, first)
            try:
                record = contact_merge(
                    survivor=survivor,
                    merged=merged,
                    actor=cast(User, request.user),
                    choices=form.choices_for(survivor_id),
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    f"{merged.full_name} (contact {record.merged_contact_id}) was merged into "
                    f"{survivor.full_name}. Everything linked to both is now on this record.",
                )
                return redirect(contact_url(survivor.pk) or reverse("crm:duplicate_list"))
        return self.render(request, first, second, form, status=400)

    def render(
        self, request: HttpRequest, first: Contact, second: Contact, form: MergeForm, status: int = 200
    ) -> HttpResponse:
        if first.pk == second.pk:
            raise PermissionDenied
        context: dict[str, Any] = {
            "first": first,
            "second": second,
            "first_url": contact_url(first.pk),
            "second_url": contact_url(second.pk),
            "first_counts": related_counts(first),
            "second_counts": related_counts(second),
            "form": form,
            "can_merge": request.user.has_perm("crm.merge_contact"),
        }
        context["counts"] = [
            {"label": a["label"], "first": a["count"], "second": b["count"]}
            for a, b in zip(context["first_counts"], context["second_counts"], strict=True)
        ]
        return render(request, self.template_name, context, status=status)
