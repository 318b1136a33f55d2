"""In a browser: a monitor creates an API token on the API tokens page, copies it from the
one time it is shown, a script reads the register with it, and the monitor revokes it."""

from __future__ import annotations

import pytest
from django.test import Client

from motherline.security.models import ApiToken
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_create_use_and_revoke_a_token(page, live_server, users):
    base = live_server.url
    sign_in(page, base, "monitor")
    page.goto(f"{base}/account/tokens/")
    page.fill("input[name=name]", "Monthly report")
    page.check("input[name=capabilities][value=view_register]")
    page.fill("input[name=expires_in_days]", "30")
    page.click("main form.record-form button[type=submit]")
    text = page.locator("[data-testid=new-token]").input_value().strip()
    assert text.startswith("ml_")
    screenshot(page, "tokens-created")

    token = ApiToken.objects.get(name="Monthly report")
    assert token.capabilities == ["view_register"]
    script = Client()
    assert script.get("/api/v1/women", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 200

    page.goto(f"{base}/account/tokens/")
    assert text not in page.content()  # shown once
    assert ApiToken.objects.count() == 1
    page.click("text=Revoke")
    page.wait_for_url(f"{base}/account/tokens/")
    screenshot(page, "tokens-revoked")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert script.get("/api/v1/women", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 401
