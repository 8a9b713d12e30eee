"""The web pages where a signed-in user makes, names and revokes their own API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from crm.typing import current_user

from ..forms import TokenCreateForm
from ..models import ApiToken
from ..selectors import token_list
from ..services import token_create, token_revoke


class TokenListView(View):
    """Any signed-in user may have tokens: a token can do only what its owner's role allows."""

    template_name = "api/token_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"tokens": token_list(user=current_user(request))})


class TokenCreateView(View):
    template_name = "api/token_create.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": TokenCreateForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TokenCreateForm(request.POST)
        if form.is_valid():
            try:
                new = token_create(user=current_user(request), name=form.cleaned_data["name"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # Rendered, not redirected: the secret exists only in this response and is never shown again.
                context: dict[str, Any] = {"token": new.token, "secret": new.secret, "docs_url": reverse("api:docs")}
                return render(request, "api/token_created.html", context)
        return render(request, self.template_name, {"form": form}, status=400)


class TokenRevokeView(View):
    template_name = "api/token_revoke.html"

    def _token(self, request: HttpRequest, pk: int) -> ApiToken:
        # Someone else's token is "not found", so its existence is not given away.
        return get_object_or_404(ApiToken, pk=pk, user=request.user)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = self._token(request, pk)
        if not token.is_active:
            messages.info(request, f"The token “{token.name}” was already revoked.")
            return redirect("api:token_list")
        return render(request, self.template_name, {"token": token})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = token_revoke(actor=current_user(request), token=self._token(request, pk))
        messages.success(request, f"The token “{token.name}” is revoked. Anything using it is now refused.")
        return redirect("api:token_list")
