"""The second factor (TOTP, with django-otp): who must use it, and the middleware that holds
a signed-in user at the enrolment or verification page until they have.

`MOTHERLINE_TWO_FACTOR` decides:

- ``required`` (the default unless debugging): every role that sees names (the
  VIEW_REGISTER capability) must enrol a device and enter a code after the password in each
  session. Other roles are asked too once they have enrolled.
- ``optional`` (the demo and the test suite): nobody is made to enrol; a user who has enrolled
  is still asked for a code at every sign-in.

Whether a user who need not enrol has a device is looked up once, at sign-in, and kept in the
session, so the pages of a signed-in session pay no extra query.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from motherline.accounts.models import User
from motherline.accounts.policy import Capability, can
from motherline.security.middleware import ViewMiddleware

REQUIRED = "required"
OPTIONAL = "optional"
MODES = (REQUIRED, OPTIONAL)
# Set at sign-in when the user has a confirmed device: the session must then be verified.
ENROLLED_SESSION_KEY = "motherline_two_factor_enrolled"
# Pages a signed-in but not yet verified user may reach.
OPEN_URL_NAMES = frozenset(
    {"login", "logout", "set_language", "security:two_factor_enrol", "security:two_factor_verify"}
)


def mode() -> str:
    """The configured mode; anything but "optional" counts as required (fail closed)."""
    return (
        OPTIONAL if getattr(settings, "MOTHERLINE_TWO_FACTOR", REQUIRED) == OPTIONAL else REQUIRED
    )


def must_enrol(user: User) -> bool:
    """Whether this user may not work without a second factor (decided without a query):
    whoever sees names, and whoever administers accounts (a deployment administrator sees
    no name but can open an account for anyone)."""
    return mode() == REQUIRED and (
        can(user, Capability.VIEW_REGISTER) or can(user, Capability.ADMINISTER)
    )


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user: User) -> TOTPDevice:
    """The user's unconfirmed device for enrolment, made on first use; its secret stays the
    same across reloads of the enrolment page until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Motherline", confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The shared secret in base32, in groups of four, for typing into an authenticator."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code, made here (no outside service)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@receiver(user_logged_in, dispatch_uid="motherline_two_factor_login")
def remember_enrolment(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        request.session[ENROLLED_SESSION_KEY] = enrolled


class TwoFactorMiddleware(ViewMiddleware):
    """Holds a signed-in user whose session still needs a second factor at the enrolment or
    verification page (or, for the API, answers 403 with a message)."""

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if getattr(user, "is_verified", lambda: False)():
            return None
        enrolled = bool(request.session.get(ENROLLED_SESSION_KEY))
        if not enrolled and not must_enrol(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_URL_NAMES:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Enter the code from your authenticator app on the web first.")},
                status=403,
            )
        if not enrolled:
            # A device confirmed in another session since this one signed in counts too.
            enrolled = confirmed_device(user) is not None
            request.session[ENROLLED_SESSION_KEY] = enrolled
        target = "security:two_factor_verify" if enrolled else "security:two_factor_enrol"
        return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
