"""In a browser, under the strict Content-Security-Policy: the main pages load their styles
and scripts, the admission form's "Add another child" still works, the statistics map keeps
its shades, and no page reports a violation of the policy."""

from __future__ import annotations

from datetime import date

import pytest

from motherline.stats.models import PopulationReturn
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import admit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Collects what the browser reports: a blocked script, style or image fires this event.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def violations(page) -> list[str]:
    return page.evaluate("window.__violations || []")


def test_main_pages_work_without_violating_the_policy(page, live_server, users, prisons):
    woman = admit(users["monitor"], prisons["CC2"])
    for code, women in (("CC2", 500), ("KDL", 60)):
        PopulationReturn.objects.create(
            prison=prisons[code],
            date=date(2025, 12, 31),
            source="prison_authority",
            total=women,
            women=women,
        )
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH)
    base = live_server.url

    sign_in(page, base, "monitor")
    seen = {}
    for path in (
        "/worklist/",
        "/women/",
        f"/women/{woman.reference}/",
        "/legal/",
        "/fieldwork/case-studies/",
        "/grants/services/",
        "/women/admit/",
    ):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert "no-store" in response.headers["cache-control"]
        seen[path] = violations(page)
    # The form's script (a static file) still adds a child's fields.
    page.click("text=Add another child")
    assert page.locator("[name=children-1-name]").count() == 1
    screenshot(page, "csp-admission-form")
    # The stylesheet applies: the header is not the browser's default black on white.
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"

    page.click("text=Sign out")
    sign_in(page, base, "analyst")
    page.goto(f"{base}/statistics/?indicator=women&area=nation:KH&start=2025-01-01")
    page.wait_for_selector("table.tilemap")
    shades = page.evaluate(
        "[...document.querySelectorAll('table.tilemap td[class^=shade]')]"
        ".map(td => getComputedStyle(td).backgroundColor)"
    )
    assert shades and all(colour != "rgba(0, 0, 0, 0)" for colour in shades)
    screenshot(page, "csp-statistics")
    seen["/statistics/"] = violations(page)
    page.goto(f"{base}/statistics/brief/")
    seen["/statistics/brief/"] = violations(page)

    assert all(not found for found in seen.values()), seen
    assert not [text for text in console if "Content Security Policy" in text], console
