"""A ceiling on failed sign-ins from one address across every username (password spraying).

django-axes locks one account from one address after a few failures; an attacker who tries
one common password on each of many accounts never trips it. Here every failed sign-in from
an address is counted, whatever the username; past `MOTHERLINE_LOGIN_ADDRESS_LIMIT` failures
within `MOTHERLINE_LOGIN_ADDRESS_WINDOW_MINUTES`, every sign-in from that address is refused
(even a right password) until the window ends, answered 429 and written to the audit trail.

The count is kept in Django's cache (per server process unless `CACHES` names a shared one,
as for the API tokens' rate). The ceiling is far above what an office behind one address
mistypes in a quarter of an hour.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from motherline.accounts import audit
from motherline.accounts.models import AuditAction

# Set on a request refused by the ceiling, for the middleware to answer it with 429.
REFUSED_ATTRIBUTE = "motherline_address_ceiling"


def _limit() -> int:
    return int(getattr(settings, "MOTHERLINE_LOGIN_ADDRESS_LIMIT", 50))


def _window_seconds() -> int:
    return 60 * int(getattr(settings, "MOTHERLINE_LOGIN_ADDRESS_WINDOW_MINUTES", 15))


def _key(address: str) -> str:
    window = _window_seconds()
    return f"motherline:sign-in-failures:{address}:{int(time.time() // window)}"


def failures(address: str | None) -> int:
    """Failed sign-ins from this address in the current window."""
    return int(cache.get(_key(address), 0)) if address else 0


def over_ceiling(address: str | None) -> bool:
    return failures(address) >= _limit()


@receiver(user_login_failed, dispatch_uid="motherline_count_failures_by_address")
def count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    address = audit.client_ip(request)
    if not address:
        return
    key = _key(address)
    cache.add(key, 0, timeout=_window_seconds() + 60)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=_window_seconds() + 60)


class AddressCeilingBackend:
    """Before the password backend in `AUTHENTICATION_BACKENDS`: refuses every sign-in from an
    address over the ceiling before any password is checked (Django then stops and reports
    a failure). It has no `get_user`: it never signs anyone in."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        address = audit.client_ip(request)
        if request is not None and over_ceiling(address):
            if not getattr(request, REFUSED_ATTRIBUTE, False):
                setattr(request, REFUSED_ATTRIBUTE, True)
                audit.record(
                    None,
                    AuditAction.LOCKED_OUT,
                    request=request,
                    changes={
                        "username": str(credentials.get("username", ""))[:150],
                        "address_ceiling": _limit(),
                    },
                )
            raise PermissionDenied
        return None


class AddressCeilingMiddleware:
    """A sign-in refused by the ceiling is answered 429 with the lockout page (saying it is
    the address, not the account), not as a wrong password."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, REFUSED_ATTRIBUTE, False):
            minutes = max(1, _window_seconds() // 60)
            return render(
                request,
                "registration/locked_out.html",
                {"cooloff_minutes": minutes, "address": True},
                status=429,
            )
        return response
