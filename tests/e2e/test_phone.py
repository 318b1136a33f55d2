"""Every page a monitor uses, on a phone (390 pixels wide), in English and in Khmer: the
page never scrolls sideways and its main action button lies inside the window. The pictures
are kept in test-artifacts/ (phone-<language>-<page>.png) for people to look at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from motherline.legal import services as legal
from motherline.legal.models import LegalCase
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import admit, child_in_prison, child_outside

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{page.url} is {width} px wide in a {inner} px window"


def in_reach(page, selector: str) -> None:
    """The first visible element of `selector` lies inside the window's width."""
    button = page.locator(selector).first
    button.wait_for(state="visible")
    box = button.bounding_box()
    assert box is not None, selector
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (page.url, selector, box)


@pytest.fixture
def register(users, prisons, offences, courts):
    today = timezone.localdate()
    monitor = users["monitor"]
    mother = admit(
        monitor,
        prisons["CC2"],
        name="ស្រី ពៅ",
        name_latin="Srey Pov",
        register_number="CC2-2026-000123",
        admission_date=today - timedelta(days=400),
        offences=[offences["theft"]],
        children=[
            child_in_prison(today - timedelta(days=500), name="Baby Pov"),
            child_outside(today - timedelta(days=3000), name="Older Pov"),
        ],
        today=today,
    )
    for k in range(3):
        admit(monitor, prisons["KDL"], name=f"សុខ ចាន់ {k}", name_latin=f"Sok Chan {k}")
    legal.open_case(
        monitor,
        mother,
        {"court": "KH-FI-12", "stage": "trial"},
        next_hearing_on=today + timedelta(days=5),
    )
    return mother


@pytest.mark.parametrize("language", ["en", "km"])
def test_every_page_a_monitor_uses_fits_a_phone(page, live_server, users, register, language):
    page.set_viewport_size(PHONE)
    base = live_server.url
    sign_in(page, base, "monitor")
    if language == "km":
        page.click("form.langswitch button[value=km]")
        page.wait_for_selector("html[lang=km]")
    child = next(c for c in register.children.all() if c.name == "Baby Pov")
    case = LegalCase.objects.get()
    pages = {
        # name: (path, the main action's selector)
        "worklist": ("/worklist/", "tr.worklist-item a.button"),
        "women": ("/women/", "form.filters button[type=submit]"),
        "women-sorted": ("/women/?sort=name", "form.filters button[type=submit]"),
        "woman": (f"/women/{register.reference}/", ".record-actions .button"),
        "child": (f"/children/{child.reference}/", ".record-actions .button"),
        "admission": ("/women/admit/", "main form button[type=submit]"),
        "prisons": ("/prisons/", "nav.mainnav a"),
        "legal-cases": ("/legal/", "table.cards a.ref"),
        "legal-case": (f"/legal/cases/{case.pk}/", "main .button, main button[type=submit]"),
        "screening": ("/legal/screening/", "form.filters button[type=submit]"),
        "rounds": ("/legal/rounds/", "nav.mainnav a"),
        "my-cases": ("/casework/my-cases/", "nav.mainnav a"),
        "visits": ("/fieldwork/visits/", "main a.button, main button[type=submit]"),
        "statistics": ("/statistics/", "main button[type=submit], main a.button"),
    }
    for name, (path, action) in pages.items():
        page.goto(base + path)
        screenshot(page, f"phone-{language}-{name}")
        fits(page)
        in_reach(page, action)
        if name == "legal-case":
            # The court of the case, named in the page's language.
            court = {"en": "Phnom Penh Court of First Instance", "km": "សាលាដំបូងរាជធានីភ្នំពេញ"}
            assert page.locator(f"dd:has-text('{court[language]}')").first.is_visible()
    # The header is compact: brand, languages, sign-out, search and the bar.
    header = page.locator("header.topbar").bounding_box()
    assert header is not None and header["height"] < 160
    # The header's search box finds her by register number.
    page.fill("#topsearch-q", "CC2-2026-000123")
    page.press("#topsearch-q", "Enter")
    page.wait_for_url("**/women/?q=*")
    assert page.locator("table.women tbody tr").count() == 1
    fits(page)

    # The admission form sent with mistakes: one summary at the top, every mistake linked.
    page.goto(f"{base}/women/admit/")
    page.fill("[name=date_of_birth]", "31/12/2099")
    page.click("main form button[type=submit]")
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert summary.locator("a[href='#id_name']").count() == 1
    assert summary.locator("a[href='#id_date_of_birth']").count() == 1
    screenshot(page, f"phone-{language}-admission-errors")
    fits(page)
    in_reach(page, "#error-summary a")


@pytest.mark.parametrize("language", ["en", "km"])
def test_the_sharing_page_fits_a_phone(page, live_server, users, language):
    page.set_viewport_size(PHONE)
    base = live_server.url
    sign_in(page, base, "administrator")
    if language == "km":
        page.click("form.langswitch button[value=km]")
        page.wait_for_selector("html[lang=km]")
    page.goto(f"{base}/account/sharing/")
    screenshot(page, f"phone-{language}-sharing")
    fits(page)
    in_reach(page, "main form button[type=submit]")


def test_a_monitor_chooses_khmer_digits_on_her_phone(page, live_server, users, register):
    page.set_viewport_size(PHONE)
    base = live_server.url
    sign_in(page, base, "monitor")
    page.click("form.langswitch button[value=km]")
    page.wait_for_selector("html[lang=km]")
    # Her name in the header opens her preferences.
    page.click("header .whoami-name")
    page.wait_for_selector("main form [name=native_digits]")
    page.check("[name=native_digits]")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".message-success")
    fits(page)
    screenshot(page, "phone-km-preferences")
    page.goto(f"{base}/women/{register.reference}/")
    text = page.locator("main").inner_text()
    assert "ឆ្នាំ ២០" in text and "ឆ្នាំ 20" not in text
    screenshot(page, "phone-km-woman-khmer-digits")
    fits(page)
