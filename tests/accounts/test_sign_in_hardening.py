"""Sign-in hardening: argon2 hashing, password rules, throttling of repeated failures (in
both languages, audited), idle session expiry, and the production settings that
`check --deploy` asks for, read from the environment."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from motherline import settings as project_settings
from motherline.accounts.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD


def test_passwords_are_hashed_with_argon2(users, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = users["monitor"]
    user.set_password("a long enough passphrase 42")
    user.save()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("a long enough passphrase 42")


@pytest.mark.parametrize("password", ["short-1", "123456789012345", "password1234", "monitor12345"])
def test_weak_passwords_are_refused(users, password):
    with pytest.raises(ValidationError):
        validate_password(password, users["monitor"])


def test_a_long_unusual_password_is_accepted(users):
    validate_password("river-lantern-okra-1987", users["monitor"])


def _fail(client, username="monitor", ip="198.51.100.20"):
    return client.post(
        reverse("login"), {"username": username, "password": "wrong-password-x"}, REMOTE_ADDR=ip
    )


def test_one_address_trying_many_accounts_meets_a_ceiling(client, users, settings):
    """Password spraying: one password tried on many accounts from one address never locks an
    account (a failure or two each), but the address meets its own ceiling across usernames;
    then even a right password from it is refused (429), audited, while another address
    signs in."""
    from django.core.cache import cache

    cache.clear()
    settings.MOTHERLINE_LOGIN_ADDRESS_LIMIT = 6
    settings.MOTHERLINE_LOGIN_ADDRESS_WINDOW_MINUTES = 15
    names = ["monitor", "analyst", "viewer", "legal_officer", "administrator", "un_monitor"]
    for name in names:
        assert _fail(client, username=name, ip="203.0.113.9").status_code == 200
    refused = client.post(
        reverse("login"), {"username": "monitor", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert refused.status_code == 429
    assert "from this address, for any account" in refused.text
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).latest("pk")
    assert (event.ip_address, event.changes["address_ceiling"]) == ("203.0.113.9", 6)
    other = client.post(
        reverse("login"), {"username": "monitor", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7"
    )
    assert other.status_code == 302
    cache.clear()


def test_the_address_ceiling_ends_with_its_window(client, users, settings, monkeypatch):
    from django.core.cache import cache

    from motherline.security import spraying

    cache.clear()
    settings.MOTHERLINE_LOGIN_ADDRESS_LIMIT = 2
    settings.MOTHERLINE_LOGIN_ADDRESS_WINDOW_MINUTES = 1
    now = [1_000_020.0]
    monkeypatch.setattr(spraying.time, "time", lambda: now[0])
    _fail(client, username="monitor", ip="203.0.113.10")
    _fail(client, username="analyst", ip="203.0.113.10")
    assert spraying.over_ceiling("203.0.113.10")
    now[0] += 60
    assert not spraying.over_ceiling("203.0.113.10")
    ok = client.post(
        reverse("login"), {"username": "monitor", "password": PASSWORD}, REMOTE_ADDR="203.0.113.10"
    )
    assert ok.status_code == 302
    cache.clear()


def test_repeated_failures_lock_the_account_from_that_address(client, users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _fail(client).status_code == 200
    locked = _fail(client)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    # Even the right password is refused while locked.
    right = client.post(
        reverse("login"),
        {"username": "monitor", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.20",
    )
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT).first()
    assert event is not None
    assert (event.changes, event.ip_address) == ({"username": "monitor"}, "198.51.100.20")
    # The same account from another address, and another account, still sign in.
    other = client.__class__()
    ok = other.post(
        reverse("login"), {"username": "monitor", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert ok.status_code == 302


def test_the_lockout_message_is_in_khmer_for_khmer_users(client, users, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _fail(client)
    assert response.status_code == 429
    assert '<html lang="km">' in response.text
    assert "ការចូលប្រព័ន្ធមិនបានសម្រេចច្រើនដងពេក" in response.text


def test_sessions_end_after_inactivity_and_every_request_renews_them(client, users, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(users["viewer"])
    response = client.get(reverse("people:prisons"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60


def _production_env(tmp_path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MOTHERLINE_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        {
            "MOTHERLINE_SECRET_KEY": secrets.token_urlsafe(50),
            "MOTHERLINE_ALLOWED_HOSTS": "motherline.example.org",
            "MOTHERLINE_FIELD_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "MOTHERLINE_DATA_DIR": str(tmp_path),
        }
    )
    env.update(extra)
    return env


def _motherline(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "motherline", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _motherline(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_a_key_or_with_the_second_factor_optional(tmp_path):
    env = _production_env(tmp_path, MOTHERLINE_TWO_FACTOR="optional")
    del env["MOTHERLINE_SECRET_KEY"]
    result = _motherline(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    for check in ("motherline.W001", "motherline.W002", "security.W008", "security.W012"):
        assert check in result.stderr


def test_debug_is_on_only_for_exactly_1(tmp_path):
    script = (
        "from django.conf import settings; print(settings.DEBUG, settings.MOTHERLINE_TWO_FACTOR)"
    )
    for value, expected in (
        ("1", "True optional"),
        ("true", "False required"),
        ("0", "False required"),
    ):
        env = _production_env(
            tmp_path, MOTHERLINE_DEBUG=value, DJANGO_SETTINGS_MODULE="motherline.settings"
        )
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {script}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.stdout.strip() == expected, result.stderr
