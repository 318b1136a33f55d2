"""The main navigation by keyboard: an administrator tabs to a group, opens it with Enter,
tabs into it and follows a link; the current page and its group are marked. Then the bar at
a laptop's, a tablet's and a phone's width, in English and Khmer, closed and with a group
open: nothing wider than the window, every group's panel inside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"laptop": (1280, 800), "tablet": (820, 1180), "phone": (390, 844)}


def focused_text(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def tab_to(page, text: str, limit: int = 20) -> None:
    """Press Tab until the element with this text has the focus, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_text(page) == text:
            return
    pytest.fail(f"{text!r} cannot be reached with Tab")


def test_keyboard_opens_a_group_and_follows_a_link(page, live_server, users):
    base = live_server.url
    sign_in(page, base, "administrator")
    assert page.locator("nav.mainnav details[open]").count() == 0
    assert not page.locator("nav.mainnav a:has-text('Prison visits')").is_visible()

    tab_to(page, "Field work")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    # The focus shows: the house's amber outline, not the browser's default or none.
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineColor]; })()"
    )
    assert outline == ["solid", "rgb(240, 165, 0)"]
    page.keyboard.press("Enter")
    field_work = page.locator("nav.mainnav details:has(summary:has-text('Field work'))")
    assert field_work.get_attribute("open") is not None
    assert page.locator("nav.mainnav a:has-text('Prison visits')").is_visible()

    page.keyboard.press("Tab")
    assert focused_text(page) == "Prison visits"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/fieldwork/visits/")
    assert page.locator("h1").inner_text() == "Prison visits"
    current = page.locator("nav.mainnav [aria-current=page]")
    # Inside the closed group: its text, not what is shown.
    assert current.count() == 1 and current.text_content() == "Prison visits"
    group = page.locator("nav.mainnav summary[aria-current=true]")
    assert group.count() == 1 and group.inner_text() == "Field work"
    # A new page starts with every group closed.
    assert page.locator("nav.mainnav details[open]").count() == 0

    # Opening another group closes the first: one panel at a time.
    page.click("nav.mainnav summary:has-text('Register')")
    page.click("nav.mainnav summary:has-text('Reports')")
    assert page.locator("nav.mainnav details[open]").count() == 1
    # And Enter on an open group's summary closes it again.
    tab_to(page, "Reports", limit=30)
    page.keyboard.press("Enter")
    assert page.locator("nav.mainnav details[open]").count() == 0


def look(page, name: str, folder: Path) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def assert_fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for selector in ("nav.mainnav", "nav.mainnav details[open] ul"):
        if page.locator(selector).count():
            box = page.locator(selector).bounding_box()
            assert box is not None
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, selector


@pytest.mark.parametrize("device", list(WIDTHS))
def test_the_bar_at_three_widths_in_both_languages(page, live_server, users, tmp_path, device):
    width, height = WIDTHS[device]
    page.set_viewport_size({"width": width, "height": height})
    base = live_server.url
    sign_in(page, base, "administrator")
    page.goto(f"{base}/fieldwork/visits/")
    for language, open_group in (("en", "Field work"), ("km", "ការងារនៅមូលដ្ឋាន")):
        if language == "km":
            page.click("form.langswitch button[value=km]")
            page.wait_for_selector("html[lang=km]")
        look(page, f"nav-{device}-{language}", tmp_path)
        assert_fits(page, width)
        page.click(f"nav.mainnav summary:has-text('{open_group}')")
        panel = page.locator("nav.mainnav details[open] ul")
        assert panel.is_visible()
        look(page, f"nav-{device}-{language}-open", tmp_path)
        assert_fits(page, width)
        # The panel covers the page below it rather than sitting behind it.
        box = panel.bounding_box()
        assert box is not None
        top_hit = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('nav.mainnav') !== null",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] - 4],
        )
        assert top_hit
        page.click(f"nav.mainnav summary:has-text('{open_group}')")
        # Every group's panel stays inside the window, the last one too.
        summaries = page.locator("nav.mainnav summary")
        for i in range(summaries.count()):
            summaries.nth(i).click()
            assert_fits(page, width)
            summaries.nth(i).click()
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(
        f"nav-{device}-{lang}{state}.png" for lang in ("en", "km") for state in ("", "-open")
    )
