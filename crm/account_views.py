"""Signing in and out, and the signed-in user's own account: throttled sign-in with an audit entry for
every attempt, and re-authentication (current password) before changing email or password."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views import View

from crm.forms import LoginForm
from crm.middleware import SESSION_LAST_SEEN, SESSION_SIGNED_IN_AT
from crm.models import AuditEvent, User
from crm.security import client_address, login_blocked, login_failed, login_succeeded
from crm.services.audit import audit_record
from crm.typing import current_user

THROTTLED_MESSAGE = (
    "Too many failed attempts to sign in from this device. Wait 15 minutes and try again, "
    "or ask an admin to reset your password."
)


class ThrottledLoginForm(LoginForm):
    """Refuses without checking the password, so a throttled guesser learns nothing."""

    def clean(self) -> dict[str, Any]:
        raise forms.ValidationError(THROTTLED_MESSAGE, code="throttled")


class SignInView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = request.POST.get("username", "").strip().lower()
        if login_blocked(address=client_address(request), email=email):
            form = ThrottledLoginForm(request, data=request.POST)
            form.is_valid()
            audit_record(
                actor=None, action=AuditEvent.Action.LOGIN_FAILED, target_type="crm.user", target_repr=email,
                changes={"reason": "throttled", "address": client_address(request)},
            )  # fmt: skip
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)  # logs in; Django rotates the session key here
        user = form.get_user()
        now = time.time()
        self.request.session[SESSION_SIGNED_IN_AT] = now
        self.request.session[SESSION_LAST_SEEN] = now
        login_succeeded(address=client_address(self.request), email=user.email)
        audit_record(actor=user, action=AuditEvent.Action.LOGIN, target=user)
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        email = (form.data.get("username") or "").strip().lower()
        address = client_address(self.request)
        login_failed(address=address, email=email)
        audit_record(
            actor=None, action=AuditEvent.Action.LOGIN_FAILED, target_type="crm.user", target_repr=email[:300],
            changes={"reason": "bad credentials", "address": address},
        )  # fmt: skip
        return super().form_invalid(form)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="New email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    current_password = forms.CharField(
        label="Your current password",
        strip=False,
        help_text="We ask for it again because your email is how you sign in.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError("Another account already uses this email address.")
        return email

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Your current password is not right. Enter it again.")
        return password


@transaction.atomic
def user_change_email(*, user: User, email: str) -> User:
    """Change the address a user signs in with, recording the old and new values in the audit trail."""
    old = user.email
    user.email = email
    user.full_clean(exclude=["password"])
    user.save(update_fields=["email"])
    audit_record(actor=user, action=AuditEvent.Action.UPDATE, target=user, changes={"email": [old, email]})
    return user


class AccountView(View):
    template_name = "registration/account.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"email_form": EmailChangeForm(user=current_user(request))})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EmailChangeForm(request.POST, user=current_user(request))
        if not form.is_valid():
            return render(request, self.template_name, {"email_form": form}, status=400)
        user_change_email(user=current_user(request), email=form.cleaned_data["email"])
        messages.success(request, "Your email address has been changed. Use it next time you sign in.")
        return redirect("account")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view already asks for the old password; we add the audit entry and a clear message."""

    form_class = PasswordChangeForm
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponseRedirect:
        form.save()
        update_session_auth_hash(self.request, form.user)
        audit_record(
            actor=form.user, action=AuditEvent.Action.UPDATE, target=form.user, changes={"password": ["***", "***"]}
        )
        messages.success(self.request, "Your password has been changed.")
        return HttpResponseRedirect(reverse("account"))
