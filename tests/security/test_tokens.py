"""Personal API tokens: created by the command or the page, shown once, stored hashed, used
as `Authorization: Bearer`, limited to their capabilities and the role's, refused at once when
revoked, expired or their user deactivated, rate-limited."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from motherline.accounts.models import AuditEvent, Role, User
from motherline.security import tokens
from motherline.security.models import ApiToken
from tests.factories import admit

WOMEN = "/api/v1/women"
ADMIT = "/api/v1/women"  # POST needs EDIT_REGISTER


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def create(*args: str) -> str:
    out = StringIO()
    call_command("token", "create", *args, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    return lines[0]


def bearer(text: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def test_command_token_reads_women_without_a_session(users, prisons):
    text = create("--user", "monitor", "--name", "reporting", "--expires-in", "30")
    assert text.startswith("ml_")
    token = ApiToken.objects.get(user=users["monitor"], name="reporting")
    # Stored hashed: the text is nowhere in the database.
    assert token.secret_hash == hashlib.sha256(text.encode()).hexdigest()
    assert text not in str(list(ApiToken.objects.values()))
    assert set(token.capabilities) == {
        "view_aggregates",
        "view_register",
        "edit_register",
        "record_fieldwork",
    }

    response = Client(enforce_csrf_checks=True).get(WOMEN, **bearer(text))
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    # Audited like a session's read: as its user, naming the token.
    woman = admit(users["monitor"], prisons["CC2"])
    one = Client().get(f"{WOMEN}/{woman.reference}", **bearer(text))
    assert one.status_code == 200
    event = AuditEvent.objects.filter(action="view", object_ref=woman.reference).get()
    assert event.user == users["monitor"] and event.changes.get("api_token") == token.key


def test_post_with_token_needs_no_csrf_and_is_refused_without_the_capability(users):
    text = create("--user", "monitor", "--name", "read-only", "--capability", "view_register")
    client = Client(enforce_csrf_checks=True)
    assert client.get(WOMEN, **bearer(text)).status_code == 200
    refused = client.post(ADMIT, data={}, content_type="application/json", **bearer(text))
    assert refused.status_code == 403
    # With the capability, the same POST passes the access check (no CSRF) and meets the body's
    # validation.
    full = create("--user", "monitor", "--name", "full")
    answer = client.post(ADMIT, data={}, content_type="application/json", **bearer(full))
    assert answer.status_code == 422


def test_cannot_give_more_than_the_role(users):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        create("--user", "viewer", "--name", "x", "--capability", "view_register")
    with pytest.raises(CommandError):
        create("--user", "viewer", "--name", "x", "--expires-in", "366")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("how", ["revoked", "expired", "deactivated", "garbled"])
def test_refused_at_once(users, how):
    text = create("--user", "monitor", "--name", "script")
    client = Client()
    assert client.get(WOMEN, **bearer(text)).status_code == 200
    if how == "revoked":
        out = StringIO()
        call_command("token", "revoke", "--user", "monitor", "--name", "script", stdout=out)
        assert ApiToken.objects.get().revoked_at is not None
    elif how == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif how == "deactivated":
        User.objects.filter(username="monitor").update(is_active=False)
    else:
        text = text[:-2] + ("AA" if not text.endswith("AA") else "BB")
    assert client.get(WOMEN, **bearer(text)).status_code == 401


def test_lowered_role_limits_the_token_at_once(users):
    text = create("--user", "monitor", "--name", "script")
    client = Client()
    assert client.get(WOMEN, **bearer(text)).status_code == 200
    User.objects.filter(username="monitor").update(role=Role.VIEWER)
    assert client.get(WOMEN, **bearer(text)).status_code == 403
    assert client.get("/api/v1/stats/indicators", **bearer(text)).status_code != 403


def test_rate_limit(users, settings):
    settings.MOTHERLINE_TOKEN_RATE_PER_MINUTE = 3
    text = create("--user", "monitor", "--name", "busy")
    client = Client()
    assert [client.get(WOMEN, **bearer(text)).status_code for _ in range(3)] == [200] * 3
    limited = client.get(WOMEN, **bearer(text))
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Another token of the same user has its own allowance.
    other = create("--user", "monitor", "--name", "other")
    assert client.get(WOMEN, **bearer(other)).status_code == 200


def test_list_prints_no_secret(users):
    text = create("--user", "monitor", "--name", "script")
    out = StringIO()
    call_command("token", "list", "--user", "monitor", stdout=out)
    assert "script" in out.getvalue() and "live" in out.getvalue()
    assert text.split("_", 2)[2] not in out.getvalue()


def test_page_creates_token_shown_once(users):
    client = Client()
    client.force_login(users["monitor"])
    response = client.post(
        reverse("security:tokens"),
        {"name": "bi", "capabilities": ["view_aggregates"], "expires_in_days": "10"},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="bi")
    text = response.context["created"]["text"]
    assert text.startswith(f"ml_{token.key}_")
    assert token.capabilities == ["view_aggregates"]
    assert client.get(reverse("security:tokens")).content.count(text.encode()) == 0
    # Not offered, not accepted: a capability the role does not grant.
    client.force_login(users["viewer"])
    refused = client.post(
        reverse("security:tokens"),
        {"name": "x", "capabilities": ["view_register"], "expires_in_days": "10"},
    )
    assert refused.status_code == 200 and not ApiToken.objects.filter(name="x").exists()


def test_creating_needs_a_verified_second_factor(users):
    monitor = users["monitor"]
    TOTPDevice.objects.create(user=monitor, name="phone", confirmed=True)
    client = Client()
    client.force_login(monitor)  # a session that has not verified the device
    response = client.post(
        reverse("security:tokens"),
        {"name": "bi", "capabilities": ["view_aggregates"], "expires_in_days": "10"},
    )
    assert response.status_code == 302 and "two-factor/verify" in response["Location"]
    assert not ApiToken.objects.exists()
    # The service refuses it too, whatever page calls it.
    with pytest.raises(ValidationError, match="Verify your second factor"):
        tokens.create_token(monitor, "bi", expires_in_days=10, verified=False)
    assert not ApiToken.objects.exists()
    _token, _text = tokens.create_token(monitor, "bi", expires_in_days=10, verified=True)
    assert ApiToken.objects.filter(name="bi").exists()


def test_revoke_own_page(users):
    create("--user", "monitor", "--name", "script")
    token = ApiToken.objects.get()
    client = Client()
    client.force_login(users["monitor"])
    assert client.post(reverse("security:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Another user's token is not found.
    create("--user", "legal_officer", "--name", "script")
    theirs = ApiToken.objects.get(user__username="legal_officer")
    assert client.post(reverse("security:token_revoke", args=[theirs.pk])).status_code == 404


def test_administrators_see_and_revoke_only_their_organisations_tokens(users, orgs):
    create("--user", "monitor", "--name", "script")
    token = ApiToken.objects.get()
    monitor = users["monitor"]
    other_admin = User.objects.create_user(
        username="other_admin", password="x", organisation=orgs["other"], role=Role.ADMINISTRATOR
    )
    stranger = Client()
    stranger.force_login(other_admin)
    page = reverse("security:user_tokens", args=[monitor.pk])
    revoke = reverse("security:user_token_revoke", args=[monitor.pk, token.pk])
    assert stranger.get(page).status_code == 404
    assert stranger.post(revoke).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None

    admin = Client()
    admin.force_login(users["administrator"])
    listing = admin.get(page)
    assert listing.status_code == 200 and b"script" in listing.content
    assert admin.post(revoke).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
