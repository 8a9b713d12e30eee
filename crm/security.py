"""Sign-in protection: throttling that an attacker elsewhere cannot use to lock a real user out.

Failures are counted per (client address, email) and per client address, never per email alone:
someone guessing from another address slows only themselves, so the real user can still sign in."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    # Behind the production proxy the first X-Forwarded-For hop is the client; the proxy sets it.
    if getattr(settings, "USE_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def _keys(address: str, email: str) -> tuple[str, str]:
    pair = hashlib.sha256(f"{address}|{email.strip().lower()}".encode()).hexdigest()
    return f"login-fail:pair:{pair}", f"login-fail:addr:{hashlib.sha256(address.encode()).hexdigest()}"


def login_blocked(*, address: str, email: str) -> bool:
    pair_key, addr_key = _keys(address, email)
    return (cache.get(pair_key, 0) >= settings.LOGIN_FAILURES_PER_ACCOUNT) or (
        cache.get(addr_key, 0) >= settings.LOGIN_FAILURES_PER_ADDRESS
    )


def login_failed(*, address: str, email: str) -> None:
    for key in _keys(address, email):
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)


def login_succeeded(*, address: str, email: str) -> None:
    cache.delete(_keys(address, email)[0])
