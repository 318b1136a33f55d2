"""In a browser, with the second factor required: a monitor signs in, enrols an authenticator
app from the QR page, signs in again with a code; an administrator searches the audit trail
for what the monitor did."""

from __future__ import annotations

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from motherline.accounts.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def totp_code(key: bytes, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this key (django-otp's own TOTP)."""
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def password_step(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def test_enrol_then_sign_in_with_a_code_then_the_audit_shows_it(page, live_server, users, settings):
    settings.MOTHERLINE_TWO_FACTOR = "required"
    base = live_server.url

    password_step(page, base, "monitor")
    page.wait_for_url(f"{base}/account/two-factor/enrol/**")
    assert page.locator("figure.qr-code svg").count() == 1
    secret = page.locator("code.otp-secret").inner_text().replace(" ", "")
    screenshot(page, "two-factor-enrol")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("input[name=token]", totp_code(key))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/worklist/")
    assert TOTPDevice.objects.get(user=users["monitor"]).confirmed

    page.click("text=Sign out")
    page.wait_for_url(f"{base}/login/")
    password_step(page, base, "monitor")
    page.wait_for_url(f"{base}/account/two-factor/verify/**")
    screenshot(page, "two-factor-verify")
    # The code of the next period: the one just used for enrolment may not be used twice.
    page.fill("input[name=token]", totp_code(key, steps_ahead=1))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/worklist/")
    page.click("text=Sign out")

    admin_device = TOTPDevice.objects.create(user=users["administrator"], name="p", confirmed=True)
    password_step(page, base, "administrator")
    page.wait_for_url(f"{base}/account/two-factor/verify/**")
    page.fill("input[name=token]", totp_code(admin_device.bin_key))
    page.click("main form button[type=submit]")
    page.click("nav.mainnav summary:has-text('Administration')")
    page.click("nav.mainnav a:has-text('Audit trail')")
    page.fill("[name=user]", "monitor")
    page.click("main form button[type=submit]:has-text('Search')")
    page.wait_for_url(f"{base}/account/audit/?**")
    rows = page.locator("table.audit tbody tr")
    assert rows.count() >= 4  # two sign-ins, enrolment, verification, sign-out
    assert page.locator("table.audit").inner_text().count("monitor") >= 4
    screenshot(page, "audit-trail")
    assert AuditEvent.objects.filter(
        user=users["administrator"], action=AuditAction.VIEW, object_type="accounts.AuditEvent"
    ).exists()
