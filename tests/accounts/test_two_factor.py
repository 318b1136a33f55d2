"""The second factor (TOTP): required for the roles that see names when
MOTHERLINE_TWO_FACTOR is "required", enrolment with a QR code made by the app, verification
after the password, throttled wrong codes, an administrator's reset, all on the audit trail.

The rest of the suite runs with the second factor optional (tests/conftest.py); these tests
turn it on.
"""

from __future__ import annotations

import time

import pytest
from django.core.checks import run_checks
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from motherline.accounts.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD


@pytest.fixture
def required(settings):
    settings.MOTHERLINE_TWO_FACTOR = "required"


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the user's authenticator app shows now (or `steps_ahead` periods later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def sign_in(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


@pytest.mark.parametrize(
    "role", ["monitor", "legal_officer", "prison_liaison", "programme_manager", "administrator"]
)
def test_roles_that_see_names_must_enrol_before_anything_else(client, users, required, role):
    sign_in(client, role)
    response = client.get(reverse("people:women"))
    assert response.status_code == 302
    assert response.url == reverse("security:two_factor_enrol") + "?next=%2Fwomen%2F"
    api = client.get("/api/v1/women")
    assert api.status_code == 403
    assert "authenticator" in api.json()["detail"]


def test_a_deployment_administrator_must_enrol_though_she_sees_no_name(client, users, required):
    sign_in(client, "deployment_administrator")
    response = client.get(reverse("security:users"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("security:two_factor_enrol"))


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_roles_that_see_only_counts_are_not_made_to_enrol(client, users, required, role):
    sign_in(client, role)
    assert client.get(reverse("people:prisons")).status_code == 200


def test_enrolment_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(client, users, required):
    sign_in(client, "monitor")
    page = client.get(reverse("security:two_factor_enrol"), {"next": "/women/"})
    assert page.status_code == 200
    assert "<svg" in page.text and "<path" in page.text
    device = TOTPDevice.objects.get(user=users["monitor"])
    assert device.confirmed is False
    secret = page.context["secret"].replace(" ", "")
    assert len(secret) == 32 and secret in page.text.replace(" ", "")
    # Reloading keeps the same secret (the app was perhaps already scanned).
    again = client.get(reverse("security:two_factor_enrol"))
    assert again.context["secret"] == page.context["secret"]
    assert TOTPDevice.objects.filter(user=users["monitor"]).count() == 1

    wrong = client.post(
        reverse("security:two_factor_enrol"), {"token": "000000", "next": "/women/"}
    )
    if code(device) == "000000":  # one chance in a million
        pytest.skip("the right code was 000000")
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["token"]
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED).count() == 1

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post(
        reverse("security:two_factor_enrol"), {"token": code(device), "next": "/women/"}
    )
    assert done.status_code == 302
    assert done.url == "/women/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_ENROLLED).user == users["monitor"]
    assert client.get(reverse("people:women")).status_code == 200
    assert client.get("/api/v1/women").status_code == 200


def test_an_enrolled_user_enters_a_code_after_the_password(client, users, required):
    device = enrolled_device(users["monitor"])
    sign_in(client, "monitor")
    response = client.get(reverse("worklist:list"))
    assert response.url == reverse("security:two_factor_verify") + "?next=%2Fworklist%2F"
    # No way around it: another device cannot be enrolled while one exists.
    enrol = client.get(reverse("security:two_factor_enrol"))
    assert enrol.url.startswith(reverse("security:two_factor_verify"))
    assert TOTPDevice.objects.filter(user=users["monitor"]).count() == 1
    ok = client.post(
        reverse("security:two_factor_verify"), {"token": code(device), "next": "/worklist/"}
    )
    assert ok.status_code == 302 and ok.url == "/worklist/"
    assert client.get(reverse("worklist:list")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_VERIFIED)
    assert (event.user, event.ip_address) == (users["monitor"], "127.0.0.1")


def test_verifying_the_second_factor_gives_the_session_a_new_key(client, users, required):
    """A session key known before the code was entered (fixed by an attacker, seen on a shared
    computer) does not carry the verification: the verified session has a new one."""
    device = enrolled_device(users["monitor"])
    sign_in(client, "monitor")
    password_only = client.cookies["sessionid"].value
    ok = client.post(reverse("security:two_factor_verify"), {"token": code(device)})
    assert ok.status_code == 302
    verified = client.cookies["sessionid"].value
    assert verified != password_only
    assert client.get(reverse("people:women")).status_code == 200
    # The old key is no session any more: whoever holds it is not signed in.
    from django.test import Client

    stale = Client()
    stale.cookies["sessionid"] = password_only
    assert stale.get(reverse("people:women")).status_code == 302


