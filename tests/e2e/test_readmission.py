"""A monitor admits a woman who is already on the register under another spelling: the
duplicate check shows her record, the monitor re-admits her on it with her child, and her
page leads with what needs action; in English and Khmer, at 1280 and 390 pixels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from motherline.people import services
from motherline.people.models import PlacementKind, Woman
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import admit, child_outside, children_of, current_version, reload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_duplicate_check_then_readmission_and_her_page(page, live_server, users, prisons, offences):
    today = timezone.localdate()
    monitor = users["monitor"]
    first = admit(
        monitor,
        prisons["CC2"],
        name="សុខ ស្រីមុំ",
        name_latin="Sok Sreymom",
        register_number="CC2-2024-0107",
        date_of_birth=today.replace(year=today.year - 31),
        admission_date=today - timedelta(days=700),
        offences=[offences["theft"]],
        children=[child_outside(today - timedelta(days=1040), name="Dara")],
        today=today,
    )
    services.record_release(
        monitor,
        first.current_episode,
        today - timedelta(days=300),
        "end_of_sentence",
        today=today,
        version=current_version(first.current_episode),
    )
    first = reload(first)
    dara = children_of(first)[0]

    # A shared machine can be slow: the pages get more time than the default.
    page.set_default_timeout(90_000)
    page.set_default_navigation_timeout(90_000)
    sign_in(page, live_server.url, "monitor")
    page.goto(f"{live_server.url}/women/admit/")
    page.fill("[name=name]", "សុក ស្រីមុំ")
    page.fill("[name=name_latin]", "Sokh Srey Mom")
    page.fill("[name=date_of_birth]", today.replace(year=today.year - 30).isoformat())
    page.select_option("[name=prison]", label=prisons["CC2"].name)
    page.fill("[name=admission_date]", (today - timedelta(days=5)).isoformat())
    page.fill("[name=children-0-name]", "Dara")
    page.fill("[name=children-0-date_of_birth]", dara.date_of_birth.isoformat())
    page.check("[name=children-0-living_in_prison][value=yes]")
    page.click("main form button[type=submit]:has-text('Record the admission')")
    page.wait_for_selector("#duplicates-h")
    assert first.reference in page.locator(".duplicate-check").inner_text()
    assert Woman.objects.count() == 1
    screenshot(page, "duplicate-check-en-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "duplicate-check-en-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("button:has-text('This is her')")
    page.wait_for_url(f"{live_server.url}/women/{first.reference}/readmit/")
    page.select_option("[name=children-0-existing]", dara.reference)
    screenshot(page, "readmission-form-en-1280")
    page.click("main form button[type=submit]:has-text('Record the new admission')")
    page.wait_for_url(f"{live_server.url}/women/{first.reference}/")
    woman = reload(first)
    assert Woman.objects.count() == 1 and woman.episodes.count() == 2
    assert dara.placements.get(end_date__isnull=True).kind == PlacementKind.IN_PRISON

    for language in ("en", "km"):
        if language == "km":
            page.click("form.langswitch button[value=km]")
            page.wait_for_selector("html[lang=km]")
        page.goto(f"{live_server.url}/women/{first.reference}/")
        assert page.locator("#urgent-h").is_visible()
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
            screenshot(page, f"woman-page-{language}-{width}")
        page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/women/admit/")
    page.fill("[name=name]", "សុក ស្រីមុំ")
    page.select_option("[name=prison]", index=1)
    page.fill("[name=admission_date]", today.isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_selector("#duplicates-h")
    screenshot(page, "duplicate-check-km-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "duplicate-check-km-390")
