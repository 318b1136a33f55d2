"""The second factor's pages: enrolment (QR code and secret), verification after the
password, and an administrator's reset of a user's device when it is lost."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.accounts.policy import (
    Capability,
    administered_users,
    is_deployment_administrator,
    require,
)
from motherline.core.actors import AuthenticatedRequest
from motherline.core.forms import posted
from motherline.security import twofactor
from motherline.security.forms import TokenForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _with_next(name: str, request: HttpRequest) -> str:
    return reverse(name) + "?" + urlencode({"next": _next_url(request)})


def _verified(
    request: AuthenticatedRequest, device: TOTPDevice, action: AuditAction
) -> HttpResponse:
    # A new session key for the session that now has both factors: a key seen before (on a
    # shared computer, in a log, fixed by an attacker) does not carry the verification.
    request.session.cycle_key()
    otp_login(request, device)
    request.session[twofactor.ENROLLED_SESSION_KEY] = True
    audit.record(request.user, action, request=request, object_type="otp_totp.TOTPDevice")
    return redirect(_next_url(request))


def _refuse(request: AuthenticatedRequest, form: TokenForm, message: str) -> None:
    """A code refused: written to the audit trail, and said beside the field."""
    audit.record(
        request.user,
        AuditAction.TWO_FACTOR_FAILED,
        request=request,
        object_type="otp_totp.TOTPDevice",
    )
    form.add_error("token", message)


@login_required
def enrol(request: AuthenticatedRequest) -> HttpResponse:
    """Show a new device's QR code and secret; a correct code from it confirms the device and
    verifies this session. A user who already has a device is sent to verification: only an
    administrator's reset allows a new one."""
    if twofactor.confirmed_device(request.user) is not None:
        return redirect(_with_next("security:two_factor_verify", request))
    device = twofactor.pending_device(request.user)
    form = TokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            return _verified(request, device, AuditAction.TWO_FACTOR_ENROLLED)
        _refuse(request, form, _("That code is not right. Check the time on your phone."))
    return render(
        request,
        "security/two_factor_enrol.html",
        {
            "form": form,
            "qr_svg": twofactor.qr_svg(device),
            "secret": twofactor.secret_text(device),
            "next": _next_url(request),
            "required": twofactor.must_enrol(request.user),
        },
    )


@login_required
def verify(request: AuthenticatedRequest) -> HttpResponse:
    """Ask for the code after the password. Wrong codes are throttled by django-otp (each
    failure doubles the wait) and written to the audit trail."""
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return redirect(_with_next("security:two_factor_enrol", request))
    form = TokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            return _verified(request, device, AuditAction.TWO_FACTOR_VERIFIED)
        _refuse(
            request,
            form,
            _("That code is not right. Check the time on your phone.")
            if allowed
            else _("Too many wrong codes. Wait a minute and try again."),
        )
    return render(
        request, "security/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
def users(request: AuthenticatedRequest) -> HttpResponse:
    """Administrators: the accounts they administer (their organisation's; every one for a
    deployment administrator), each role and whether it has a second factor."""
    require(request.user, Capability.ADMINISTER)
    administered = administered_users(request.user)
    enrolled = set(
        TOTPDevice.objects.filter(confirmed=True, user__in=administered.values("id"))
        .values_list("user_id", flat=True)
        .distinct()
    )
    accounts = list(
        administered.select_related("organisation", "prison").order_by(
            "organisation__name", "username"
        )
    )
    return render(
        request,
        "security/users.html",
        {
            "heading": _("Users"),
            "accounts": accounts,
            "enrolled": enrolled,
            "mode": twofactor.mode(),
            "deployment": is_deployment_administrator(request.user),
        },
    )