def test_enrolling_gives_the_session_a_new_key(client, users, required):
    sign_in(client, "monitor")
    before = client.cookies["sessionid"].value
    client.get(reverse("security:two_factor_enrol"))
    device = TOTPDevice.objects.get(user=users["monitor"])
    done = client.post(reverse("security:two_factor_enrol"), {"token": code(device)})
    assert done.status_code == 302
    assert client.cookies["sessionid"].value != before


def test_a_code_is_not_accepted_twice(client, users, required):
    device = enrolled_device(users["monitor"])
    token = code(device)
    sign_in(client, "monitor")
    client.post(reverse("security:two_factor_verify"), {"token": token})
    client.post(reverse("logout"))
    sign_in(client, "monitor")
    replay = client.post(reverse("security:two_factor_verify"), {"token": token})
    assert replay.status_code == 200
    assert client.get(reverse("people:women")).status_code == 302


def test_wrong_codes_are_throttled_and_audited(client, users, required):
    device = enrolled_device(users["monitor"])
    sign_in(client, "monitor")
    bad = "111111" if code(device) != "111111" else "222222"
    client.post(reverse("security:two_factor_verify"), {"token": bad})
    # Right after a wrong code, even the right one waits (django-otp's throttling).
    refused = client.post(reverse("security:two_factor_verify"), {"token": code(device)})
    assert refused.status_code == 200
    assert "Too many wrong codes" in refused.text
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED).count() == 2
    assert client.get(reverse("people:women")).status_code == 302


def test_the_next_address_must_be_on_this_site(client, users, required):
    device = enrolled_device(users["monitor"])
    sign_in(client, "monitor")
    response = client.post(
        reverse("security:two_factor_verify"),
        {"token": code(device), "next": "https://evil.example/"},
    )
    assert response.url == "/"


def test_when_optional_an_enrolled_user_is_still_asked(client, users, settings):
    assert settings.MOTHERLINE_TWO_FACTOR == "optional"
    enrolled_device(users["analyst"])
    sign_in(client, "analyst")
    assert client.get(reverse("people:prisons")).url.startswith(
        reverse("security:two_factor_verify")
    )
    other = client.__class__()
    sign_in(other, "viewer")
    assert other.get(reverse("people:prisons")).status_code == 200


def test_an_administrator_resets_a_lost_device(client, users, required):
    enrolled_device(users["monitor"])
    admin = users["administrator"]
    admin_device = enrolled_device(admin)
    client.force_login(admin)
    client.post(reverse("security:two_factor_verify"), {"token": code(admin_device)})
    page = client.get(reverse("security:users"))
    assert page.status_code == 200
    assert users["monitor"].pk in page.context["enrolled"]
    response = client.post(
        reverse("security:reset_two_factor", args=[users["monitor"].pk]),
        {"reason": "Lost her phone at the prison gate"},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=users["monitor"]).exists()
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert (event.user, event.object_ref) == (admin, str(users["monitor"].pk))
    assert event.changes == {"devices_removed": 1, "reason": "Lost her phone at the prison gate"}
    # The monitor enrols again at the next sign-in.
    other = client.__class__()
    sign_in(other, "monitor")
    assert other.get(reverse("people:women")).url.startswith(reverse("security:two_factor_enrol"))


def test_only_an_administrator_resets(client, users):
    enrolled_device(users["viewer"])
    client.force_login(users["monitor"])
    response = client.post(reverse("security:reset_two_factor", args=[users["viewer"].pk]))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=users["viewer"]).exists()


def test_a_system_check_warns_when_optional_without_debug(settings):
    settings.DEBUG = False
    settings.MOTHERLINE_TWO_FACTOR = "optional"
    assert "motherline.W001" in {m.id for m in run_checks()}
    settings.MOTHERLINE_TWO_FACTOR = "required"
    assert "motherline.W001" not in {m.id for m in run_checks()}
    settings.MOTHERLINE_TWO_FACTOR = "sometimes"
    assert "motherline.E001" in {m.id for m in run_checks()}
