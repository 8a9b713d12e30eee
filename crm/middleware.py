"""Session lifetime and caching rules for pages that carry personal data."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

SESSION_SIGNED_IN_AT = "cg_signed_in_at"
SESSION_LAST_SEEN = "cg_last_seen"


class SessionTimeoutMiddleware:
    """Sign out after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_ABSOLUTE_TIMEOUT
    seconds after sign-in whatever happens, so an unattended laptop does not stay open on the CRM."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.setdefault(SESSION_SIGNED_IN_AT, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            expired = now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or expired:
                logout(request)
                messages.info(request, "You were signed out to keep personal data safe. Sign in again to carry on.")
                return redirect(f"{reverse('login')}?next={request.path}")
            # Writing the session on every request would be a write per page; once a minute is enough.
            if now - last_seen > 60 or SESSION_LAST_SEEN not in request.session:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Pages for a signed-in user carry personal data: no browser or proxy may keep a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class QueryCountHeaderMiddleware:
    """Benchmarks read how many SQL queries each request ran from an `X-Query-Count` header. Off unless
    QUERY_COUNT_HEADER is true (config/settings/bench.py), so production never pays for the counting."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        if not getattr(settings, "QUERY_COUNT_HEADER", False):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        executed = 0

        def count(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
            nonlocal executed
            executed += 1
            return execute(sql, params, many, context)

        # An execute_wrapper counts without DEBUG's connection.queries (which also keeps every SQL string).
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        # A streaming response runs its queries after this point; the header then counts only the view's.
        response["X-Query-Count"] = str(executed)
        return response
