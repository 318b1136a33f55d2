"""In a browser, with the second factor required: a deployment administrator creates an
organisation and invites its administrator; she sets her password, enrols a second factor
and invites a monitor, who does the same and sees only her organisation's records; a sharing
agreement makes a partner's woman visible read-only, and ending it removes her."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.core import mail

from motherline.accounts.models import Organisation, Role, SharingAgreement, User
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot
from tests.e2e.test_security import totp_code
from tests.factories import admit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a long new passphrase 42"


def _password_step(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


def _enrol(page, base: str) -> bytes:
    page.wait_for_url(f"{base}/account/two-factor/enrol/**")
    secret = page.locator("code.otp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("input[name=token]", totp_code(key))
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/two-factor/" not in url)
    return key


def _accept_invitation(page, base: str, username: str) -> bytes:
    """Open the invitation's link, set a password, sign in and enrol: returns the key."""
    message = mail.outbox[-1]
    link = re.search(r"https?://\S+", message.body).group(0)
    page.goto(base + link[link.index("/account/") :])
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/login/")
    _password_step(page, base, username, NEW_PASSWORD)
    return _enrol(page, base)


def _invite(page, base: str, username: str, role: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", f"{username}@crc.example.org")
    page.select_option("select[name=role]", role)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/account/users/\d+/$"))


def test_an_organisation_is_set_up_and_shares_without_a_shell(
    browser, page, live_server, users, prisons, jurisdiction, settings
):
    settings.MOTHERLINE_TWO_FACTOR = "required"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    base = live_server.url
    # Eight sign-ins and enrolments: give a slow machine time.
    page.set_default_timeout(60_000)
    shared = admit(users["monitor"], prisons["CC2"], consent_scope="partners")
    deployer = User.objects.create_user(
        username="deploy", password=PASSWORD, role=Role.DEPLOYMENT_ADMINISTRATOR
    )

    # The deployment administrator creates the organisation and invites its administrator.
    _password_step(page, base, deployer.username, PASSWORD)
    _enrol(page, base)
    page.goto(f"{base}/account/organisations/")
    page.fill("input[name=name]", "Children's Rights Cambodia")
    page.select_option("select[name=kind]", "ngo")
    page.select_option("select[name=jurisdiction]", str(jurisdiction.pk))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/account/users/invite/**")
    crc = Organisation.objects.get(name="Children's Rights Cambodia")
    assert page.locator("select[name=organisation]").input_value() == str(crc.pk)
    _invite(page, base, "crc_admin", Role.ADMINISTRATOR)
    screenshot(page, "administration-invited")
    page.click("text=Sign out")

    # She sets her password, enrols, and invites a monitor of her organisation only.
    _accept_invitation(page, base, "crc_admin")
    page.goto(f"{base}/account/users/invite/")
    options = page.locator("select[name=organisation] option").all_inner_texts()
    assert [o for o in options if o.strip() and o.strip() != "---------"] == [crc.name]
    _invite(page, base, "crc_monitor", Role.MONITOR)
    page.goto(f"{base}/account/users/")
    screenshot(page, "administration-users")
    assert page.locator("table.data tbody tr").count() == 2
    page.click("text=Sign out")

    # The monitor sees her organisation's register: empty, nobody of the NGO.
    _accept_invitation(page, base, "crc_monitor")
    page.goto(f"{base}/women/")
    assert shared.reference not in page.content()
    assert page.goto(f"{base}/women/{shared.reference}/").status == 404
    page.click("text=Sign out")

    # The NGO's administrator, in her own browser, shares with the new organisation.
    ngo_context = browser.new_context(viewport={"width": 1280, "height": 900})
    ngo = ngo_context.new_page()
    ngo.set_default_timeout(60_000)
    _password_step(ngo, base, "administrator", PASSWORD)
    _enrol(ngo, base)
    ngo.goto(f"{base}/account/sharing/")
    ngo.select_option("select[name=partner]", str(crc.pk))
    ngo.fill("input[name=starts_on]", "2020-01-01")
    ngo.fill("input[name=agreed_by]", "Director, Women's Justice NGO")
    ngo.click("main section form button[type=submit]")
    ngo.wait_for_url(f"{base}/account/sharing/")
    screenshot(ngo, "administration-sharing")
    agreement = SharingAgreement.objects.get(partner=crc)
    assert agreement.is_in_force(agreement.starts_on)

    # The partner's monitor reads the woman, with no button to change her record.
    _password_step(page, base, "crc_monitor", NEW_PASSWORD)
    page.wait_for_url(f"{base}/account/two-factor/verify/**")
    key = User.objects.get(username="crc_monitor").totpdevice_set.get().bin_key
    page.fill("input[name=token]", totp_code(key, steps_ahead=1))
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/two-factor/" not in url)
    assert page.goto(f"{base}/women/{shared.reference}/").status == 200
    assert page.locator("main form[method=post]").count() == 0
    screenshot(page, "administration-partner-reads")

    # The NGO ends the agreement on its page: the partner's next request is refused.
    row = ngo.locator("table.data tbody tr", has_text="Children's Rights Cambodia")
    row.locator("input[name=reason]").fill("Project over")
    row.locator("button[type=submit]").click()
    ngo.wait_for_url(f"{base}/account/sharing/")
    assert "Ended on" in row.inner_text()
    assert page.goto(f"{base}/women/{shared.reference}/").status == 404
    ngo.set_viewport_size({"width": 390, "height": 844})
    screenshot(ngo, "administration-sharing-390")
    ngo_context.close()
