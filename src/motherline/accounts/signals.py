"""Sign-in, failed sign-in and sign-out on the audit trail, from Django's auth signals so
that every way of signing in (the page, the API, the admin) is recorded."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User


@receiver(user_logged_in, dispatch_uid="motherline_audit_login")
def audit_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    audit.record(user, AuditAction.LOGIN, request=request)


@receiver(user_login_failed, dispatch_uid="motherline_audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the name that was tried: Django already masks the password, and we drop it anyway.
    username = str(credentials.get("username", ""))[:150]
    audit.record(None, AuditAction.LOGIN_FAILED, request=request, changes={"username": username})


@receiver(user_logged_out, dispatch_uid="motherline_audit_logout")
def audit_logout(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record(user, AuditAction.LOGOUT, request=request)


@receiver(user_locked_out, dispatch_uid="motherline_audit_locked_out")
def audit_locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    audit.record(
        None,
        AuditAction.LOCKED_OUT,
        request=request,
        changes={"username": str(username or "")[:150]},
    )
