"""In a browser: a monitor attaches a signed consent form, records the mother's consent to
refer her child, and refers the child to another organisation; that organisation's worker
finds the referral on the worklist, accepts it in Khmer and reads the child's record.
Screenshots at 1280 and 390 pixels wide."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from motherline.casework.models import Consent, Referral
from tests.casework.conftest import pdf_bytes
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import admit, child_in_prison, children_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def both_widths(page, name: str) -> None:
    screenshot(page, f"{name}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_monitor_refers_a_child_and_the_other_organisation_accepts(
    browser, page, live_server, users, orgs, prisons, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    mother = admit(
        users["monitor"],
        prisons["CC2"],
        name="ស្រី ពៅ",
        name_latin="Srey Pov",
        admission_date=today - timedelta(days=200),
        children=[child_in_prison(date(2024, 5, 1), name="ដារ៉ា", name_latin="Dara")],
        today=today,
    )
    child = children_of(mother)[0]
    form_file = tmp_path / "consent form.pdf"
    form_file.write_bytes(pdf_bytes("I agree that my daughter is referred"))
    base = live_server.url

    # The monitor files the signed form, records the consent and refers the child.
    sign_in(page, base, "monitor")
    page.goto(f"{base}/women/{mother.reference}/")
    page.locator("summary:has-text('Attach a document')").click()
    upload = page.locator("form.document-form")
    upload.locator("[name=title]").fill("Signed consent form")
    upload.locator("[name=file]").set_input_files(str(form_file))
    upload.locator("button[type=submit]").click()
    page.wait_for_selector("text=The document has been filed.")
    page.click("#casework a:has-text('Consent to share')")
    form = page.locator("form.record-form")
    form.locator("[name=purpose]").select_option("referral")
    form.locator("[name=given_by]").select_option("parent")
    form.locator("[name=given_by_name]").fill("Srey Pov")
    form.locator("[name=child]").select_option(child.reference)
    form.locator("[name=document]").select_option(label="Signed consent form")
    form.locator("[name=terms]").fill("Her daughter may be placed with her grandmother.")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=The consent has been recorded.")
    both_widths(page, "referral-1-consent-en")
    consent = Consent.objects.get()
    assert consent.document.title == "Signed consent form" and consent.child == child

    page.goto(f"{base}/children/{child.reference}/")
    page.click("#casework a:has-text('Refer the child')")
    form = page.locator("form.record-form")
    form.locator("[name=to_organisation]").select_option(label=orgs["other"].name)
    form.locator("[name=service]").select_option("child_protection")
    form.locator("[name=reason]").fill("Place her with her grandmother and visit the home.")
    form.locator("[name=consent]").select_option(str(consent.pk))
    form.locator("[name=shares_care_plan]").check()
    both_widths(page, "referral-2-refer-en")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=The referral has been sent.")
    referral = Referral.objects.get()
    assert (referral.child, referral.status) == (child, "pending")

    # The other organisation's worker, in Khmer: the worklist, the referral, accepting it.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    other = context.new_page()
    other.set_default_timeout(15_000)
    sign_in(other, base, "other_monitor")
    other.goto(f"{base}/children/{child.reference}/")
    assert "Dara" not in other.content()  # not before accepting
    other.goto(f"{base}/worklist/")
    other.click("form.langswitch button[value=km]")
    other.wait_for_selector("html[lang=km]")
    other.goto(f"{base}/worklist/")
    assert referral.reference in other.content()
    both_widths(other, "referral-3-worklist-km")
    other.click(f"a:has-text('{referral.reference}')")
    other.wait_for_url(f"**/casework/referrals/{referral.pk}/")
    assert "ដារ៉ា" not in other.content()
    both_widths(other, "referral-4-waiting-km")
    other.click("button[value=accept]")
    other.wait_for_selector("text=បានទទួលយក")
    other.click(f"a.ref:has-text('{child.reference}')")
    other.wait_for_url(f"**/children/{child.reference}/")
    assert "ដារ៉ា" in other.content()
    both_widths(other, "referral-5-child-km")
    referral.refresh_from_db()
    assert referral.status == "accepted"
    context.close()
